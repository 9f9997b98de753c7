"""Stripe's signed webhook events, handled at most once: each becomes the order service it reports.

Events are recorded by id (orders.models.StripeEvent) in the transaction that handles them, so a duplicate
or replayed event is a no-op, even when two copies arrive at the same time. Reading an event (which payment
or refund of ours it names, what Stripe says of it) is the adapter's, orders.payments.stripe.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from orders.errors import OrderError
from orders.models import Order, PaymentState, Status, StripeEvent
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


def handle_stripe_event(event: dict[str, Any]) -> str:
    """Handle one verified webhook event, at most once; returns what was done (for the log and tests).

    Effects: a StripeEvent row for the event id, then the effect of its type, in one transaction. The row
    goes first: a second copy of the event (a retry, a replay, or a copy arriving at the same time, which
    waits on the unique index) fails to insert it and is a no-op. An unexpected error rolls everything
    back, row included, so Stripe's retry is handled afresh.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = StripeEvent.objects.create(
                    event_id=event["id"], type=event.get("type", "")[:100], payload=event
                )
        except IntegrityError:
            logger.info("Stripe event %s already handled", event["id"])
            return "duplicate"
        outcome = _dispatch(event)
        record.processed_at = timezone.now()
        record.save(update_fields=["processed_at"])
    logger.info("Stripe event %s (%s): %s", event["id"], event.get("type"), outcome)
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
