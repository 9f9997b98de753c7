"""The orders' background work: the customers' emails (confirmation, modification, each status change).

The services defer them inside their transaction through the `defer_*` helpers: the email's job commits
or rolls back with the order. Each job carries the key of its event, so running it twice sends once.
"""

from __future__ import annotations

import uuid

from procrastinate.contrib.django import app

from common.queue import EMAILS, RETRY_EMAIL
from orders import notifications
from orders.models import Order, OrderStatusChange, Status


@app.task(name="orders.send_order_email", queue=EMAILS, retry=RETRY_EMAIL)
def send_order_email(
    *, order_id: int, name: str, key: str, from_status: str = "", to_status: str = ""
) -> None:
    notifications.send(order_id=order_id, name=name, key=key, from_status=from_status, to_status=to_status)


def defer_confirmation(order: Order) -> None:
    """The order's confirmation, once per order whatever path confirms it (placement or payment)."""
    if order.customer_email:
        send_order_email.defer(order_id=order.pk, name="order-confirmed", key=f"order-confirmed:{order.pk}")


def defer_modification(order: Order) -> None:
    """The new content of the order, once per modification."""
    if order.customer_email:
        key = f"order-modified:{order.pk}:{uuid.uuid4().hex}"
        send_order_email.defer(order_id=order.pk, name="order-modified", key=key)


def defer_status_email(order: Order, change: OrderStatusChange) -> None:
    """The status change `change` told to the customer; a payment that arrives is the confirmation."""
    if change.from_status == Status.AWAITING_PAYMENT and change.to_status == Status.RECEIVED:
        defer_confirmation(order)
    elif order.customer_email:
        send_order_email.defer(
            order_id=order.pk,
            name="order-status",
            key=f"order-status:{change.pk}",
            from_status=change.from_status,
            to_status=change.to_status,
        )
