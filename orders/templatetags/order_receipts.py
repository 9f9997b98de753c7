"""`{% order_receipt order as receipt %}`: an order's receipt (orders.receipts) for the page and the emails."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat

from orders.receipts import Receipt, build_receipt

register = template.Library()


@register.simple_tag
def order_receipt(order, lines=None) -> Receipt:
    return build_receipt(order, lines)


@register.filter
def vat_rate(rate: Decimal) -> str:
    """A VAT rate as people write it, in the active language: 10.00 → "10", 5.50 → "5,5" in French."""
    normal = Decimal(rate).normalize()
    decimals = max(0, -int(normal.as_tuple().exponent))
    return floatformat(normal, decimals)
