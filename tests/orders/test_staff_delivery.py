"""The delivery board: who may see and act, taking an order, delivering it (with cash or card), failing."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from orders.models import OrderStatusChange, Payment, PaymentState, PaymentStatus, Provider, Status
from orders.services import DeliveryAddress, LineRequest, confirm_payment, transition_order
from restaurants.models import MovementReason, Role, Stock, StockMovement
from tests import factories as f


@pytest.fixture(autouse=True)
def _english(settings):
    # Assertions read the English source strings.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def other_driver(restaurant_a):
    return f.StaffMemberFactory(
        restaurant=restaurant_a, role=Role.DRIVER, user__first_name="Paolo", user__last_name="Rossi"
    ).user


@pytest.fixture
def address():
    return DeliveryAddress(
        street="12 rue de la République",
        postal_code="69001",
        city="Lyon",
        complement="Bât. B, code 1234A",
        instructions="Sonner deux fois",
    )


@pytest.fixture
def ready_delivery(order_for, customer, menu, address, pizzaiolo):
    """A delivery order at A, ready for a driver; paid on delivery in cash unless told otherwise."""

    def make(payment_method="cash_on_delivery", who=customer):
        order = order_for(
            who,
            LineRequest(product_id=menu["margherita"].id, quantity=2),
            fulfilment="delivery",
            address=address,
            payment_method=payment_method,
        )
        if payment_method == "online":
            confirm_payment(payment=order.payments.get())
        transition_order(order=order, to=Status.PREPARING, by=pizzaiolo)
        return transition_order(order=order, to=Status.READY, by=pizzaiolo)

    return make


@pytest.fixture
def out_with(ready_delivery):
    """A delivery order out with `driver`."""

    def make(driver, **kwargs):
        return transition_order(order=ready_delivery(**kwargs), to=Status.OUT_FOR_DELIVERY, by=driver)

    return make


def sign_in(client, request, who: str):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))


# ---------- Who may do what ----------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("driver", 200),
        ("pizzaiolo", 403),
        ("counter", 403),
        ("manager_a", 200),
        ("manager_b", 200),
        ("head_office", 200),
        ("customer", 403),
        ("anonymous", 302),
    ],
)
@pytest.mark.parametrize("url_name", ["staff_delivery", "staff_delivery_board"])
def test_who_may_see_the_delivery_board(client, request, restaurant_a, url_name, who, expected):
    sign_in(client, request, who)
    response = client.get(reverse(url_name))
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("driver", 302),
        ("pizzaiolo", 403),
        ("counter", 403),
        ("manager_a", 302),
        ("manager_b", 404),
        ("customer", 403),
        ("anonymous", 302),
    ],
)
def test_who_may_take_a_delivery(client, request, ready_delivery, who, expected):
    order = ready_delivery()
    sign_in(client, request, who)
    assert client.post(reverse("staff_delivery_take", args=[order.number])).status_code == expected
    order.refresh_from_db()
    taken = expected == 302 and who != "anonymous"
    assert order.status == (Status.OUT_FOR_DELIVERY if taken else Status.READY)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("driver", 302),
        ("other_driver", 404),
        ("pizzaiolo", 403),
        ("counter", 403),
        ("manager_a", 302),
        ("manager_b", 404),
        ("customer", 403),
        ("anonymous", 302),
    ],
)
def test_who_may_deliver_an_order_a_driver_took(client, request, out_with, driver, who, expected):
    order = out_with(driver)
    sign_in(client, request, who)
    response = client.post(reverse("staff_delivery_deliver", args=[order.number]), {"method": "cash"})
    assert response.status_code == expected
    order.refresh_from_db()
    delivered = expected == 302 and who != "anonymous"
    assert order.status == (Status.DELIVERED if delivered else Status.OUT_FOR_DELIVERY)
    assert Payment.objects.filter(order=order).exists() == delivered


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("driver", 200),
        ("other_driver", 404),
        ("pizzaiolo", 403),
        ("counter", 403),
        ("manager_a", 200),
        ("manager_b", 404),
        ("customer", 403),
        ("anonymous", 302),
    ],
)
def test_who_may_record_a_failed_delivery(client, request, out_with, driver, who, expected):
    order = out_with(driver)
    sign_in(client, request, who)
    assert client.get(reverse("staff_delivery_failed", args=[order.number])).status_code == expected
    response = client.post(reverse("staff_delivery_failed", args=[order.number]), {"reason": "Absent"})
    assert response.status_code == (302 if expected == 200 else expected)


def test_a_pick_up_order_is_not_for_the_drivers(client, driver, order_for, customer, pizzaiolo):
    order = order_for(customer)
    transition_order(order=order, to=Status.PREPARING, by=pizzaiolo)
    transition_order(order=order, to=Status.READY, by=pizzaiolo)
    client.force_login(driver)
    assert order.number not in client.get(reverse("staff_delivery")).content.decode()
    assert client.post(reverse("staff_delivery_take", args=[order.number])).status_code == 404
    order.refresh_from_db()
    assert order.status == Status.READY


# ---------- The board ----------


def test_the_board_shows_ready_deliveries_and_my_own_out_for_delivery(
    client, driver, other_driver, ready_delivery, out_with, order_for, customer, plenty
):
    waiting = ready_delivery()
    mine = out_with(driver)
    theirs = out_with(other_driver)
    in_the_kitchen = order_for(customer)

    client.force_login(driver)
    page = client.get(reverse("staff_delivery")).content.decode()

    assert waiting.number in page and mine.number in page
    assert theirs.number not in page and in_the_kitchen.number not in page
    assert page.index(mine.number) < page.index(waiting.number)  # my deliveries first
    assert page.count('data-action="take"') == 1


def test_a_manager_sees_every_order_out_for_delivery_and_who_has_it(
    client, manager_a, driver, other_driver, out_with, plenty
):
    mine = out_with(driver)
    theirs = out_with(other_driver)
    client.force_login(manager_a)
    page = client.get(reverse("staff_delivery_board")).content.decode()
    assert mine.number in page and theirs.number in page
    assert "Paolo Rossi" in page


def test_a_card_gives_the_address_instructions_phone_map_and_what_to_collect(
    client, driver, out_with, customer
):
    order = out_with(driver)
    assert order.total == Decimal("21.50")  # 2 × 9.50 + 2.50 of delivery
    client.force_login(driver)
    page = client.get(reverse("staff_delivery_board")).content.decode()
    assert "12 rue de la République" in page and "Bât. B, code 1234A" in page and "69001 Lyon" in page
    assert "Sonner deux fois" in page
    assert f'href="tel:{customer.phone.as_e164}"' in page
    assert customer.phone.as_e164.startswith("+336") and customer.phone.as_national in page
    # The route to the stop, in the phone's navigation app.
    assert (
        'href="https://www.google.com/maps/dir/?api=1&amp;travelmode=driving'
        '&amp;destination=12+rue+de+la+R%C3%A9publique%2C+69001+Lyon"' in page
    )
    assert "To collect: <strong>21.50\u00a0€</strong>" in page
    assert "The customer plans to pay in cash." in page
    assert 'data-action="deliver-cash"' in page and 'data-action="deliver-card"' in page


def test_an_order_paid_online_says_there_is_nothing_to_collect(client, driver, out_with):
    order = out_with(driver, payment_method="online")
    assert order.payment_status == PaymentStatus.PAID
    client.force_login(driver)
    page = client.get(reverse("staff_delivery_board")).content.decode()
    assert "Already paid online" in page
    assert 'data-action="deliver"' in page and "deliver-cash" not in page


def test_the_board_refreshes_itself_through_a_fragment(client, driver, ready_delivery):
    order = ready_delivery()
    client.force_login(driver)
    page = client.get(reverse("staff_delivery")).content.decode()
    assert 'hx-get="/staff/delivery/board/"' in page
    assert 'hx-trigger="every 5s"' in page and 'hx-swap="outerHTML"' in page
    fragment = client.get(reverse("staff_delivery_board"), HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith("<section") and "<html" not in fragment
    assert order.number in fragment
    # Nothing to type on the board; the only fields are the boxes that add an order to a trip, in cards
    # that the live update keeps as they are while they do not change (each with its key and version).
    fields = re.findall(r'<textarea|<select|<input(?![^>]*type="hidden")[^>]*>', fragment)
    assert fields == [
        f'<input type="checkbox" name="orders" value="{order.number}" form="trip-form" '
        f'data-focus-key="pick-{order.number}">'
    ]
    assert f'data-key="{order.number}" data-version="' in fragment


def test_the_board_runs_the_same_queries_for_three_times_the_orders(
    client, driver, ready_delivery, out_with, plenty, django_assert_num_queries
):
    def place(count):
        for _ in range(count):
            ready_delivery()
            out_with(driver)

    client.force_login(driver)
    place(1)
    for url_name in ("staff_delivery", "staff_delivery_board"):
        # 1 session, 2 user, 3 the staff memberships with their restaurants (restaurants.staff.access),
        # 4 the board's version, 5 the ready and out-for-delivery orders with their drivers, 6 their lines.
        with django_assert_num_queries(6):
            response = client.get(reverse(url_name))
        assert response.content.decode().count("data-order-number=") == 2
    place(2)
    for url_name in ("staff_delivery", "staff_delivery_board"):
        with django_assert_num_queries(6):
            response = client.get(reverse(url_name))
        assert response.content.decode().count("data-order-number=") == 6


# ---------- The live board: version, 204 ----------


def shown_version(client) -> str:
    page = client.get(reverse("staff_delivery_board")).content.decode()
    return re.search(r'id="delivery-board"[^>]*data-version="([0-9a-f]{16})"', page).group(1)


def test_an_unchanged_board_answers_204_without_rendering(
    client, driver, ready_delivery, out_with, django_assert_num_queries
):
    ready_delivery()
    out_with(driver)
    client.force_login(driver)
    assert f'data-version="{shown_version(client)}"' in client.get(reverse("staff_delivery")).content.decode()
    version = shown_version(client)

    # 1 session, 2 user, 3 staff memberships, 4 the board's version: nothing rendered.
    with django_assert_num_queries(4):
        response = client.get(reverse("staff_delivery_board"), HTTP_X_BOARD_VERSION=version)

    assert response.status_code == 204 and response.content == b""
    assert not response.templates
    assert response["Cache-Control"] == "private, no-cache"
    # Without the header, or with another version, the fragment.
    assert client.get(reverse("staff_delivery_board")).status_code == 200
    assert client.get(reverse("staff_delivery_board"), HTTP_X_BOARD_VERSION="0" * 16).status_code == 200


@pytest.mark.parametrize(
    "change",
    ["a new ready delivery", "taken by me", "taken by another driver", "delivered", "failed"],
)
def test_the_board_answers_200_with_a_new_version_when_something_it_shows_changes(
    client, driver, other_driver, ready_delivery, out_with, plenty, change
):
    waiting = ready_delivery()
    mine = out_with(driver)
    client.force_login(driver)
    version = shown_version(client)

    if change == "a new ready delivery":
        ready_delivery()
    elif change == "taken by me":
        transition_order(order=waiting, to=Status.OUT_FOR_DELIVERY, by=driver)
    elif change == "taken by another driver":
        transition_order(order=waiting, to=Status.OUT_FOR_DELIVERY, by=other_driver)
    elif change == "delivered":
        client.post(reverse("staff_delivery_deliver", args=[mine.number]), {"method": "cash"})
    else:
        client.post(reverse("staff_delivery_failed", args=[mine.number]), {"reason": "Nobody answered"})

    response = client.get(reverse("staff_delivery_board"), HTTP_X_BOARD_VERSION=version)

    assert response.status_code == 200
    assert response.context["version"] != version
    assert f'data-version="{response.context["version"]}"' in response.content.decode()


def test_another_drivers_order_changing_leaves_my_board_unchanged(
    client, driver, other_driver, ready_delivery, out_with, plenty
):
    theirs = out_with(other_driver)
    client.force_login(driver)
    version = shown_version(client)
    theirs_phone = Client()
    theirs_phone.force_login(other_driver)
    theirs_phone.post(reverse("staff_delivery_deliver", args=[theirs.number]), {"method": "cash"})
    theirs.refresh_from_db()
    assert theirs.status == Status.DELIVERED

    assert client.get(reverse("staff_delivery_board"), HTTP_X_BOARD_VERSION=version).status_code == 204


def test_the_version_is_each_users_own_and_keeps_the_role_and_restaurant_boundaries(
    client, driver, other_driver, manager_a, manager_b, pizzaiolo, ready_delivery, out_with, plenty
):
    out_with(driver)
    client.force_login(driver)
    version = shown_version(client)

    # Another driver, a manager (every driver's orders), a manager of another restaurant: another board, so
    # the first driver's version is not theirs: each gets their own fragment.
    for who in (other_driver, manager_a, manager_b):
        client.force_login(who)
        response = client.get(reverse("staff_delivery_board"), HTTP_X_BOARD_VERSION=version)
        assert response.status_code == 200 and response.context["version"] != version
    # Someone who may not see the board is refused, version or not; so is a signed-out phone.
    client.force_login(pizzaiolo)
    assert client.get(reverse("staff_delivery_board"), HTTP_X_BOARD_VERSION=version).status_code == 403
    client.logout()
    response = client.get(reverse("staff_delivery_board"), HTTP_X_BOARD_VERSION=version)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


# ---------- Taking, delivering ----------


def test_a_driver_takes_a_ready_order(client, driver, ready_delivery):
    order = ready_delivery()
    client.force_login(driver)
    response = client.post(reverse("staff_delivery_take", args=[order.number]), follow=True)
    assert response.redirect_chain == [(reverse("staff_delivery"), 302)]
    assert f"Order {order.number} is yours" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.OUT_FOR_DELIVERY
    assert order.delivered_by == driver and order.out_for_delivery_at
    assert OrderStatusChange.objects.get(order=order, to_status=Status.OUT_FOR_DELIVERY).actor == driver


def test_taking_and_delivering_wait_in_the_undo_window(client, driver, ready_delivery, out_with, settings):
    settings.STAFF_UNDO_MS = 2500
    ready = ready_delivery()
    out = out_with(driver)
    client.force_login(driver)

    page = client.get(reverse("staff_delivery")).content.decode()

    assert 'data-undo-ms="2500"' in page
    take = re.search(
        rf'<form method="post" action="{reverse("staff_delivery_take", args=[ready.number])}"[^>]*>', page
    )
    assert "data-kitchen-action data-undo " in take.group(0)
    assert f"Order {ready.number}: taken" in take.group(0)
    deliver = re.search(
        rf'<form [^>]*action="{reverse("staff_delivery_deliver", args=[out.number])}"[^>]*>', page
    )
    assert "data-undo " in deliver.group(0)


def test_a_take_sent_after_its_window_by_the_board_lands_on_the_board_with_its_message(
    client, driver, ready_delivery
):
    order = ready_delivery()
    client.force_login(driver)

    response = client.post(
        reverse("staff_delivery_take", args=[order.number]), HTTP_HX_REQUEST="true", follow=True
    )

    assert response.redirect_chain == [(reverse("staff_delivery"), 302)]
    assert f"Order {order.number} is yours" in response.content.decode()
    assert 'id="delivery-board"' in response.content.decode()  # kitchen.js swaps the cards from it


def test_the_second_driver_to_take_an_order_is_told_who_has_it(client, driver, other_driver, ready_delivery):
    order = ready_delivery()
    client.force_login(other_driver)
    assert client.post(reverse("staff_delivery_take", args=[order.number])).status_code == 302
    client.force_login(driver)
    response = client.post(reverse("staff_delivery_take", args=[order.number]), follow=True)
    assert response.redirect_chain == [(reverse("staff_delivery"), 303)]  # a GET: a reload posts nothing
    assert f"Order {order.number} was already taken by Paolo Rossi." in response.content.decode()
    order.refresh_from_db()
    assert order.delivered_by == other_driver
    assert OrderStatusChange.objects.filter(order=order, to_status=Status.OUT_FOR_DELIVERY).count() == 1


def test_a_driver_delivers_a_cash_order_recording_the_cash(client, driver, out_with):
    order = out_with(driver)
    client.force_login(driver)

    response = client.post(reverse("staff_delivery_deliver", args=[order.number]), {"method": "cash"})

    assert response.status_code == 302 and response["Location"] == reverse("staff_delivery")
    order.refresh_from_db()
    assert order.status == Status.DELIVERED and order.completed_at
    assert order.payment_status == PaymentStatus.PAID
    payment = Payment.objects.get(order=order)
    assert (payment.provider, payment.amount, payment.status) == (
        Provider.CASH,
        order.total,
        PaymentState.SUCCEEDED,
    )
    assert payment.recorded_by == driver
    assert OrderStatusChange.objects.get(order=order, to_status=Status.DELIVERED).actor == driver


def test_a_card_payment_is_recorded_as_card(client, driver, out_with):
    order = out_with(driver, payment_method="card_on_delivery")
    client.force_login(driver)
    assert (
        client.post(reverse("staff_delivery_deliver", args=[order.number]), {"method": "card"}).status_code
        == 302
    )
    assert Payment.objects.get(order=order).provider == Provider.CARD


@pytest.mark.parametrize("data", [{}, {"method": ""}, {"method": "bitcoin"}])
def test_delivering_without_saying_cash_or_card_is_refused_and_writes_nothing(client, driver, out_with, data):
    order = out_with(driver)
    client.force_login(driver)

    response = client.post(reverse("staff_delivery_deliver", args=[order.number]), data, follow=True)

    assert response.redirect_chain == [(reverse("staff_delivery"), 303)]  # a GET: a reload posts nothing
    assert "cash or card" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.OUT_FOR_DELIVERY and order.payment_status == PaymentStatus.UNPAID
    assert not Payment.objects.filter(order=order).exists()
    assert not OrderStatusChange.objects.filter(order=order, to_status=Status.DELIVERED).exists()


def test_an_order_paid_online_is_delivered_without_a_new_payment(client, driver, out_with):
    order = out_with(driver, payment_method="online")
    client.force_login(driver)
    assert client.post(reverse("staff_delivery_deliver", args=[order.number])).status_code == 302
    order.refresh_from_db()
    assert order.status == Status.DELIVERED
    assert list(order.payments.values_list("provider", flat=True)) == [Provider.DEMO]


def test_delivering_twice_says_so_and_takes_the_money_once(client, driver, out_with):
    order = out_with(driver)
    client.force_login(driver)
    client.post(reverse("staff_delivery_deliver", args=[order.number]), {"method": "cash"})
    response = client.post(
        reverse("staff_delivery_deliver", args=[order.number]), {"method": "cash"}, follow=True
    )
    assert response.redirect_chain == [(reverse("staff_delivery"), 303)]  # a GET: a reload posts nothing
    assert f"Order {order.number} was already delivered." in response.content.decode()
    assert Payment.objects.filter(order=order).count() == 1


def test_an_order_not_yet_out_cannot_be_delivered_and_no_payment_is_left(client, manager_a, ready_delivery):
    order = ready_delivery()
    client.force_login(manager_a)
    response = client.post(
        reverse("staff_delivery_deliver", args=[order.number]), {"method": "cash"}, follow=True
    )
    assert response.redirect_chain == [(reverse("staff_delivery"), 303)]  # a GET: a reload posts nothing
    assert "cannot become" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.READY
    assert not Payment.objects.filter(order=order).exists()


def test_a_manager_may_deliver_a_drivers_order(client, manager_a, driver, out_with):
    order = out_with(driver)
    client.force_login(manager_a)
    assert (
        client.post(reverse("staff_delivery_deliver", args=[order.number]), {"method": "card"}).status_code
        == 302
    )
    order.refresh_from_db()
    assert order.status == Status.DELIVERED
    assert Payment.objects.get(order=order).recorded_by == manager_a


# ---------- Failed deliveries ----------


def test_a_failed_delivery_cancels_the_order_with_its_reason_and_no_stock_comes_back(
    client, driver, out_with
):
    order = out_with(driver)
    quantities = dict(Stock.objects.values_list("pk", "quantity"))
    movements = StockMovement.objects.count()
    client.force_login(driver)

    page = client.get(reverse("staff_delivery_failed", args=[order.number])).content.decode()
    assert 'name="reason"' in page and 'list="failed-reasons"' in page
    response = client.post(
        reverse("staff_delivery_failed", args=[order.number]), {"reason": "Nobody answered"}
    )

    assert response.status_code == 302 and response["Location"] == reverse("staff_delivery")
    order.refresh_from_db()
    assert order.status == Status.CANCELLED
    change = OrderStatusChange.objects.get(order=order, to_status=Status.CANCELLED)
    assert (change.from_status, change.actor, change.reason) == (
        Status.OUT_FOR_DELIVERY,
        driver,
        "Nobody answered",
    )
    assert dict(Stock.objects.values_list("pk", "quantity")) == quantities
    assert StockMovement.objects.count() == movements
    assert not StockMovement.objects.filter(order=order, reason=MovementReason.ORDER_CANCELLED).exists()
    assert not Payment.objects.filter(order=order).exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_failed_delivery_needs_a_reason(client, driver, out_with, reason):
    order = out_with(driver)
    client.force_login(driver)
    response = client.post(reverse("staff_delivery_failed", args=[order.number]), {"reason": reason})
    assert response.status_code == 400  # the form again, with its error: nothing was written
    assert "Say why the order could not be delivered." in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.OUT_FOR_DELIVERY
    assert not OrderStatusChange.objects.filter(order=order, to_status=Status.CANCELLED).exists()


def test_only_an_order_out_for_delivery_can_fail(client, manager_a, ready_delivery):
    order = ready_delivery()
    client.force_login(manager_a)
    response = client.post(
        reverse("staff_delivery_failed", args=[order.number]), {"reason": "Absent"}, follow=True
    )
    assert response.redirect_chain == [(reverse("staff_delivery"), 303)]  # a GET: a reload posts nothing
    assert f"Order {order.number} is not out for delivery" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.READY
