"""The four pages measured, each the plainest Django way of doing it."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Item, Question


def trivial(request):
    """No database, no template: the framework and its default middleware alone."""
    return HttpResponse("Hello, world.")


@login_required
def signed_in(request):
    """The session read from the database, the user loaded, a tiny template."""
    return render(request, "stocksite/signed_in.html")


@login_required
def poll(request, pk):
    """A signed-in page reading one object and its lines (the tutorial's detail page)."""
    question = get_object_or_404(Question.objects.prefetch_related("choices"), pk=pk)
    return render(request, "stocksite/poll.html", {"question": question})


def items(request):
    """Every row as a card with a form of its own (CSRF token included), nothing cached."""
    return render(request, "stocksite/items.html", {"items": Item.objects.order_by("name")})
