"""Refunds: money given back through the payment's provider, after commit, each with its own idempotency key.

A provider's failure leaves the refund `failed` and the order `needs_attention`, its payment status still
saying the money is held; staff retry it from the order's admin page (retry_refund).
"""

from __future__ import annotations

import logging
import secrets
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from orders.errors import OrderError
from orders.models import Order, OrderStatusChange, Payment, PaymentState, Refund, RefundState
from orders.payments import get_provider, paid_amount, payment_status, refundable_amount, save_payment_status
from orders.payments.base import RefundReport
from orders.services.locking import lock_order

logger = logging.getLogger(__name__)


def create_refund(payment: Payment, amount: Decimal, reason: str) -> Refund:
    """A pending refund of `amount` of the payment; its provider is asked after commit (execute_refund)."""
    refund = Refund.objects.create(
        payment=payment, amount=amount, reason=reason[:300], idempotency_key=f"refund-{secrets.token_hex(16)}"
    )
    refund_id = refund.pk
    transaction.on_commit(lambda: execute_refund(refund_id))
    return refund


def refund_payment_after_commit(payment: Payment, *, reason: str) -> Refund | None:
    """Refund what is left of one payment (its provider is called after commit)."""
    left = refundable_amount(payment)
    return create_refund(payment, left, reason) if left > 0 else None


def refund_order_after_commit(order: Order, *, amount: Decimal | None, reason: str) -> list[Refund]:
    """Refund `amount` (everything still held when None) across the order's succeeded payments, newest
    first. The provider is called after commit; the caller holds the order's row lock."""
    remaining = paid_amount(order) if amount is None else amount
    refunds = []
    for payment in order.payments.filter(status=PaymentState.SUCCEEDED).order_by("-created_at", "-id"):
        if remaining <= 0:
            break
        part = min(refundable_amount(payment), remaining)
        if part > 0:
            refunds.append(create_refund(payment, part, reason))
            remaining -= part
    save_payment_status(order)
    return refunds


def execute_refund(refund_id: int) -> None:
    """Ask the provider to refund (after commit, outside any lock) and record its answer. A failure leaves
    the refund `failed` and the order needing attention; it is logged, never raised."""
    refund = Refund.objects.select_related("payment__order").get(pk=refund_id)
    if refund.status != RefundState.PENDING:
        return
    try:
        report = get_provider(refund.payment.provider).refund(refund=refund)
        record_refund_report(refund=refund, report=report)
    except Exception as error:  # any provider failure is recorded for staff, never raised
        logger.exception("Refund %s of order %s failed", refund.pk, refund.payment.order.number)
        mark_refund_failed(refund=refund, message=str(error))


def record_refund_report(*, refund: Refund, report: RefundReport) -> None:
    """Record what the provider says of a refund: succeeded, failed, or (still pending) its reference."""
    if report.status == RefundState.SUCCEEDED:
        mark_refund_succeeded(refund=refund, provider_reference=report.reference)
    elif report.status == RefundState.FAILED:
        mark_refund_failed(refund=refund, message=report.failure, provider_reference=report.reference)
    elif report.reference:
        Refund.objects.filter(pk=refund.pk, provider_reference="").update(
            provider_reference=report.reference, updated_at=timezone.now()
        )


def mark_refund_succeeded(*, refund: Refund, provider_reference: str = "") -> None:
    """The provider gave the money back. Recomputes the order's payment status."""
    with transaction.atomic():
        order = lock_order(refund.payment.order_id)
        Refund.objects.filter(pk=refund.pk).update(
            status=RefundState.SUCCEEDED,
            provider_reference=provider_reference or refund.provider_reference,
            updated_at=timezone.now(),
        )
        save_payment_status(order)


def mark_refund_failed(*, refund: Refund, message: str, provider_reference: str = "") -> None:
    """The provider could not give the money back: the refund is `failed`, the order needs attention (staff
    refund by hand or retry), and its payment status says again that the money is held."""
    with transaction.atomic():
        order = lock_order(refund.payment.order_id)
        Refund.objects.filter(pk=refund.pk).update(
            status=RefundState.FAILED,
            failure_message=message[:1000],
            provider_reference=provider_reference or refund.provider_reference,
            updated_at=timezone.now(),
        )
        order.needs_attention = True
        order.payment_status = payment_status(order)
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
        order = lock_order(refund.payment.order_id)
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
        save_payment_status(order)
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
