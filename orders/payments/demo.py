"""The demo provider: an in-app payment page with "pay" and "decline", for development and demos.

It stands in for Stripe when no key is set, so the whole flow works without an account. Its "pay" button
plays the part of Stripe's confirmed webhook.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from orders.models import Payment, Provider, Refund


class DemoProvider:
    name = Provider.DEMO

    def checkout_url(self, *, payment: Payment, request: HttpRequest) -> str:
        return reverse("demo_payment", args=[payment.provider_reference])

    def refund(self, *, refund: Refund) -> None:
        from orders.payments import mark_refund_succeeded

        mark_refund_succeeded(refund=refund, provider_reference=f"demo_re_{refund.pk}")
