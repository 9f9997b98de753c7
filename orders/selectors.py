"""Reads of orders: fetched with what their pages need, and with the permission check."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db.models import (
    Case,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    prefetch_related_objects,
)
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from menu.models import Extra, Product
from offers.models import Formule
from orders.models import ACTIVE_STATUSES, Fulfilment, Order, OrderLine, OrderStatusChange, Refund, Status
from orders.services import MAX_QUANTITY_PER_LINE, FormulePart, LineRequest
from restaurants.availability import with_portions_left


def order_with_details() -> Prefetch:
    return Order.objects.select_related("restaurant").prefetch_related(
        Prefetch(
            "lines",
            queryset=OrderLine.objects.prefetch_related("extras", "removed_ingredients").order_by("id"),
        ),
        Prefetch("status_changes", queryset=OrderStatusChange.objects.order_by("created_at", "id")),
    )


# What the tracking page's live fragment reads of an order and its restaurant (its poll, the status version,
# the estimate, the permission check), and nothing else: both models are wide, and the poll runs every 10 s
# per open tracking page. Loading and compiling every column of both was most of the poll's CPU
# (docs/scaling.md, "The tracking poll and the kitchen board"). A field the fragment starts to show must be
# added here: the pinned query counts of tests/orders/test_tracking*.py catch one loaded later, one by one.
STATUS_ORDER_FIELDS = (
    "id",
    "number",
    "customer",
    "tracking_token",
    "restaurant",
    "status",
    "payment_status",
    "payment_method",
    "fulfilment",
    "due_at",
    "updated_at",
    "payment_expires_at",
    "confirmed_at",
    "preparing_at",
    "ready_at",
    "out_for_delivery_at",
    "completed_at",
    "cancelled_at",
)
STATUS_RESTAURANT_FIELDS = ("preparation_minutes", "delivery_minutes", "pizzas_per_slot", "phone")


def _order_for_status() -> QuerySet[Order]:
    return Order.objects.select_related("restaurant").only(
        *STATUS_ORDER_FIELDS, *(f"restaurant__{name}" for name in STATUS_RESTAURANT_FIELDS)
    )


def get_order_for_user(request: HttpRequest, number: str, *, details: bool = True) -> Order:
    """The order a customer may see: their own, or any order whose tracking token they hold (the link of
    the confirmation email, for phone and counter orders). Anything else is a 404, revealing nothing.
    Without `details`, only what the live status fragment reads (STATUS_ORDER_FIELDS)."""
    queryset = order_with_details() if details else _order_for_status()
    order = queryset.filter(number=number.upper()).first()
    if order is None:
        raise Http404
    if request.user.is_authenticated and order.customer_id == request.user.pk:
        return order
    token = request.GET.get("t") or request.session.get(f"order-token-{order.number}", "")
    if token and constant_time_compare(token, order.tracking_token):
        request.session[f"order-token-{order.number}"] = token
        return order
    raise Http404


@dataclass(frozen=True)
class Estimate:
    ready_at: datetime | None
    arrives_at: datetime | None  # delivered or available for pick-up


def estimate(order: Order, *, now: datetime | None = None) -> Estimate:
    """When the order should be ready, and at the customer's, from the queue ahead of it in the kitchen."""
    now = now or timezone.now()
    restaurant = order.restaurant
    prep = timedelta(minutes=restaurant.preparation_minutes)
    travel = (
        timedelta(minutes=restaurant.delivery_minutes)
        if order.fulfilment == Fulfilment.DELIVERY
        else timedelta()
    )
    if order.status in (Status.DELIVERED, Status.PICKED_UP, Status.CANCELLED):
        return Estimate(order.ready_at, order.completed_at)
    if order.status == Status.OUT_FOR_DELIVERY:
        return Estimate(order.ready_at, max(now, (order.out_for_delivery_at or now) + travel))
    if order.status == Status.READY:
        return Estimate(
            order.ready_at, max(now, (order.ready_at or now) + travel) if travel else order.ready_at
        )
    if order.status == Status.PREPARING:
        ready = max(now, (order.preparing_at or now) + prep)
    else:
        # Pizzas due before this one still to bake, at the oven's pace per 15-minute slot.
        ahead = (
            OrderLine.objects.filter(
                order__restaurant=restaurant,
                order__status__in=(Status.RECEIVED, Status.PREPARING),
                product__baking_minutes__isnull=False,
            )
            .filter(Q(order__due_at__lt=order.due_at) | Q(order__due_at=order.due_at, order__id__lt=order.id))
            .aggregate(pizzas=Sum("quantity"))["pizzas"]
            or 0
        )
        queue = timedelta(minutes=15 * (ahead // max(restaurant.pizzas_per_slot, 1)))
        ready = max(now + prep + queue, order.due_at or now)
    if order.status == Status.AWAITING_PAYMENT:
        ready = max(ready, order.due_at or ready)
    return Estimate(ready, ready + travel)


def customer_orders(user) -> QuerySet[Order]:
    """The customer's orders for "My orders": those under way first, then newest first, each with its
    restaurant and lines (one query for the orders, one for their lines, whatever their number)."""
    under_way = Case(
        When(status__in=[*ACTIVE_STATUSES, Status.AWAITING_PAYMENT], then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        Order.objects.filter(customer=user)
        .select_related("restaurant")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))
        .order_by(under_way, "-created_at", "-id")
    )


def is_active(order: Order) -> bool:
    return order.status in ACTIVE_STATUSES or order.status == Status.AWAITING_PAYMENT


def prefetch_status_changes(order: Order) -> Order:
    """The order with its status history in time order (one query), for its timeline."""
    prefetch_related_objects(
        [order], Prefetch("status_changes", queryset=OrderStatusChange.objects.order_by("created_at", "id"))
    )
    return order


def get_customer_order(user, number: str, *, details: bool = False) -> Order:
    """An order of this signed-in customer, for what only its customer may do (modify, cancel, re-order).

    The tracking token only lets its holder follow an order: an order taken by phone for someone without an
    account is changed by calling the restaurant. Anyone else's order is a 404, revealing nothing."""
    queryset = order_with_details() if details else Order.objects.select_related("restaurant")
    order = queryset.filter(number=number.upper(), customer_id=user.pk).first()
    if order is None:
        raise Http404
    return order


def is_customer_of(user, order: Order) -> bool:
    return bool(user.is_authenticated and order.customer_id == user.pk)


def order_refunds(order: Order) -> list[Refund]:
    return list(Refund.objects.filter(payment__order=order).order_by("created_at", "id"))


# The steps an order goes through when all goes well, after `received`.
HAPPY_PATHS = {
    Fulfilment.DELIVERY: (
        Status.RECEIVED,
        Status.PREPARING,
        Status.READY,
        Status.OUT_FOR_DELIVERY,
        Status.DELIVERED,
    ),
    Fulfilment.PICKUP: (Status.RECEIVED, Status.PREPARING, Status.READY, Status.PICKED_UP),
}
FINISHED_STATUSES = (Status.DELIVERED, Status.PICKED_UP, Status.CANCELLED)


@dataclass(frozen=True)
class TimelineStep:
    status: str  # a Status value, or "modified"
    label: str
    at: datetime | None
    state: str  # "done", "current" or "upcoming"
    reason: str = ""


def order_timeline(order: Order) -> list[TimelineStep]:
    """The steps behind the order (from its prefetched status changes, a modification being a change to the
    same status by its customer) and, while it is under way, the steps still ahead of it. A change to the
    same status by anyone else is staff's record (a refund retried), not a step of the customer's timeline."""
    changes = list(order.status_changes.all())
    steps = []
    current_index = None
    for change in changes:
        if change.from_status == change.to_status:
            if change.actor_id == order.customer_id:
                steps.append(TimelineStep("modified", _("Order modified"), change.created_at, "done"))
            continue
        reason = change.reason if change.to_status == Status.CANCELLED else ""
        steps.append(
            TimelineStep(change.to_status, Status(change.to_status).label, change.created_at, "done", reason)
        )
        current_index = len(steps) - 1
    if current_index is not None and order.status not in FINISHED_STATUSES:
        current = steps[current_index]
        steps[current_index] = TimelineStep(current.status, current.label, current.at, "current")
    if order.status in FINISHED_STATUSES:
        return steps
    path = HAPPY_PATHS[order.fulfilment]
    ahead = path[path.index(order.status) + 1 :] if order.status in path else path
    return steps + [TimelineStep(status, Status(status).label, None, "upcoming") for status in ahead]


def menu_for_adding(restaurant) -> list[Product]:
    """The products a customer may add to an order, with the portions the restaurant can make now."""
    return list(
        with_portions_left(Product.objects.active().select_related("category"), restaurant).order_by(
            "category__position", "category__name", "position", "name"
        )
    )


@dataclass(frozen=True)
class Reorder:
    lines: list[LineRequest]  # the ordinary lines
    formules: list[list[LineRequest]]  # each formule's lines, a new group each (orders.cart.Cart.add_formule)
    left_out: list[str]  # sentences naming what could not be put back in the cart, or not as it was

    @property
    def empty(self) -> bool:
        return not self.lines and not self.formules


def reorder_lines(order: Order, *, formules: bool = True) -> Reorder:
    """An order's lines as cart lines, for ordering them again at the same restaurant.

    Leaves out, and names, what can no longer be had: products off the menu or sold out (portions left from
    the restaurant's stock, shared by the lines of one product), extras no longer offered, ingredients that
    may no longer be removed; a quantity above the portions left is lowered. A formule comes back as a
    formule (a new group, at the formule's price) while the restaurant still offers it with the same
    components and can make every one of its products; otherwise its products come back at their own price,
    and the sentence says so; with `formules` False (the counter, which takes no formule), always the latter.
    Checkout checks it all again."""
    # A no-op when the order comes from order_with_details().
    prefetch_related_objects([order], "lines__extras", "lines__removed_ingredients")
    order_lines = list(order.lines.all())
    products = _products_to_reorder(order, order_lines)
    left = {product_id: product.portions_left for product_id, product in products.items()}
    components = _formule_components_offered(order, order_lines) if formules else {}
    lines: list[LineRequest] = []
    groups: list[list[LineRequest]] = []
    left_out: list[str] = []
    for unit in _formules_apart(order_lines):
        if unit[0].formule_group and not formules:
            left_out.append(
                _("« %(formule)s » is offered on the website only: its products are at their own price.")
                % {"formule": unit[0].formule_name}
            )
        elif unit[0].formule_group:
            again = _formule_again(unit, products, left, components, left_out)
            if again is not None:
                groups.append(again)
                continue
        for line in unit:
            plain = _plain_line_again(line, products, left, left_out)
            if plain is not None:
                _merge_into(lines, plain)
    return Reorder(lines=lines, formules=groups, left_out=left_out)


def _formules_apart(order_lines: list[OrderLine]) -> list[list[OrderLine]]:
    """The lines in their order, an ordinary line alone and a formule's lines together."""
    units: list[list[OrderLine]] = []
    groups: dict[str, list[OrderLine]] = {}
    for line in order_lines:
        if not line.formule_group:
            units.append([line])
        elif line.formule_group in groups:
            groups[line.formule_group].append(line)
        else:
            groups[line.formule_group] = [line]
            units.append(groups[line.formule_group])
    return units


def _formule_components_offered(order: Order, order_lines: list[OrderLine]) -> dict[int, dict]:
    """formule id -> {component id: component}, for the order's formules the restaurant still offers."""
    ids = {line.formule_id for line in order_lines if line.formule_id}
    if not ids:
        return {}
    return {
        formule.pk: {component.pk: component for component in formule.components.all()}
        for formule in Formule.objects.offered_at(order.restaurant).filter(pk__in=ids)
    }


def _formule_again(
    unit: list[OrderLine],
    products: dict[int, Product],
    left: dict[int, int],
    components: dict,
    left_out: list[str],
) -> list[LineRequest] | None:
    """A formule's lines as a new group of the same formule, its portions taken from `left`; None (and a
    sentence) when it can no longer be made as it was."""
    name = unit[0].formule_name
    offered = components.get(unit[0].formule_id, {})
    still_offered = all(
        line.formule_component_id in offered
        and line.product_id in products
        and offered[line.formule_component_id].allows(products[line.product_id])
        for line in unit
    )
    if not still_offered:
        left_out.append(
            _("« %(formule)s » is not offered as it was any more: its products are back at their own price.")
            % {"formule": name}
        )
        return None
    needed: dict[int, int] = {}
    for line in unit:
        needed[line.product_id] = needed.get(line.product_id, 0) + line.quantity
    if any(left[product_id] < count for product_id, count in needed.items()):
        left_out.append(
            _("« %(formule)s » cannot be made again for now: what is left of it is back at its own price.")
            % {"formule": name}
        )
        return None
    for product_id, count in needed.items():
        left[product_id] -= count
    group = secrets.token_hex(8)
    return [
        replace(
            _line_again(line, products[line.product_id], line.quantity, left_out),
            formule=FormulePart(
                formule_id=line.formule_id, component_id=line.formule_component_id, group=group
            ),
        )
        for line in unit
    ]


def _plain_line_again(
    line: OrderLine, products: dict[int, Product], left: dict[int, int], left_out: list[str]
) -> LineRequest | None:
    """The line at its own price, its quantity lowered to the portions left in `left` (and taken from it);
    None (and a sentence) when its product is off the menu or sold out."""
    product = products.get(line.product_id)
    if product is None:
        left_out.append(_("%(product)s is no longer on the menu.") % {"product": line.product_name})
        return None
    if left[product.id] <= 0:
        left_out.append(_("%(product)s is sold out for now.") % {"product": product.name})
        return None
    quantity = min(line.quantity, left[product.id])
    if quantity < line.quantity:
        left_out.append(
            ngettext(
                "%(product)s: only %(count)d left, so the quantity is lowered.",
                "%(product)s: only %(count)d left, so the quantity is lowered.",
                quantity,
            )
            % {"product": product.name, "count": quantity}
        )
    left[product.id] -= quantity
    return _line_again(line, product, quantity, left_out)


def _merge_into(lines: list[LineRequest], line: LineRequest) -> None:
    """Add `line`, or its quantity to the line of the same product and modifiers (a formule's products back
    at their own price may meet the same choice ordered apart)."""
    for index, existing in enumerate(lines):
        if (existing.product_id, existing.removed_ids, existing.extra_ids) == (
            line.product_id,
            line.removed_ids,
            line.extra_ids,
        ):
            lines[index] = replace(
                existing, quantity=min(existing.quantity + line.quantity, MAX_QUANTITY_PER_LINE)
            )
            return
    lines.append(line)


def _products_to_reorder(order: Order, order_lines: list[OrderLine]) -> dict[int, Product]:
    """The order's products still on the menu, with their portions left, recipe and offered extras."""
    return {
        product.id: product
        for product in with_portions_left(
            Product.objects.active().filter(id__in={line.product_id for line in order_lines}),
            order.restaurant,
        ).prefetch_related(
            "recipe_lines",
            Prefetch("extras", queryset=Extra.objects.filter(is_active=True)),
        )
    }


def _line_again(line: OrderLine, product: Product, quantity: int, left_out: list[str]) -> LineRequest:
    """The line as a cart line, keeping the extras still offered and the removals still allowed; what is
    dropped is named in `left_out`."""
    offered = {extra.id for extra in product.extras.all()}
    dropped_extras = [extra.name for extra in line.extras.all() if extra.extra_id not in offered]
    if dropped_extras:
        left_out.append(
            _("%(extras)s is no longer offered on %(product)s.")
            % {"extras": ", ".join(dropped_extras), "product": product.name}
        )
    recipe = {recipe_line.ingredient_id: recipe_line for recipe_line in product.recipe_lines.all()}
    removed = set()
    for ingredient in line.removed_ingredients.all():
        recipe_line = recipe.get(ingredient.id)
        if recipe_line is None:
            continue  # no longer in the recipe: nothing to leave out
        if not recipe_line.removable:
            left_out.append(
                _("%(product)s can no longer be made without %(ingredient)s.")
                % {"product": product.name, "ingredient": ingredient.name}
            )
            continue
        removed.add(ingredient.id)
    return LineRequest(
        product_id=product.id,
        quantity=quantity,
        removed_ids=frozenset(removed),
        extra_ids=frozenset(extra.extra_id for extra in line.extras.all() if extra.extra_id in offered),
    )
