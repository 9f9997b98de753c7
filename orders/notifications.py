"""Emails about orders, rendered and sent by the worker in their reader's language.

Customers: the confirmation, each modification and each status change. Services defer them inside the
transaction that changes the order (the `defer_*` helpers: a job of orders.send_order_email that commits or
rolls back with the order); the worker calls `send`. Managers: a refund that failed for good
(`refund_failed`, from orders.services.refunds). Templates: emails/<name>-subject.txt,
emails/<name>-body.txt and emails/<name>-body.html.
"""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.urls import reverse
from procrastinate.contrib.django import app

from common.email import send_templated_email
from common.queue import EMAILS, RETRY_EMAIL
from orders.models import Order, OrderStatusChange, Refund, Status
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


@app.task(name="orders.send_order_email", queue=EMAILS, retry=RETRY_EMAIL)
def send_order_email(
    *, order_id: int, name: str, key: str, from_status: str = "", to_status: str = ""
) -> None:
    send(order_id=order_id, name=name, key=key, from_status=from_status, to_status=to_status)


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
    """The status change `change` told to the customer; a payment that arrives is the confirmation. The
    kitchen's recall of a ticket (ready back to preparing) is not news to the customer: no email."""
    if change.from_status == Status.AWAITING_PAYMENT and change.to_status == Status.RECEIVED:
        defer_confirmation(order)
    elif change.from_status == Status.READY and change.to_status == Status.PREPARING:
        return
    elif order.customer_email:
        send_order_email.defer(
            order_id=order.pk,
            name="order-status",
            key=f"order-status:{change.pk}",
            from_status=change.from_status,
            to_status=change.to_status,
        )


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
                key=f"refund-failed:{refund_id}:{refund.failure_notified_at:%Y%m%dT%H%M%S%f}:{manager.pk}",
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
