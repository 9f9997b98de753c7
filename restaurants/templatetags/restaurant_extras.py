"""Template helpers of the restaurant pages: opening hours summaries and prices."""

from __future__ import annotations

from decimal import Decimal

from django import template

from common import formats
from restaurants import selectors
from restaurants.models import Restaurant

register = template.Library()


@register.filter
def opening_summary(restaurant: Restaurant) -> list[selectors.DaysHours]:
    """Runs of days open at the same hours, from the restaurant's prefetched opening hours."""
    return selectors.opening_summary(restaurant)


@register.filter
def opening_status(restaurant: Restaurant) -> selectors.OpeningStatus:
    """Open now (until when) or the next opening, from the restaurant's prefetched opening hours."""
    return selectors.opening_status(restaurant)


@register.filter
def cents(value: Decimal | int | None) -> str:
    """A price in whole cents, for scripts (static/js/configured-price.js): 9.50 → "950"."""
    if value is None or value == "":
        return ""
    return str(int((Decimal(value) * 100).to_integral_value()))


@register.filter
def euros(value: Decimal | int | None) -> str:
    """A price in the active language's number format: "2 137,80 €" in French, "2,137.80 €" in English."""
    if value is None or value == "":
        return ""
    return formats.euros(value)
