"""Emails to customers about their orders, sent after commit, in the order's language.

Templates: emails/<name>-subject.txt, emails/<name>-body.txt and emails/<name>-body.html.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.urls import reverse

from common.email import send_templated_email
from orders.models import Order, Refund, Status
from orders.receipts import build_receipt
from restaurants.models import Role, StaffMember

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


def refund_failed(refund_id: int) -> int:
    """Email the active managers of the order's restaurant that a refund failed for good (the order needs
    attention, the money is still held); returns how many were emailed. Each in their own language. Raises
    the mail server's error when none of them could be emailed, so the worker's task tries again; one
    unreachable mailbox among several is logged."""
    refund = Refund.objects.select_related("payment__order__restaurant").filter(pk=refund_id).first()
    if refund is None:
        return 0
    order = refund.payment.order
    managers = (
        StaffMember.objects.active()
        .filter(role=Role.MANAGER, restaurant_id=order.restaurant_id, user__is_active=True)
        .select_related("user")
        .order_by("user__email")
    )
    context = {
        "order": order,
        "refund": refund,
        "admin_url": settings.SITE_URL + reverse("admin:orders_order_change", args=[order.pk]),
    }
    sent, failure = 0, None
    for manager in managers:
        try:
            send_templated_email(
                name="refund-failed",
                to=manager.user.email,
                context={**context, "manager": manager.user},
                language=manager.user.language,
            )
        except Exception as error:  # one unreachable mailbox must not keep the others uninformed
            logger.exception("Could not tell %s that refund %s failed", manager.user.email, refund_id)
            failure = error
        else:
            sent += 1
    if failure is not None and not sent:
        raise failure
    if not managers:
        logger.error(
            "Refund %s of order %s failed and its restaurant has no manager", refund_id, order.number
        )
    return sent
