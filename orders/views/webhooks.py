"""Stripe's webhook: events signed with STRIPE_WEBHOOK_SECRET, each handled at most once.

Answers: 400 for a missing, bad or stale signature (older than Stripe's 5-minute tolerance) or a body that
is not an event; 200 once the event is handled, or when it was handled before, or concerns nothing of ours.
An unexpected error is a 500 with nothing recorded, so Stripe sends the event again later.
"""

from __future__ import annotations

import json
import logging

import stripe
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from orders.payments.stripe import handle_event

logger = logging.getLogger(__name__)

SIGNATURE_TOLERANCE_SECONDS = stripe.Webhook.DEFAULT_TOLERANCE


@csrf_exempt  # Stripe cannot hold a CSRF token: the signature is the proof of origin.
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        logger.error("A Stripe webhook arrived but STRIPE_WEBHOOK_SECRET is not set")
        return HttpResponseBadRequest("Webhook secret not configured.", content_type="text/plain")
    try:
        stripe.WebhookSignature.verify_header(
            request.body,
            request.headers.get("Stripe-Signature"),
            secret,
            tolerance=SIGNATURE_TOLERANCE_SECONDS,
        )
        event = json.loads(request.body)
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as error:
        logger.warning("Stripe webhook refused: %s", error)
        return HttpResponseBadRequest("Invalid signature or payload.", content_type="text/plain")
    if not isinstance(event, dict) or event.get("object") != "event" or not event.get("id"):
        return HttpResponseBadRequest("Not an event.", content_type="text/plain")
    outcome = handle_event(event)
    return HttpResponse(outcome, content_type="text/plain")
