"""`{{ entry.payment_method|payment_method_label }}`: how the sales record's screens name a payment method.

The journal stores the codes the orders wrote (a payment's provider, or an order's payment method for a
sale); the sales app does not import orders, so the names are here, with the same messages as orders'."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

LABELS = {
    "cash": _("Cash"),
    "card": _("Card terminal"),
    "stripe": _("Stripe"),
    "demo": _("Demo payment"),
    "online": _("Online"),
    "cash_on_delivery": _("Cash on delivery or pick-up"),
    "card_on_delivery": _("Card on delivery or pick-up"),
    "at_counter": _("At the counter"),
}


@register.filter
def payment_method_label(code: str) -> str:
    return str(LABELS.get(code, code))
