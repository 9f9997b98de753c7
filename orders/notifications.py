"""Emails to customers about their orders, sent after commit, in the order's language.

Templates: emails/<name>-subject.txt, emails/<name>-body.txt and emails/<name>-body.html.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.urls import reverse

from common.email import send_templated_email
from orders.models import Order, Status
from orders.receipts import build_receipt

logger = logging.getLogger(__name__)


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


def _send(order_id: int, name: str, **extra) -> None:
    order = Order.objects.select_related("restaurant").filter(pk=order_id).first()
    if order is None or not order.customer_email:
        return
    try:
        send_templated_email(
            name=name,
            to=order.customer_email,
            context={**_order_context(order), **extra},
            language=order.language,
        )
    except Exception:  # a mail server failure must not undo or break the order
        logger.exception("Could not send the %s email of order %s", name, order.number)


def order_confirmed(order_id: int) -> None:
    _send(order_id, "order-confirmed")


def order_modified(order_id: int) -> None:
    _send(order_id, "order-modified")


def status_changed(order_id: int, from_status: str) -> None:
    order = Order.objects.filter(pk=order_id).only("status").first()
    if order is None:
        return
    if order.status == Status.RECEIVED and from_status == Status.AWAITING_PAYMENT:
        order_confirmed(order_id)
    else:
        _send(order_id, "order-status", from_status=from_status)
