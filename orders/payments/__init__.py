"""Payment providers and the services that record what they report.

A provider starts a checkout for a payment (returning the URL to send the customer to), and refunds.
It never decides that an order is paid: `confirm_payment` does, when the provider's server-side
confirmation arrives (Stripe's webhook, or the demo page's "pay" button).
"""

from __future__ import annotations

import logging
import secrets
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.errors import OrderError
from orders.models import (
    Order,
    Payment,
    PaymentMethod,
    PaymentState,
    PaymentStatus,
    Provider,
    Refund,
    RefundState,
    Status,
)
from orders.payments.base import PaymentProvider

logger = logging.getLogger(__name__)


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
    if settings.STRIPE_SECRET_KEY:
        return Provider.STRIPE
    if settings.DEMO_PAYMENTS:
        return Provider.DEMO
    return None


def online_payment_available() -> bool:
    return active_provider_name() is not None


def start_online_payment(*, order: Order, amount: Decimal | None = None) -> Payment:
    """A pending payment of the order's total (or of `amount`, a difference to pay) with the provider."""
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


def confirm_payment(*, payment: Payment, provider_payment_id: str = "", now=None) -> Order:
    """Record that the provider took the money. Idempotent: a second confirmation changes nothing.

    An order awaiting payment becomes `received` (its confirmation email follows). Money taken for an
    order cancelled meanwhile (expired, abandoned) is refunded at once.
    """
    from orders.services import transition_order

    now = now or timezone.now()
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=payment.order_id)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status == PaymentState.SUCCEEDED:
            return order
        payment.status = PaymentState.SUCCEEDED
        payment.succeeded_at = now
        payment.provider_payment_id = provider_payment_id or payment.provider_payment_id
        payment.save(update_fields=["status", "succeeded_at", "provider_payment_id", "updated_at"])
        order.payment_status = _payment_status(order)
        order.save(update_fields=["payment_status", "updated_at"])
        if order.status == Status.AWAITING_PAYMENT:
            order = transition_order(order=order, to=Status.RECEIVED, reason=_("Payment confirmed"), now=now)
        elif order.status == Status.CANCELLED:
            logger.warning("Payment %s confirmed for cancelled order %s: refunding", payment.pk, order.number)
            _create_refund(payment, payment.amount, _("Paid after the order was cancelled"))
    return order


def fail_payment(*, payment: Payment) -> None:
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=payment.order_id)
        updated = Payment.objects.filter(pk=payment.pk, status=PaymentState.PENDING).update(
            status=PaymentState.FAILED, updated_at=timezone.now()
        )
        if updated:
            order.payment_status = _payment_status(order)
            order.save(update_fields=["payment_status", "updated_at"])


def _create_refund(payment: Payment, amount: Decimal, reason: str) -> Refund:
    refund = Refund.objects.create(
        payment=payment, amount=amount, reason=reason[:300], idempotency_key=f"refund-{secrets.token_hex(16)}"
    )
    refund_id = refund.pk
    transaction.on_commit(lambda: execute_refund(refund_id))
    return refund


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
    order.payment_status = _payment_status(order)
    order.save(update_fields=["payment_status", "updated_at"])
    return refunds


def settle_difference_after_commit(order: Order, *, previous_total: Decimal) -> None:
    """After a paid order's total changed: refund what was paid too much, or ask for the difference."""
    held = paid_amount(order)
    if order.total < held:
        refund_order_after_commit(order, amount=held - order.total, reason=_("Order modified"))
    elif order.total > held:
        start_online_payment(order=order, amount=order.total - held)
        order.payment_status = PaymentStatus.PENDING
        order.save(update_fields=["payment_status", "updated_at"])


def execute_refund(refund_id: int) -> None:
    """Ask the provider to refund; a failure leaves the refund `failed` and the order needing attention."""
    refund = Refund.objects.select_related("payment__order").get(pk=refund_id)
    if refund.status != RefundState.PENDING:
        return
    provider = get_provider(refund.payment.provider)
    try:
        provider.refund(refund=refund)
    except Exception as error:  # any provider failure is recorded for staff, never raised
        logger.exception("Refund %s of order %s failed", refund.pk, refund.payment.order.number)
        Refund.objects.filter(pk=refund.pk).update(
            status=RefundState.FAILED, failure_message=str(error)[:1000]
        )
        Order.objects.filter(pk=refund.payment.order_id).update(needs_attention=True)


def mark_refund_succeeded(*, refund: Refund, provider_reference: str = "") -> None:
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=refund.payment.order_id)
        Refund.objects.filter(pk=refund.pk).update(
            status=RefundState.SUCCEEDED,
            provider_reference=provider_reference or refund.provider_reference,
            updated_at=timezone.now(),
        )
        order.payment_status = _payment_status(order)
        order.save(update_fields=["payment_status", "updated_at"])


def record_payment_on_delivery(*, order: Order, method: str, by, now=None) -> Payment:
    """The driver or counter records cash or card taken when handing over an order."""
    if method not in (Provider.CASH, Provider.CARD):
        raise OrderError(_("Choose cash or card."), code="invalid_method")
    now = now or timezone.now()
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.payment_method == PaymentMethod.ONLINE:
            raise OrderError(_("This order is paid online."), code="paid_online")
        if locked.payment_status == PaymentStatus.PAID:
            return locked.payments.filter(status=PaymentState.SUCCEEDED).latest("created_at")
        payment = Payment.objects.create(
            order=locked,
            provider=method,
            amount=locked.total - paid_amount(locked),
            status=PaymentState.SUCCEEDED,
            recorded_by=by,
            succeeded_at=now,
        )
        locked.payment_status = _payment_status(locked)
        locked.save(update_fields=["payment_status", "updated_at"])
    return payment
