"""Template helpers of the stock screens and emails: quantities in the active language's number format."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import pgettext_lazy

from common import formats

register = template.Library()

# How each unit of menu.Unit is written after a number.
UNIT_SYMBOLS = {"g": "g", "ml": "ml", "piece": pgettext_lazy("unit symbol", "pcs")}


def unit_symbol(unit: str) -> str:
    return str(UNIT_SYMBOLS.get(unit, unit))


def _number(value: Decimal) -> str:
    # Without the trailing zeros of the 3 stored decimals: "500", "75,5" (French), "0,25".
    return formats.decimal(value)


@register.filter
def quantity(value: Decimal | None, unit: str = "") -> str:
    """A stock quantity with its unit symbol: "1250 g", "75,5 g" in French, "3 pcs"."""
    if value is None or value == "":
        return ""
    text = _number(Decimal(value))
    # A no-break space keeps the number and its unit on one line.
    return f"{text}\u00a0{unit_symbol(unit)}" if unit else text


@register.filter
def signed_quantity(value: Decimal | None, unit: str = "") -> str:
    """A ledger change with its sign: "+1000 g", "−125 g" (a true minus sign)."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    sign = "+" if value > 0 else "−" if value < 0 else ""
    return f"{sign}{quantity(abs(value), unit)}"


@register.filter
def unit(value: str) -> str:
    """The symbol of an ingredient's unit: "g", "ml", "pcs"."""
    return unit_symbol(value)
