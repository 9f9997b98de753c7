"""The order lifecycle: every status change passes through `transition_order`, and its guards live here.

The moves allowed are orders.models.TRANSITIONS (Order.can_move_to); `check_move` refuses the others, and an
order is handed over only once its money is held (Order.is_paid). Cancelling before preparation gives the
stock back; cancelling a paid order refunds it after commit.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from loyalty import services as loyalty
from orders import notifications
from orders.errors import OrderError
from orders.models import (
    CUSTOMER_EDITABLE_STATUSES,
    Order,
    OrderStatusChange,
    PaymentMethod,
    PaymentState,
    PaymentStatus,
    Status,
)
from orders.payments import void_checkout_after_commit
from orders.sales_record import record_cancellation, record_sale
from orders.services.locking import lock_order
from orders.services.refunds import refund_order_after_commit
from orders.services.reservation import give_back_stock
from restaurants.models import Restaurant

_TIMESTAMPS = {
    Status.RECEIVED: "confirmed_at",
    Status.PREPARING: "preparing_at",
    Status.READY: "ready_at",
    Status.OUT_FOR_DELIVERY: "out_for_delivery_at",
    Status.DELIVERED: "completed_at",
    Status.PICKED_UP: "completed_at",
    Status.CANCELLED: "cancelled_at",
}
HANDED_OVER = (Status.DELIVERED, Status.PICKED_UP)


def check_move(order: Order, to: str) -> None:
    """Raise OrderError "invalid_transition" unless the lifecycle lets `order` become `to`."""
    if not order.can_move_to(to):
        raise OrderError(
            _("An order that is “%(current)s” cannot become “%(target)s”.")
            % {"current": order.get_status_display(), "target": Status(to).label},
            code="invalid_transition",
        )


def transition_order(
    *, order: Order, to: str, by: User | None = None, reason: str = "", now: datetime | None = None
) -> Order:
    """Move an order to another status: the one door through which every status change passes.

    Locks the order row and re-reads its status. A move to the status it already has is a no-op. A move the
    lifecycle (orders.models.TRANSITIONS) does not allow raises OrderError("invalid_transition"). Handing
    over an order to be paid on delivery needs its payment recorded first ("payment_required"). Cancelling
    before preparation gives the ingredients back (`order_cancelled` movements); after it, nothing comes back.
    Writes an OrderStatusChange and defers the customer's email (a job that commits with it).
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_order(order.pk, with_restaurant=True)
        if locked.status == to:
            return locked
        check_move(locked, to)
        if to in HANDED_OVER and not locked.is_paid:
            raise OrderError(_("Record the payment before handing over the order."), code="payment_required")
        from_status = locked.status
        if to == Status.CANCELLED and from_status in CUSTOMER_EDITABLE_STATUSES:
            give_back_stock(order=locked, by=by, note=reason[:300])
        update_fields = _set_status(locked, to, by=by, now=now)
        if to == Status.CANCELLED:
            update_fields += _drop_pending_payments(locked)
        locked.save(update_fields=update_fields)
        Restaurant.raise_board_version(locked.restaurant_id)
        change = OrderStatusChange.objects.create(
            order=locked, from_status=from_status, to_status=to, actor=by, reason=reason[:300]
        )
        # The sales record, after the stock rows (its head is the last lock): confirmed, or reversed.
        if to == Status.RECEIVED:
            record_sale(order=locked, by=by)
        elif to == Status.CANCELLED:
            record_cancellation(order=locked, by=by)
        # Loyalty: the points for what was paid, once per order; a cancellation gives back points spent on it.
        if to in HANDED_OVER:
            loyalty.earn_for_order(order=locked, customer=locked.customer, amount=locked.total)
        elif to == Status.CANCELLED:
            loyalty.give_back_for_cancellation(order=locked, customer=locked.customer)
        notifications.defer_status_email(locked, change)
    return locked


def _set_status(order: Order, to: str, *, by: User | None, now: datetime) -> list[str]:
    """Set the status, the time it was reached and who took the order on; returns the fields to save.

    A recall (ready back to preparing) keeps when the preparation started and by whom, and clears `ready_at`:
    the order is ready again when the kitchen bumps it again."""
    if order.status == Status.READY and to == Status.PREPARING:
        order.status = to
        order.ready_at = None
        return ["status", "updated_at", "ready_at"]
    order.status = to
    update_fields = ["status", "updated_at"]
    timestamp = _TIMESTAMPS.get(to)
    if timestamp:
        setattr(order, timestamp, now)
        update_fields.append(timestamp)
    if to == Status.PREPARING and by is not None:
        order.prepared_by = by
        update_fields.append("prepared_by")
    if to == Status.OUT_FOR_DELIVERY and by is not None:
        order.delivered_by = by
        update_fields.append("delivered_by")
    return update_fields


def _drop_pending_payments(order: Order) -> list[str]:
    """A cancelled order's open checkouts are void (money still taken later is refunded by confirm_payment);
    returns the fields to save."""
    for pending in order.payments.filter(status=PaymentState.PENDING):
        void_checkout_after_commit(pending)
    order.payments.filter(status=PaymentState.PENDING).update(status=PaymentState.CANCELLED)
    if order.payment_status == PaymentStatus.PENDING:
        order.payment_status = PaymentStatus.UNPAID
        return ["payment_status"]
    return []


def transition_order_once(
    *, order: Order, to: str, by: User | None = None, reason: str = "", now: datetime | None = None
) -> tuple[Order, bool]:
    """`transition_order`, also telling whether this call made the move: for the staff boards, where two
    people may tap the same order at once and the second must be told that it was done already.

    Preconditions and errors: those of `transition_order` (OrderError "invalid_transition", ...).
    Effects: those of `transition_order`, in one transaction; the order row is locked before its status is
    read, so exactly one of two concurrent calls returns True. Returns (the order, moved by this call).
    """
    with transaction.atomic():
        current = lock_order(order.pk).status
        moved = transition_order(order=order, to=to, by=by, reason=reason, now=now)
    return moved, current != to


def cancel_order(
    *,
    order: Order,
    by: User | None,
    reason: str = "",
    by_customer: bool = True,
    before_preparation_only: bool = False,
) -> Order:
    """Cancel an order. A customer may do it only while `awaiting_payment` or `received`; staff also later
    (a failed delivery), with a reason, unless `before_preparation_only` (the counter's cancel). Stock comes
    back only before preparation; a paid order is refunded through its payment provider after commit.
    Raises OrderError("too_late") once preparation started when the caller may not cancel then; the check
    is made under the order's lock, so it holds against a pizzaiolo starting the order at the same time."""
    with transaction.atomic():
        locked = lock_order(order.pk)
        if locked.status == Status.CANCELLED:
            return locked
        if (by_customer or before_preparation_only) and locked.status not in CUSTOMER_EDITABLE_STATUSES:
            raise OrderError(
                _("This order is already being prepared and can no longer be cancelled."), code="too_late"
            )
        if not by_customer and locked.status not in CUSTOMER_EDITABLE_STATUSES and not reason.strip():
            raise OrderError(_("Say why the order is cancelled."), code="reason_required")
        was_paid = locked.is_paid
        cancelled = transition_order(order=locked, to=Status.CANCELLED, by=by, reason=reason)
        if was_paid:
            refund_order_after_commit(cancelled, amount=None, reason=reason or _("Order cancelled"))
    return cancelled


def expire_unpaid_orders(*, now: datetime, dry_run: bool = False) -> list[str]:
    """Cancel the online orders still awaiting payment past their deadline (`payment_expires_at`), giving
    their stock back; for the scheduler (`manage.py expire_unpaid_orders`). Returns their numbers.

    Preconditions: none; `dry_run` only lists what would be cancelled. Effects: each order is cancelled
    through transition_order (stock back, pending payments cancelled) in its own transaction, after locking
    it and checking again that it still awaits payment past its deadline, so one paid at the last second is
    left alone and one order's failure does not hold the others back; their open checkouts are voided at the
    provider after commit (money still taken later is refunded by orders.services.confirm_payment).
    Idempotent: a second run finds nothing. Errors: none of its own.
    """
    due = list(
        Order.objects.filter(
            status=Status.AWAITING_PAYMENT,
            payment_method=PaymentMethod.ONLINE,
            payment_expires_at__lte=now,
        )
        .order_by("payment_expires_at", "id")
        .values_list("pk", "number")
    )
    if dry_run:
        return [number for _pk, number in due]
    expired = []
    for pk, number in due:
        with transaction.atomic():
            locked = lock_order(pk)
            if (
                locked.status != Status.AWAITING_PAYMENT
                or locked.payment_expires_at is None
                or locked.payment_expires_at > now
            ):
                continue
            # Cancelling voids the open checkouts too (transition_order), so nobody pays a dead order.
            transition_order(order=locked, to=Status.CANCELLED, reason=_("Not paid in time"), now=now)
        expired.append(number)
    return expired
