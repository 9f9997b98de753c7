""" "My orders" in pages: ten orders a page, those under way first, the same queries on any page, and a
`page` that makes no sense answered with the first page or a 404, never a 500."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from orders.models import Status
from orders.services import LineRequest, transition_order
from orders.views.customer import ORDERS_PER_PAGE
from restaurants.services import restock

LIST = reverse("order_list")


@pytest.fixture
def many_orders(noon, time_machine, order_for, customer, menu, stock_a):
    """ORDERS_PER_PAGE + 2 orders of `customer`, one a minute, oldest first; all finished (cancelled) but
    the oldest, which is still under way."""
    restock(stock=stock_a["Mozzarella"], quantity=Decimal("2000"), by=None)
    orders = []
    for minute in range(ORDERS_PER_PAGE + 2):
        time_machine.move_to(noon + timedelta(minutes=minute), tick=False)
        order = order_for(customer, LineRequest(product_id=menu["margherita"].id, quantity=1))
        if minute:
            order = transition_order(order=order, to=Status.CANCELLED, by=customer)
        orders.append(order)
    return orders


def cards(response) -> list[str]:
    return [order.number for order in response.context["live_orders"] + response.context["past_orders"]]


def test_my_orders_come_ten_a_page_those_under_way_first_then_newest_first(client, many_orders, customer):
    under_way, *finished = many_orders
    client.force_login(customer)

    first = client.get(LIST, headers={"accept-language": "en"})
    second = client.get(LIST, {"page": "2"}, headers={"accept-language": "en"})

    assert first.status_code == second.status_code == 200
    newest_first = [order.number for order in reversed(finished)]
    assert cards(first) == [under_way.number, *newest_first[: ORDERS_PER_PAGE - 1]]
    assert cards(second) == newest_first[ORDERS_PER_PAGE - 1 :]
    page = first.content.decode()
    assert '<nav class="ledger-pages" aria-label="Pages of my orders">' in page
    assert 'href="?page=2" rel="next">Older orders</a>' in page and 'rel="prev"' not in page
    assert "Page 1 of 2" in page
    other = second.content.decode()
    assert 'href="?page=1" rel="prev">Newer orders</a>' in other and 'rel="next"' not in other
    assert "Page 2 of 2" in other


def test_one_page_of_orders_shows_no_page_links(noon, client, order_for, customer):
    order_for(customer)
    client.force_login(customer)

    page = client.get(LIST, headers={"accept-language": "en"}).content.decode()

    assert "order-card__title" in page and "ledger-pages" not in page


def test_my_orders_run_the_same_queries_on_every_page_whatever_the_number_of_orders(
    client, many_orders, customer, django_assert_num_queries
):
    client.force_login(customer)
    # 1 session, 2 user (with whether they are staff: the account menu's "Staff screens" link), 3 how many
    # orders, 4 the page's orders with their restaurants, 5 their lines.
    for number in ("1", "2"):
        with django_assert_num_queries(5):
            response = client.get(LIST, {"page": number})
        assert response.status_code == 200


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("", 200),
        ("abc", 200),
        ("1.5", 200),
        ("1e3", 200),
        ("\x00", 200),
        ("9" * 5000, 200),
        ("0", 404),
        ("-1", 404),
        ("3", 404),
        ("99999999999999999999", 404),
    ],
)
def test_a_page_that_makes_no_sense_shows_the_first_page_or_a_404(
    client, many_orders, customer, value, status
):
    client.force_login(customer)

    response = client.get(LIST, {"page": value})

    assert response.status_code == status
    if status == 200:
        assert response.context["page"].number == 1
        assert len(cards(response)) == ORDERS_PER_PAGE


def test_a_customer_without_orders_sees_the_empty_list_not_a_404(noon, client, customer):
    client.force_login(customer)

    response = client.get(LIST, headers={"accept-language": "en"})

    assert response.status_code == 200 and "No order yet" in response.content.decode()
