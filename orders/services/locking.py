"""Row locks for the order services, taken one way only.

A lock is held until the end of the transaction that took it: taken outside one, it would be released at
once and protect nothing, so these helpers refuse to run there (as pretix's `locking.py` does). Every order
service locks in the same order, the restaurant row first, then a promo code's, then the order row, then stock rows by id
(restaurants.services.apply_stock_changes), so two of them never deadlock.
"""

from __future__ import annotations

from django.db import transaction

from offers.models import PromoCode
from orders.models import Order
from restaurants.models import Restaurant


class LockOutsideTransaction(RuntimeError):
    """A row lock was asked for with no transaction open: a bug in the caller, never a user's error."""


def _require_transaction(what: str) -> None:
    if not transaction.get_connection().in_atomic_block:
        raise LockOutsideTransaction(
            f"Locking {what} outside a transaction protects nothing: call it inside transaction.atomic()."
        )


def lock_order(pk: int, *, with_restaurant: bool = False) -> Order:
    """The order, read afresh with its row locked (SELECT ... FOR UPDATE) until the transaction ends, after
    its restaurant's row (a no-op when the transaction holds it already).

    The restaurant comes first in its own statement, whatever the caller does next: a lock taken in a join
    follows the plan's order, and a service that locked the order alone, then a journal head, then reached
    transition_order (which needs the restaurant) deadlocked with a payment confirmed at the same
    restaurant (it happened in `make soak`). `with_restaurant` reads the restaurant in the order's query.
    Raises LockOutsideTransaction when no transaction is open, Order.DoesNotExist when there is no such order.
    """
    _require_transaction(f"order {pk}")
    restaurant = Restaurant.objects.select_for_update(of=("self",)).filter(orders__pk=pk)
    restaurant.values_list("pk", flat=True).first()
    orders = Order.objects.select_for_update(of=("self",))
    if with_restaurant:
        orders = orders.select_related("restaurant")
    return orders.get(pk=pk)


def lock_restaurant(pk: int, *, raising_board_version: bool = False) -> Restaurant:
    """The restaurant, row locked until the transaction ends: it serialises the bookings of its oven slots
    and comes before any order or stock row. `raising_board_version`: the caller will change what the
    kitchen display shows, and the lock raises its version in the same statement
    (Restaurant.locked_raising_board_version). Raises LockOutsideTransaction when no transaction is open."""
    _require_transaction(f"restaurant {pk}")
    if raising_board_version:
        return Restaurant.locked_raising_board_version(pk)
    return Restaurant.objects.select_for_update().get(pk=pk)


def lock_promo_code(text: str) -> PromoCode | None:
    """The active promo code typed (any case), row locked until the transaction ends: it serialises the
    uses of one code, so its last use is spent once. Taken after the restaurant row, before the order's.
    None when there is no such active code. Raises LockOutsideTransaction when no transaction is open."""
    _require_transaction(f"promo code {text!r}")
    return PromoCode.objects.select_for_update().named(text).filter(active=True).first()
