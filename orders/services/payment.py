"""Online payments recorded against the order lifecycle: what the providers report becomes the order's state.

A provider never decides that an order is paid: `confirm_payment` does, when the provider's server-side
confirmation arrives (Stripe's signed webhook, or the demo page's "pay" button). The rules of money,
whatever the provider:
- an order awaiting payment becomes `received` once what it holds covers its total;
- money taken for a cancelled order, or for a checkout we no longer asked for (replaced or voided), is
  refunded in full at once; money beyond the total (paid twice) is refunded too;
- a change of a paid online order that lowers its total is applied and the difference refunded; one that
  raises it waits as a PendingChange (orders.services.modification) until `confirm_payment` applies it;
- refunds leave after commit (orders.services.refunds).
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.errors import CheckoutExpired, OrderError
from orders.models import Order, Payment, PaymentMethod, PaymentState, PaymentStatus, PendingChange, Status
from orders.payments import (
    cancel_payment,
    get_provider,
    paid_amount,
    save_payment_status,
    start_online_payment,
)
from orders.sales_record import record_payment
from orders.services.lifecycle import transition_order
from orders.services.locking import lock_order
from orders.services.modification import apply_pending_change
from orders.services.refunds import create_refund

logger = logging.getLogger(__name__)


def confirm_payment(*, payment: Payment, provider_payment_id: str = "", now: datetime | None = None) -> Order:
    """Record that the provider took the money.

    Preconditions: the provider confirmed it server-side (a verified webhook, or the demo page's button).
    Effects: the payment is `succeeded` (with the provider's payment id). An order awaiting payment becomes
    `received` once it holds its total (its confirmation email follows after commit), and its other pending
    checkouts are cancelled and voided. Money it should not keep is refunded after commit: everything for a
    cancelled order or for a payment we had given up (cancelled or failed), and anything beyond the total.
    Idempotent: confirming a succeeded payment changes nothing. Errors: none of its own.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # The restaurant row first (lock_order takes it): a paid change may move the stock.
        order = lock_order(payment.order_id)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status == PaymentState.SUCCEEDED:
            return order
        wanted = payment.status == PaymentState.PENDING
        payment.status = PaymentState.SUCCEEDED
        payment.succeeded_at = now
        payment.provider_payment_id = provider_payment_id or payment.provider_payment_id
        payment.save(update_fields=["status", "succeeded_at", "provider_payment_id", "updated_at"])
        _keep_or_refund(order, payment, wanted=wanted, now=now)
        # The money in the sales record, after any stock the change it paid for moved (the head locks last).
        record_payment(payment=payment)
        save_payment_status(order)
        if order.status == Status.AWAITING_PAYMENT and order.is_paid:
            _cancel_other_pending_payments(order, keep=payment)
            order = transition_order(order=order, to=Status.RECEIVED, reason=_("Payment confirmed"), now=now)
    return order


def _keep_or_refund(order: Order, payment: Payment, *, wanted: bool, now: datetime) -> None:
    """Refund what the order should not keep of a payment just taken; apply the change it paid for."""
    if order.status == Status.CANCELLED:
        logger.warning("Payment %s confirmed for cancelled order %s: refunding", payment.pk, order.number)
        create_refund(payment, payment.amount, _("Paid after the order was cancelled"))
        return
    if not wanted:
        logger.warning("Payment %s of order %s was no longer asked for: refunding", payment.pk, order.number)
        create_refund(payment, payment.amount, _("Payment no longer needed"))
        return
    change = PendingChange.objects.filter(payment=payment).first()
    if change is not None and change.is_open:
        apply_pending_change(change=change, now=now)
        order.refresh_from_db()
    surplus = paid_amount(order) - order.total
    if surplus > 0:
        logger.warning("Order %s paid %s too much: refunding it", order.number, surplus)
        create_refund(payment, min(surplus, payment.amount), _("Paid more than the total"))


def _cancel_other_pending_payments(order: Order, *, keep: Payment) -> None:
    for other in order.payments.filter(status=PaymentState.PENDING).exclude(pk=keep.pk):
        cancel_payment(other)


def fail_payment(*, payment: Payment) -> None:
    """The provider says this attempt failed (declined, abandoned): the payment is `failed`; the order keeps
    waiting for a payment (the customer may try again until its deadline). A no-op unless pending."""
    with transaction.atomic():
        order = lock_order(payment.order_id)
        updated = Payment.objects.filter(pk=payment.pk, status=PaymentState.PENDING).update(
            status=PaymentState.FAILED, updated_at=timezone.now()
        )
        if updated:
            save_payment_status(order)


def expire_checkout(*, payment: Payment, now: datetime | None = None) -> Order:
    """The provider closed a checkout unpaid (Stripe's `checkout.session.expired`).

    Effects: when it was the order's pending payment and the order still awaits payment, the order is
    cancelled (stock given back, the payment cancelled with it); otherwise only this payment is cancelled.
    A no-op for a payment no longer pending (paid, failed or already cancelled). Errors: none of its own.
    """
    with transaction.atomic():
        order = lock_order(payment.order_id)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status != PaymentState.PENDING:
            return order
        others = order.payments.filter(status=PaymentState.PENDING).exclude(pk=payment.pk).exists()
        if order.status == Status.AWAITING_PAYMENT and not others:
            return transition_order(
                order=order, to=Status.CANCELLED, reason=_("The payment was not made in time"), now=now
            )
        payment.status = PaymentState.CANCELLED
        payment.save(update_fields=["status", "updated_at"])
        save_payment_status(order)
    return order


def checkout_url(*, payment: Payment, request: HttpRequest) -> str:
    """Where to send the customer to pay a pending payment: its provider's page. When the provider let the
    checkout expire, this attempt has failed (fail_payment): the customer is told so and sent back to the
    order's page, where "Pay now" starts another one."""
    try:
        return get_provider(payment.provider).checkout_url(payment=payment, request=request)
    except CheckoutExpired as error:
        fail_payment(payment=payment)
        messages.info(request, error.message)
        return reverse("order_tracking", args=[payment.order.number])


def restart_online_payment(*, order: Order, now: datetime | None = None) -> Payment:
    """The payment the customer should pay now for an online order: its pending one, or a new one after a
    declined or abandoned attempt.

    Preconditions: the order is paid online and still owes money (`awaiting_payment`, or a pending
    difference after a change). Effects: at most one new pending payment; the order's payment status is
    `pending` again. Errors: OrderError "nothing_to_pay" when the order is paid or no longer awaits a
    payment, "payment_expired" when its time to pay has run out.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_order(order.pk)
        pending = locked.payments.filter(status=PaymentState.PENDING).order_by("-created_at", "-id").first()
        if pending is not None:
            return pending
        if locked.payment_method != PaymentMethod.ONLINE or locked.status != Status.AWAITING_PAYMENT:
            raise OrderError(_("This order has nothing left to pay."), code="nothing_to_pay")
        if locked.payment_expires_at is not None and locked.payment_expires_at <= now:
            raise OrderError(
                _("The time to pay this order has run out; it will be cancelled."), code="payment_expired"
            )
        payment = start_online_payment(order=locked)
        locked.payment_status = PaymentStatus.PENDING
        locked.save(update_fields=["payment_status", "updated_at"])
    return payment
