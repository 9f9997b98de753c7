"""The dashboard's CSV export: the orders of a range, one row each, read lazily in chunks, each cell safe
from a spreadsheet's formulas."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from loyalty.models import Entry
from loyalty.models import Kind as LoyaltyKind
from orders.models import (
    Order,
)
from orders.staff.dashboard.forms import local_bounds
from restaurants.models import Restaurant

# A cell starting with one of these is a formula to a spreadsheet: "=HYPERLINK(...)" in a name would run.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A CSV cell a spreadsheet will not read as a formula (OWASP's advice: prefix it with a quote)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


# The order's fields in the export, in column order; the restaurant by its name.
COLUMNS = (
    "number",
    "restaurant",
    "created_at",
    "channel",
    "fulfilment",
    "status",
    "payment_method",
    "payment_status",
    "subtotal",
    "discount",
    "delivery_fee",
    "delivery_fee_waived",
    "total",
)
LABELLED = ("channel", "fulfilment", "status", "payment_method", "payment_status")
AMOUNTS = ("subtotal", "discount", "delivery_fee", "delivery_fee_waived", "total")


def _labels() -> dict[str, dict[str, str]]:
    """The label of each value of the labelled columns, in the current language."""
    return {
        name: {value: str(label) for value, label in Order._meta.get_field(name).choices} for name in LABELLED
    }


def _reward_spent() -> Subquery:
    """The name of the loyalty reward whose points an order spent (one spent entry per order), or null."""
    return Subquery(
        Entry.objects.filter(order=OuterRef("pk"), kind=LoyaltyKind.SPENT).values("reward__name")[:1]
    )


def export_rows(
    *, restaurants: Sequence[Restaurant], start: date, end: date, decimal_separator: str = "."
) -> Iterator[list[str]]:
    """The header, then one row per order placed in the range, oldest first: read lazily, in chunks.

    Labels, the time zone and the header are read now, in the request's language: the rows are produced
    later, while the response streams.
    """
    since, until = local_bounds(start, end)
    tz = timezone.get_current_timezone()
    labels = _labels()
    header = [capfirst(str(Order._meta.get_field(name).verbose_name)) for name in COLUMNS]
    header.append(_("Offer"))
    orders = (
        Order.objects.filter(
            restaurant__in=[restaurant.pk for restaurant in restaurants],
            created_at__gte=since,
            created_at__lt=until,
        )
        .annotate(reward_name=_reward_spent())
        .order_by("created_at", "id")
        .values(
            *("restaurant__name" if name == "restaurant" else name for name in COLUMNS),
            "promo_code__code",
            "reward_name",
        )
    )

    def rows() -> Iterator[list[str]]:
        yield [safe_cell(title) for title in header]
        for order in orders.iterator(chunk_size=500):
            yield [
                safe_cell(cell)
                for cell in (
                    order["number"],
                    order["restaurant__name"],
                    timezone.localtime(order["created_at"], tz).strftime("%Y-%m-%d %H:%M"),
                    *(labels[name].get(order[name], order[name]) for name in LABELLED),
                    *(str(order[name]).replace(".", decimal_separator) for name in AMOUNTS),
                    order["promo_code__code"] or order["reward_name"] or "",
                )
            ]

    return rows()
