"""Payment providers and money arithmetic: which provider takes a payment, what an order holds.

A provider (orders.payments.base.PaymentProvider) starts a checkout for a payment (returning the URL to send
the customer to), refunds, and may void a checkout that is no longer wanted. It never decides that an order
is paid and never moves an order: it reports, and orders.services records (orders.services.payment,
orders.services.refunds). This package imports nothing from orders.services.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Sum
from django.utils.translation import gettext as _
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from orders.errors import OrderError
from orders.models import (
    Order,
    Payment,
    PaymentState,
    PaymentStatus,
    Provider,
    Refund,
    RefundState,
)
from orders.payments.base import QUEUE, PaymentProvider, ProviderUnavailable
from orders.payments.demo import DemoProvider
from orders.payments.stripe import StripeProvider


def get_provider(name: str | None = None) -> PaymentProvider:
    """The provider for new online payments (or the one named, for an existing payment)."""
    name = name or active_provider_name()
    if name == Provider.DEMO:
        return DemoProvider()
    if name == Provider.STRIPE:
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


# Waits between tries: 5 + 2^n seconds (7, 9, 13, 21, 37, 69, 133, 261): nine tries over about nine minutes.
# A provider's call is tried again only when it did not answer (its 4xx is final); other jobs (a webhook
# event, an email) on any error, then are left failed in the admin (Procrastinate jobs) to be retried there.
PROVIDER_RETRY = RetryStrategy(
    max_attempts=8, wait=5, exponential_wait=2, retry_exceptions=[ProviderUnavailable, DatabaseError]
)
JOB_RETRY = RetryStrategy(max_attempts=8, wait=5, exponential_wait=2)


def void_checkout_after_commit(payment: Payment) -> None:
    """Have the worker close the checkout of a payment we no longer want (a Stripe Checkout Session still
    open), so the customer cannot pay it: a job deferred in the caller's transaction, so it leaves after
    commit and not at all on a rollback. Money taken meanwhile is refunded by orders.services.confirm_payment."""
    provider = (
        get_provider(payment.provider) if payment.provider in (Provider.STRIPE, Provider.DEMO) else None
    )
    if not hasattr(provider, "void_checkout") or not payment.provider_reference:
        return
    void_checkout.defer(payment_id=payment.pk)


@app.task(name="orders.void_checkout", queue=QUEUE, retry=PROVIDER_RETRY)
def void_checkout(payment_id: int) -> None:
    """The worker's task: ask the payment's provider to void its checkout. Idempotent: voiding a voided
    checkout is refused by the provider and changes nothing. A provider that does not answer is asked again
    (PROVIDER_RETRY)."""
    payment = Payment.objects.filter(pk=payment_id).exclude(provider_reference="").first()
    if payment is None:
        return
    void = getattr(get_provider(payment.provider), "void_checkout", None)
    if void is not None:
        void(payment=payment)


def cancel_payment(payment: Payment) -> None:
    """A pending payment we no longer want: `cancelled`, its checkout voided at the provider by the worker."""
    payment.status = PaymentState.CANCELLED
    payment.save(update_fields=["status", "updated_at"])
    void_checkout_after_commit(payment)


def paid_amount(order: Order) -> Decimal:
    """What the order holds: succeeded payments less refunds not failed (a pending refund counts as gone)."""
    paid = order.payments.filter(status=PaymentState.SUCCEEDED).aggregate(total=Sum("amount"))["total"]
    refunded = (
        Refund.objects.filter(payment__order=order)
        .exclude(status=RefundState.FAILED)
        .aggregate(total=Sum("amount"))["total"]
    )
    return (paid or Decimal("0")) - (refunded or Decimal("0"))


def refundable_amount(payment: Payment) -> Decimal:
    """What is left to refund of one payment: its amount less its refunds not failed."""
    already = payment.refunds.exclude(status=RefundState.FAILED).aggregate(total=Sum("amount"))["total"]
    return payment.amount - (already or Decimal("0"))


def payment_status(order: Order) -> str:
    """The order's payment status, from what it holds (paid_amount), its pending payments and its refunds."""
    net = paid_amount(order)
    refunded = Refund.objects.filter(payment__order=order).exclude(status=RefundState.FAILED).exists()
    if net >= order.total and net > 0:
        return PaymentStatus.PARTIALLY_REFUNDED if refunded else PaymentStatus.PAID
    if order.payments.filter(status=PaymentState.PENDING).exists():
        return PaymentStatus.PENDING
    if refunded:
        return PaymentStatus.REFUNDED if net <= 0 else PaymentStatus.PARTIALLY_REFUNDED
    return PaymentStatus.UNPAID


def save_payment_status(order: Order) -> None:
    """Write the order's payment status as payment_status computes it (the caller holds the order's lock)."""
    order.payment_status = payment_status(order)
    order.save(update_fields=["payment_status", "updated_at"])
