"""A promo code applied to an order: its uses counted here (offers never imports orders), its rules asked of
offers.rules, its discount shared across the lines (allocate_discount) and the totals that follow."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Q

from accounts.models import User
from offers.models import Channel as OfferChannel
from offers.models import PromoCode
from offers.rules import Discount, OfferRefused, Usage, check, discount_for
from orders.models import Channel, Order, Status
from orders.services.pricing import PricedLine, allocate_discount, subtotal_of
from restaurants.models import Restaurant

if TYPE_CHECKING:
    from orders.services.rewards import RewardDiscount


def offer_channel(channel: str) -> str:
    """The offers' channel of an order's: the website's orders are "web", every order taken by staff (at the
    counter or on the phone) is "counter"."""
    return OfferChannel.WEB if channel == Channel.WEB else OfferChannel.COUNTER


def usage_of(promo: PromoCode, customer: User | None) -> Usage:
    """A code's uses: the orders naming it that are not cancelled (a cancellation gives its use back), in
    all and by this customer, and how many orders the customer has that are not cancelled. One query."""
    mine = Q(customer=customer) if customer is not None else Q(pk__in=[])
    counts = (
        Order.objects.filter(Q(promo_code=promo) | mine)
        .exclude(status=Status.CANCELLED)
        .aggregate(
            total=Count("pk", filter=Q(promo_code=promo)),
            by_customer=Count("pk", filter=Q(promo_code=promo) & mine),
            customer_orders=Count("pk", filter=mine),
        )
    )
    return Usage(**counts)


def check_code(
    code: PromoCode | str,
    *,
    restaurant: Restaurant,
    customer: User | None,
    channel: str,
    lines: Sequence[PricedLine],
    now: datetime | None = None,
) -> Discount:
    """offers.rules.check with the code's uses counted. Raises OfferRefused."""
    if isinstance(code, str):
        from_text = PromoCode.objects.named(code).filter(active=True).first()
        if from_text is None:
            return check(
                code, restaurant=restaurant, customer=customer, channel=channel, lines=lines, now=now
            )
        code = from_text
    return check(
        code,
        restaurant=restaurant,
        customer=customer,
        channel=channel,
        lines=lines,
        now=now,
        usage=usage_of(code, customer),
    )


@dataclass(frozen=True)
class Totals:
    """An order's amounts with its discount: `parts` is each line's share, in the lines' order;
    `delivery_fee_waived` the fee a free-delivery code took off (0 otherwise)."""

    subtotal: Decimal
    discount: Decimal
    parts: list[Decimal]
    delivery_fee: Decimal
    delivery_fee_waived: Decimal = Decimal("0")

    @property
    def total(self) -> Decimal:
        return self.subtotal - self.discount + self.delivery_fee

    # The order's columns `set_on` writes (with its promo code), for a save's update_fields.
    ORDER_FIELDS = ("subtotal", "discount", "delivery_fee", "delivery_fee_waived", "promo_code", "total")

    def set_on(self, order: Order, promo: PromoCode | None) -> None:
        """These amounts, and the promo code they were priced with, on `order` (not saved): at placement and at
        every modification."""
        order.promo_code = promo
        order.subtotal = self.subtotal
        order.discount = self.discount
        order.delivery_fee = self.delivery_fee
        order.delivery_fee_waived = self.delivery_fee_waived
        order.total = self.total


def totals_for(
    lines: Sequence[PricedLine], *, delivery_fee: Decimal, discount: Discount | RewardDiscount | None
) -> Totals:
    """The totals of `lines` with `discount` (a promo code's or a loyalty reward's; None: none): the amount shared across the lines it concerns,
    in proportion and to the cent; a free-delivery code takes the fee off (and keeps it as `delivery_fee_waived`).
    Never negative."""
    subtotal = subtotal_of(lines)
    if discount is None:
        return Totals(subtotal, Decimal("0"), [Decimal("0")] * len(lines), delivery_fee)
    if discount.free_delivery:
        return Totals(subtotal, Decimal("0"), [Decimal("0")] * len(lines), Decimal("0"), delivery_fee)
    amounts = [
        line.line_total if concerned else Decimal("0")
        for line, concerned in zip(lines, discount.concerned, strict=True)
    ]
    parts = allocate_discount(amounts, discount.amount)
    return Totals(subtotal, sum(parts, Decimal("0")), parts, delivery_fee)


def discount_again(promo: PromoCode | None, lines: Sequence[PricedLine]) -> Discount | None:
    """The discount of an order's code on its new lines (a modification): the minimum and the lines
    concerned checked again, not its dates or uses (the use was spent when it was placed). None when the
    order has no code or the new lines no longer qualify: the offer is removed."""
    if promo is None:
        return None
    try:
        return discount_for(promo, lines)
    except OfferRefused:
        return None
