from __future__ import annotations

from typing import Protocol

from django.http import HttpRequest

from orders.models import Payment, Refund


class PaymentProvider(Protocol):
    name: str

    def checkout_url(self, *, payment: Payment, request: HttpRequest) -> str:
        """Where to send the customer to pay this pending payment."""

    def refund(self, *, refund: Refund) -> None:
        """Give the money back at the provider; on success call orders.payments.mark_refund_succeeded."""
