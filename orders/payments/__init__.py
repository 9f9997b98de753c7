"""Payment providers and the services that record what they report.

A provider starts a checkout for a payment (returning the URL to send the customer to), refunds, and may void
a checkout that is no longer wanted. It never decides that an order is paid: `confirm_payment` does, when the
provider's server-side confirmation arrives (Stripe's signed webhook, or the demo page's "pay" button).

The rules of money, whatever the provider:
- an order awaiting payment becomes `received` once what it holds covers its total;
- money taken for a cancelled order, or for a checkout we no longer asked for (replaced or voided), is
  refunded in full at once; money beyond the total (paid twice) is refunded too;
- a change of a paid online order that lowers its total is applied and the difference refunded; one that
  raises it is never applied unpaid: orders.services.modify_order keeps it as a PendingChange with a pending
  payment of the difference, and `confirm_payment` applies it once that payment is confirmed (or refunds the
  difference when the change can no longer be made);
- refunds leave after commit, each with its own idempotency key; a provider's failure leaves the refund
  `failed` and the order `needs_attention`, its payment status still saying the money is held.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from orders.errors import OrderError
from orders.models import (
    Order,
    OrderStatusChange,
    Payment,
    PaymentMethod,
    PaymentState,
    PaymentStatus,
    PendingChange,
    Provider,
    Refund,
    RefundState,
    Status,
)
from orders.payments.base import PaymentProvider
from restaurants.models import Restaurant

logger = logging.getLogger(__name__)

HELD_STATUSES = (PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED)


def get_provider(name: str | None = None) -> PaymentProvider:
    """The provider for new online payments (or the one named, for an existing payment)."""
    from orders.payments.demo import DemoProvider

    name = name or active_provider_name()
    if name == Provider.DEMO:
        return DemoProvider()
    if name == Provider.STRIPE:
        from orders.payments.stripe import StripeProvider

        return StripeProvider()
    raise OrderError(_("Online payment is not available."), code="online_payment_unavailable")


def active_provider_name() -> str | None:
    """Stripe when its secret key is set; else the demo provider when demo payments are on; else none."""
    if settings.STRIPE_SECRET_KEY:
        return Provider.STRIPE
    if settings.DEMO_PAYMENTS:
        return Provider.DEMO
    return None


def online_payment_available() -> bool:
    return active_provider_name() is not None


def start_online_payment(*, order: Order, amount: Decimal | None = None) -> Payment:
    """A pending payment of the order's total (or of `amount`) with the active provider.

    The demo provider's reference is made here; Stripe's (the Checkout Session id) when the customer is
    sent to pay (orders.payments.stripe), so no network call runs inside the caller's transaction."""
    provider = active_provider_name()
    if provider is None:
        raise OrderError(_("Online payment is not available."), code="online_payment_unavailable")
    return Payment.objects.create(
        order=order,
        provider=provider,
        amount=amount if amount is not None else order.total,
        status=PaymentState.PENDING,
        provider_reference=f"{provider}_{secrets.token_urlsafe(18)}" if provider == Provider.DEMO else "",
    )


def paid_amount(order: Order) -> Decimal:
    """What the order holds: succeeded payments less refunds not failed (a pending refund counts as gone)."""
    paid = order.payments.filter(status=PaymentState.SUCCEEDED).aggregate(total=Sum("amount"))["total"]
    refunded = (
        Refund.objects.filter(payment__order=order)
        .exclude(status=RefundState.FAILED)
        .aggregate(total=Sum("amount"))["total"]
    )
    return (paid or Decimal("0")) - (refunded or Decimal("0"))


def _payment_status(order: Order) -> str:
    net = paid_amount(order)
    refunded = Refund.objects.filter(payment__order=order).exclude(status=RefundState.FAILED).exists()
    if net >= order.total and net > 0:
        return PaymentStatus.PARTIALLY_REFUNDED if refunded else PaymentStatus.PAID
    if order.payments.filter(status=PaymentState.PENDING).exists():
        return PaymentStatus.PENDING
    if refunded:
        return PaymentStatus.REFUNDED if net <= 0 else PaymentStatus.PARTIALLY_REFUNDED
    return PaymentStatus.UNPAID


def _save_payment_status(order: Order) -> None:
    order.payment_status = _payment_status(order)
    order.save(update_fields=["payment_status", "updated_at"])


def void_checkout_after_commit(payment: Payment) -> None:
    """After commit, ask the provider to close the checkout of a payment we no longer want (a Stripe
    Checkout Session still open), so the customer cannot pay it. Money taken meanwhile is refunded by
    `confirm_payment`."""
    provider = (
        get_provider(payment.provider) if payment.provider in (Provider.STRIPE, Provider.DEMO) else None
    )
    void = getattr(provider, "void_checkout", None)
    if void is None or not payment.provider_reference:
        return
    payment_id = payment.pk
    transaction.on_commit(lambda: void(payment_id=payment_id))


def _cancel_other_pending_payments(order: Order, *, keep: Payment) -> None:
    for other in order.payments.filter(status=PaymentState.PENDING).exclude(pk=keep.pk):
        other.status = PaymentState.CANCELLED
        other.save(update_fields=["status", "updated_at"])
        void_checkout_after_commit(other)


def confirm_payment(*, payment: Payment, provider_payment_id: str = "", now: datetime | None = None) -> Order:
    """Record that the provider took the money.

    Preconditions: the provider confirmed it server-side (a verified webhook, or the demo page's button).
    Effects: the payment is `succeeded` (with the provider's payment id). An order awaiting payment becomes
    `received` once it holds its total (its confirmation email follows after commit), and its other pending
    checkouts are cancelled and voided. Money it should not keep is refunded after commit: everything for a
    cancelled order or for a payment we had given up (cancelled or failed), and anything beyond the total.
    Idempotent: confirming a succeeded payment changes nothing. Errors: none of its own.
    """
    from orders.services import transition_order

    now = now or timezone.now()
    with transaction.atomic():
        # The restaurant row first, as every order service does: a paid change may move the stock.
        Restaurant.objects.select_for_update(of=("self",)).filter(orders__payments=payment).first()
        order = Order.objects.select_for_update().get(pk=payment.order_id)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status == PaymentState.SUCCEEDED:
            return order
        wanted = payment.status == PaymentState.PENDING
        payment.status = PaymentState.SUCCEEDED
        payment.succeeded_at = now
        payment.provider_payment_id = provider_payment_id or payment.provider_payment_id
        payment.save(update_fields=["status", "succeeded_at", "provider_payment_id", "updated_at"])
        if order.status == Status.CANCELLED:
            logger.warning("Payment %s confirmed for cancelled order %s: refunding", payment.pk, order.number)
            _create_refund(payment, payment.amount, _("Paid after the order was cancelled"))
        elif not wanted:
            logger.warning(
                "Payment %s of order %s was no longer asked for: refunding", payment.pk, order.number
            )
            _create_refund(payment, payment.amount, _("Payment no longer needed"))
        else:
            change = PendingChange.objects.filter(payment=payment).first()
            if change is not None and change.is_open:
                from orders.services import apply_pending_change

                apply_pending_change(change=change, now=now)
                order.refresh_from_db()
            surplus = paid_amount(order) - order.total
            if surplus > 0:
                logger.warning("Order %s paid %s too much: refunding it", order.number, surplus)
                _create_refund(payment, min(surplus, payment.amount), _("Paid more than the total"))
        _save_payment_status(order)
        if order.status == Status.AWAITING_PAYMENT and order.payment_status in HELD_STATUSES:
            _cancel_other_pending_payments(order, keep=payment)
            order = transition_order(order=order, to=Status.RECEIVED, reason=_("Payment confirmed"), now=now)
    return order


def fail_payment(*, payment: Payment) -> None:
    """The provider says this attempt failed (declined, abandoned): the payment is `failed`; the order keeps
    waiting for a payment (the customer may try again until its deadline). A no-op unless pending."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=payment.order_id)
        updated = Payment.objects.filter(pk=payment.pk, status=PaymentState.PENDING).update(
            status=PaymentState.FAILED, updated_at=timezone.now()
        )
        if updated:
            _save_payment_status(order)


def expire_checkout(*, payment: Payment, now: datetime | None = None) -> Order:
    """The provider closed a checkout unpaid (Stripe's `checkout.session.expired`).

    Effects: when it was the order's pending payment and the order still awaits payment, the order is
    cancelled (stock given back, the payment cancelled with it); otherwise only this payment is cancelled.
    A no-op for a payment no longer pending (paid, failed or already cancelled). Errors: none of its own.
    """
    from orders.services import transition_order

    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=payment.order_id)
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
        _save_payment_status(order)
    return order


def _create_refund(payment: Payment, amount: Decimal, reason: str) -> Refund:
    refund = Refund.objects.create(
        payment=payment, amount=amount, reason=reason[:300], idempotency_key=f"refund-{secrets.token_hex(16)}"
    )
    refund_id = refund.pk
    transaction.on_commit(lambda: execute_refund(refund_id))
    return refund


def refund_payment_after_commit(payment: Payment, *, reason: str) -> Refund | None:
    """Refund what is left of one payment (its provider is called after commit)."""
    already = payment.refunds.exclude(status=RefundState.FAILED).aggregate(total=Sum("amount"))["total"]
    left = payment.amount - (already or Decimal("0"))
    return _create_refund(payment, left, reason) if left > 0 else None


def refund_order_after_commit(order: Order, *, amount: Decimal | None, reason: str) -> list[Refund]:
    """Refund `amount` (everything still held when None) across the order's succeeded payments, newest
    first. The provider is called after commit; the caller holds the order's row lock."""
    remaining = paid_amount(order) if amount is None else amount
    refunds = []
    for payment in order.payments.filter(status=PaymentState.SUCCEEDED).order_by("-created_at", "-id"):
        if remaining <= 0:
            break
        already = payment.refunds.exclude(status=RefundState.FAILED).aggregate(total=Sum("amount"))["total"]
        available = payment.amount - (already or Decimal("0"))
        part = min(available, remaining)
        if part > 0:
            refunds.append(_create_refund(payment, part, reason))
            remaining -= part
    _save_payment_status(order)
    return refunds


def settle_difference_after_commit(order: Order, *, previous_total: Decimal) -> None:
    """After an online order's total changed (called by modify_order, which holds the order's row lock).

    - Still awaiting payment: its pending checkout was for the old total, so it is cancelled (and voided at
      the provider after commit) and a new pending payment asks for the new total.
    - Paid and the total fell: the difference is refunded after commit.
    - Paid and the total rose: never applied directly; modify_order keeps such a change as a PendingChange
      until its difference is paid. Reaching this branch is a bug: OrderError "paid_total_rises" rolls back.
    """
    if order.status == Status.AWAITING_PAYMENT:
        pending = list(order.payments.filter(status=PaymentState.PENDING))
        for payment in pending:
            payment.status = PaymentState.CANCELLED
            payment.save(update_fields=["status", "updated_at"])
            void_checkout_after_commit(payment)
        if pending:
            start_online_payment(order=order)
        _save_payment_status(order)
        return
    held = paid_amount(order)
    if order.total < held:
        refund_order_after_commit(order, amount=held - order.total, reason=_("Order modified"))
    elif order.total > held:
        raise OrderError(
            _(
                "Your order is already paid, so a change cannot raise its total. You can remove products or "
                "swap them for ones that cost the same or less; to add more, place another order."
            ),
            code="paid_total_rises",
        )


def execute_refund(refund_id: int) -> None:
    """Ask the provider to refund (after commit, outside any lock). A failure leaves the refund `failed` and
    the order needing attention; it is logged, never raised."""
    refund = Refund.objects.select_related("payment__order").get(pk=refund_id)
    if refund.status != RefundState.PENDING:
        return
    try:
        get_provider(refund.payment.provider).refund(refund=refund)
    except Exception as error:  # any provider failure is recorded for staff, never raised
        logger.exception("Refund %s of order %s failed", refund.pk, refund.payment.order.number)
        mark_refund_failed(refund=refund, message=str(error))


def mark_refund_succeeded(*, refund: Refund, provider_reference: str = "") -> None:
    """The provider gave the money back. Recomputes the order's payment status."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=refund.payment.order_id)
        Refund.objects.filter(pk=refund.pk).update(
            status=RefundState.SUCCEEDED,
            provider_reference=provider_reference or refund.provider_reference,
            updated_at=timezone.now(),
        )
        _save_payment_status(order)


def mark_refund_failed(*, refund: Refund, message: str, provider_reference: str = "") -> None:
    """The provider could not give the money back: the refund is `failed`, the order needs attention (staff
    refund by hand or retry), and its payment status says again that the money is held."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=refund.payment.order_id)
        Refund.objects.filter(pk=refund.pk).update(
            status=RefundState.FAILED,
            failure_message=message[:1000],
            provider_reference=provider_reference or refund.provider_reference,
            updated_at=timezone.now(),
        )
        order.needs_attention = True
        order.payment_status = _payment_status(order)
        order.save(update_fields=["needs_attention", "payment_status", "updated_at"])


def retry_refund(*, refund: Refund, by) -> Refund:
    """Ask the provider again for a refund that failed: staff's action from the order's admin page.

    Preconditions: `by` may change the order (the manager of its restaurant, or head office: the caller
    checks). Effects, under the order's lock: the refund is `pending` again and the order's payment status
    counts its money as going back; it gets a new idempotency key, since a provider answers a key it has seen
    with its first answer (Stripe would only repeat the failure); the order's history records who asked, with
    the failure being retried; after commit the provider is called by `execute_refund`, like any refund (a
    new failure leaves it `failed` again, to be retried again). Returns the refund as it stands after the
    call. Errors: OrderError "refund_not_failed" when the refund is pending or succeeded (a refund that went
    through is never sent twice; two clicks on "retry" send it once).
    """
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=refund.payment.order_id)
        locked = Refund.objects.select_for_update().get(pk=refund.pk)
        if locked.status == RefundState.SUCCEEDED:
            raise OrderError(
                _("This refund went through already: there is nothing to retry."), code="refund_not_failed"
            )
        if locked.status == RefundState.PENDING:
            raise OrderError(
                _("This refund is under way: wait for the provider's answer before retrying it."),
                code="refund_not_failed",
            )
        failure = locked.failure_message
        locked.status = RefundState.PENDING
        locked.idempotency_key = f"refund-{secrets.token_hex(16)}"
        locked.failure_message = ""
        locked.save(update_fields=["status", "idempotency_key", "failure_message", "updated_at"])
        _save_payment_status(order)
        # A line of the history that changes no status, by staff: the customer's timeline leaves it out.
        OrderStatusChange.objects.create(
            order=order,
            from_status=order.status,
            to_status=order.status,
            actor=by,
            reason=(
                _("Refund of %(amount)s € retried (it had failed: %(failure)s)")
                % {"amount": number_format(locked.amount, 2), "failure": failure or "?"}
            )[:300],
        )
        transaction.on_commit(lambda: execute_refund(locked.pk))
    locked.refresh_from_db()
    return locked


def record_payment_on_delivery(*, order: Order, method: str, by, now: datetime | None = None) -> Payment:
    """The driver or counter employee records the cash or card taken when handing over an order.

    Preconditions: the order is not paid online and not cancelled; `method` is `cash` or `card`.
    Effects: a succeeded payment of what is still due, recorded by `by`; the order is `paid`. Recording an
    order already paid returns its payment (idempotent). Errors: OrderError "invalid_method", "paid_online",
    "cancelled".
    """
    if method not in (Provider.CASH, Provider.CARD):
        raise OrderError(_("Choose cash or card."), code="invalid_method")
    now = now or timezone.now()
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.payment_method == PaymentMethod.ONLINE:
            raise OrderError(_("This order is paid online."), code="paid_online")
        if locked.status == Status.CANCELLED:
            raise OrderError(_("This order is cancelled: there is nothing to pay."), code="cancelled")
        due = locked.total - paid_amount(locked)
        if locked.payment_status == PaymentStatus.PAID or due <= 0:
            return locked.payments.filter(status=PaymentState.SUCCEEDED).latest("created_at")
        payment = Payment.objects.create(
            order=locked,
            provider=method,
            amount=due,
            status=PaymentState.SUCCEEDED,
            recorded_by=by,
            succeeded_at=now,
        )
        _save_payment_status(locked)
    return payment
