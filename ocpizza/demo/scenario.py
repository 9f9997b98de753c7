"""The demo's past and present: which orders each restaurant has seen, and the stock it holds.

Everything here is computed from `ocpizza.demo.data` with generators seeded by the restaurant's slug, so two
loads plan the same orders with the same numbers (DEM-LB-001…), the same lines and the same stock.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from ocpizza.demo.data import (
    CUSTOMERS,
    EXTRAS,
    GUESTS,
    INGREDIENTS,
    PRODUCTS,
    AddressSpec,
    PersonSpec,
    ProductSpec,
    RestaurantSpec,
)
from orders.models import Channel, Fulfilment, PaymentMethod, Status

_PRODUCTS = {product.slug: product for product in PRODUCTS}
_EXTRAS = {extra.ingredient: extra for extra in EXTRAS}


@dataclass(frozen=True)
class LinePlan:
    product: str  # slug
    quantity: int
    removed: tuple[str, ...] = ()  # ingredient names
    extras: tuple[str, ...] = ()  # ingredient names of Extra rows


ALL_WEEK = frozenset(range(7))


@dataclass(frozen=True)
class When:
    """When an order was placed: `minutes` ago (the live orders, whatever the hour the demo is loaded, so the
    staff screens always have work to show), or `days` ago at `hour`:`minute` local time (the history)."""

    minutes: int = 0
    days: int = 0
    hour: int = 0
    minute: int = 0

    def resolve(self, now: datetime, open_weekdays: frozenset[int] = ALL_WEEK) -> datetime:
        """The moment itself. A past order goes back further, a day at a time, until it falls on a day the
        restaurant opens (`open_weekdays`, Monday 0): nobody ordered at a restaurant closed that day. The
        hours of `_TEMPLATES` are inside every open day's lunch or evening service."""
        if not self.days:
            return now - timedelta(minutes=self.minutes)
        day = timezone.localdate(now) - timedelta(days=self.days)
        while day.weekday() not in open_weekdays:
            day -= timedelta(days=1)
        placed = datetime.combine(day, time(self.hour, self.minute), tzinfo=timezone.get_current_timezone())
        return min(placed, now - timedelta(hours=1))


@dataclass(frozen=True)
class OrderPlan:
    number: str
    status: str
    channel: str
    fulfilment: str
    payment_method: str
    when: When
    lines: tuple[LinePlan, ...]
    customer: PersonSpec | None = None  # an account (web orders)
    guest: tuple[str, str] | None = None  # name and phone (phone and counter orders)
    guest_email: str = ""
    address: AddressSpec | None = None
    cancelled_from: str = ""
    cancel_reason: str = ""
    note: str = ""
    requested_in_minutes: int | None = None
    open_weekdays: frozenset[int] = ALL_WEEK

    def placed_at(self, now: datetime) -> datetime:
        return self.when.resolve(now, self.open_weekdays)

    @property
    def gives_stock_back(self) -> bool:
        """Cancelled before preparation: the ingredients went back to the shelves."""
        return self.status == Status.CANCELLED and self.cancelled_from in (
            Status.AWAITING_PAYMENT,
            Status.RECEIVED,
        )


@dataclass(frozen=True)
class _Template:
    status: str
    channel: str
    fulfilment: str
    payment_method: str
    when: When
    cancelled_from: str = ""
    cancel_reason: str = ""
    small: bool = False
    modifiers: bool = False
    requested_in_minutes: int | None = None


_BY_CUSTOMER = "Annulée par le client depuis le site."
_EXPIRED = "Paiement en ligne non finalisé dans les 30 minutes."
_FAILED_DELIVERY = "Client absent à l'adresse et injoignable par téléphone."
_CALLED_BACK = "Le client a rappelé pour annuler."

# Short names for the table below, one row per order.
_WEB, _PHONE, _COUNTER = Channel.WEB, Channel.PHONE, Channel.COUNTER
_DELIVERY, _PICKUP = Fulfilment.DELIVERY, Fulfilment.PICKUP
_ONLINE, _AT_COUNTER = PaymentMethod.ONLINE, PaymentMethod.AT_COUNTER
_CASH, _CARD = PaymentMethod.CASH_ON_DELIVERY, PaymentMethod.CARD_ON_DELIVERY


def _cancelled(
    cancelled_from: str, reason: str, channel: str, fulfilment: str, method: str, when: When
) -> _Template:
    """A small order cancelled from `cancelled_from`, for `reason`."""
    return _Template(
        Status.CANCELLED,
        channel,
        fulfilment,
        method,
        when,
        cancelled_from=cancelled_from,
        cancel_reason=reason,
        small=True,
    )


# The same day at every restaurant: live orders in every status, and the last week's history.
# fmt: off
_TEMPLATES: tuple[_Template, ...] = (
    _Template(Status.AWAITING_PAYMENT, _WEB, _DELIVERY, _ONLINE, When(minutes=4)),
    _Template(Status.RECEIVED, _PHONE, _DELIVERY, _CASH, When(minutes=6), requested_in_minutes=60),
    _Template(Status.RECEIVED, _COUNTER, _PICKUP, _AT_COUNTER, When(minutes=3)),
    _Template(Status.PREPARING, _WEB, _DELIVERY, _ONLINE, When(minutes=13), modifiers=True),
    _Template(Status.PREPARING, _PHONE, _PICKUP, _CARD, When(minutes=11)),
    _Template(Status.READY, _COUNTER, _PICKUP, _AT_COUNTER, When(minutes=20)),
    _Template(Status.READY, _WEB, _DELIVERY, _ONLINE, When(minutes=25)),
    _Template(Status.OUT_FOR_DELIVERY, _PHONE, _DELIVERY, _CASH, When(minutes=38)),
    _Template(Status.OUT_FOR_DELIVERY, _WEB, _DELIVERY, _ONLINE, When(minutes=35)),
    _Template(Status.DELIVERED, _WEB, _DELIVERY, _ONLINE, When(minutes=150), modifiers=True),
    _Template(Status.DELIVERED, _PHONE, _DELIVERY, _CASH, When(days=1, hour=20, minute=10)),
    _Template(Status.DELIVERED, _PHONE, _DELIVERY, _CARD, When(days=2, hour=12, minute=35), modifiers=True),
    _Template(Status.PICKED_UP, _COUNTER, _PICKUP, _AT_COUNTER, When(days=1, hour=12, minute=50)),
    _Template(Status.PICKED_UP, _WEB, _PICKUP, _ONLINE, When(days=3, hour=19, minute=40)),
    _Template(Status.DELIVERED, _WEB, _DELIVERY, _ONLINE, When(days=5, hour=20, minute=25)),
    _Template(Status.PICKED_UP, _PHONE, _PICKUP, _CASH, When(days=6, hour=13, minute=5)),
    _cancelled(Status.RECEIVED, _BY_CUSTOMER, _WEB, _DELIVERY, _ONLINE, When(days=2, hour=19, minute=55)),
)

# One more cancelled order per restaurant, in turn: an unpaid checkout that expired, a failed delivery, a
# phone order called off.
_CANCELLED_VARIANTS: tuple[_Template, ...] = (
    _cancelled(Status.AWAITING_PAYMENT, _EXPIRED, _WEB, _DELIVERY, _ONLINE, When(days=4, hour=20, minute=15)),
    _cancelled(Status.OUT_FOR_DELIVERY, _FAILED_DELIVERY, _PHONE, _DELIVERY, _CASH, When(days=3, hour=21)),
    _cancelled(Status.RECEIVED, _CALLED_BACK, _PHONE, _PICKUP, _CASH, When(days=1, hour=19, minute=20)),
)
# fmt: on

_NOTES = ("", "", "", "", "Bien cuite s'il vous plaît.", "Couper en 8 parts.", "Sans couverts, merci.")
_INSTRUCTIONS = ("", "", "Appeler en arrivant, l'interphone est en panne.", "Laisser au gardien si absent.")


# --- Stock ---------------------------------------------------------------------------------------------------


def stock_targets(restaurant: RestaurantSpec) -> dict[str, tuple[Decimal, Decimal]]:
    """Ingredient name → (quantity held once the demo orders are taken, alert threshold)."""
    rng = random.Random(f"stock:{restaurant.slug}")
    targets = {}
    for ingredient in INGREDIENTS:
        threshold = Decimal(ingredient.threshold)
        if ingredient.name in restaurant.stock_overrides:
            quantity = Decimal(restaurant.stock_overrides[ingredient.name])
        else:
            raw = ingredient.stock * restaurant.stock_factor * rng.uniform(0.85, 1.2)
            step = 1 if ingredient.unit == "piece" else 50
            quantity = Decimal(max(round(raw / step), 1) * step)
            # The usual quantity is never under the threshold: only the overrides are low on purpose.
            quantity = max(quantity, threshold * 2)
        targets[ingredient.name] = (quantity, threshold)
    return targets


def reservation(lines: Iterable[LinePlan]) -> dict[str, Decimal]:
    """What lines take from stock: recipe times quantity, minus removed ingredients, plus extras."""
    needs: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        product = _PRODUCTS[line.product]
        for item in product.recipe:
            if item.ingredient not in line.removed:
                needs[item.ingredient] += item.quantity * line.quantity
        for name in line.extras:
            needs[name] += _EXTRAS[name].quantity * line.quantity
    return dict(needs)


def opening_quantities(
    targets: dict[str, tuple[Decimal, Decimal]], plans: Iterable[OrderPlan]
) -> dict[str, Decimal]:
    """The opening inventory that leaves each stock at its target once `plans` are taken, in order.

    A cancelled order first takes its ingredients and then gives them back, so the opening quantity also
    covers the lowest point on the way (a target of 0 still lets an order be cancelled).
    """
    running: dict[str, Decimal] = defaultdict(Decimal)
    lowest: dict[str, Decimal] = defaultdict(Decimal)
    for plan in plans:
        needs = reservation(plan.lines)
        for name, quantity in needs.items():
            running[name] -= quantity
            lowest[name] = min(lowest[name], running[name])
            if plan.gives_stock_back:
                running[name] += quantity
    return {
        name: max(target - running[name], -lowest[name]) for name, (target, _threshold) in targets.items()
    }


# --- Orders --------------------------------------------------------------------------------------------------


def _available(product: ProductSpec, targets: dict[str, tuple[Decimal, Decimal]]) -> bool:
    return all(targets[item.ingredient][0] >= item.quantity for item in product.recipe)


def _line_price(line: LinePlan) -> Decimal:
    product = _PRODUCTS[line.product]
    extras = sum((_EXTRAS[name].price for name in line.extras), Decimal("0"))
    return (product.price + extras) * line.quantity


def _pizza_line(rng: random.Random, product: ProductSpec, *, modifiers: bool) -> LinePlan:
    removable = [item.ingredient for item in product.recipe if item.removable]
    removed: tuple[str, ...] = ()
    if removable and (modifiers or rng.random() < 0.2):
        removed = (rng.choice(removable[1:] or removable),)  # rather a topping than the base
    extras: tuple[str, ...] = ()
    if modifiers or rng.random() < 0.3:
        offered = [name for name in _EXTRAS if name not in removed]
        extras = (rng.choice(offered),)
    quantity = 2 if rng.random() < 0.2 else 1
    return LinePlan(product.slug, quantity, removed, extras)


def _lines(
    rng: random.Random,
    restaurant: RestaurantSpec,
    targets: dict[str, tuple[Decimal, Decimal]],
    template: _Template,
) -> tuple[LinePlan, ...]:
    menu = [product for product in PRODUCTS if _available(product, targets)]
    pizzas = [product for product in menu if product.is_pizza]
    drinks = [product for product in menu if product.category == "boissons"]
    desserts = [product for product in menu if product.category == "desserts"]
    count = 1 if template.small else rng.choice((1, 2, 2, 3))
    chosen = rng.sample(pizzas, count)
    lines = [
        _pizza_line(rng, product, modifiers=template.modifiers and index == 0)
        for index, product in enumerate(chosen)
    ]
    if rng.random() < 0.6:
        lines.append(LinePlan(rng.choice(drinks).slug, rng.choice((1, 2, 2, 3))))
    if not template.small and rng.random() < 0.4:
        lines.append(LinePlan(rng.choice(desserts).slug, 1))
    # A delivery must reach the restaurant's minimum order: add pizzas until it does.
    if template.fulfilment == Fulfilment.DELIVERY:
        remaining = [product for product in pizzas if product not in chosen]
        while sum(_line_price(line) for line in lines) < restaurant.minimum_order:
            product = remaining.pop(rng.randrange(len(remaining)))
            lines.append(LinePlan(product.slug, 1))
    return tuple(lines)


def _customer_for(restaurant: RestaurantSpec) -> tuple[PersonSpec, AddressSpec]:
    for customer in CUSTOMERS:
        for address in customer.addresses:
            if address.postal_code in restaurant.zones:
                return customer, address
    raise ValueError(f"No demo customer lives in the delivery zones of {restaurant.slug}.")


def order_plans(restaurant: RestaurantSpec, index: int) -> list[OrderPlan]:
    """The restaurant's demo orders, oldest first, numbered DEM-<code>-001 onwards."""
    rng = random.Random(f"orders:{restaurant.slug}")
    targets = stock_targets(restaurant)
    templates = [*_TEMPLATES, _CANCELLED_VARIANTS[index % len(_CANCELLED_VARIANTS)]]
    reference = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.get_current_timezone())
    templates.sort(key=lambda template: template.when.resolve(reference))
    customer, customer_address = _customer_for(restaurant)
    plans = []
    for position, template in enumerate(templates, start=1):
        lines = _lines(rng, restaurant, targets, template)
        delivery = template.fulfilment == Fulfilment.DELIVERY
        if template.channel == Channel.WEB:
            who: dict = {"customer": customer, "address": customer_address if delivery else None}
        else:
            guest = rng.choice(GUESTS)
            street, postal_code = rng.choice(restaurant.streets)
            address = AddressSpec(
                "", street, postal_code, restaurant.city, instructions=rng.choice(_INSTRUCTIONS)
            )
            email = ""
            if template.channel == Channel.PHONE and rng.random() < 0.5:
                email = _guest_email(guest[0])
            who = {"guest": guest, "guest_email": email, "address": address if delivery else None}
        plans.append(
            OrderPlan(
                number=f"DEM-{restaurant.code}-{position:03d}",
                status=template.status,
                channel=template.channel,
                fulfilment=template.fulfilment,
                payment_method=template.payment_method,
                when=template.when,
                lines=lines,
                cancelled_from=template.cancelled_from,
                cancel_reason=template.cancel_reason,
                note=rng.choice(_NOTES),
                requested_in_minutes=template.requested_in_minutes,
                open_weekdays=frozenset(weekday for weekday, _opens, _closes in restaurant.hours),
                **who,
            )
        )
    return plans


def _guest_email(name: str) -> str:
    ascii_name = name.lower().translate(str.maketrans("éèêëàâçîïôöûüù", "eeeeaaciioouuu"))
    return ascii_name.replace(" ", ".") + "@example.com"


def money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
