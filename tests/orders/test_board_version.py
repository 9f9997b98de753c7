"""The kitchen display's version kept by the writes (Restaurant.board_version): every kind of order write that
changes what the display shows raises it, a tablet polling with the current version gets a 204 without a
query of the board, one with an old version gets the board, and the minute ticks for what no write announces.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connections, transaction
from django.urls import reverse

from menu.models import Station
from orders.errors import OrderError
from orders.models import Order, PendingChange, Status
from orders.services import (
    LineRequest,
    bump,
    cancel_order,
    confirm_payment,
    hand_over_pickup,
    lock_restaurant,
    modify_order,
    recall_order,
    start_order,
    unbump_line,
)
from orders.staff.board import BOARD_TICK, RECALL_WINDOW, board_version, kitchen_board
from restaurants.models import Restaurant
from tests import factories as f


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def juice(restaurant_a):
    """A drink, poured at the drinks station: the orders of these tests need two stations."""
    bottle = f.IngredientFactory(name="Bouteille", unit="piece")
    f.StockFactory(restaurant=restaurant_a, ingredient=bottle, quantity=Decimal("50"))
    product = f.ProductFactory(name="Jus", slug="jus", price=Decimal("3.00"), station=Station.DRINKS)
    f.RecipeLineFactory(product=product, ingredient=bottle, quantity=Decimal("1"))
    return product


def counter_of(restaurant) -> int:
    return Restaurant.objects.values_list("board_version", flat=True).get(pk=restaurant.pk)


def _received(world):
    """A pizza for the oven and a juice for the drinks station."""
    pizza = LineRequest(product_id=world["menu"]["margherita"].id, quantity=1)
    return world["order_for"](world["customer"], pizza, LineRequest(product_id=world["juice"].id, quantity=1))


def _preparing(world):
    order = _received(world)
    start_order(order=order, by=world["pizzaiolo"])
    return order


def _ready(world):
    order = _received(world)
    bump(order=order, by=world["pizzaiolo"])
    return order


def _paid_online(world):
    order = world["order_for"](world["customer"], payment_method="online")
    confirm_payment(payment=order.payments.get())
    return order


def _with_a_rise_waiting_for_its_payment(world):
    order = _paid_online(world)
    margherita = world["menu"]["margherita"]
    modify_order(order=order, lines=[LineRequest(product_id=margherita.id, quantity=2)], by=world["customer"])
    return order


def _line_bumped(world):
    order = _preparing(world)
    bump(order=order, by=world["pizzaiolo"], station=Station.OVEN)
    return order


def _oven_line(order) -> int:
    return order.lines.get(product__station=Station.OVEN).pk


# (the write, the order it starts from, the write itself): every kind of write that changes the display.
WRITES = {
    "a new order confirmed at once (paid at pick-up)": (
        lambda world: None,
        lambda world, _: _received(world),
    ),
    "an online order paid": (
        lambda world: world["order_for"](world["customer"], payment_method="online"),
        lambda world, order: confirm_payment(payment=order.payments.get()),
    ),
    "started": (_received, lambda world, order: start_order(order=order, by=world["pizzaiolo"])),
    "a station bumped": (
        _preparing,
        lambda world, order: bump(order=order, by=world["pizzaiolo"], station=Station.OVEN),
    ),
    "one line bumped": (
        _preparing,
        lambda world, order: bump(order=order, by=world["pizzaiolo"], line_ids=(_oven_line(order),)),
    ),
    "the last line bumped (ready)": (
        _preparing,
        lambda world, order: bump(order=order, by=world["pizzaiolo"]),
    ),
    "a line bumped back": (
        _line_bumped,
        lambda world, order: unbump_line(order=order, line_id=_oven_line(order)),
    ),
    "a ready ticket recalled": (
        _ready,
        lambda world, order: recall_order(order=order, by=world["pizzaiolo"]),
    ),
    "a station's part recalled": (
        _line_bumped,
        lambda world, order: recall_order(order=order, by=world["pizzaiolo"], station=Station.OVEN),
    ),
    "modified": (
        _received,
        lambda world, order: modify_order(
            order=order,
            lines=[LineRequest(product_id=world["menu"]["regina"].id, quantity=1)],
            by=world["customer"],
        ),
    ),
    "a paid rise applied": (
        _with_a_rise_waiting_for_its_payment,
        lambda world, order: confirm_payment(payment=PendingChange.objects.get(order=order).payment),
    ),
    "cancelled": (_received, lambda world, order: cancel_order(order=order, by=world["customer"])),
    "handed over at the counter": (
        _ready,
        lambda world, order: hand_over_pickup(order=order, by=world["counter"], payment="cash"),
    ),
}


@pytest.mark.parametrize("write", WRITES)
def test_every_kind_of_write_that_changes_the_display_raises_its_version(
    write, order_for, customer, pizzaiolo, counter, menu, juice, restaurant_a
):
    world = {"order_for": order_for, "customer": customer, "pizzaiolo": pizzaiolo, "counter": counter}
    world.update(menu=menu, juice=juice)
    prepare, act = WRITES[write]
    order = prepare(world)
    before = counter_of(restaurant_a)
    restaurant_a.refresh_from_db()
    shown = board_version(restaurant_a, station="", can_cook=True)

    act(world, order)

    assert counter_of(restaurant_a) > before
    restaurant_a.refresh_from_db()
    assert board_version(restaurant_a, station="", can_cook=True) != shown


def test_a_write_refused_leaves_the_version_alone(order_for, customer, restaurant_a):
    order = order_for(customer)
    before = counter_of(restaurant_a)
    with pytest.raises(OrderError) as refused:
        bump(order=order, by=None, line_ids=(0,))
    assert refused.value.code == "no_such_line"
    assert counter_of(restaurant_a) == before
    assert Order.objects.get(pk=order.pk).status == Status.RECEIVED


def test_a_restaurant_saved_whole_keeps_the_version_raised_meanwhile(order_for, customer, restaurant_a):
    read_before = Restaurant.objects.get(pk=restaurant_a.pk)  # the admin's form, opened before the order
    order_for(customer)
    raised = counter_of(restaurant_a)
    read_before.name = "Renamed"
    read_before.save()
    assert counter_of(restaurant_a) == raised
    assert Restaurant.objects.get(pk=restaurant_a.pk).name == "Renamed"


def test_a_poll_with_the_current_version_is_answered_204_in_three_queries(
    client, pizzaiolo, order_for, customer, django_assert_num_queries
):
    order = order_for(customer)
    client.force_login(pizzaiolo)
    url = reverse("staff_kitchen_board")
    version = client.get(url, HTTP_HX_REQUEST="true").context["version"]

    # 1 session, 2 user, 3 staff memberships with their restaurants (its board version among its columns).
    with django_assert_num_queries(3):
        unchanged = client.get(url, HTTP_HX_REQUEST="true", HTTP_X_BOARD_VERSION=version)
    assert unchanged.status_code == 204 and unchanged.content == b""

    start_order(order=order, by=pizzaiolo)
    changed = client.get(url, HTTP_HX_REQUEST="true", HTTP_X_BOARD_VERSION=version)
    assert changed.status_code == 200 and changed.context["version"] != version
    assert f'data-version="{changed.context["version"]}"' in changed.content.decode()


def test_the_board_answered_to_an_action_carries_the_version_after_it(client, pizzaiolo, order_for, customer):
    order = order_for(customer)
    client.force_login(pizzaiolo)
    answered = client.post(reverse("staff_kitchen_start", args=[order.number]), HTTP_HX_REQUEST="true")
    assert answered.status_code == 200
    # The next poll with the version the action's answer carried has nothing new to show.
    poll = client.get(
        reverse("staff_kitchen_board"),
        HTTP_HX_REQUEST="true",
        HTTP_X_BOARD_VERSION=answered.context["version"],
    )
    assert poll.status_code == 204


def test_a_ready_ticket_leaves_the_recalls_within_a_tick_of_its_window(
    client, pizzaiolo, order_for, customer, time_machine, noon
):
    order = order_for(customer)
    bump(order=order, by=pizzaiolo)
    client.force_login(pizzaiolo)
    url = reverse("staff_kitchen_board")
    first = client.get(url, HTTP_HX_REQUEST="true")
    assert [recall.order.number for recall in first.context["board"].recalls] == [order.number]

    time_machine.move_to(noon + RECALL_WINDOW + BOARD_TICK, tick=False)
    later = client.get(url, HTTP_HX_REQUEST="true", HTTP_X_BOARD_VERSION=first.context["version"])
    assert later.status_code == 200
    assert later.context["board"].recalls == []


def test_within_a_tick_nothing_written_means_204(client, pizzaiolo, order_for, customer, time_machine, noon):
    order_for(customer)
    client.force_login(pizzaiolo)
    url = reverse("staff_kitchen_board")
    version = client.get(url, HTTP_HX_REQUEST="true").context["version"]
    time_machine.move_to(noon + BOARD_TICK - timedelta(seconds=1), tick=False)
    assert client.get(url, HTTP_HX_REQUEST="true", HTTP_X_BOARD_VERSION=version).status_code == 204


def test_the_version_is_read_from_the_row_given_without_a_query(
    restaurant_a, order_for, customer, django_assert_num_queries
):
    order_for(customer)
    restaurant_a.refresh_from_db()
    with django_assert_num_queries(0):
        first = board_version(restaurant_a, station="", can_cook=True)
    assert first != board_version(restaurant_a, station=Station.OVEN, can_cook=True)
    assert kitchen_board(restaurant_a).tickets


@pytest.mark.parametrize("change", ["membership ended", "restaurant closed"])
def test_a_tablet_loses_the_board_at_its_next_poll_once_its_access_ends(
    client, pizzaiolo, restaurant_a, order_for, customer, change
):
    order_for(customer)
    client.force_login(pizzaiolo)
    url = reverse("staff_kitchen_board")
    for language in ("fr", "en"):  # the memberships' read is built once per language
        version = client.get(url, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE=language).context["version"]
        poll = client.get(
            url, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE=language, HTTP_X_BOARD_VERSION=version
        )
        assert poll.status_code == 204
    if change == "membership ended":
        pizzaiolo.memberships.update(is_active=False)
    else:
        Restaurant.objects.filter(pk=restaurant_a.pk).update(is_active=False)
    for language in ("fr", "en"):
        poll = client.get(
            url, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE=language, HTTP_X_BOARD_VERSION=version
        )
        assert poll.status_code == 403


@pytest.mark.django_db(transaction=True)
def test_the_lock_that_raises_the_version_reads_the_whole_restaurant_and_holds_its_row(restaurant_a):
    before = Restaurant.objects.get(pk=restaurant_a.pk).board_version
    with transaction.atomic():
        locked = lock_restaurant(restaurant_a.pk, raising_board_version=True)
        assert locked.board_version == before + 1
        assert (locked.pk, locked.name, locked.slug) == (
            restaurant_a.pk,
            restaurant_a.name,
            restaurant_a.slug,
        )
        # Another connection cannot take the row while this transaction holds it.
        other = connections.create_connection("default")
        try:
            # NOWAIT: refused at once, whatever the clock (a lock timeout never fires under a frozen clock).
            with other.cursor() as cursor, pytest.raises(Exception, match="lock"):
                cursor.execute(
                    "SELECT id FROM restaurants_restaurant WHERE id = %s FOR UPDATE NOWAIT", [restaurant_a.pk]
                )
        finally:
            other.close()
    with transaction.atomic(), pytest.raises(Restaurant.DoesNotExist):
        lock_restaurant(restaurant_a.pk + 1000, raising_board_version=True)
