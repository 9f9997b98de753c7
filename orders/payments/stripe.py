"""Stripe behind the provider interface: Checkout Sessions, refunds, and the events of the signed webhook.

- The customer pays on Stripe's hosted page (a Checkout Session created when they are sent to pay, with the
  order's lines, extras and delivery fee in cents, EUR, the order number in metadata, an idempotency key
  and an expiry). The return to our success page proves nothing: only the verified webhook confirms.
- Refunds go through the API after commit with the refund's own idempotency key.
- Webhook events are recorded by id (orders.models.StripeEvent) in the transaction that handles them, so a
  duplicate or replayed event is a no-op, even when two copies arrive at the same time.

Tests point the client at a local HTTP server: `settings.STRIPE_API_BASE` (unset in production) replaces
https://api.stripe.com, and `settings.STRIPE_MAX_NETWORK_RETRIES` the number of retries.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from common.parsing import whole_number
from orders import payments
from orders.errors import OrderError
from orders.models import (
    Order,
    Payment,
    PaymentState,
    Provider,
    Refund,
    RefundState,
    Status,
    StripeEvent,
)

logger = logging.getLogger(__name__)

CURRENCY = "eur"
# Stripe accepts an expiry between 30 minutes and 24 hours after the session's creation. The order itself
# is cancelled at its own deadline (expire_unpaid_orders), which also expires the session.
CHECKOUT_LIFETIME = timedelta(hours=1)
MIN_CHECKOUT_LIFETIME = timedelta(minutes=31)
TIMEOUT_SECONDS = 20
STRIPE_LOCALES = {"fr": "fr", "en": "en"}


def to_cents(amount: Decimal) -> int:
    """Euros to integer cents, refusing anything finer than a cent (never rounded silently)."""
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of cents")
    return int(cents)


def stripe_client() -> stripe.StripeClient:
    """A client with the secret key; its retries reuse the request's idempotency key, so they are safe."""
    base = getattr(settings, "STRIPE_API_BASE", "")
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": base} if base else None,
        max_network_retries=getattr(settings, "STRIPE_MAX_NETWORK_RETRIES", 2),
        http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
    )


def _item(name: str, unit_amount: Decimal, quantity: int, description: str = "") -> dict[str, Any]:
    product_data: dict[str, Any] = {"name": name[:250]}
    if description:
        product_data["description"] = description[:500]
    return {
        "price_data": {
            "currency": CURRENCY,
            "unit_amount": to_cents(unit_amount),
            "product_data": product_data,
        },
        "quantity": quantity,
    }


def line_items(order: Order, amount: Decimal) -> list[dict[str, Any]]:
    """The order's lines as Stripe line items: each product at its own price, each extra as its own item,
    then the delivery fee. When they do not add up to `amount` (a payment of part of the order), one item
    names the order instead, so Stripe always asks for exactly the payment's amount."""
    items = []
    for line in order.lines.all():
        removed = ", ".join(ingredient.name for ingredient in line.removed_ingredients.all())
        description = _("without %(ingredients)s") % {"ingredients": removed} if removed else ""
        if line.unit_price > 0:
            items.append(_item(line.product_name, line.unit_price, line.quantity, description))
        for extra in line.extras.all():
            if extra.unit_price > 0:
                items.append(
                    _item(
                        _("Extra %(name)s (%(product)s)")
                        % {"name": extra.name, "product": line.product_name},
                        extra.unit_price,
                        line.quantity,
                    )
                )
    if order.delivery_fee > 0:
        items.append(_item(_("Delivery fee"), order.delivery_fee, 1))
    total = sum(item["price_data"]["unit_amount"] * item["quantity"] for item in items)
    if not items or total != to_cents(amount):
        return [_item(_("Order %(number)s") % {"number": order.number}, amount, 1)]
    return items


def _session_params(payment: Payment, order: Order, request: HttpRequest, expires_at: int) -> dict[str, Any]:
    metadata = {"order_number": order.number, "payment_id": str(payment.pk)}
    params: dict[str, Any] = {
        "mode": "payment",
        "line_items": line_items(order, payment.amount),
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata},
        "client_reference_id": order.number,
        "success_url": request.build_absolute_uri(reverse("stripe_success", args=[order.number])),
        "cancel_url": request.build_absolute_uri(reverse("stripe_cancel", args=[order.number])),
        "expires_at": expires_at,
        "locale": STRIPE_LOCALES.get(order.language, "auto"),
    }
    if order.customer_email:
        params["customer_email"] = order.customer_email
    return params


class StripeProvider:
    name = Provider.STRIPE

    def checkout_url(self, *, payment: Payment, request: HttpRequest) -> str:
        """Stripe's page for this pending payment: its open Checkout Session, or a new one. When Stripe
        cannot be reached, the customer is told so and sent back to the order page, where "Pay now" tries
        again: the order stays reserved until its deadline."""
        order = payment.order
        try:
            return self._session_url(payment, request)
        except stripe.StripeError:
            logger.exception("Stripe Checkout for payment %s of order %s failed", payment.pk, order.number)
            deadline = order.payment_expires_at
            messages.error(
                request,
                _(
                    "Online payment is not available right now. Please try again in a moment: your order is kept until %(time)s."
                )
                % {"time": time_format(timezone.localtime(deadline), "H:i")}
                if deadline
                else _("Online payment is not available right now. Please try again in a moment."),
            )
        except OrderError as error:
            messages.info(request, error.message)
        return reverse("order_tracking", args=[order.number])

    def _session_url(self, payment: Payment, request: HttpRequest) -> str:
        client = stripe_client()
        order = payment.order
        if payment.provider_reference:
            session = client.v1.checkout.sessions.retrieve(payment.provider_reference)
            if session.status == "open":
                return session.url
            if session.status == "complete":
                return reverse("stripe_success", args=[order.number])
            # Expired before our own deadline: this attempt is over; "Pay now" starts another one.
            payments.fail_payment(payment=payment)
            raise OrderError(
                _("The payment page expired. Press “Pay now” to try again."), code="checkout_expired"
            )
        now = timezone.now()
        expires = payment.created_at + CHECKOUT_LIFETIME
        # The key and the parameters depend only on the payment, so a double click or a retry gets the same
        # session back; a session asked for late gets a later expiry, hence another key.
        key = f"checkout-{payment.pk}"
        if expires < now + MIN_CHECKOUT_LIFETIME:
            expires = now + CHECKOUT_LIFETIME
            key = f"{key}-{int(expires.timestamp())}"
        order = Order.objects.prefetch_related("lines__extras", "lines__removed_ingredients").get(pk=order.pk)
        session = client.v1.checkout.sessions.create(
            params=_session_params(payment, order, request, int(expires.timestamp())),
            options={"idempotency_key": key},
        )
        Payment.objects.filter(pk=payment.pk, provider_reference="").update(
            provider_reference=session.id, updated_at=now
        )
        return session.url

    def refund(self, *, refund: Refund) -> None:
        """Refund through Stripe with the refund's idempotency key; raises on any failure (the caller,
        orders.payments.execute_refund, records it)."""
        payment = refund.payment
        if not payment.provider_payment_id:
            raise ValueError(f"Payment {payment.pk} has no Stripe payment intent to refund")
        result = stripe_client().v1.refunds.create(
            params={
                "payment_intent": payment.provider_payment_id,
                "amount": to_cents(refund.amount),
                "reason": "requested_by_customer",
                "metadata": {"order_number": payment.order.number, "refund_id": str(refund.pk)},
            },
            options={"idempotency_key": refund.idempotency_key},
        )
        apply_refund_status(refund=refund, stripe_refund=result.to_dict())

    def void_checkout(self, *, payment_id: int) -> None:
        """Expire the open Checkout Session of a payment we no longer want. Stripe refuses when the session
        is already complete or expired: then there is nothing to void (money taken is refunded when its
        webhook arrives)."""
        payment = Payment.objects.filter(pk=payment_id).first()
        if payment is None or not payment.provider_reference:
            return
        try:
            stripe_client().v1.checkout.sessions.expire(payment.provider_reference)
        except stripe.StripeError as error:
            logger.info("Checkout Session %s not expired: %s", payment.provider_reference, error)


STRIPE_SAYS = "Stripe: "  # prefix of the failure messages Stripe reported (not our own errors)


def apply_refund_status(*, refund: Refund, stripe_refund: dict[str, Any]) -> None:
    """Record what Stripe says of a refund (from the API's answer or a webhook event). A decided refund is
    not moved back to pending by an older event arriving late; a later failure does override a success
    (Stripe reports refunds that fail after succeeding); a success overrides a failure of our own (a
    timeout while Stripe did refund), not one Stripe reported."""
    status = stripe_refund.get("status")
    reference = _text(stripe_refund.get("id"))
    refund = Refund.objects.select_related("payment").get(pk=refund.pk)
    ours = refund.status == RefundState.FAILED and not refund.failure_message.startswith(STRIPE_SAYS)
    if status == "succeeded" and (refund.status == RefundState.PENDING or ours):
        payments.mark_refund_succeeded(refund=refund, provider_reference=reference)
    elif status in ("failed", "canceled") and refund.status != RefundState.FAILED:
        reason = stripe_refund.get("failure_reason") or status
        payments.mark_refund_failed(
            refund=refund, message=f"{STRIPE_SAYS}{reason}", provider_reference=reference
        )
    elif reference and not refund.provider_reference:
        Refund.objects.filter(pk=refund.pk).update(provider_reference=reference, updated_at=timezone.now())


# ---------- Webhook events ----------


def _object(value: Any) -> dict[str, Any]:
    """A JSON object of an event, or an empty one when the field holds anything else (a signed event is
    Stripe's, but its shape is still checked rather than trusted: a surprise must not be a 500 forever)."""
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    """An id of an event's object, or "" when it is not text that fits our columns (255 characters)."""
    return value if isinstance(value, str) and len(value) <= 255 else ""


def handle_event(event: dict[str, Any]) -> str:
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
    data = _object(_object(event.get("data")).get("object"))
    try:
        if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
            return _session_paid(data)
        if kind == "checkout.session.async_payment_failed":
            return _session_failed(data)
        if kind == "checkout.session.expired":
            return _session_expired(data)
        if kind == "charge.refunded":
            refunds = _object(data.get("refunds")).get("data")
            refunds = refunds if isinstance(refunds, list) else []
            outcomes = [_refund_event(_object(refund)) for refund in refunds]
            return ",".join(outcomes) or "no_refund_listed"
        if kind in ("refund.created", "refund.updated", "refund.failed", "charge.refund.updated"):
            return _refund_event(data)
    except OrderError as error:
        logger.warning("Stripe event %s (%s) refused: %s", event.get("id"), kind, error.code)
        return f"refused:{error.code}"
    return "ignored"


def _payment_for_session(session: dict[str, Any]) -> Payment | None:
    """Our payment for a Checkout Session: by its id, or by the payment id of its metadata when the id was
    not saved (the process stopped between Stripe's answer and our update)."""
    session_id = _text(session.get("id"))
    if not session_id:
        return None
    payment = Payment.objects.filter(provider=Provider.STRIPE, provider_reference=session_id).first()
    if payment is not None:
        return payment
    metadata = _object(session.get("metadata"))
    payment_id = whole_number(str(metadata.get("payment_id", "")))
    if payment_id is None:
        return None
    payment = (
        Payment.objects.filter(
            pk=payment_id,
            provider=Provider.STRIPE,
            provider_reference="",
            order__number=metadata.get("order_number", ""),
        )
        .select_related("order")
        .first()
    )
    if payment is not None:
        Payment.objects.filter(pk=payment.pk).update(provider_reference=session_id)
        payment.provider_reference = session_id
    return payment


def _session_paid(session: dict[str, Any]) -> str:
    payment = _payment_for_session(session)
    if payment is None:
        logger.warning(
            "Stripe Checkout Session %s paid for no known payment (order %s)",
            session.get("id"),
            _object(session.get("metadata")).get("order_number", "?"),
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
    order = payments.confirm_payment(
        payment=payment, provider_payment_id=_text(session.get("payment_intent"))
    )
    return "refunded_cancelled_order" if order.status == Status.CANCELLED else "confirmed"


def _session_failed(session: dict[str, Any]) -> str:
    payment = _payment_for_session(session)
    if payment is None:
        return "unknown_payment"
    payments.fail_payment(payment=payment)
    return "failed"


def _session_expired(session: dict[str, Any]) -> str:
    payment = _payment_for_session(session)
    if payment is None:
        logger.warning("Stripe Checkout Session %s expired for no known payment", session.get("id"))
        return "unknown_payment"
    if payment.status != PaymentState.PENDING:
        return "not_pending"
    order = payments.expire_checkout(payment=payment)
    return "order_cancelled" if order.status == Status.CANCELLED else "payment_cancelled"


def _refund_event(stripe_refund: dict[str, Any]) -> str:
    reference = _text(stripe_refund.get("id"))
    refund = Refund.objects.filter(provider_reference=reference).first() if reference else None
    if refund is None:
        refund_id = whole_number(str(_object(stripe_refund.get("metadata")).get("refund_id", "")))
        if refund_id is not None:
            refund = Refund.objects.filter(pk=refund_id, payment__provider=Provider.STRIPE).first()
    if refund is None:
        logger.info("Stripe refund %s is not one of ours (made from the dashboard?)", reference)
        return "unknown_refund"
    apply_refund_status(refund=refund, stripe_refund=stripe_refund)
    return f"refund_{stripe_refund.get('status', 'unknown')}"
