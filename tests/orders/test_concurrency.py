"""Two customers can never buy the last portion twice: the database's row locks and CHECK decide."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from orders.errors import ProductUnavailable
from orders.models import Order
from orders.services import Contact, LineRequest, place_order
from restaurants.models import Stock
from tests import factories as f


@pytest.mark.django_db(transaction=True)
def test_ten_customers_racing_for_three_portions_get_exactly_three_orders(
    restaurant_a, menu, ingredients, noon
):
    # Ham for exactly 3 Reginas; everything else plentiful.
    for name, quantity in {
        "Pâte à pizza": "10000",
        "Sauce tomate": "10000",
        "Mozzarella": "10000",
        "Basilic": "1000",
        "Jambon": "180",
    }.items():
        f.StockFactory(restaurant=restaurant_a, ingredient=ingredients[name], quantity=Decimal(quantity))
    customers = [f.UserFactory() for _ in range(10)]
    barrier = threading.Barrier(10)
    outcomes: list[str] = []
    lock = threading.Lock()

    def order(customer):
        try:
            barrier.wait(timeout=10)
            place_order(
                restaurant=restaurant_a,
                lines=[LineRequest(product_id=menu["regina"].id, quantity=1)],
                fulfilment="pickup",
                payment_method="cash_on_delivery",
                contact=Contact(name=customer.get_full_name(), phone="0600000000", email=customer.email),
                customer=customer,
                now=noon,
            )
            result = "ordered"
        except ProductUnavailable:
            result = "sold_out"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=order, args=(customer,)) for customer in customers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["ordered"] * 3 + ["sold_out"] * 7
    assert Order.objects.count() == 3
    ham = Stock.objects.get(restaurant=restaurant_a, ingredient=ingredients["Jambon"])
    assert ham.quantity == 0
    for stock in Stock.objects.all():
        assert stock.quantity >= 0
        assert stock.movements.aggregate(total=Sum("delta"))["total"] == stock.quantity
