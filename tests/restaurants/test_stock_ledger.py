from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum

from restaurants.models import AppendOnlyError, MovementReason, Stock, StockMovement
from restaurants.services import (
    InsufficientStock,
    StockError,
    apply_stock_changes,
    record_inventory_count,
    record_waste,
    restock,
)


def ledger_sum(stock: Stock) -> Decimal:
    return stock.movements.aggregate(total=Sum("delta"))["total"] or Decimal("0")


def test_the_database_refuses_a_negative_stock(stock_a):
    mozzarella = stock_a["Mozzarella"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Stock.objects.filter(pk=mozzarella.pk).update(quantity=Decimal("-1"))
    mozzarella.refresh_from_db()
    assert mozzarella.quantity == Decimal("500")


def test_opening_stock_is_a_movement_so_the_ledger_sums_to_the_quantity(stock_a):
    for stock in stock_a.values():
        stock.refresh_from_db()
        assert ledger_sum(stock) == stock.quantity
        assert stock.movements.get().reason == MovementReason.INVENTORY


def test_restock_waste_and_count_keep_the_ledger_equal_to_the_quantity(stock_a, pizzaiolo):
    mozzarella = stock_a["Mozzarella"]
    restock(stock=mozzarella, quantity=Decimal("1000"), by=pizzaiolo, note="Livraison Metro")
    record_waste(stock=mozzarella, quantity=Decimal("75.5"), by=pizzaiolo)
    record_inventory_count(stock=mozzarella, counted=Decimal("1400"), by=pizzaiolo)

    mozzarella.refresh_from_db()
    assert mozzarella.quantity == Decimal("1400")
    assert ledger_sum(mozzarella) == mozzarella.quantity
    assert list(mozzarella.movements.order_by("id").values_list("reason", flat=True)) == [
        "inventory",
        "restock",
        "waste",
        "inventory",
    ]


def test_an_inventory_count_that_matches_writes_nothing(stock_a):
    basil = stock_a["Basilic"]
    assert record_inventory_count(stock=basil, counted=Decimal("100"), by=None) is None
    assert basil.movements.count() == 1


def test_wasting_more_than_the_stock_is_refused_and_changes_nothing(stock_a):
    ham = stock_a["Jambon"]
    with pytest.raises(InsufficientStock) as error:
        record_waste(stock=ham, quantity=Decimal("121"), by=None)
    assert error.value.code == "insufficient_stock"
    assert error.value.shortages[0].ingredient.name == "Jambon"
    ham.refresh_from_db()
    assert ham.quantity == Decimal("120")
    assert ham.movements.count() == 1


@pytest.mark.parametrize("quantity", ["0", "-5"])
def test_a_restock_must_add_something(stock_a, quantity):
    with pytest.raises(StockError) as error:
        restock(stock=stock_a["Jambon"], quantity=Decimal(quantity), by=None)
    assert error.value.code == "non_positive_quantity"


def test_changes_are_all_or_nothing(stock_a, ingredients, restaurant_a):
    changes = {ingredients["Pâte à pizza"].id: Decimal("-250"), ingredients["Jambon"].id: Decimal("-500")}
    with pytest.raises(InsufficientStock):
        apply_stock_changes(restaurant=restaurant_a, changes=changes, reason=MovementReason.ORDER)
    assert Stock.objects.get(pk=stock_a["Pâte à pizza"].pk).quantity == Decimal("5000")
    assert StockMovement.objects.filter(reason=MovementReason.ORDER).count() == 0


def test_an_ingredient_the_restaurant_does_not_keep_is_short(restaurant_b, ingredients):
    with pytest.raises(InsufficientStock) as error:
        apply_stock_changes(
            restaurant=restaurant_b,
            changes={ingredients["Jambon"].id: Decimal("-1")},
            reason=MovementReason.ORDER,
        )
    assert error.value.shortages[0].available == Decimal("0")


def test_movements_are_append_only(stock_a):
    movement = stock_a["Basilic"].movements.get()
    movement.note = "rewritten"
    with pytest.raises(AppendOnlyError):
        movement.save()
    with pytest.raises(AppendOnlyError):
        movement.delete()


def test_a_delivery_too_large_for_the_column_is_refused_not_a_crash(stock_a):
    with pytest.raises(StockError) as error:
        restock(stock=stock_a["Basilic"], quantity=Decimal("999999999999"), by=None)
    assert error.value.code == "too_large"
    assert Stock.objects.get(pk=stock_a["Basilic"].pk).quantity == Decimal("100")
