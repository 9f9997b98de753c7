"""Stripe's webhook: events signed with STRIPE_WEBHOOK_SECRET, each recorded once and handled by the worker.

Answers: 400 for a missing, bad or stale signature (older than Stripe's 5-minute tolerance) or a body that
is not an event (`is_event`); 200 ("recorded") as soon as the event and its job are committed, or
("duplicate") when it was recorded before: what it reports is done by the worker (handle_stripe_event), so
Stripe never waits on our order services. A failure to record (the database away) is a 500 with nothing
recorded, so Stripe sends the event again later.
"""

from __future__ import annotations

import json
import logging

import stripe
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from orders.models import StripeEvent
from orders.services import record_stripe_event

logger = logging.getLogger(__name__)

SIGNATURE_TOLERANCE_SECONDS = stripe.Webhook.DEFAULT_TOLERANCE


@csrf_exempt  # Stripe cannot hold a CSRF token: the signature is the proof of origin.
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        logger.error("A Stripe webhook arrived but STRIPE_WEBHOOK_SECRET is not set")
        return HttpResponseBadRequest("Webhook secret not configured.", content_type="text/plain")
    header = request.headers.get("Stripe-Signature", "")
    try:
        if not header.isascii():
            # Stripe's signatures are hexadecimal; stripe-python's comparison raises TypeError on others.
            raise stripe.SignatureVerificationError("Non-ASCII signature header", header)
        stripe.WebhookSignature.verify_header(
            request.body, header, secret, tolerance=SIGNATURE_TOLERANCE_SECONDS
        )
        event = json.loads(request.body, parse_constant=_refuse_constant)
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as error:
        logger.warning("Stripe webhook refused: %s", error)
        return HttpResponseBadRequest("Invalid signature or payload.", content_type="text/plain")
    if not is_event(event):
        return HttpResponseBadRequest("Not an event.", content_type="text/plain")
    return HttpResponse(record_stripe_event(event), content_type="text/plain")


def is_event(event: object) -> bool:
    """Whether a decoded body has the shape of a Stripe event that can be recorded: an id that fits the
    StripeEvent row, a text type, an object in its data, and no NUL character anywhere (PostgreSQL's
    JSON type refuses it). Stripe never sends anything else; a body that is not this is refused."""
    if not isinstance(event, dict) or event.get("object") != "event":
        return False
    event_id, kind, data = event.get("id"), event.get("type", ""), event.get("data", {})
    return (
        isinstance(event_id, str)
        and 0 < len(event_id) <= StripeEvent._meta.get_field("event_id").max_length
        and isinstance(kind, str)
        and isinstance(data, dict)
        and isinstance(data.get("object", {}), dict)
        and not _has_nul(event)
    )


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _refuse_constant(name: str) -> float:
    """NaN and Infinity are not JSON (Python reads them, PostgreSQL's JSON type refuses them)."""
    raise ValueError(f"{name} is not JSON")
