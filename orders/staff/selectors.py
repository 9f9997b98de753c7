"""Reads of the staff screens: the order a screen acts on (`get_order_for_staff`, the permission check of
the staff side), a line's recipe card and the delivery board. The kitchen display and the expo screen read
through orders.staff.board.

Every read takes the restaurant (the current one of the staff user, `request.staff.restaurant`) and runs a
fixed number of queries whatever the number of orders: the boards are polled every few seconds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest

from accounts.models import User
from accounts.phones import phone_link
from menu.models import Ingredient, Product, RecipeLine, RecipeStep
from orders.models import (
    Fulfilment,
    Order,
    OrderLine,
    OrderLineExtra,
    Status,
)
from restaurants.models import Restaurant

MAP_ROUTE_URL = "https://www.google.com/maps/dir/"


def get_order_for_staff(
    request: HttpRequest,
    number: str,
    *,
    within: QuerySet[Order] | None = None,
    own_delivery: bool = False,
) -> Order:
    """The order a staff screen acts on: the one door of the kitchen, the delivery board and the counter.

    Precondition: the view is wrapped in `staff_required`, which checked the role (`request.staff`). The
    order must be one of the current restaurant (`request.staff.restaurant`), looked up by its number in any
    case; `within` narrows and shapes the query (a screen's prefetches, or delivery orders only:
    `delivery_orders()`); `own_delivery` keeps a driver to the orders they took (managers and head office
    reach every one).
    Anything else is a 404, revealing nothing. One query, plus `within`'s prefetches.
    """
    orders = Order.objects.all() if within is None else within
    orders = orders.filter(restaurant=request.staff.restaurant, number=number.upper())
    if own_delivery and not request.staff.is_manager:
        orders = orders.filter(delivered_by=request.user)
    order = orders.first()
    if order is None:
        raise Http404
    return order


# ---------- Kitchen ----------


def with_lines(orders: QuerySet[Order]) -> QuerySet[Order]:
    """Orders with their lines, each with the ingredients left out and the extras added."""
    return orders.prefetch_related(
        Prefetch(
            "lines",
            queryset=OrderLine.objects.order_by("id").prefetch_related(
                Prefetch("removed_ingredients", queryset=Ingredient.objects.order_by("name")),
                Prefetch("extras", queryset=OrderLineExtra.objects.order_by("id")),
            ),
        )
    )


def ticket_orders() -> QuerySet[Order]:
    """Orders shaped for a printed ticket: the restaurant, the lines and their modifiers. Four queries."""
    return with_lines(Order.objects.select_related("restaurant"))


@dataclass(frozen=True)
class CardItem:
    """One ingredient of a recipe card: how much of it the whole line takes, and how much of that is extra."""

    ingredient: Ingredient
    quantity: Decimal
    unit: str
    extra: Decimal = Decimal("0")
    per_portion: Decimal = Decimal("0")  # quantity ÷ the line's quantity


@dataclass(frozen=True)
class CardStep:
    """One step of a line's recipe card, as this line needs it made.

    `text` is empty on the step the card adds for extras that no step of the recipe names."""

    text: str
    left_out: list[Ingredient] = field(
        default_factory=list
    )  # what this step puts on that the customer refused
    extras: list[CardItem] = field(default_factory=list)  # the extras that go on at this step
    skipped: bool = False  # the customer left out everything this step puts on: nothing to do


@dataclass(frozen=True)
class RecipeCard:
    line: OrderLine
    product: Product
    items: list[CardItem]
    removed: list[Ingredient]
    steps: list[CardStep] = field(default_factory=list)


def recipe_card(line: OrderLine) -> list[CardItem]:
    """What the pizzaiolo puts in this line: for every ingredient, line quantity × recipe quantity, less the
    ingredients the customer left out, plus each extra's quantity × line quantity. Recipe order first, then
    extras of ingredients the recipe does not hold.

    Reads the product's recipe lines (with their ingredients), the line's removed ingredients and extras
    (with their ingredients): prefetched by `get_recipe_card`, else a few queries."""
    removed = {ingredient.pk for ingredient in line.removed_ingredients.all()}
    totals: dict[int, Decimal] = defaultdict(Decimal)
    extras: dict[int, Decimal] = defaultdict(Decimal)
    ingredients: dict[int, Ingredient] = {}
    for recipe_line in line.product.recipe_lines.all():
        if recipe_line.ingredient_id in removed:
            continue
        ingredients[recipe_line.ingredient_id] = recipe_line.ingredient
        totals[recipe_line.ingredient_id] += recipe_line.quantity * line.quantity
    for line_extra in line.extras.all():
        extra = line_extra.extra
        ingredients.setdefault(extra.ingredient_id, extra.ingredient)
        added = extra.quantity * line.quantity
        totals[extra.ingredient_id] += added
        extras[extra.ingredient_id] += added
    return [
        CardItem(
            ingredient=ingredient,
            quantity=totals[ingredient_id],
            unit=ingredient.unit,
            extra=extras.get(ingredient_id, Decimal("0")),
            per_portion=totals[ingredient_id] / line.quantity,
        )
        for ingredient_id, ingredient in ingredients.items()
    ]


def card_steps(line: OrderLine, items: list[CardItem]) -> list[CardStep]:
    """The steps of this line's recipe, following its removals and extras (`items` is `recipe_card(line)`).

    A step puts on the ingredients linked to it (`RecipeStep.ingredients`). Of those, the ones the recipe
    holds and the customer left out are named on the step; when that is all of them (and no extra goes on
    there), the step is skipped. An extra goes on at the first step linked to its ingredient; the extras no
    step names get one step of their own, last. A step linked to nothing is shown as it is.

    Reads the product's recipe lines and steps (with their ingredients) and the line's removed ingredients:
    prefetched by `get_recipe_card`, else a few queries."""
    removed = {ingredient.pk for ingredient in line.removed_ingredients.all()}
    in_recipe = {recipe_line.ingredient_id for recipe_line in line.product.recipe_lines.all()}
    to_place = {item.ingredient.pk: item for item in items if item.extra}
    steps = []
    for step in line.product.recipe_steps.all():
        puts_on = [ingredient for ingredient in step.ingredients.all() if ingredient.pk in in_recipe]
        left_out = [ingredient for ingredient in puts_on if ingredient.pk in removed]
        extras = [
            to_place.pop(ingredient.pk) for ingredient in step.ingredients.all() if ingredient.pk in to_place
        ]
        skipped = bool(puts_on) and len(left_out) == len(puts_on) and not extras
        steps.append(CardStep(text=step.text, left_out=left_out, extras=extras, skipped=skipped))
    if to_place:
        steps.append(CardStep(text="", extras=list(to_place.values())))
    return steps


def get_recipe_card(restaurant: Restaurant, line_id: int) -> RecipeCard:
    """The recipe card of a line of an order of this restaurant; a line of another restaurant is a 404."""
    line = (
        OrderLine.objects.filter(pk=line_id, order__restaurant=restaurant)
        .select_related("order", "product")
        .prefetch_related(
            Prefetch(
                "product__recipe_lines",
                queryset=RecipeLine.objects.select_related("ingredient").order_by("id"),
            ),
            Prefetch(
                "product__recipe_steps",
                queryset=RecipeStep.objects.order_by("position", "id").prefetch_related(
                    Prefetch("ingredients", queryset=Ingredient.objects.order_by("name"))
                ),
            ),
            Prefetch("removed_ingredients", queryset=Ingredient.objects.order_by("name")),
            Prefetch(
                "extras", queryset=OrderLineExtra.objects.select_related("extra__ingredient").order_by("id")
            ),
        )
        .first()
    )
    if line is None:
        raise Http404
    items = recipe_card(line)
    return RecipeCard(
        line=line,
        product=line.product,
        items=items,
        removed=list(line.removed_ingredients.all()),
        steps=card_steps(line, items),
    )


# ---------- Delivery ----------


def _address(street: str, postal_code: str, city: str) -> str:
    return f"{street}, {postal_code} {city}".strip(" ,")


def route_url(stops: list[str], *, origin: str = "") -> str:
    """A link that opens the phone's navigation app (Google Maps' public URL scheme, no key needed) on the
    route from `origin` (else where the phone is) through `stops`, in that order, to the last one."""
    params = {"api": "1", "travelmode": "driving", "destination": stops[-1]}
    if origin:
        params["origin"] = origin
    if len(stops) > 1:
        params["waypoints"] = "|".join(stops[:-1])
    return f"{MAP_ROUTE_URL}?{urlencode(params)}"


def area_key(restaurant: Restaurant) -> Callable[[Order], tuple]:
    """Orders by how far their area is from the restaurant's, nearest first: the restaurant's own postal code,
    then the postal codes nearest in number (neighbouring districts in Lyon and Paris), then the due time.
    There is no geocoding of addresses: this is the order a driver groups deliveries by."""
    home = int(restaurant.postal_code) if restaurant.postal_code.isdigit() else 0

    def key(order: Order) -> tuple:
        code = order.delivery_postal_code
        gap = abs(int(code) - home) if code.isdigit() and home else 10**6
        return (gap, order.delivery_postal_code, order.due_at or order.created_at, order.pk)

    return key


@dataclass(frozen=True)
class Delivery:
    """An order on the delivery board, with what the driver needs at the door."""

    order: Order

    @property
    def is_paid(self) -> bool:
        return self.order.is_paid

    @property
    def collects_payment(self) -> bool:
        """The driver takes the money: an order paid on delivery, not paid yet."""
        return not self.order.is_paid_online and not self.is_paid

    @property
    def payment_incomplete_online(self) -> bool:
        """Paid online but money is still owed (a change raised the total): the driver cannot close it."""
        return self.order.is_paid_online and not self.is_paid

    @property
    def address(self) -> str:
        order = self.order
        return _address(order.delivery_street, order.delivery_postal_code, order.delivery_city)

    @property
    def map_url(self) -> str:
        """The route to this stop, from where the driver is."""
        return route_url([self.address])

    @property
    def phone_link(self) -> str:
        """The phone number for a tel: link (E.164)."""
        return phone_link(self.order.customer_phone)

    @property
    def version(self) -> str:
        """Changes whenever the order does: the live board replaces only the cards whose version changed."""
        return str(int(self.order.updated_at.timestamp() * 1000))


@dataclass(frozen=True)
class DeliveryBoard:
    ready: list[Delivery]  # ready delivery orders nobody has taken, nearest area first
    out: list[Delivery]  # out for delivery: the driver's own (all of them for a manager), in the trip's order
    trip_url: str = (
        ""  # the route from the restaurant through the driver's own stops ("" for none, or managers)
    )


def delivery_orders() -> QuerySet[Order]:
    """Delivery orders (what the delivery board shows and acts on), with their driver and lines."""
    return (
        Order.objects.filter(fulfilment=Fulfilment.DELIVERY)
        .select_related("delivered_by")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))
    )


def delivery_board(restaurant: Restaurant, *, driver: User, sees_all: bool) -> DeliveryBoard:
    """Ready delivery orders of the restaurant and the orders out for delivery taken by `driver` (every
    driver's when `sees_all`, for managers), each list in area order (`area_key`), with the route of the
    driver's trip. Two queries: the orders with their driver, their lines."""
    out = Q(status=Status.OUT_FOR_DELIVERY)
    if not sees_all:
        out &= Q(delivered_by=driver)
    orders = delivery_orders().for_restaurant(restaurant).filter(Q(status=Status.READY) | out)
    by_area = sorted(orders, key=area_key(restaurant))
    ready = [Delivery(order) for order in by_area if order.status == Status.READY]
    taken = [Delivery(order) for order in by_area if order.status != Status.READY]
    trip = [delivery.address for delivery in taken if delivery.order.delivered_by_id == driver.pk]
    origin = _address(restaurant.street, restaurant.postal_code, restaurant.city)
    return DeliveryBoard(ready=ready, out=taken, trip_url=route_url(trip, origin=origin) if trip else "")
