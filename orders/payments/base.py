from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.http import HttpRequest

from common.queue import PAYMENTS
from orders.models import Payment, Refund, RefundState

# The worker's queue for the calls to payment providers (refunds, voided checkouts, webhook events).
QUEUE = PAYMENTS


class ProviderUnavailable(Exception):
    """The provider could not answer now (network error, timeout, its 5xx, rate limit, a request with the
    same idempotency key still in flight): asking again later may work. Any other failure of a provider
    call is final (a 4xx: the card, the payment's state, our request)."""


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
        """Give the money back at the provider, with the refund's idempotency key, and say how it went.
        Raises ProviderUnavailable when asking again later may work, anything else on a final failure."""
