"""The driver's trip (several deliveries taken at once, all or none; the route through the stops; nearest
area first) and the counter's repeat of a customer's previous order (found with their recent orders)."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from orders.errors import OrderError
from orders.models import Status
from orders.services import DeliveryAddress, LineRequest, take_deliveries, transition_order
from orders.staff.selectors import delivery_board
from restaurants.models import Role
from tests import factories as f


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def ready_to(order_for, customer, menu, pizzaiolo, plenty):
    """A ready delivery order at A to `street`, `postal_code`."""

    def make(street="12 rue de la République", postal_code="69001"):
        order = order_for(
            customer,
            LineRequest(product_id=menu["margherita"].id, quantity=2),
            fulfilment="delivery",
            address=DeliveryAddress(street=street, postal_code=postal_code, city="Lyon"),
        )
        transition_order(order=order, to=Status.PREPARING, by=pizzaiolo)
        return transition_order(order=order, to=Status.READY, by=pizzaiolo)

    return make


@pytest.fixture
def other_driver(restaurant_a):
    return f.StaffMemberFactory(
        restaurant=restaurant_a, role=Role.DRIVER, user__first_name="Paolo", user__last_name="Rossi"
    ).user


# ---------- The driver's trip ----------


def test_a_driver_takes_two_deliveries_into_one_trip(client, driver, ready_to):
    first, second = ready_to(), ready_to("3 quai Saint-Antoine", "69002")
    client.force_login(driver)

    response = client.post(reverse("staff_delivery_trip"), {"orders": [first.number, second.number.lower()]})

    assert response.status_code == 302
    for order in (first, second):
        order.refresh_from_db()
        assert (order.status, order.delivered_by) == (Status.OUT_FOR_DELIVERY, driver)
    page = client.get(reverse("staff_delivery")).content.decode()
    assert f"Orders {first.number}, {second.number} are yours: on your way!" in page
    assert "Route: 2 stops" in page


def test_a_trip_is_all_or_nothing_when_another_driver_was_first(client, driver, other_driver, ready_to):
    first, second = ready_to(), ready_to()
    transition_order(order=second, to=Status.OUT_FOR_DELIVERY, by=other_driver)
    client.force_login(driver)

    response = client.post(
        reverse("staff_delivery_trip"), {"orders": [first.number, second.number]}, follow=True
    )

    assert response.redirect_chain == [(reverse("staff_delivery"), 303)]
    assert f"Order {second.number} was already taken by Paolo Rossi." in response.content.decode()
    first.refresh_from_db()
    assert first.status == Status.READY and first.delivered_by is None  # nothing half-taken


def test_taking_a_trip_twice_changes_nothing(driver, ready_to):
    first = ready_to()
    take_deliveries(orders=[first], by=driver)
    again = take_deliveries(orders=[first], by=driver)
    assert [order.status for order in again] == [Status.OUT_FOR_DELIVERY]
    assert first.status_changes.filter(to_status=Status.OUT_FOR_DELIVERY).count() == 1


def test_a_pickup_or_an_order_not_ready_cannot_join_a_trip(driver, order_for, customer, ready_to):
    with pytest.raises(OrderError) as error:
        take_deliveries(orders=[ready_to(), order_for(customer)], by=driver)
    assert error.value.code == "not_a_delivery"


@pytest.mark.parametrize(
    ("orders", "message"),
    [([], "Choose the deliveries to take."), (["%00bad", "ÉÉÉ"], "Choose the deliveries to take.")],
)
def test_a_trip_without_orders_is_refused_with_a_message(client, driver, restaurant_a, orders, message):
    client.force_login(driver)
    response = client.post(reverse("staff_delivery_trip"), {"orders": orders}, follow=True)
    assert response.redirect_chain == [(reverse("staff_delivery"), 303)]
    assert message in response.content.decode()


def test_a_trip_of_more_than_eight_orders_is_refused(client, driver, restaurant_a):
    client.force_login(driver)
    numbers = [f"AAA-{index:03d}" for index in range(9)]
    response = client.post(reverse("staff_delivery_trip"), {"orders": numbers}, follow=True)
    assert "Take at most 8 deliveries at once." in response.content.decode()


def test_an_order_of_another_restaurant_in_a_trip_is_a_404(client, manager_b, ready_to):
    order = ready_to()
    client.force_login(manager_b)
    assert client.post(reverse("staff_delivery_trip"), {"orders": [order.number]}).status_code == 404
    order.refresh_from_db()
    assert order.status == Status.READY


def test_ready_deliveries_come_nearest_area_first_and_the_trip_has_its_route(driver, ready_to, restaurant_a):
    # The restaurant is in 69002: its own postal code first, then the nearest.
    f.DeliveryZoneFactory(restaurant=restaurant_a, postal_code="69007")
    far = ready_to("1 cours Gambetta", "69007")
    near = ready_to("3 quai Saint-Antoine", "69002")
    next_door = ready_to("12 rue de la République", "69001")
    board = delivery_board(restaurant_a, driver=driver, sees_all=False)
    assert [d.order.number for d in board.ready] == [near.number, next_door.number, far.number]
    assert board.trip_url == ""

    take_deliveries(orders=[far, near], by=driver)
    board = delivery_board(restaurant_a, driver=driver, sees_all=False)
    assert [d.order.number for d in board.out] == [near.number, far.number]
    query = parse_qs(urlsplit(board.trip_url).query)
    assert board.trip_url.startswith("https://www.google.com/maps/dir/?api=1")
    assert query["waypoints"] == ["3 quai Saint-Antoine, 69002 Lyon"]
    assert query["destination"] == ["1 cours Gambetta, 69007 Lyon"]
    assert query["origin"][0].endswith(f"{restaurant_a.postal_code} {restaurant_a.city}")


def test_the_customers_phone_shows_once_the_order_is_the_drivers(client, driver, ready_to, customer):
    order = ready_to()
    client.force_login(driver)
    page = client.get(reverse("staff_delivery_board")).content.decode()
    assert "tel:" not in page and 'form="trip-form"' in page
    take_deliveries(orders=[order], by=driver)
    page = client.get(reverse("staff_delivery_board")).content.decode()
    assert f'href="tel:{customer.phone.as_e164}"' in page
    assert "Route: 1 stop" in page


# ---------- The counter's repeat ----------


@pytest.fixture
def camille(db):
    user = f.UserFactory(email="camille.lefevre@example.com", first_name="Camille", last_name="Lefèvre")
    f.AddressFactory(user=user, postal_code="69001")
    return user


@pytest.fixture
def clerk(client, restaurant_a, noon):
    user = f.StaffMemberFactory(restaurant=restaurant_a, role=Role.COUNTER).user
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(user)
    return user


def test_a_found_customer_comes_with_their_recent_orders_here(
    client, clerk, camille, order_for, menu, restaurant_b, plenty
):
    last = order_for(camille, LineRequest(product_id=menu["regina"].id, quantity=1))
    response = client.get(reverse("staff_counter_new"), {"q": "camille"})
    (match,) = response.context["matches"]
    assert [order.number for order in match.recent] == [last.number]
    page = response.content.decode()
    assert reverse("staff_counter_repeat", args=[last.number]) in page
    assert "1&nbsp;×&nbsp;Regina" in page


def test_repeating_an_order_puts_its_lines_and_its_customer_in_the_new_order(
    client, clerk, camille, order_for, menu, ingredients, plenty
):
    last = order_for(
        camille,
        LineRequest(
            product_id=menu["margherita"].id, quantity=2, removed_ids=frozenset({ingredients["Basilic"].id})
        ),
    )
    response = client.post(reverse("staff_counter_repeat", args=[last.number]), follow=True)
    assert response.redirect_chain[0][0].endswith("#counter-lines")
    assert f"The products of order {last.number} are in the new order." in response.content.decode()
    context = response.context
    assert context["customer"] == camille
    (row,) = context["contents"].rows
    assert (row.priced.product, row.priced.quantity) == (menu["margherita"], 2)
    assert [i.name for i in row.priced.removed] == ["Basilic"]


def test_a_repeat_leaves_out_what_is_sold_out_and_says_so(
    client, clerk, camille, order_for, menu, stock_a, noon
):
    # The two Reginas took all the ham of A (120 g): none can be made again.
    last = order_for(camille, LineRequest(product_id=menu["regina"].id, quantity=2))
    response = client.post(reverse("staff_counter_repeat", args=[last.number]), follow=True)
    page = response.content.decode()
    assert "Regina is sold out for now." in page
    assert f"Nothing from order {last.number} can be made at the moment." in page
    assert response.context["contents"].rows == []


def test_an_order_of_another_restaurant_is_not_repeated(client, clerk, restaurant_b, menu, camille, noon):
    from orders.services import Contact, place_order

    for weekday in range(7):
        f.OpeningHoursFactory(restaurant=restaurant_b, weekday=weekday)
    for name in ("Pâte à pizza", "Sauce tomate", "Mozzarella", "Basilic"):
        f.StockFactory(
            restaurant=restaurant_b, ingredient=f.IngredientFactory(name=name), quantity=Decimal("5000")
        )
    at_b = place_order(
        restaurant=restaurant_b,
        lines=[LineRequest(product_id=menu["margherita"].id, quantity=1)],
        fulfilment="pickup",
        payment_method="cash_on_delivery",
        contact=Contact(name="Camille", phone="0600000000"),
        customer=camille,
        now=noon,
    )
    assert client.post(reverse("staff_counter_repeat", args=[at_b.number])).status_code == 404
