"""The manager dashboard and its CSV export of orders.

A manager sees the current restaurant; head office (superusers) sees every active restaurant side by side.
The figures come from orders.staff.dashboard.figures, a constant number of aggregate queries for any range
of up to 366 days (?start=YYYY-MM-DD&end=YYYY-MM-DD, today by default: .forms). Bad dates are a form error
and a 400. The CSV rows come from .export.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, timedelta

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from orders.staff.dashboard.export import export_rows
from orders.staff.dashboard.figures import combined, dashboard_figures, status_rows
from orders.staff.dashboard.forms import DateRangeForm, ExportForm
from orders.staff.dashboard.offers import offer_figures
from restaurants.models import Restaurant, Role
from restaurants.staff.access import staff_required

DASHBOARD_READERS = (Role.MANAGER,)  # and head office, who passes every role check


def _shortcuts(today: date) -> list[tuple[str, date, date]]:
    """The usual ranges, one tap each: (label, start, end)."""
    return [
        (_("Today"), today, today),
        (_("Yesterday"), today - timedelta(days=1), today - timedelta(days=1)),
        (_("Last 7 days"), today - timedelta(days=6), today),
        (_("This month"), today.replace(day=1), today),
        (_("Last 30 days"), today - timedelta(days=29), today),
    ]


def _restaurants(request: HttpRequest) -> list[Restaurant]:
    """Head office compares every restaurant; a manager sees the restaurant they are working at."""
    if request.user.is_superuser:
        return list(request.staff.restaurants)
    return [request.staff.restaurant]


@require_GET
@staff_required(*DASHBOARD_READERS)
def dashboard_page(request: HttpRequest) -> HttpResponse:
    form = DateRangeForm(request.GET)
    restaurants = _restaurants(request)
    today = timezone.localdate()
    context = {"form": form, "compare": len(restaurants) > 1, "shortcuts": _shortcuts(today)}
    if not form.is_valid():
        return render(request, "staff/dashboard.html", context, status=400)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    figures = dashboard_figures(restaurants=restaurants, start=start, end=end)
    context |= {
        "start": start,
        "end": end,
        "figures": figures,
        "total": combined(figures) if len(figures) > 1 else None,
        "status_rows": status_rows(figures) if len(figures) > 1 else [],
        # Today's figures move with every order: they refresh themselves; a past range does not change.
        "live": start == end == today,
        "today": today,
    }
    # Per promo code and per loyalty reward: uses, discount given, revenue (two queries).
    context["offers"] = offer_figures(restaurants=restaurants, start=start, end=end)
    # The fields show the range on screen, today's included when the address names none.
    context["form"] = DateRangeForm(initial={"start": start, "end": end})
    if request.htmx:
        return render(request, "staff/includes/dashboard_figures.html", context)
    return render(request, "staff/dashboard.html", context)


class _Echo:
    """A file-like object whose write returns the line, for csv.writer to feed a streaming response."""

    def write(self, value: str) -> str:
        return value


@require_GET
@staff_required(*DASHBOARD_READERS)
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    """The orders of the range as CSV, streamed: a year of orders never sits in memory. French Excel's format
    by default (";", decimal comma, a byte order mark), or the plain one (?format=plain)."""
    form = ExportForm(request.GET)
    restaurants = _restaurants(request)
    if not form.is_valid():
        context = {
            "form": form,
            "compare": len(restaurants) > 1,
            "shortcuts": _shortcuts(timezone.localdate()),
        }
        return render(request, "staff/dashboard.html", context, status=400)
    start, end, csv_format = (form.cleaned_data[name] for name in ("start", "end", "format"))
    rows = export_rows(
        restaurants=restaurants, start=start, end=end, decimal_separator=csv_format.decimal_separator
    )
    writer = csv.writer(_Echo(), delimiter=csv_format.delimiter)

    def lines() -> Iterator[str]:
        if csv_format.byte_order_mark:
            yield "\ufeff"
        for row in rows:
            yield writer.writerow(row)

    scope = "all" if len(restaurants) > 1 else restaurants[0].slug
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="orders-{scope}-{start:%Y-%m-%d}-{end:%Y-%m-%d}.csv"'
    )
    return response
