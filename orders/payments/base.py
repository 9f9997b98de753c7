from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.http import HttpRequest

from orders.models import Payment, Refund, RefundState


@dataclass(frozen=True)
class RefundReport:
    """What a provider says of a refund, for orders.services.record_refund_report to record: `status` is a
    RefundState (`pending` when there is nothing to decide yet), `failure` says why one failed."""

    status: str = RefundState.PENDING
    reference: str = ""
    failure: str = ""


class PaymentProvider(Protocol):
    name: str

    def checkout_url(self, *, payment: Payment, request: HttpRequest) -> str:
        """Where to send the customer to pay this pending payment. Raises orders.errors.CheckoutExpired when
        the provider let its checkout expire."""

    def refund(self, *, refund: Refund) -> RefundReport:
        """Give the money back at the provider and say how it went; raises on a failure to ask."""
