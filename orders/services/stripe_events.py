"""Stripe's signed webhook events, each recorded once and handled once by the worker.

The webhook records an event by id (orders.models.StripeEvent) and defers its job in the same transaction
(record_stripe_event), then answers: Stripe gets its 200 as soon as the event is safe. A duplicate or replayed
event fails to insert its row and is a no-op, even when two copies arrive at the same time. The job
(handle_stripe_event) does what the event reports (confirm a payment, expire a checkout, record a refund)
under a lock of the event's row, and marks it processed in the same transaction, so it is done once even if
the job runs twice; an unexpected error rolls it back and the queue runs it again later. Reading an event
(which payment or refund of ours it names, what Stripe says of it) is the adapter's, orders.payments.stripe.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from procrastinate.contrib.django import app

from orders.errors import OrderError
from orders.models import Order, PaymentState, Status, StripeEvent
from orders.payments import JOB_RETRY
from orders.payments.base import QUEUE
from orders.payments.stripe import (
    CURRENCY,
    event_object,
    event_text,
    payment_for_session,
    refund_for_event,
    refund_report,
    to_cents,
)
from orders.services.payment import confirm_payment, expire_checkout, fail_payment
from orders.services.refunds import record_refund_report

logger = logging.getLogger(__name__)


def record_stripe_event(event: dict[str, Any]) -> str:
    """Record one verified webhook event and defer its handling; returns "recorded" or "duplicate".

    Effects, in one transaction: a StripeEvent row for the event id and its job (handle_stripe_event). The
    row goes first: a second copy of the event (a retry, a replay, or a copy arriving at the same time,
    which waits on the unique index) fails to insert it and is a no-op. Nothing slow happens here: the
    webhook answers as soon as this commits.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = StripeEvent.objects.create(
                    event_id=event["id"], type=event.get("type", "")[:100], payload=event
                )
        except IntegrityError:
            logger.info("Stripe event %s already recorded", event["id"])
            return "duplicate"
        handle_stripe_event.defer(record_id=record.pk)
    return "recorded"


@app.task(name="orders.handle_stripe_event", queue=QUEUE, retry=JOB_RETRY)
def handle_stripe_event(record_id: int) -> str:
    """The worker's task: do what a recorded event reports, once; returns what was done (its `outcome`).

    Effects, in one transaction under the event row's lock: the effect of its type (confirm_payment,
    fail_payment, expire_checkout, record_refund_report), then the row's `processed_at` and `outcome`. An
    event already processed is a no-op ("already_handled"), so a second run does nothing. An unexpected
    error rolls everything back and the queue tries again (JOB_RETRY).
    """
    with transaction.atomic():
        record = StripeEvent.objects.select_for_update().filter(pk=record_id).first()
        if record is None or record.processed_at is not None:
            return "already_handled"
        outcome = _dispatch(record.payload)
        record.processed_at = timezone.now()
        record.outcome = outcome[:200]
        record.save(update_fields=["processed_at", "outcome"])
    logger.info("Stripe event %s (%s): %s", record.event_id, record.type, outcome)
    return outcome


def _dispatch(event: dict[str, Any]) -> str:
    kind = event.get("type", "")
    data = event_object(event_object(event.get("data")).get("object"))
    try:
        if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
            return _session_paid(data)
        if kind == "checkout.session.async_payment_failed":
            return _session_failed(data)
        if kind == "checkout.session.expired":
            return _session_expired(data)
        if kind == "charge.refunded":
            refunds = event_object(data.get("refunds")).get("data")
            refunds = refunds if isinstance(refunds, list) else []
            outcomes = [_refund_event(event_object(refund)) for refund in refunds]
            return ",".join(outcomes) or "no_refund_listed"
        if kind in ("refund.created", "refund.updated", "refund.failed", "charge.refund.updated"):
            return _refund_event(data)
    except OrderError as error:
        logger.warning("Stripe event %s (%s) refused: %s", event.get("id"), kind, error.code)
        return f"refused:{error.code}"
    return "ignored"


def _session_paid(session: dict[str, Any]) -> str:
    payment = payment_for_session(session)
    if payment is None:
        logger.warning(
            "Stripe Checkout Session %s paid for no known payment (order %s)",
            session.get("id"),
            event_object(session.get("metadata")).get("order_number", "?"),
        )
        return "unknown_payment"
    if session.get("payment_status") not in ("paid", "no_payment_required"):
        return "payment_not_settled"  # a delayed method: async_payment_succeeded follows
    amount = session.get("amount_total")
    currency = str(session.get("currency", "")).lower()
    if amount != to_cents(payment.amount) or currency != CURRENCY:
        logger.error(
            "Stripe Checkout Session %s took %s %s for payment %s of %s EUR: left for staff",
            session.get("id"),
            amount,
            currency,
            payment.pk,
            payment.amount,
        )
        Order.objects.filter(pk=payment.order_id).update(needs_attention=True, updated_at=timezone.now())
        return "amount_mismatch"
    order = confirm_payment(payment=payment, provider_payment_id=event_text(session.get("payment_intent")))
    return "refunded_cancelled_order" if order.status == Status.CANCELLED else "confirmed"


def _session_failed(session: dict[str, Any]) -> str:
    payment = payment_for_session(session)
    if payment is None:
        return "unknown_payment"
    fail_payment(payment=payment)
    return "failed"


def _session_expired(session: dict[str, Any]) -> str:
    payment = payment_for_session(session)
    if payment is None:
        logger.warning("Stripe Checkout Session %s expired for no known payment", session.get("id"))
        return "unknown_payment"
    if payment.status != PaymentState.PENDING:
        return "not_pending"
    order = expire_checkout(payment=payment)
    return "order_cancelled" if order.status == Status.CANCELLED else "payment_cancelled"


def _refund_event(stripe_refund: dict[str, Any]) -> str:
    refund = refund_for_event(stripe_refund)
    if refund is None:
        logger.info(
            "Stripe refund %s is not one of ours (made from the dashboard?)",
            event_text(stripe_refund.get("id")),
        )
        return "unknown_refund"
    record_refund_report(refund=refund, report=refund_report(refund=refund, stripe_refund=stripe_refund))
    return f"refund_{stripe_refund.get('status', 'unknown')}"
