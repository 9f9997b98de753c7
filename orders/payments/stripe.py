"""Stripe behind the provider interface: Checkout Sessions, refunds, and reading the signed webhook's events.

- The customer pays on Stripe's hosted page (a Checkout Session created when they are sent to pay, with the
  order's lines, extras and delivery fee in cents, EUR, the order number in metadata, an idempotency key
  and an expiry). The return to our success page proves nothing: only the verified webhook confirms.
- Refunds and voided sessions are asked by the worker (tasks of the payments queue) with the refund's own
  idempotency key; a failure worth retrying raises ProviderUnavailable and the queue asks again later.
- A webhook event names a payment or a refund of ours (payment_for_session, refund_for_event) and says what
  happened to it (refund_report); orders.services.stripe_events records it.

Budgets: the Checkout Session is the one call made inside a customer's request (they need its URL), so it
gets a short timeout and one quick retry: CHECKOUT_TIMEOUT (1 s to connect, 3 s to read) twice plus
Stripe's 0.5 s pause, under 8 s in all, well inside Heroku's 30 s. The worker's calls get TIMEOUT_SECONDS
and no retry of the client's own: the queue retries them with its backoff, over minutes.

Tests point the client at a local HTTP server: `settings.STRIPE_API_BASE` (unset in production) replaces
https://api.stripe.com.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from common import formats
from common.parsing import whole_number
from orders.errors import CheckoutExpired, OrderError
from orders.models import Order, Payment, Provider, Refund, RefundState
from orders.payments.base import ProviderUnavailable, RefundReport

logger = logging.getLogger(__name__)

CURRENCY = "eur"
# Stripe accepts an expiry between 30 minutes and 24 hours after the session's creation. The order itself
# is cancelled at its own deadline (expire_unpaid_orders), which also expires the session.
CHECKOUT_LIFETIME = timedelta(hours=1)
MIN_CHECKOUT_LIFETIME = timedelta(minutes=31)
TIMEOUT_SECONDS = 20
CHECKOUT_TIMEOUT = (1.0, 3.0)  # (connect, read) seconds, for the Checkout Session asked in the request
CHECKOUT_RETRIES = 1
STRIPE_LOCALES = {"fr": "fr", "en": "en"}


def to_cents(amount: Decimal) -> int:
    """Euros to integer cents, refusing anything finer than a cent (never rounded silently)."""
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of cents")
    return int(cents)


def stripe_client(
    *, timeout: float | tuple[float, float] = TIMEOUT_SECONDS, retries: int = 0
) -> stripe.StripeClient:
    """A client with the secret key, waiting `timeout` seconds per try and retrying `retries` times (a retry
    reuses the request's idempotency key, so it is safe). The defaults are the worker's: the queue retries."""
    base = getattr(settings, "STRIPE_API_BASE", "")
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": base} if base else None,
        max_network_retries=retries,
        http_client=stripe.RequestsClient(timeout=timeout),
    )


def worth_retrying(error: stripe.StripeError) -> bool:
    """Whether asking Stripe again later may work: no answer (network, timeout), its own failure (5xx), too
    many requests, or the same idempotency key still being handled. A 4xx is Stripe's final word."""
    if isinstance(error, stripe.APIConnectionError | stripe.RateLimitError | stripe.IdempotencyError):
        return True
    return error.http_status is None or error.http_status >= 500


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
        if line.discount > 0 or line.formule_saving > 0:
            # Discounted: the line as one item at what it costs now (its share may not divide by the
            # quantity), extras included.
            items.append(_discounted_item(order, line, description))
            continue
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


def _discounted_item(order: Order, line, description: str) -> dict[str, Any]:
    extras = ", ".join(extra.name for extra in line.extras.all())
    notes = [
        part for part in (description, _("with %(extras)s") % {"extras": extras} if extras else "") if part
    ]
    if line.formule_name:
        notes.append(_("Formule %(name)s") % {"name": line.formule_name})
    if line.discount > 0:
        notes.append(
            _("%(discount)s off (code %(code)s)")
            % {
                "discount": formats.euros(line.discount),
                "code": order.promo_code.code if order.promo_code else "",
            }
        )
    return _item(f"{line.quantity} × {line.product_name}", line.amount, 1, " · ".join(notes))


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
        except CheckoutExpired:
            raise  # orders.services.checkout_url records the failed attempt
        except OrderError as error:
            messages.info(request, error.message)
        return reverse("order_tracking", args=[order.number])

    def _session_url(self, payment: Payment, request: HttpRequest) -> str:
        client = stripe_client(timeout=CHECKOUT_TIMEOUT, retries=CHECKOUT_RETRIES)
        order = payment.order
        if payment.provider_reference:
            session = client.v1.checkout.sessions.retrieve(payment.provider_reference)
            if session.status == "open":
                return session.url
            if session.status == "complete":
                return reverse("stripe_success", args=[order.number])
            # Expired before our own deadline: this attempt is over; "Pay now" starts another one.
            raise CheckoutExpired(_("The payment page expired. Press “Pay now” to try again."))
        now = timezone.now()
        expires = payment.created_at + CHECKOUT_LIFETIME
        # The key and the parameters depend only on the payment, so a double click or a retry gets the same
        # session back; a session asked for late gets a later expiry, hence another key.
        key = f"checkout-{payment.pk}"
        if expires < now + MIN_CHECKOUT_LIFETIME:
            expires = now + CHECKOUT_LIFETIME
            key = f"{key}-{int(expires.timestamp())}"
        order = (
            Order.objects.select_related("promo_code")
            .prefetch_related("lines__extras", "lines__removed_ingredients")
            .get(pk=order.pk)
        )
        session = client.v1.checkout.sessions.create(
            params=_session_params(payment, order, request, int(expires.timestamp())),
            options={"idempotency_key": key},
        )
        Payment.objects.filter(pk=payment.pk, provider_reference="").update(
            provider_reference=session.id, updated_at=now
        )
        return session.url

    def refund(self, *, refund: Refund) -> RefundReport:
        """Refund through Stripe with the refund's idempotency key (Stripe answers a key it has seen with
        its first answer: a second try never refunds twice) and say what Stripe answered. Raises
        ProviderUnavailable when asking again may work (worth_retrying), the StripeError otherwise (the
        caller, orders.services.execute_refund, records it)."""
        payment = refund.payment
        if not payment.provider_payment_id:
            raise ValueError(f"Payment {payment.pk} has no Stripe payment intent to refund")
        try:
            result = stripe_client().v1.refunds.create(
                params={
                    "payment_intent": payment.provider_payment_id,
                    "amount": to_cents(refund.amount),
                    "reason": "requested_by_customer",
                    "metadata": {"order_number": payment.order.number, "refund_id": str(refund.pk)},
                },
                options={"idempotency_key": refund.idempotency_key},
            )
        except stripe.StripeError as error:
            if worth_retrying(error):
                raise ProviderUnavailable(f"Stripe unavailable: {error}") from error
            raise
        return refund_report(refund=refund, stripe_refund=result.to_dict())

    def void_checkout(self, *, payment: Payment) -> None:
        """Expire the open Checkout Session of a payment we no longer want. Stripe refuses (a 4xx) when the
        session is already complete or expired: then there is nothing to void (money taken is refunded when
        its webhook arrives). Raises ProviderUnavailable when Stripe did not answer."""
        try:
            stripe_client().v1.checkout.sessions.expire(payment.provider_reference)
        except stripe.StripeError as error:
            if worth_retrying(error):
                raise ProviderUnavailable(f"Stripe unavailable: {error}") from error
            logger.info("Checkout Session %s not expired: %s", payment.provider_reference, error)


STRIPE_SAYS = "Stripe: "  # prefix of the failure messages Stripe reported (not our own errors)


def refund_report(*, refund: Refund, stripe_refund: dict[str, Any]) -> RefundReport:
    """What to record of what Stripe says of a refund (from the API's answer or a webhook event). A decided
    refund is not moved back to pending by an older event arriving late; a later failure does override a
    success (Stripe reports refunds that fail after succeeding); a success overrides a failure of our own (a
    timeout while Stripe did refund), not one Stripe reported. Anything else reports `pending`, with
    Stripe's reference for a refund that has none yet."""
    status = stripe_refund.get("status")
    reference = event_text(stripe_refund.get("id"))
    refund = Refund.objects.select_related("payment").get(pk=refund.pk)
    ours = refund.status == RefundState.FAILED and not refund.failure_message.startswith(STRIPE_SAYS)
    if status == "succeeded" and (refund.status == RefundState.PENDING or ours):
        return RefundReport(status=RefundState.SUCCEEDED, reference=reference)
    if status in ("failed", "canceled") and refund.status != RefundState.FAILED:
        reason = stripe_refund.get("failure_reason") or status
        return RefundReport(status=RefundState.FAILED, reference=reference, failure=f"{STRIPE_SAYS}{reason}")
    return RefundReport(status=RefundState.PENDING, reference=reference)


# ---------- Reading webhook events ----------


def event_object(value: Any) -> dict[str, Any]:
    """A JSON object of an event, or an empty one when the field holds anything else (a signed event is
    Stripe's, but its shape is still checked rather than trusted: a surprise must not be a 500 forever)."""
    return value if isinstance(value, dict) else {}


def event_text(value: Any) -> str:
    """An id of an event's object, or "" when it is not text that fits our columns (255 characters)."""
    return value if isinstance(value, str) and len(value) <= 255 else ""


def payment_for_session(session: dict[str, Any]) -> Payment | None:
    """Our payment for a Checkout Session: by its id, or by the payment id of its metadata when the id was
    not saved (the process stopped between Stripe's answer and our update)."""
    session_id = event_text(session.get("id"))
    if not session_id:
        return None
    payment = Payment.objects.filter(provider=Provider.STRIPE, provider_reference=session_id).first()
    if payment is not None:
        return payment
    metadata = event_object(session.get("metadata"))
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


def refund_for_event(stripe_refund: dict[str, Any]) -> Refund | None:
    """Our refund for a Stripe refund: by its id, or by the refund id of its metadata."""
    reference = event_text(stripe_refund.get("id"))
    refund = Refund.objects.filter(provider_reference=reference).first() if reference else None
    if refund is None:
        refund_id = whole_number(str(event_object(stripe_refund.get("metadata")).get("refund_id", "")))
        if refund_id is not None:
            refund = Refund.objects.filter(pk=refund_id, payment__provider=Provider.STRIPE).first()
    return refund
