"""The cart read against today's menu and the restaurant's stock, for the cart and checkout pages and the
counter (`cart_contents`); how many more of a line the stock can make (`addable_quantity`)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from loyalty.models import Reward
from loyalty.services import redeemable_rewards
from offers.rules import Discount, OfferRefused
from orders.cart import Cart
from orders.errors import OrderError
from orders.services import (
    LineRequest,
    PricedLine,
    price_lines,
    stock_needs,
)
from orders.services.promotions import Totals, check_code, totals_for
from orders.services.rewards import RewardDiscount, RewardRefused, check_reward, reward_discount
from restaurants.availability import portions_of, stock_at
from restaurants.models import Restaurant


def _pricing_units(lines: list[LineRequest]) -> list[list[int]]:
    """The indexes of the lines priced together: an ordinary line alone, a formule's lines as one group."""
    units: list[list[int]] = []
    groups: dict[str, list[int]] = {}
    for index, line in enumerate(lines):
        if line.formule is None:
            units.append([index])
        elif line.formule.group in groups:
            groups[line.formule.group].append(index)
        else:
            groups[line.formule.group] = [index]
            units.append(groups[line.formule.group])
    return units


@dataclass
class CartRow:
    """A line of the cart as it stands now: priced when the menu still offers it, with any problem."""

    index: int
    line: LineRequest
    priced: PricedLine | None
    problem: str = ""
    # How many of this line (with its modifiers) the restaurant's stock could make on its own.
    can_make: int | None = None

    @property
    def name(self) -> str:
        return self.priced.product.name if self.priced else _("A product no longer on the menu")


@dataclass
class CartContents:
    restaurant: Restaurant | None
    rows: list[CartRow] = field(default_factory=list)
    # The promo code typed, what it takes off (None when refused or none), and why it was refused.
    promo_code: str = ""
    offer: Discount | None = None
    offer_refused: str = ""
    # The loyalty reward picked, what it takes off (None when refused or none), why it was refused, and the
    # rewards the customer could pick (none for a guest or a staff account).
    reward_id: int | None = None
    reward: RewardDiscount | None = None
    reward_refused: str = ""
    rewards: list[Reward] = field(default_factory=list)

    @property
    def totals(self) -> Totals:
        """The amounts with the code's or the reward's discount, delivered (the fee of a pick-up is 0)."""
        fee = self.restaurant.delivery_fee if self.restaurant else Decimal("0")
        return totals_for(self.priced_lines, delivery_fee=fee, discount=self.offer or self.reward)

    @property
    def discount(self) -> Decimal:
        return self.totals.discount

    @property
    def free_delivery(self) -> bool:
        return self.offer is not None and self.offer.free_delivery

    @property
    def total_picked_up(self) -> Decimal:
        return self.subtotal - self.discount

    @property
    def total_delivered(self) -> Decimal:
        return self.totals.total

    @property
    def priced_lines(self) -> list[PricedLine]:
        return [row.priced for row in self.rows if row.priced is not None]

    @property
    def subtotal(self) -> Decimal:
        return sum((line.line_total for line in self.priced_lines), Decimal("0"))

    @property
    def pizzas(self) -> int:
        return sum(line.quantity for line in self.priced_lines if line.is_oven_item)

    @property
    def problems(self) -> list[CartRow]:
        return [row for row in self.rows if row.problem]

    @property
    def problem_names(self) -> str:
        """The products of the rows with a problem, each named once, for a message."""
        return ", ".join(dict.fromkeys(row.name for row in self.problems))

    @property
    def fingerprint(self) -> str:
        """Names the cart as the customer sees it: its lines, quantities, modifiers and prices, and the
        delivery fee. The checkout page carries it, so a checkout sent after the cart changed elsewhere (in
        another tab, or a price on the menu) is refused instead of placing what the customer did not see."""
        shown = [
            self.restaurant.pk if self.restaurant else None,
            str(self.restaurant.delivery_fee) if self.restaurant else "",
            [[row.line.to_dict(), str(row.priced.unit_price) if row.priced else ""] for row in self.rows],
            self.promo_code,
            self.reward_id,
            str(self.discount),
            self.free_delivery,
        ]
        return hashlib.sha256(json.dumps(shown, sort_keys=True).encode()).hexdigest()[:32]

    @property
    def below_minimum(self) -> Decimal:
        """What is missing to reach the minimum order for delivery (0 when it is reached)."""
        if self.restaurant is None:
            return Decimal("0")
        return max(self.restaurant.minimum_order - self.subtotal, Decimal("0"))


def _per_unit(line: PricedLine) -> dict[int, Decimal]:
    return {ingredient_id: quantity / line.quantity for ingredient_id, quantity in line.stock_needs().items()}


def cart_contents(
    cart: Cart,
    *,
    customer: User | None = None,
    channel: str = "web",
    now: datetime | None = None,
    offer_rewards: bool = True,
    check_stock: bool = True,
) -> CartContents:
    """The cart's lines priced against today's menu and checked against the restaurant's stock.

    A handful of queries whatever the number of lines: the restaurant, the products with their recipes and
    extras, and the stock rows. A line the menu no longer offers as asked, or that the stock can no longer
    make, carries a `problem` to show; the checkout refuses a cart with problems. The cart's promo code is
    checked for `customer` through `channel` (offers.rules, with its uses counted: a few queries more):
    `offer` is what it takes off, or `offer_refused` says why not. The loyalty rewards are read for the
    website's cart only (the counter does not offer them: no query for them there); `offer_rewards=False`
    reads only the reward picked, not the list of those within reach (the checkout does not show it).
    `check_stock=False` leaves the stock unread (no `can_make`, no problem of stock): for the checkout's
    POST, whose placement reserves the stock under its lock and names what is short.
    """
    if not cart.lines or cart.restaurant_id is None:
        return CartContents(restaurant=None)
    restaurant = Restaurant.objects.active().filter(pk=cart.restaurant_id).first()
    contents = CartContents(restaurant=restaurant, rows=_priced_rows(cart.lines))
    if restaurant is None:
        return contents
    if cart.promo_code:
        _read_code(contents, cart.promo_code, customer=customer, channel=channel, now=now)
    if channel == "web":  # rewards are taken in the customer's own cart, not at the counter
        _read_reward(contents, cart, customer, offer_rewards=offer_rewards)
    if check_stock:
        _check_stock(contents)
    return contents


def _priced_rows(lines: list[LineRequest]) -> list[CartRow]:
    """The cart's lines priced against today's menu, in one pass. Rarely (the menu changed since a line was
    added) a line is refused: the broken lines are then found one by one (a formule's lines together), each
    carrying the reason as its `problem`."""
    try:
        priced: list[PricedLine | None] = list(price_lines(lines))
        errors = [""] * len(lines)
    except OrderError:
        priced = [None] * len(lines)
        errors = [""] * len(lines)
        for unit in _pricing_units(lines):
            try:
                for index, priced_line in zip(unit, price_lines([lines[i] for i in unit]), strict=True):
                    priced[index] = priced_line
            except OrderError as error:
                for index in unit:
                    errors[index] = error.message
    return [
        CartRow(index=index, line=line, priced=priced_line, problem=error)
        for index, (line, priced_line, error) in enumerate(zip(lines, priced, errors, strict=True))
    ]


def _read_code(
    contents: CartContents, promo_code: str, *, customer: User | None, channel: str, now: datetime | None
) -> None:
    """The cart's promo code checked for `customer` through `channel` (offers.rules, uses counted): `offer`
    is what it takes off, or `offer_refused` says why not."""
    contents.promo_code = promo_code
    try:
        contents.offer = check_code(
            promo_code,
            restaurant=contents.restaurant,
            customer=customer,
            channel=channel,
            lines=contents.priced_lines,
            now=now,
        )
    except OfferRefused as refused:
        contents.offer_refused = refused.message


def _check_stock(contents: CartContents) -> None:
    """Each row's `can_make` from the restaurant's stock (one query), and a `problem` on the rows the stock
    can no longer make as asked."""
    needs = stock_needs(contents.priced_lines)
    available = stock_at(contents.restaurant, needs)
    short = {
        ingredient_id
        for ingredient_id, quantity in needs.items()
        if available.get(ingredient_id, 0) < quantity
    }
    for row in contents.rows:
        if row.priced is None:
            continue
        row.can_make = portions_of(_per_unit(row.priced), available)
        if row.problem or not short & set(row.priced.stock_needs()):
            continue
        if row.can_make == 0:
            row.problem = _("Sold out since you added it: remove it to order the rest.")
        elif row.can_make < row.line.quantity:
            row.problem = ngettext(
                "Only %(count)d left: lower the quantity.",
                "Only %(count)d left: lower the quantity.",
                row.can_make,
            ) % {"count": row.can_make}
        else:
            row.problem = _("Not enough left for everything in your cart: lower a quantity.")


def _read_reward(contents: CartContents, cart: Cart, customer: User | None, *, offer_rewards: bool) -> None:
    """The cart's loyalty reward checked (orders.services.rewards), and the rewards the customer could pick
    (`offer_rewards`): three queries for a signed-in customer (staff or not, the balance, the rewards), none
    for a guest, none without a reward picked when `offer_rewards` is False (with one picked, the same
    three: the reward is looked for among those within reach)."""
    if customer is None:
        return
    if offer_rewards or cart.reward_id is not None:
        contents.rewards = redeemable_rewards(customer)
    if cart.reward_id is None:
        return
    contents.reward_id = cart.reward_id
    if cart.promo_code:
        contents.reward_refused = _("A promo code and a loyalty reward do not combine: keep one of them.")
        return
    try:
        reward = next((reward for reward in contents.rewards if reward.pk == cart.reward_id), None)
        if reward is not None:
            contents.reward = reward_discount(reward, contents.priced_lines)
        else:  # not within reach any more: check_reward says why
            contents.reward = check_reward(cart.reward_id, customer=customer, lines=contents.priced_lines)
    except RewardRefused as refused:
        contents.reward_refused = refused.message


def addable_quantity(*, restaurant: Restaurant, cart_lines: list[PricedLine], line: PricedLine) -> int:
    """How many portions of `line` the restaurant's stock can still make on top of `cart_lines`."""
    per_unit = _per_unit(line)
    held = stock_needs(cart_lines)
    available = stock_at(restaurant, set(per_unit) | set(held))
    remaining = {
        ingredient_id: available.get(ingredient_id, Decimal("0")) - held.get(ingredient_id, Decimal("0"))
        for ingredient_id in per_unit
    }
    return portions_of(per_unit, remaining)


def stock_can_make(*, restaurant: Restaurant, cart_lines: list[PricedLine], lines: list[PricedLine]) -> bool:
    """Whether the restaurant's stock can make `lines` (a formule's group) on top of `cart_lines`."""
    held = stock_needs(cart_lines)
    needs = stock_needs(lines)
    available = stock_at(restaurant, set(needs) | set(held))
    return all(
        available.get(ingredient_id, Decimal("0")) - held.get(ingredient_id, Decimal("0")) >= quantity
        for ingredient_id, quantity in needs.items()
    )
