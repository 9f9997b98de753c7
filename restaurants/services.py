"""Domain actions on restaurants that write: every stock change goes through a StockMovement."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from common.errors import Refusal
from menu.models import Ingredient
from restaurants import tasks
from restaurants.models import MovementReason, Restaurant, Stock, StockMovement

# The largest quantity a stock column holds (12 digits, 3 of them decimals), with a margin.
MAX_QUANTITY = Decimal("100000000")


class StockError(Refusal):
    """A stock change that cannot be made; `code` is for tests and callers, the message for people."""


@dataclass(frozen=True)
class Shortage:
    ingredient: Ingredient
    available: Decimal
    needed: Decimal


class InsufficientStock(StockError):
    def __init__(self, shortages: list[Shortage]) -> None:
        names = ", ".join(s.ingredient.name for s in shortages)
        super().__init__(_("Not enough stock of: %(names)s.") % {"names": names}, code="insufficient_stock")
        self.shortages = shortages


def apply_stock_changes(
    *,
    restaurant: Restaurant,
    changes: Mapping[int, Decimal],
    reason: str,
    by: User | None = None,
    order=None,
    note: str = "",
    savepoint: bool = True,
) -> list[StockMovement]:
    """Apply signed changes (ingredient id → delta) to a restaurant's stock, all or nothing.

    Locks the stock rows in id order, so two callers never deadlock, and only them (`of=("self",)`): the
    ingredient read in the same query is shared by every restaurant, and locking it would make every
    placement in the chain wait for any other using a common ingredient; refuses with InsufficientStock,
    writing nothing, when any quantity would fall below zero (the CHECK constraint stays the last guard).
    Runs in its own atomic block: a transaction when the caller has none, else a savepoint of the caller's,
    whose row locks then last until the caller's transaction ends (so the caller's other writes and these
    commit or roll back together). Raises StockError "too_large" when a quantity would pass MAX_QUANTITY.
    `savepoint=False` spares that savepoint (two round trips) to a caller that never goes on in its
    transaction after an error here (it lets the error roll the whole transaction back): placing an order.
    """
    changes = {ingredient_id: delta for ingredient_id, delta in changes.items() if delta}
    if not changes:
        return []
    with transaction.atomic(savepoint=savepoint):
        stocks = list(
            Stock.objects.select_for_update(of=("self",))
            .filter(restaurant=restaurant, ingredient_id__in=changes)
            .select_related("ingredient")
            .order_by("id")
        )
        by_ingredient = {stock.ingredient_id: stock for stock in stocks}
        missing = [ingredient_id for ingredient_id in changes if ingredient_id not in by_ingredient]
        if missing:
            ingredients = Ingredient.objects.filter(id__in=missing)
            raise InsufficientStock(
                [Shortage(ingredient, Decimal("0"), -changes[ingredient.id]) for ingredient in ingredients]
            )
        shortages = [
            Shortage(stock.ingredient, stock.quantity, -changes[stock.ingredient_id])
            for stock in stocks
            if stock.quantity + changes[stock.ingredient_id] < 0
        ]
        if shortages:
            raise InsufficientStock(shortages)
        if any(stock.quantity + changes[stock.ingredient_id] > MAX_QUANTITY for stock in stocks):
            raise StockError(_("This quantity is too large."), code="too_large")
        movements = []
        for stock in stocks:
            delta = changes[stock.ingredient_id]
            stock.quantity += delta
            movements.append(
                StockMovement(stock=stock, delta=delta, reason=reason, order=order, user=by, note=note)
            )
        # One UPDATE for all the rows: their quantities were read under this transaction's lock.
        Stock.objects.bulk_update(stocks, ["quantity"])
        created = StockMovement.objects.bulk_create(movements)
        alert_low_stock(stocks=stocks, reason=reason)
        return created


def create_stock(
    *,
    restaurant: Restaurant,
    ingredient: Ingredient,
    quantity: Decimal,
    alert_threshold: Decimal,
    by: User | None,
) -> Stock:
    """Start keeping an ingredient at a restaurant; a starting quantity is recorded as an inventory count."""
    if quantity < 0:
        raise StockError(_("A quantity cannot be negative."), code="negative_quantity")
    with transaction.atomic():
        stock = Stock.objects.create(
            restaurant=restaurant, ingredient=ingredient, alert_threshold=alert_threshold
        )
        if quantity:
            apply_stock_changes(
                restaurant=restaurant,
                changes={ingredient.id: quantity},
                reason=MovementReason.INVENTORY,
                by=by,
                note=_("Opening stock"),
            )
            stock.refresh_from_db()
    return stock


def move_stock(
    stock: Stock, delta: Decimal, reason: str, *, by: User | None, note: str = ""
) -> StockMovement:
    """One movement of one stock by `delta` (negative to take out), through apply_stock_changes: the row's lock,
    the refusal to go below zero, the ledger line and the low-stock alert. Returns the movement."""
    (movement,) = apply_stock_changes(
        restaurant=stock.restaurant, changes={stock.ingredient_id: delta}, reason=reason, by=by, note=note
    )
    return movement


def restock(*, stock: Stock, quantity: Decimal, by: User | None, note: str = "") -> StockMovement:
    """Record a delivery from a supplier: the quantity must be positive."""
    if quantity <= 0:
        raise StockError(_("A delivery must add a positive quantity."), code="non_positive_quantity")
    return move_stock(stock, quantity, MovementReason.RESTOCK, by=by, note=note)


def record_waste(*, stock: Stock, quantity: Decimal, by: User | None, note: str = "") -> StockMovement:
    """Record what was thrown away; refused when more than what is in stock."""
    if quantity <= 0:
        raise StockError(_("Waste must be a positive quantity."), code="non_positive_quantity")
    return move_stock(stock, -quantity, MovementReason.WASTE, by=by, note=note)


def record_inventory_count(
    *, stock: Stock, counted: Decimal, by: User | None, note: str = ""
) -> StockMovement | None:
    """Set the stock to what was counted, through a movement of the difference (none if it matches)."""
    if counted < 0:
        raise StockError(_("A counted quantity cannot be negative."), code="negative_quantity")
    with transaction.atomic():
        current = Stock.objects.select_for_update().get(pk=stock.pk).quantity
        delta = counted - current
        if not delta:
            return None
        return move_stock(stock, delta, MovementReason.INVENTORY, by=by, note=note)


# -- Low-stock alert -----------------------------------------------------------------------------------

# Movements after which a stock above its threshold counts as restocked: the alert may go again later.
RESTOCKING_REASONS = (MovementReason.RESTOCK, MovementReason.INVENTORY)


def alert_low_stock(*, stocks: Sequence[Stock], reason: str, now: datetime | None = None) -> list[Stock]:
    """Warn a restaurant's managers when a stock reaches its alert threshold, once until it is restocked.

    Preconditions: `stocks` were just changed by `reason` and are still locked by the caller's transaction,
    their `quantity` up to date in memory (apply_stock_changes calls this, after writing its movements).
    Effects: each stock at or below its threshold and not yet alerted gets `low_alert_sent_at = now`, and its
    restaurant's active managers an email (its job deferred in the caller's transaction, restaurants.tasks);
    each stock that a delivery or an inventory count took back above its threshold gets `low_alert_sent_at`
    cleared, so the next crossing warns again. No query when nothing crosses; at most one UPDATE for each kind otherwise.
    Returns the stocks alerted now.
    """
    now = now or timezone.now()
    alerted = [
        stock
        for stock in stocks
        if stock.low_alert_sent_at is None and stock.quantity <= stock.alert_threshold
    ]
    cleared = [
        stock
        for stock in stocks
        if reason in RESTOCKING_REASONS
        and stock.low_alert_sent_at is not None
        and stock.quantity > stock.alert_threshold
    ]
    if cleared:
        Stock.objects.filter(pk__in=[stock.pk for stock in cleared]).update(low_alert_sent_at=None)
        for stock in cleared:
            stock.low_alert_sent_at = None
    if alerted:
        stock_ids = [stock.pk for stock in alerted]
        Stock.objects.filter(pk__in=stock_ids).update(low_alert_sent_at=now)
        for stock in alerted:
            stock.low_alert_sent_at = now
        tasks.defer_low_stock_alert(stock_ids=stock_ids, now=now)
    return alerted


def set_alert_threshold(*, stock: Stock, threshold: Decimal) -> Stock:
    """Change the level at which a stock's managers are warned; the quantity is not touched.

    Preconditions: `threshold` ≥ 0 (else StockError "negative_threshold"). Effects: the stock's threshold;
    when the quantity is now above it, a pending alert is cleared so the next crossing warns again. A stock
    already at or below the new threshold is warned about at its next movement.
    """
    if threshold < 0:
        raise StockError(_("An alert threshold cannot be negative."), code="negative_threshold")
    with transaction.atomic():
        locked = Stock.objects.select_for_update().get(pk=stock.pk)
        locked.alert_threshold = threshold
        update_fields = ["alert_threshold"]
        if locked.low_alert_sent_at is not None and locked.quantity > threshold:
            locked.low_alert_sent_at = None
            update_fields.append("low_alert_sent_at")
        locked.save(update_fields=update_fields)
    return locked
