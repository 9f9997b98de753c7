"""The demo's history in the sales record: the back-dated orders of `history` enter the journal as if each sale,
payment, cancellation and refund had been recorded when it happened, in time order, then the days, months and
years already over are closed. So the managers' Z reports and the head office's integrity screen have a week
to show. Orders already in the record are left alone (a second load adds nothing)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from orders.models import Order, PaymentState, RefundState, Status
from orders.sales_record import record_cancellation, record_payment, record_refund, record_sale
from sales.closings import close_everything_due


def _events(order: Order) -> list[tuple[datetime, int, int, str, object]]:
    events = []
    if order.confirmed_at is not None:  # never confirmed (cancelled unpaid): no sale
        events.append((order.confirmed_at, 1, order.pk, "sale", order))
        if order.status == Status.CANCELLED and order.cancelled_at is not None:
            events.append((order.cancelled_at, 2, order.pk, "cancellation", order))
    for payment in order.payments.all():
        if payment.status == PaymentState.SUCCEEDED:
            events.append((payment.succeeded_at or payment.created_at, 0, payment.pk, "payment", payment))
        for refund in payment.refunds.all():
            if refund.status == RefundState.SUCCEEDED:
                events.append((refund.updated_at, 3, refund.pk, "refund", refund))
    return events


def record_history(*, restaurant_ids: list[int], now: datetime) -> int:
    """Enter the demo restaurants' orders not yet in the sales record, then close what is over; returns the
    number of entries written."""
    orders = (
        Order.objects.filter(restaurant_id__in=restaurant_ids, sales_entries__isnull=True)
        .select_related("taken_by", "customer")
        .prefetch_related("payments__refunds", "lines")
    )
    events = sorted((event for order in orders for event in _events(order)), key=lambda event: event[:3])
    with transaction.atomic():
        for at, _rank, _pk, kind, item in events:
            if kind == "sale":
                record_sale(order=item, by=item.taken_by or item.customer, now=at)
            elif kind == "cancellation":
                record_cancellation(order=item, now=at)
            elif kind == "payment":
                record_payment(payment=item, by=item.recorded_by, now=at)
            else:
                record_refund(refund=item, now=at)
    close_everything_due(now=now)
    return len(events)
