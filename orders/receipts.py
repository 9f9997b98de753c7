"""An order's receipt: its lines, the VAT they include by rate, what was paid, how, and what was refunded.

Prices include VAT. A promo code's discount is shared across the lines (OrderLine.discount), so each rate
holds what its lines cost once discounted. For each rate, the VAT is the amount at that rate × rate / (100 + rate), rounded to the
cent once per rate (not per line), as a French till receipt shows it. The delivery fee is an accessory of
what is delivered, so it takes the VAT of the products: shared between the rates in proportion to their
amounts when an order mixes rates (the last cent of rounding goes to the largest share).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from orders.models import Order, OrderLine, Payment, PaymentState, Refund, RefundState
from sales.models import SalesEntry

CENT = Decimal("0.01")


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class VatRate:
    rate: Decimal  # percent, e.g. 10.00
    gross: Decimal  # amount at this rate, VAT included
    vat: Decimal

    @property
    def net(self) -> Decimal:
        return self.gross - self.vat


@dataclass(frozen=True)
class Receipt:
    order: Order
    lines: list[OrderLine]
    vat_rates: list[VatRate]
    payments: list[Payment]  # succeeded ones, oldest first
    refunds: list[Refund]  # every refund asked for, oldest first, failed ones included
    paid: Decimal  # taken in total
    refunded: Decimal  # refunded or being refunded (failed refunds excluded)
    entries: list[SalesEntry]  # the order's entries in the sales record, in their order

    @property
    def entry_numbers(self) -> str:
        """The numbers of the order's sales record entries, as the receipt prints them ("12, 15")."""
        return ", ".join(str(entry.sequence) for entry in self.entries)

    @property
    def total_vat(self) -> Decimal:
        return sum((rate.vat for rate in self.vat_rates), Decimal("0"))

    @property
    def total_net(self) -> Decimal:
        return self.order.total - self.total_vat

    @property
    def net_paid(self) -> Decimal:
        return self.paid - self.refunded

    @property
    def due(self) -> Decimal:
        """What is still to pay (on delivery, at the counter, or online), never below zero."""
        return max(self.order.total - self.net_paid, Decimal("0"))


def vat_breakdown(lines: list[OrderLine], delivery_fee: Decimal) -> list[VatRate]:
    """The VAT included in the lines (their discounted amounts) and the delivery fee, by rate, lowest rate
    first."""
    gross: dict[Decimal, Decimal] = defaultdict(Decimal)
    before_discount: dict[Decimal, Decimal] = defaultdict(Decimal)
    for line in lines:
        gross[line.vat_rate] += line.amount  # its share of a promo code's discount taken off
        before_discount[line.vat_rate] += line.line_total
    if delivery_fee and gross:
        # The fee follows what is delivered; lines discounted to nothing are shared by their prices.
        weights = dict(gross if any(gross.values()) else before_discount)
        if not any(weights.values()):  # free products only: the fee takes the highest of their rates
            weights[max(weights)] = Decimal("1")
        subtotal = sum(weights.values(), Decimal("0"))
        rates = sorted(weights, key=lambda rate: (weights[rate], rate))
        shares = {rate: _cents(delivery_fee * weights[rate] / subtotal) for rate in rates[:-1]}
        shares[rates[-1]] = delivery_fee - sum(shares.values(), Decimal("0"))
        for rate, share in shares.items():
            gross[rate] += share
    return [
        VatRate(rate=rate, gross=amount, vat=_cents(amount * rate / (100 + rate)))
        for rate, amount in sorted(gross.items())
    ]


def build_receipt(order: Order, lines: list[OrderLine] | None = None) -> Receipt:
    """The receipt of an order. `lines` defaults to the order's (prefetched or not); three more queries read
    its payments, refunds and sales record entries. Each payment and refund recorded in the sales record
    gets its entry's number as `record_number` (None while not recorded: a refund under way)."""
    lines = list(order.lines.all()) if lines is None else list(lines)
    payments = list(order.payments.filter(status=PaymentState.SUCCEEDED).order_by("created_at", "id"))
    refunds = list(Refund.objects.filter(payment__order=order).order_by("created_at", "id"))
    entries = list(SalesEntry.objects.filter(order=order).order_by("sequence"))
    numbers = {entry.reference: entry.sequence for entry in entries if entry.reference}
    for payment in payments:
        payment.record_number = numbers.get(f"payment:{payment.pk}")
    for refund in refunds:
        refund.record_number = numbers.get(f"refund:{refund.pk}")
    return Receipt(
        order=order,
        lines=lines,
        vat_rates=vat_breakdown(lines, order.delivery_fee),
        payments=payments,
        refunds=refunds,
        paid=sum((payment.amount for payment in payments), Decimal("0")),
        refunded=sum(
            (refund.amount for refund in refunds if refund.status != RefundState.FAILED), Decimal("0")
        ),
        entries=entries,
    )
