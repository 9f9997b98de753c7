"""Stock writers at the same time, outside place_order alone: restocks racing wastes or orders lose no update
and leave every stock equal to the sum of its ledger; changes of several ingredients listed in opposite orders
never deadlock (apply_stock_changes locks the rows in id order).

Real threads, each with its own database connection, in `transaction=True` tests: the row locks are
PostgreSQL's, not simulated. The clock is frozen (a Monday at noon, restaurant A open) before anything is made.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from orders.models import Order
from orders.services import Contact, LineRequest, place_order
from restaurants.models import MovementReason, Stock, StockMovement
from restaurants.services import apply_stock_changes, record_waste, restock
from tests import factories as f
from tests.world import NOON

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOON, tick=False)
    return NOON


def run_together(jobs: list[Callable[[], object]]) -> list[str]:
    """Start every job at once, each in its own thread and connection; their outcomes ("ok" or the error)."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(job):
        try:
            barrier.wait(timeout=10)
            job()
            outcome = "ok"
        except Exception as error:  # noqa: BLE001 - the outcome says which
            outcome = f"{type(error).__name__}: {error}"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def assert_every_stock_matches_its_ledger():
    for stock in Stock.objects.all():
        assert stock.movements.aggregate(total=Sum("delta"))["total"] == stock.quantity
        assert stock.quantity >= 0


def stock_with(restaurant, ingredient, quantity: str) -> Stock:
    """A stock whose ledger starts with its opening count, as create_stock records it."""
    stock = f.StockFactory(restaurant=restaurant, ingredient=ingredient, quantity=Decimal("0"))
    apply_stock_changes(
        restaurant=restaurant, changes={ingredient.id: Decimal(quantity)}, reason=MovementReason.INVENTORY
    )
    return Stock.objects.get(pk=stock.pk)


def test_restocks_racing_wastes_lose_no_update(frozen, restaurant_a, ingredients):
    mozzarella = stock_with(restaurant_a, ingredients["Mozzarella"], "1000")

    def restock_100():
        restock(stock=mozzarella, quantity=Decimal("100"), by=None)

    def waste_30():
        record_waste(stock=mozzarella, quantity=Decimal("30"), by=None)

    outcomes = run_together([restock_100, waste_30] * 6)

    assert outcomes == ["ok"] * 12
    mozzarella.refresh_from_db()
    assert mozzarella.quantity == Decimal("1000") + 6 * Decimal("100") - 6 * Decimal("30")
    assert StockMovement.objects.filter(stock=mozzarella).count() == 1 + 12
    assert_every_stock_matches_its_ledger()


def test_restocks_racing_orders_lose_no_update(frozen, restaurant_a, menu, ingredients):
    recipe = {"Pâte à pizza": "10000", "Sauce tomate": "10000", "Mozzarella": "1250", "Basilic": "1000"}
    stocks = {
        name: stock_with(restaurant_a, ingredients[name], quantity) for name, quantity in recipe.items()
    }
    customers = [f.UserFactory() for _ in range(6)]

    def order(customer):
        def job():
            place_order(
                restaurant=restaurant_a,
                lines=[LineRequest(product_id=menu["margherita"].id, quantity=1)],
                fulfilment="pickup",
                payment_method="cash_on_delivery",
                contact=Contact(name=customer.get_full_name(), phone="0600000000", email=customer.email),
                customer=customer,
                now=frozen,
            )

        return job

    def restock_mozzarella():
        restock(stock=stocks["Mozzarella"], quantity=Decimal("500"), by=None)

    outcomes = run_together([order(customer) for customer in customers] + [restock_mozzarella] * 4)

    assert outcomes == ["ok"] * 10
    assert Order.objects.count() == 6
    mozzarella = Stock.objects.get(pk=stocks["Mozzarella"].pk)
    assert mozzarella.quantity == Decimal("1250") + 4 * Decimal("500") - 6 * Decimal("125")
    dough = Stock.objects.get(pk=stocks["Pâte à pizza"].pk)
    assert dough.quantity == Decimal("10000") - 6 * Decimal("250")
    assert_every_stock_matches_its_ledger()


def test_changes_of_the_same_ingredients_listed_in_opposite_orders_never_deadlock(
    frozen, restaurant_a, ingredients
):
    names = ["Pâte à pizza", "Sauce tomate", "Mozzarella", "Basilic"]
    stocks = [stock_with(restaurant_a, ingredients[name], "1000") for name in names]
    forwards = {stock.ingredient_id: Decimal("10") for stock in stocks}
    backwards = {stock.ingredient_id: Decimal("-5") for stock in reversed(stocks)}
    assert list(backwards) == list(reversed(list(forwards)))

    def change(changes, reason):
        return lambda: apply_stock_changes(restaurant=restaurant_a, changes=changes, reason=reason)

    jobs = [change(forwards, MovementReason.RESTOCK), change(backwards, MovementReason.WASTE)] * 8

    outcomes = run_together(jobs)

    assert outcomes == ["ok"] * 16  # a deadlock would show as "OperationalError: deadlock detected"
    for stock in stocks:
        stock.refresh_from_db()
        assert stock.quantity == Decimal("1000") + 8 * Decimal("10") - 8 * Decimal("5")
    assert_every_stock_matches_its_ledger()


def test_a_stock_change_locks_its_restaurants_rows_not_the_shared_ingredient(
    frozen, restaurant_a, restaurant_b, ingredients
):
    """Two restaurants using the same ingredient never wait for each other: while a change at A holds its
    locks (its transaction still open), B's change of the same ingredient goes through at once (NOWAIT on the
    ingredient row would fail if A's query had locked it through its join)."""
    from django.db import connections, transaction

    from menu.models import Ingredient

    mozzarella = ingredients["Mozzarella"]
    stock_with(restaurant_a, mozzarella, "100")
    stock_with(restaurant_b, mozzarella, "100")
    holding, release = threading.Event(), threading.Event()
    outcomes: list[str] = []

    def change_at_a_and_hold():
        try:
            with transaction.atomic():
                apply_stock_changes(
                    restaurant=restaurant_a,
                    changes={mozzarella.id: Decimal("-1")},
                    reason=MovementReason.WASTE,
                )
                holding.set()
                release.wait(timeout=20)
        finally:
            connections.close_all()

    holder = threading.Thread(target=change_at_a_and_hold)
    holder.start()
    try:
        assert holding.wait(timeout=20)

        def at_b():
            try:
                with transaction.atomic():
                    Ingredient.objects.select_for_update(nowait=True).get(pk=mozzarella.pk)
                    apply_stock_changes(
                        restaurant=restaurant_b,
                        changes={mozzarella.id: Decimal("-1")},
                        reason=MovementReason.WASTE,
                    )
                outcomes.append("ok")
            except Exception as error:  # noqa: BLE001 - the outcome says which
                outcomes.append(f"{type(error).__name__}: {error}")
            finally:
                connections.close_all()

        other = threading.Thread(target=at_b)
        other.start()
        other.join(timeout=20)
    finally:
        release.set()
        holder.join(timeout=20)
    assert outcomes == ["ok"]
    assert Stock.objects.get(restaurant=restaurant_b, ingredient=mozzarella).quantity == Decimal("99")
    assert Stock.objects.get(restaurant=restaurant_a, ingredient=mozzarella).quantity == Decimal("99")
