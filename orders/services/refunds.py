"""Refunds: money given back through the payment's provider by the worker, each with its own idempotency key.

A refund is a row (`pending`) and a job (orders.execute_refund) deferred in the transaction that decides it:
both commit or neither does, and a worker that dies leaves the job to be run again. The job asks the
provider with the refund's idempotency key, so a second run never refunds twice; a provider that does not
answer is asked again with backoff (PROVIDER_RETRY) up to REFUND_ATTEMPTS tries, over about nine minutes.
A final failure (a 4xx, or no answer after the last try) leaves the refund `failed`, the order
`needs_attention`, its payment status still saying the money is held, and the restaurant's managers told by
email; staff retry it from the order's admin page (retry_refund). retry_stuck_refunds, run every minute,
takes up refunds whose job was lost.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob

from loyalty import services as loyalty
from orders import notifications
from orders.errors import OrderError
from orders.models import Order, OrderStatusChange, Payment, PaymentState, Refund, RefundState
from orders.payments import (
    JOB_RETRY,
    PROVIDER_RETRY,
    get_provider,
    paid_amount,
    payment_status,
    refundable_amount,
    save_payment_status,
)
from orders.payments.base import QUEUE, ProviderUnavailable, RefundReport
from orders.sales_record import record_refund
from orders.services.locking import lock_order

logger = logging.getLogger(__name__)

REFUND_ATTEMPTS = PROVIDER_RETRY.max_attempts + 1
REFUND_TASK = "orders.execute_refund"
# A job that has not started this long after its refund was last touched is taken as lost (retry_stuck_refunds).
STUCK_AFTER = timedelta(minutes=2)
# A worker silent for this long is dead (procrastinate's own default for stalled workers).
WORKER_SILENT_AFTER = timedelta(seconds=30)


def create_refund(payment: Payment, amount: Decimal, reason: str) -> Refund:
    """A pending refund of `amount` of the payment, and its job (execute_refund) deferred in the caller's
    transaction: the worker asks the provider once it commits, never if it rolls back."""
    refund = Refund.objects.create(
        payment=payment, amount=amount, reason=reason[:300], idempotency_key=f"refund-{secrets.token_hex(16)}"
    )
    defer_refund(refund.pk)
    return refund


def defer_refund(refund_id: int) -> None:
    """The refund's job; its lock keeps two jobs of one refund from running at the same time."""
    execute_refund.configure(lock=f"refund-{refund_id}").defer(refund_id=refund_id)


def refund_payment_after_commit(payment: Payment, *, reason: str) -> Refund | None:
    """Refund what is left of one payment (its provider is called by the worker, after commit)."""
    left = refundable_amount(payment)
    return create_refund(payment, left, reason) if left > 0 else None


def refund_order_after_commit(order: Order, *, amount: Decimal | None, reason: str) -> list[Refund]:
    """Refund `amount` (everything still held when None) across the order's succeeded payments, newest
    first. The provider is called by the worker after commit; the caller holds the order's row lock."""
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


@app.task(name=REFUND_TASK, queue=QUEUE, retry=PROVIDER_RETRY)
def execute_refund(refund_id: int) -> None:
    """The worker's task: ask the provider to refund (outside any lock) and record its answer.

    Preconditions: none (a refund no longer pending is left alone, so a second run does nothing).
    Effects: the refund's attempts count one more, committed before the call; the provider's answer is
    recorded (record_refund_report). When the provider did not answer (ProviderUnavailable) and tries are
    left, it raises so the queue runs the job again later (PROVIDER_RETRY's backoff); at the last try, or on
    any other failure (a 4xx: final), the refund is `failed` and the order needs attention
    (mark_refund_failed). The idempotency key is the refund's own: Stripe answers a second call with the
    first one's answer, so a run repeated after a crash never refunds twice.
    """
    refund = Refund.objects.select_related("payment__order").filter(pk=refund_id).first()
    if refund is None or refund.status != RefundState.PENDING:
        return
    Refund.objects.filter(pk=refund.pk).update(attempts=F("attempts") + 1, updated_at=timezone.now())
    refund.attempts += 1
    try:
        report = get_provider(refund.payment.provider).refund(refund=refund)
    except ProviderUnavailable as error:
        if refund.attempts < REFUND_ATTEMPTS:
            logger.warning(
                "Refund %s of order %s: try %s of %s failed, asking again later: %s",
                refund.pk,
                refund.payment.order.number,
                refund.attempts,
                REFUND_ATTEMPTS,
                error,
            )
            raise
        logger.error(
            "Refund %s of order %s failed for good: %s", refund.pk, refund.payment.order.number, error
        )
        mark_refund_failed(refund=refund, message=str(error))
        return
    except Exception as error:  # a final answer (a 4xx) or our own fault: recorded for staff, not retried
        logger.exception("Refund %s of order %s failed", refund.pk, refund.payment.order.number)
        mark_refund_failed(refund=refund, message=str(error))
        return
    record_refund_report(refund=refund, report=report)


def retry_stuck_refunds(*, now: datetime | None = None) -> list[int]:
    """Take up the refunds whose job was lost; run every minute by the worker (orders.tasks). Returns the
    refunds taken up.

    Two ways a pending refund can be left without a job running it: its job was running in a worker that
    died (SIGKILL, a lost dyno: the job stays `doing`; it is put back to `todo`), or its job is gone (it
    failed on an error the queue does not retry, or the refund predates the queue: a new job is deferred).
    A refund Stripe holds as pending (it has Stripe's reference) waits for its webhook instead. Idempotent:
    a refund with a job waiting or running in a live worker is left alone.
    """
    now = now or timezone.now()
    stalled = ProcrastinateJob.objects.filter(task_name=REFUND_TASK, status="doing").filter(
        Q(worker__isnull=True) | Q(worker__last_heartbeat__lt=now - WORKER_SILENT_AFTER)
    )
    taken_up = []
    for job in stalled:
        try:
            with transaction.atomic():
                app.job_manager.retry_job_by_id(job.id, retry_at=now)
        except DatabaseError:  # someone else put it back first
            continue
        taken_up.append(job.args.get("refund_id"))
    live = {
        job.args.get("refund_id")
        for job in ProcrastinateJob.objects.filter(task_name=REFUND_TASK, status__in=("todo", "doing"))
    }
    lost = Refund.objects.filter(
        status=RefundState.PENDING, provider_reference="", updated_at__lte=now - STUCK_AFTER
    ).exclude(pk__in=[pk for pk in live if pk is not None])
    for refund in lost:
        logger.warning("Refund %s had no job: asking the provider again", refund.pk)
        defer_refund(refund.pk)
        taken_up.append(refund.pk)
    return taken_up


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
    """The provider gave the money back. Recomputes the order's payment status; the money out enters the
    sales record once (a second report of the same success writes nothing)."""
    with transaction.atomic():
        order = lock_order(refund.payment.order_id)
        locked = Refund.objects.select_for_update().select_related("payment__order").get(pk=refund.pk)
        was = locked.status
        Refund.objects.filter(pk=refund.pk).update(
            status=RefundState.SUCCEEDED,
            provider_reference=provider_reference or refund.provider_reference,
            updated_at=timezone.now(),
        )
        if was != RefundState.SUCCEEDED:
            record_refund(refund=locked)
            # The same share of the order's loyalty points goes back.
            loyalty.take_back_for_refund(
                order=order, customer=order.customer, refunded=locked.amount, total=order.total
            )
        save_payment_status(order)


def mark_refund_failed(*, refund: Refund, message: str, provider_reference: str = "") -> None:
    """The provider could not give the money back: the refund is `failed`, the order needs attention (staff
    refund by hand or retry), and its payment status says again that the money is held. When the refund
    was not failed already, the restaurant's managers are emailed by the worker (notify_refund_failed,
    deferred in this transaction)."""
    with transaction.atomic():
        order = lock_order(refund.payment.order_id)
        was = Refund.objects.select_for_update().values_list("status", flat=True).get(pk=refund.pk)
        Refund.objects.filter(pk=refund.pk).update(
            status=RefundState.FAILED,
            failure_message=message[:1000],
            provider_reference=provider_reference or refund.provider_reference,
            updated_at=timezone.now(),
        )
        order.needs_attention = True
        order.payment_status = payment_status(order)
        order.save(update_fields=["needs_attention", "payment_status", "updated_at"])
        if was != RefundState.FAILED:
            notify_refund_failed.defer(refund_id=refund.pk)


@app.task(name="orders.notify_refund_failed", queue=QUEUE, retry=JOB_RETRY)
def notify_refund_failed(refund_id: int) -> None:
    """The worker's task: email the managers of the order's restaurant that a refund failed for good.
    Sent once: the refund records when (failure_notified_at), in the transaction that sends, so a run
    after a send does nothing and a mail server failure rolls the record back and the queue tries again.
    A refund retried since (pending again) is not reported."""
    with transaction.atomic():
        claimed = Refund.objects.filter(
            pk=refund_id, status=RefundState.FAILED, failure_notified_at__isnull=True
        ).update(failure_notified_at=timezone.now())
        if claimed:
            notifications.refund_failed(refund_id)


def retry_refund(*, refund: Refund, by) -> Refund:
    """Ask the provider again for a refund that failed: staff's action from the order's admin page.

    Preconditions: `by` may change the order (the manager of its restaurant, or head office: the caller
    checks). Effects, under the order's lock: the refund is `pending` again and the order's payment status
    counts its money as going back; it gets a new idempotency key, since a provider answers a key it has seen
    with its first answer (Stripe would only repeat the failure); the order's history records who asked, with
    the failure being retried; its job (`execute_refund`, with its tries and backoff) is deferred in the same
    transaction, like any refund's (a new final failure leaves it `failed` again, to be retried again, and
    the managers told again). Returns the refund as it stands after the call (pending: the worker asks). Errors: OrderError "refund_not_failed" when the refund is pending or succeeded (a refund that went
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
        locked.attempts = 0
        locked.failure_notified_at = None
        locked.save(
            update_fields=[
                "status",
                "idempotency_key",
                "failure_message",
                "attempts",
                "failure_notified_at",
                "updated_at",
            ]
        )
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
        defer_refund(locked.pk)
    locked.refresh_from_db()
    return locked
