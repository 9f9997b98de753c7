"""The customer's loyalty page: their balance, the rewards within reach and the ledger's history."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from loyalty.models import Entry, Reward, balance_of
from loyalty.services import takes_part


@login_required
@require_GET
def points(request: HttpRequest) -> HttpResponse:
    # Staff accounts take no part in the programme: for them the page does not exist.
    if not takes_part(request.user):
        raise Http404
    entries = Entry.objects.filter(customer=request.user).select_related("order", "reward")[:200]
    context = {
        "balance": balance_of(request.user),
        "entries": entries,
        "rewards": Reward.objects.filter(active=True).order_by("points", "name"),
    }
    return render(request, "loyalty/points.html", context)
