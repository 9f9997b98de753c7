"""The staff screens of the sales record: the closings of the current restaurant (managers and head office),
a closing printable as a Z report, its archive, and head office's integrity check of every restaurant."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from restaurants.models import Role
from restaurants.staff.access import staff_required
from sales.archives import archive_name, build_archive
from sales.integrity import check_all, summary
from sales.models import Closing, ClosingKind, SalesEntry

CLOSINGS_PER_PAGE = 31
SALES_RECORD_READERS = (Role.MANAGER,)  # managers of the restaurant, and head office (who pass every role)


def register_screens() -> None:
    """Put the sales record in the staff navigation of managers and head office (SalesConfig.ready)."""
    from django.utils.translation import gettext_lazy as _

    from restaurants.staff import screens

    screens.register("staff_sales_record", label=_("Sales record"), roles=SALES_RECORD_READERS, position=70)


def _closing_for_staff(request: HttpRequest, pk: int) -> Closing:
    """A closing of the current restaurant (another restaurant's is a 404)."""
    return get_object_or_404(
        Closing.objects.select_related("restaurant"), pk=pk, restaurant=request.staff.restaurant
    )


@require_GET
@staff_required(*SALES_RECORD_READERS)
def sales_record(request: HttpRequest) -> HttpResponse:
    """The closings of one kind (?kind=day|month|year, daily by default), newest first, and the last entries."""
    kind = request.GET.get("kind", ClosingKind.DAY)
    if kind not in ClosingKind.values:
        kind = ClosingKind.DAY
    restaurant = request.staff.restaurant
    closings = Closing.objects.filter(restaurant=restaurant, kind=kind).order_by("-sequence")
    page = Paginator(closings, CLOSINGS_PER_PAGE).get_page(request.GET.get("page"))
    entries = (
        SalesEntry.objects.filter(restaurant=restaurant)
        .select_related("recorded_by")
        .order_by("-sequence")[:20]
    )
    return render(
        request,
        "staff/sales_record.html",
        {"kind": kind, "kinds": ClosingKind.choices, "page": page, "entries": entries},
    )


@require_GET
@staff_required(*SALES_RECORD_READERS)
def sales_closing(request: HttpRequest, pk: int) -> HttpResponse:
    """A closing as a printable report (the Z report of a day)."""
    closing = _closing_for_staff(request, pk)
    return render(request, "staff/sales_closing.html", {"closing": closing})


@require_GET
@staff_required(*SALES_RECORD_READERS)
def sales_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """The ZIP of a closing's period (sales.archives) for the tax administration."""
    closing = _closing_for_staff(request, pk)
    response = HttpResponse(build_archive(closing), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{archive_name(closing)}"'
    return response


@require_GET
@staff_required(*SALES_RECORD_READERS)
def sales_integrity(request: HttpRequest) -> HttpResponse:
    """Head office only: every restaurant's journal and closings recomputed (sales.integrity)."""
    if not request.staff.is_head_office:
        raise PermissionDenied
    reports = check_all()
    return render(request, "staff/sales_integrity.html", {"reports": reports, "counts": summary(reports)})
