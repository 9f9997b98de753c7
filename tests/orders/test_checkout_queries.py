"""The checkout's POST in a bounded number of queries (issue 18): the cart priced once, the oven's load read
once (under the restaurant's lock), the rows written in bulk, no row read twice.

Transactional tests (`transaction=True`): the count is what a production request sends, BEGIN and COMMIT
included, not the savepoints a test's own transaction would add.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from orders.models import Order, PaymentMethod, Status
from restaurants.models import StockMovement
from restaurants.services import restock
from tests.orders.checkout import shown_fingerprint, terms_accepted

# A typical cart (as bench/ orders it): a pizza with an ingredient left out, another with an extra.
# The queries of a placed order, paid on delivery or on pick-up:
#  1 the session, 2 the user, 3 the restaurant, 4-6 the products with their recipes and extras (priced once),
#  7 the opening hours, 8 the delivery zones, 9 the terms of sale in force, 10 the customer's addresses;
#  11 BEGIN, 12 the restaurant locked, its kitchen display's version raised in the same UPDATE (the order
#  is confirmed at once: Restaurant.locked_raising_board_version), 13 the oven's load, 14 the order (a
#  checkout sent twice breaks the checkout token's unique constraint here: no read of the token before),
#  15-17 the stock rows locked, updated, their movements, 18-20 the lines, their removed ingredients, their
#  extras, 21 the status change, 22 the sales record (one statement: its head locked, the entry, the head
#  moved on), 23 the confirmation email's job, 24 COMMIT; 25 the session saved (one UPDATE: ocpizza.sessions).
PLACED_ON_DELIVERY_OR_PICKUP = 25
# Paid online: the restaurant locked by a SELECT ... FOR UPDATE (not on the display yet), no sale nor email
# yet (22-23), the pending payment written, then read by the view to send the customer to pay.
PLACED_TO_PAY_ONLINE = 25


@pytest.fixture
def shop(client, customer, restaurant_a, menu, stock_a, ingredients, noon):
    """A signed-in customer at restaurant A with plenty of stock, one order already placed (so the sales
    record's head exists, as it does in any restaurant that sold once), and a typical cart."""
    for stock in stock_a.values():
        restock(stock=stock, quantity=Decimal("50000"), by=None)
    client.force_login(customer)

    def fill_cart():
        for product, more in (
            (menu["margherita"], {"quantity": "2", "removed": [str(ingredients["Basilic"].pk)]}),
            (menu["regina"], {"quantity": "1", "extras": [str(menu["extra_mozzarella"].pk)]}),
        ):
            response = client.post(
                reverse("cart_add"), {"restaurant": restaurant_a.pk, "product": product.pk, **more}
            )
            assert response.status_code == 302

    def form(**more):
        return {
            "cart_fingerprint": shown_fingerprint(client),
            **terms_accepted(),
            "fulfilment": "pickup",
            "pickup_time": "asap",
            "delivery_time": "asap",
            "payment_method": "cash_on_delivery",
            **more,
        }

    fill_cart()
    assert client.post(reverse("checkout"), form()).status_code == 302
    fill_cart()
    return client, form


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fulfilment", ["pickup", "delivery"])
def test_placing_a_typical_cart_paid_on_the_spot_takes_25_queries(
    shop, customer, fulfilment, django_assert_num_queries
):
    client, form = shop
    data = form(fulfilment=fulfilment, address=str(customer.addresses.get().pk))

    with django_assert_num_queries(PLACED_ON_DELIVERY_OR_PICKUP):
        response = client.post(reverse("checkout"), data)

    order = Order.objects.latest("id")
    assert response.status_code == 302
    assert response["Location"] == reverse("order_tracking", args=[order.number])
    assert (order.fulfilment, order.status) == (fulfilment, Status.RECEIVED)
    assert order.lines.count() == 2
    assert StockMovement.objects.filter(order=order).count() == 5


@pytest.mark.django_db(transaction=True)
def test_placing_a_typical_cart_paid_online_takes_25_queries(shop, django_assert_num_queries):
    client, form = shop
    data = form(payment_method=PaymentMethod.ONLINE)

    with django_assert_num_queries(PLACED_TO_PAY_ONLINE):
        response = client.post(reverse("checkout"), data)

    order = Order.objects.latest("id")
    assert response.status_code == 302
    assert (order.status, order.payments.get().amount) == (Status.AWAITING_PAYMENT, order.total)
