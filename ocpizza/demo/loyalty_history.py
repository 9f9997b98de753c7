"""The demo customers' loyalty points: each of their orders handed over in the demo's history earns its points
through the rule every order follows (loyalty.services.earn_for_order), dated when it was handed over, so the
loyalty page has a history and a demo customer has enough to try a reward in the cart. An order that earned
already is left alone (a second load adds nothing)."""

from __future__ import annotations

from datetime import datetime

from loyalty.models import Entry, Kind
from loyalty.services import earn_for_order
from orders.models import Order, Status


def earn_history(*, restaurant_ids: list[int], now: datetime) -> int:
    """Earn the points of the demo restaurants' handed-over orders that have not earned yet; returns how many
    orders earned."""
    orders = (
        Order.objects.filter(
            restaurant_id__in=restaurant_ids,
            status__in=(Status.DELIVERED, Status.PICKED_UP),
            customer__isnull=False,
        )
        .exclude(loyalty_entries__kind=Kind.EARNED)
        .select_related("customer")
        .order_by("completed_at", "pk")
    )
    earned = 0
    for order in orders:
        entry = earn_for_order(order=order, customer=order.customer, amount=order.total)
        if entry is not None:
            Entry.objects.filter(pk=entry.pk).update(created_at=order.completed_at or now)
            earned += 1
    return earned
