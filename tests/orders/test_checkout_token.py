"""A checkout sent twice places one order: the checkout token's unique constraint refuses the second order's
insert (no read before it), and the order placed is read only when a placement failed, then answered as
AlreadyPlaced, whatever rule the second placement broke first."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from offers.models import Kind, PromoCode
from orders.errors import AlreadyPlaced, OrderError
from orders.models import Order
from orders.services import Contact, LineRequest, place_order
from restaurants.models import StockMovement

TOKEN = "c" * 32


def place(restaurant, menu, customer, now, **more):
    return place_order(
        restaurant=restaurant,
        lines=[LineRequest(product_id=menu["margherita"].pk, quantity=1)],
        fulfilment="pickup",
        payment_method="cash_on_delivery",
        contact=Contact(name="Alice", phone="0600000000", email=customer.email),
        customer=customer,
        now=now,
        checkout_token=TOKEN,
        **more,
    )


@pytest.mark.django_db(transaction=True)
def test_the_same_checkout_sent_four_times_at_once_places_one_order(
    restaurant_a, menu, stock_a, customer, noon
):
    barrier = threading.Barrier(4)
    outcomes: list[str] = []
    lock = threading.Lock()

    def send():
        try:
            barrier.wait(timeout=10)
            result = place(restaurant_a, menu, customer, noon).number
        except AlreadyPlaced as placed:
            result = f"already {placed.number}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    order = Order.objects.get()
    assert sorted(outcomes) == sorted([order.number] + [f"already {order.number}"] * 3)
    assert set(StockMovement.objects.exclude(order=None).values_list("order", flat=True)) == {order.pk}
    assert order.status_changes.count() == 1


@pytest.mark.django_db
def test_a_checkout_sent_again_after_it_spent_the_codes_last_use_is_already_placed(
    restaurant_a, menu, stock_a, customer, noon
):
    PromoCode.objects.create(
        code="LAST", label="Last one", kind=Kind.PERCENT, value=Decimal("10"), max_uses=1
    )
    order = place(restaurant_a, menu, customer, noon, promo_code="LAST")
    movements = StockMovement.objects.count()

    with pytest.raises(AlreadyPlaced) as refused:
        place(restaurant_a, menu, customer, noon, promo_code="LAST")

    assert refused.value.number == order.number
    assert Order.objects.count() == 1
    assert StockMovement.objects.count() == movements


@pytest.mark.django_db
def test_a_refused_checkout_never_placed_says_why(restaurant_a, menu, stock_a, customer, noon):
    with pytest.raises(OrderError) as refused:
        place(restaurant_a, menu, customer, noon, promo_code="NOSUCHCODE")

    assert refused.value.code == "promo_unknown"
    assert not Order.objects.exists()
