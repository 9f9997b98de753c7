"""Emails to customers about their orders, rendered and sent by the worker in the order's language.

Requests defer them (orders.tasks) inside the transaction that changes the order; the task calls `send`
here. Templates: emails/<name>-subject.txt, emails/<name>-body.txt and emails/<name>-body.html.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from common.email import send_templated_email
from orders.models import Order
from orders.receipts import build_receipt


def _order_context(order: Order) -> dict:
    """The order, its lines with their extras and removals read once, and its receipt built once for
    the text and the HTML bodies."""
    path = reverse("order_tracking", args=[order.number]) + f"?t={order.tracking_token}"
    lines = list(order.lines.prefetch_related("extras", "removed_ingredients"))
    return {
        "order": order,
        "lines": lines,
        "receipt": build_receipt(order, lines),
        "tracking_url": settings.SITE_URL + path,
    }


def send(*, order_id: int, name: str, key: str, from_status: str = "", to_status: str = "") -> bool:
    """Email the order's customer emails/<name>-* once under `key`; True when sent now.

    A status email tells `to_status`, the status it was deferred for, even if the order has moved on
    since. Nothing is sent for an order that is gone or has no email address. Raises what the mail backend
    raises (the task is retried).
    """
    order = Order.objects.select_related("restaurant").filter(pk=order_id).first()
    if order is None or not order.customer_email:
        return False
    if to_status:
        order.status = to_status
    return send_templated_email(
        key=key,
        name=name,
        to=order.customer_email,
        context={**_order_context(order), "from_status": from_status},
        language=order.language,
    )
