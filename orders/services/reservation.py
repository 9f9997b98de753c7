"""Stock reservation: what an order's lines take from the restaurant's stock, taken at placement, adjusted
by a change, given back by a cancellation before preparation.

The stock itself moves only through restaurants.services.apply_stock_changes (all or nothing, rows locked
by id); this module says how much, and turns a shortage into the products the customer must be told of.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import ngettext

from accounts.models import User
from orders.errors import ProductUnavailable
from orders.models import Order
from orders.services.pricing import PricedLine
from restaurants.models import MovementReason, Restaurant, StockMovement
from restaurants.services import InsufficientStock, apply_stock_changes


def stock_needs(lines: Sequence[PricedLine]) -> dict[int, Decimal]:
    needs: dict[int, Decimal] = defaultdict(Decimal)
    for line in lines:
        for ingredient_id, quantity in line.stock_needs().items():
            needs[ingredient_id] += quantity
    return dict(needs)


def reserved_stock(order: Order) -> dict[int, Decimal]:
    """What the order holds now, per ingredient (positive quantities), from its movements."""
    rows = (
        StockMovement.objects.filter(order=order)
        .values_list("stock__ingredient_id")
        .annotate(total=Sum("delta"))
    )
    return {ingredient_id: -total for ingredient_id, total in rows if total}


def product_unavailable(lines: Sequence[PricedLine], error: InsufficientStock) -> ProductUnavailable:
    """The customer's error for a shortage: the products of `lines` that need a short ingredient."""
    short = {shortage.ingredient.id for shortage in error.shortages}
    names = []
    for line in lines:
        if short & set(line.stock_needs()) and line.product.name not in names:
            names.append(line.product.name)
    message = ngettext(
        "Sorry, %(products)s is no longer available in that quantity.",
        "Sorry, %(products)s are no longer available in that quantity.",
        len(names),
    ) % {"products": ", ".join(names)}
    return ProductUnavailable(message, products=names)


def reserve_stock(
    *, order: Order, lines: Sequence[PricedLine], by: User | None, savepoint: bool = True
) -> None:
    """Take what a new order's lines need (`order` movements). Raises ProductUnavailable when short.
    `savepoint=False` for a caller whose transaction is rolled back whole on that error (apply_stock_changes)."""
    try:
        apply_stock_changes(
            restaurant=order.restaurant,
            changes={ingredient_id: -quantity for ingredient_id, quantity in stock_needs(lines).items()},
            reason=MovementReason.ORDER,
            by=by,
            order=order,
            savepoint=savepoint,
        )
    except InsufficientStock as error:
        raise product_unavailable(lines, error) from error


def stock_changes_for(order: Order, lines: Sequence[PricedLine]) -> dict[int, Decimal]:
    """Per ingredient, what changing the order's lines to `lines` gives back (positive) or takes (negative)."""
    held = reserved_stock(order)
    needed = stock_needs(lines)
    return {
        ingredient_id: held.get(ingredient_id, Decimal("0")) - needed.get(ingredient_id, Decimal("0"))
        for ingredient_id in set(held) | set(needed)
    }


def adjust_stock(
    *, order: Order, restaurant: Restaurant, changes: dict, lines: Sequence[PricedLine], by: User | None
) -> None:
    """Apply a change's stock difference (`order_modified` movements). Raises ProductUnavailable when short."""
    try:
        apply_stock_changes(
            restaurant=restaurant, changes=changes, reason=MovementReason.ORDER_MODIFIED, by=by, order=order
        )
    except InsufficientStock as error:
        raise product_unavailable(lines, error) from error


class _DryRun(Exception):
    pass


def check_stock_without_changing_it(
    restaurant: Restaurant, changes: dict, lines: Sequence[PricedLine]
) -> None:
    """Raise ProductUnavailable when the changes cannot be made now; change nothing either way."""
    try:
        with transaction.atomic():
            apply_stock_changes(restaurant=restaurant, changes=changes, reason=MovementReason.ORDER_MODIFIED)
            raise _DryRun
    except _DryRun:
        return
    except InsufficientStock as error:
        raise product_unavailable(lines, error) from error


def give_back_stock(*, order: Order, by: User | None, note: str) -> None:
    """Give back everything the order holds (`order_cancelled` movements): a cancellation before preparation."""
    give_back = reserved_stock(order)
    if give_back:
        apply_stock_changes(
            restaurant=order.restaurant,
            changes=give_back,
            reason=MovementReason.ORDER_CANCELLED,
            by=by,
            order=order,
            note=note,
        )
