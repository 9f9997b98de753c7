"""Every rule of a promo code, in one place: `check` says what a code takes off a cart, or why not.

The rules know a cart only as lines with a product and a `line_total` (orders.services.pricing.PricedLine
fits), and a code's uses only as the counts orders passes in (`Usage`): offers never imports orders.
`discount_for` is the part that depends on the lines alone (minimum, target, amount), which a modification
of an order placed with the code applies again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from common import formats
from common.errors import Refusal
from menu.models import Product
from offers.models import Kind, PromoCode, Target

CENT = Decimal("0.01")


class Line(Protocol):
    product: Product
    line_total: Decimal


@dataclass(frozen=True)
class Usage:
    """What orders knows of a code's uses (orders that are not cancelled) and of the customer's orders."""

    total: int = 0
    by_customer: int = 0
    customer_orders: int = 0


@dataclass(frozen=True)
class Discount:
    """What a code takes off: `amount` off the lines it concerns (`concerned`, one flag per line), or the
    delivery fee (`free_delivery`)."""

    code: PromoCode
    amount: Decimal
    concerned: tuple[bool, ...]
    free_delivery: bool = False


class OfferRefused(Refusal):
    """A code refused: `code` names the rule (for tests), `message` says it to the customer."""


def find(text: str) -> PromoCode:
    """The active code typed (any case). Raises OfferRefused("unknown")."""
    text = (text or "").strip()
    promo = PromoCode.objects.named(text).filter(active=True).first() if 0 < len(text) <= 32 else None
    if promo is None:
        raise OfferRefused(_("The code %(code)s does not exist.") % {"code": text[:32]}, code="unknown")
    return promo


def check(
    code: PromoCode | str,
    *,
    restaurant,
    customer,
    channel: str,
    lines: Sequence[Line],
    now: datetime | None = None,
    usage: Usage = Usage(),
) -> Discount:
    """The discount `code` gives on `lines`, ordered at `restaurant` by `customer` (None: not signed in, or at
    the counter without an account) through `channel` at `now`. Raises OfferRefused naming the first rule
    broken, in the order a customer can do something about it last."""
    promo = find(code) if isinstance(code, str) else code
    now = now or timezone.now()
    if not promo.active:
        raise OfferRefused(_("The code %(code)s does not exist.") % {"code": promo.code}, code="unknown")
    _check_dates(promo, now)
    _check_hours(promo, now)
    if channel not in promo.channels:
        raise OfferRefused(_("This code cannot be used for this kind of order."), code="channel")
    restaurant_ids = {r.pk for r in promo.restaurants.all()}
    if restaurant_ids and restaurant.pk not in restaurant_ids:
        raise OfferRefused(
            _("This code is not valid at %(restaurant)s.") % {"restaurant": restaurant.name},
            code="restaurant",
        )
    if promo.max_uses is not None and usage.total >= promo.max_uses:
        raise OfferRefused(_("This code has been used as many times as it could be."), code="exhausted")
    if promo.first_order_only or promo.max_uses_per_customer is not None:
        if customer is None:
            raise OfferRefused(_("Sign in to use this code."), code="sign_in")
        if promo.first_order_only and usage.customer_orders > 0:
            raise OfferRefused(_("This code is for a first order only."), code="first_order")
        if promo.max_uses_per_customer is not None and usage.by_customer >= promo.max_uses_per_customer:
            raise OfferRefused(_("You have already used this code."), code="already_used")
    return discount_for(promo, lines)


def discount_for(promo: PromoCode, lines: Sequence[Line]) -> Discount:
    """What the code takes off these lines: the minimum order and the lines it concerns checked. Raises
    OfferRefused("minimum" or "nothing_concerned")."""
    subtotal = sum((line.line_total for line in lines), Decimal("0"))
    if subtotal < promo.minimum_order:
        raise OfferRefused(
            _("This code needs an order of at least %(minimum)s (%(missing)s more).")
            % {
                "minimum": formats.euros(promo.minimum_order),
                "missing": formats.euros(promo.minimum_order - subtotal),
            },
            code="minimum",
        )
    if promo.kind == Kind.FREE_DELIVERY:
        return Discount(code=promo, amount=Decimal("0"), concerned=(False,) * len(lines), free_delivery=True)
    concerned = tuple(_concerns(promo, line.product) for line in lines)
    base = sum((line.line_total for line, yes in zip(lines, concerned, strict=True) if yes), Decimal("0"))
    if base <= 0:
        raise OfferRefused(_("Nothing in your cart is concerned by this code."), code="nothing_concerned")
    if promo.kind == Kind.PERCENT:
        amount = (base * promo.value / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    else:
        amount = promo.value
    return Discount(code=promo, amount=min(amount, base), concerned=concerned)


def _concerns(promo: PromoCode, product: Product) -> bool:
    if promo.target == Target.CATEGORY:
        return product.category_id == promo.category_id
    if promo.target == Target.PRODUCTS:
        return product.pk in {p.pk for p in promo.products.all()}
    return True


def _check_dates(promo: PromoCode, now: datetime) -> None:
    if promo.valid_from and now < promo.valid_from:
        raise OfferRefused(
            _("This code is valid from %(date)s.")
            % {"date": date_format(timezone.localtime(promo.valid_from), "SHORT_DATETIME_FORMAT")},
            code="not_yet",
        )
    if promo.valid_until and now >= promo.valid_until:
        raise OfferRefused(_("This code has expired."), code="expired")


def _check_hours(promo: PromoCode, now: datetime) -> None:
    local = timezone.localtime(now)
    if promo.weekdays and local.isoweekday() not in promo.weekdays:
        raise OfferRefused(
            _("This code is not valid today: %(when)s.") % {"when": when(promo)}, code="not_now"
        )
    hours = (promo.hours_from, promo.hours_until)
    if None not in hours and not _within(local.time(), *hours):
        raise OfferRefused(
            _("This code is not valid at this time: %(when)s.") % {"when": when(promo)}, code="not_now"
        )


def _within(moment: time, start: time, end: time) -> bool:
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end  # the window crosses midnight


def when(promo: PromoCode) -> str:
    """The days and hours of a code, to say when it can be used ("Tuesday, 18:00–23:00")."""
    labels = dict(promo._meta.get_field("weekdays").base_field.choices)
    parts = [", ".join(str(labels[day]).lower() for day in sorted(promo.weekdays))] if promo.weekdays else []
    if promo.hours_from is not None and promo.hours_until is not None:
        parts.append(f"{promo.hours_from:%H:%M}–{promo.hours_until:%H:%M}")
    return " ".join(parts) or _("any time")
