"""The demo provider: an in-app payment page with "pay" and "decline", for development and demos.

It stands in for Stripe when no key is set, so the whole flow works without an account. Its "pay" button
plays the part of Stripe's confirmed webhook.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from orders.models import Payment, Provider, Refund, RefundState
from orders.payments.base import RefundReport


class DemoProvider:
    name = Provider.DEMO

    def checkout_url(self, *, payment: Payment, request: HttpRequest) -> str:
        return reverse("demo_payment", args=[payment.provider_reference])

    def refund(self, *, refund: Refund) -> RefundReport:
        return RefundReport(status=RefundState.SUCCEEDED, reference=f"demo_re_{refund.pk}")
