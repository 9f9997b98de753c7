"""The kitchen display: stations, bumps per line and per station through the lifecycle, recall, the board's
columns, ageing, all-day counts, the fragment that answers without rendering, the pass, the staff layout."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from menu.models import Station
from ocpizza.demo.data import PRODUCTS
from orders.errors import OrderError
from orders.models import Order, OrderStatusChange, Status
from orders.services import LineRequest, bump, recall_order, start_order, transition_order, unbump_line
from orders.staff.board import kitchen_board
from tests import factories as f


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def cola(restaurant_a):
    """A drink, made at the drinks station: one can a portion, 50 cans in stock at A."""
    can = f.IngredientFactory(name="Canette", unit="piece")
    f.StockFactory(restaurant=restaurant_a, ingredient=can, quantity=Decimal("50"))
    product = f.ProductFactory(name="Cola", slug="cola", price=Decimal("2.50"), station=Station.DRINKS)
    f.RecipeLineFactory(product=product, ingredient=can, quantity=Decimal("1"))
    return product


@pytest.fixture
def pizza_and_drink(order_for, customer, menu, cola):
    """A received order: two Margheritas for the oven, a cola for the drinks station."""
    return order_for(
        customer,
        LineRequest(product_id=menu["margherita"].id, quantity=2),
        LineRequest(product_id=cola.id, quantity=1),
    )


def status_changes(order, to: str) -> list[OrderStatusChange]:
    return list(OrderStatusChange.objects.filter(order=order, to_status=to))


# ---------- The station of a product ----------


def test_a_product_is_made_at_the_oven_unless_told_otherwise(menu):
    assert menu["margherita"].station == Station.OVEN


def test_the_demo_makes_drinks_at_the_drinks_station_and_desserts_at_the_cold_one():
    stations = {spec.category: spec.station for spec in PRODUCTS}
    assert stations["boissons"] == "drinks" and stations["desserts"] == "cold"
    assert stations["pizzas-tomate"] == "oven" and stations["pizzas-creme"] == "oven"


# ---------- Bumps through the lifecycle ----------


def test_an_order_is_ready_only_once_every_station_has_bumped_its_part(pizza_and_drink, pizzaiolo):
    order = pizza_and_drink

    first = bump(order=order, by=pizzaiolo, station=Station.OVEN)

    assert (first.bumped, first.completed) == (1, False)
    assert first.order.status == Status.PREPARING  # the bump started it, through the lifecycle
    assert [c.actor for c in status_changes(order, Status.PREPARING)] == [pizzaiolo]
    oven, drink = order.lines.order_by("id")
    oven.refresh_from_db()
    drink.refresh_from_db()
    assert oven.bumped_at is not None and oven.bumped_by == pizzaiolo and drink.bumped_at is None
    assert status_changes(order, Status.READY) == []

    second = bump(order=order, by=pizzaiolo, station=Station.DRINKS)

    assert (second.bumped, second.completed) == (1, True)
    order.refresh_from_db()
    assert order.status == Status.READY and order.ready_at is not None
    assert [c.actor for c in status_changes(order, Status.READY)] == [pizzaiolo]


def test_bumping_each_line_makes_the_order_ready_at_the_last_one(pizza_and_drink, pizzaiolo):
    oven, drink = pizza_and_drink.lines.order_by("id")
    assert not bump(order=pizza_and_drink, by=pizzaiolo, line_ids=(drink.pk,)).completed
    assert bump(order=pizza_and_drink, by=pizzaiolo, line_ids=(oven.pk,)).completed
    assert len(status_changes(pizza_and_drink, Status.READY)) == 1


def test_a_line_bumped_by_mistake_is_to_make_again(pizza_and_drink, pizzaiolo):
    oven, _drink = pizza_and_drink.lines.order_by("id")
    bump(order=pizza_and_drink, by=pizzaiolo, line_ids=(oven.pk,))
    unbump_line(order=pizza_and_drink, line_id=oven.pk)
    oven.refresh_from_db()
    assert oven.bumped_at is None and oven.bumped_by is None


def test_bumping_twice_makes_the_order_ready_once(pizza_and_drink, pizzaiolo):
    assert bump(order=pizza_and_drink, by=pizzaiolo).completed
    again = bump(order=pizza_and_drink, by=pizzaiolo)
    assert (again.bumped, again.completed) == (0, False)
    assert len(status_changes(pizza_and_drink, Status.READY)) == 1


def test_a_line_of_another_order_or_an_unknown_station_is_refused(
    pizza_and_drink, order_for, customer, pizzaiolo
):
    other = order_for(customer)
    with pytest.raises(OrderError) as error:
        bump(order=pizza_and_drink, by=pizzaiolo, line_ids=(other.lines.get().pk,))
    assert error.value.code == "no_such_line"
    with pytest.raises(OrderError) as error:
        bump(order=pizza_and_drink, by=pizzaiolo, station="grill")
    assert error.value.code == "invalid_station"
    pizza_and_drink.refresh_from_db()
    assert pizza_and_drink.status == Status.RECEIVED  # nothing written


def test_a_cancelled_order_cannot_be_bumped(pizza_and_drink, customer, pizzaiolo):
    from orders.services import cancel_order

    cancel_order(order=pizza_and_drink, by=customer)
    with pytest.raises(OrderError) as error:
        bump(order=pizza_and_drink, by=pizzaiolo)
    assert error.value.code == "not_in_kitchen"


# ---------- Recall ----------


def test_a_ready_order_recalled_goes_back_to_preparing_keeping_who_started_it(
    pizza_and_drink, pizzaiolo, manager_a
):
    start_order(order=pizza_and_drink, by=pizzaiolo)
    bump(order=pizza_and_drink, by=pizzaiolo)
    pizza_and_drink.refresh_from_db()
    started = pizza_and_drink.preparing_at

    recalled = recall_order(order=pizza_and_drink, by=manager_a)

    recalled.refresh_from_db()
    assert recalled.status == Status.PREPARING and recalled.ready_at is None
    assert recalled.preparing_at == started and recalled.prepared_by == pizzaiolo
    change = status_changes(recalled, Status.PREPARING)[-1]
    assert (change.from_status, change.actor) == (Status.READY, manager_a)
    assert not recalled.lines.filter(bumped_at__isnull=False).exists()
    # Bumped again, it is ready again.
    assert bump(order=recalled, by=pizzaiolo).completed


def test_a_recall_is_not_emailed_to_the_customer(pizza_and_drink, pizzaiolo):
    from procrastinate.contrib.django.models import ProcrastinateJob

    bump(order=pizza_and_drink, by=pizzaiolo)
    jobs = ProcrastinateJob.objects.count()
    recall_order(order=pizza_and_drink, by=pizzaiolo)
    assert ProcrastinateJob.objects.count() == jobs


def test_a_station_recalls_its_part_while_the_others_still_cook(pizza_and_drink, pizzaiolo):
    bump(order=pizza_and_drink, by=pizzaiolo, station=Station.OVEN)
    recall_order(order=pizza_and_drink, by=pizzaiolo, station=Station.OVEN)
    assert not pizza_and_drink.lines.filter(bumped_at__isnull=False).exists()
    pizza_and_drink.refresh_from_db()
    assert pizza_and_drink.status == Status.PREPARING


def test_an_order_that_left_the_pass_cannot_be_recalled(order_for, customer, pizzaiolo, counter):
    from orders.services import hand_over_pickup

    order = order_for(customer)
    bump(order=order, by=pizzaiolo)
    hand_over_pickup(order=order, by=counter, payment="cash")
    with pytest.raises(OrderError) as error:
        recall_order(order=order, by=pizzaiolo)
    assert error.value.code == "too_late"
    order.refresh_from_db()
    assert order.status == Status.PICKED_UP


def test_a_stale_start_never_sends_a_ready_order_back_to_the_kitchen(order_for, customer, pizzaiolo):
    order = order_for(customer)
    bump(order=order, by=pizzaiolo)
    with pytest.raises(OrderError) as error:
        start_order(order=order, by=pizzaiolo)
    assert error.value.code == "invalid_transition"
    order.refresh_from_db()
    assert order.status == Status.READY


# ---------- The board ----------


def test_a_station_sees_only_its_lines_and_loses_the_ticket_once_its_part_is_bumped(
    pizza_and_drink, restaurant_a, pizzaiolo
):
    drinks = kitchen_board(restaurant_a, station=Station.DRINKS)
    (ticket,) = drinks.tickets
    assert [line.product_name for line in ticket.lines] == ["Cola"]
    assert ticket.elsewhere == 1  # the Margheritas, at the oven
    assert drinks.all_day == [("Cola", 1)]

    bump(order=pizza_and_drink, by=pizzaiolo, station=Station.DRINKS)

    drinks = kitchen_board(restaurant_a, station=Station.DRINKS)
    assert drinks.tickets == []
    assert [recall.order.number for recall in drinks.recalls] == [pizza_and_drink.number]
    everything = kitchen_board(restaurant_a)
    (ticket,) = everything.tickets
    assert [(value, done) for value, _label, done in ticket.stations] == [("oven", False), ("drinks", True)]
    assert everything.all_day == [("Margherita", 2)]


def test_all_day_counts_add_up_what_is_left_to_make_most_first(
    order_for, customer, menu, restaurant_a, pizzaiolo, plenty
):
    order_for(customer, LineRequest(product_id=menu["margherita"].id, quantity=2))
    order_for(customer, LineRequest(product_id=menu["margherita"].id, quantity=1))
    made = order_for(customer, LineRequest(product_id=menu["regina"].id, quantity=1))
    order_for(customer, LineRequest(product_id=menu["regina"].id, quantity=1))
    bump(order=made, by=pizzaiolo)
    assert kitchen_board(restaurant_a).all_day == [("Margherita", 3), ("Regina", 1)]


def test_tickets_age_from_on_time_to_due_soon_to_late_in_colour_and_words(
    client, pizzaiolo, order_for, customer, time_machine
):
    order = order_for(customer)
    client.force_login(pizzaiolo)
    page = client.get(reverse("staff_kitchen_board")).content.decode()
    assert "kds-ticket--on-time" in page

    time_machine.move_to(order.due_at - timedelta(minutes=3), tick=False)
    page = client.get(reverse("staff_kitchen_board")).content.decode()
    assert "kds-ticket--soon" in page and "in 3 min" in page

    time_machine.move_to(order.due_at + timedelta(minutes=12), tick=False)
    page = client.get(reverse("staff_kitchen_board")).content.decode()
    assert "kds-ticket--late" in page and "12 min late" in page and "1 late" in page


def test_the_board_shows_tickets_due_first_with_their_bump_bar_keys(
    client, pizzaiolo, order_for, customer, other_customer, restaurant_a, noon, plenty
):
    from orders.services import available_times

    later = available_times(restaurant=restaurant_a, fulfilment="pickup", pizzas=1, now=noon)[6]
    scheduled = order_for(customer, requested_time=later)
    asap = order_for(other_customer)
    client.force_login(pizzaiolo)
    page = client.get(reverse("staff_kitchen")).content.decode()
    assert page.index(f'data-key="{asap.number}"') < page.index(f'data-key="{scheduled.number}"')
    assert '<kbd class="kds-ticket__key"' in page


def test_the_counter_watches_the_display_without_buttons(client, counter, pizza_and_drink):
    client.force_login(counter)
    page = client.get(reverse("staff_kitchen")).content.decode()
    assert pizza_and_drink.number in page
    assert 'data-action="ready"' not in page and 'data-action="line"' not in page
    assert reverse("staff_recipe_card", args=[pizza_and_drink.lines.first().pk]) not in page


def test_an_unknown_station_in_the_address_shows_every_station(client, pizzaiolo, pizza_and_drink):
    client.force_login(pizzaiolo)
    response = client.get(reverse("staff_kitchen") + "?station=%00grill")
    assert response.status_code == 200
    assert response.context["station"] == ""


# ---------- The fragment: version, 204, 304, queries ----------


def test_the_fragment_answers_without_rendering_when_the_screen_is_up_to_date(
    client, pizzaiolo, pizza_and_drink, django_assert_num_queries
):
    client.force_login(pizzaiolo)
    url = reverse("staff_kitchen_board")
    first = client.get(url, HTTP_HX_REQUEST="true")
    version = first.context["version"]
    assert first["ETag"] == f'"{version}"' and f'data-version="{version}"' in first.content.decode()

    # 1 session, 2 user, 3 staff memberships with their restaurants (the board's version is the restaurant's):
    # nothing rendered.
    with django_assert_num_queries(3):
        unchanged = client.get(url, HTTP_HX_REQUEST="true", HTTP_X_BOARD_VERSION=version)
    assert unchanged.status_code == 204 and unchanged.content == b""
    with django_assert_num_queries(3):
        not_modified = client.get(url, HTTP_IF_NONE_MATCH=f'"{version}"')
    assert not_modified.status_code == 304

    bump(order=pizza_and_drink, by=pizzaiolo, station=Station.OVEN)
    changed = client.get(url, HTTP_HX_REQUEST="true", HTTP_X_BOARD_VERSION=version)
    assert changed.status_code == 200 and changed.context["version"] != version


def test_the_version_differs_by_station_and_role(client, pizzaiolo, counter, pizza_and_drink):
    client.force_login(pizzaiolo)
    url = reverse("staff_kitchen_board")
    everything = client.get(url).context["version"]
    oven = client.get(url + "?station=oven").context["version"]
    client.force_login(counter)
    watching = client.get(url).context["version"]
    assert len({everything, oven, watching}) == 3


def test_the_fragment_runs_the_same_queries_for_three_times_the_orders(
    client, pizzaiolo, order_for, customer, menu, ingredients, plenty, django_assert_num_queries
):
    def place(count):
        for _ in range(count):
            order = order_for(
                customer,
                LineRequest(
                    product_id=menu["margherita"].id,
                    quantity=1,
                    removed_ids=frozenset({ingredients["Basilic"].id}),
                    extra_ids=frozenset({menu["extra_mozzarella"].id}),
                ),
                LineRequest(product_id=menu["regina"].id, quantity=1),
                note="Note",
            )
        transition_order(order=order, to=Status.PREPARING, by=pizzaiolo)

    client.force_login(pizzaiolo)
    place(2)
    for url_name in ("staff_kitchen", "staff_kitchen_board"):
        # 1 session, 2 user, 3 staff memberships with their restaurants (and the board's version), 4 the
        # orders with who prepares them, 5 their lines with their stations, the names of the ingredients left
        # out and of the extras.
        with django_assert_num_queries(5):
            response = client.get(reverse(url_name))
        assert response.content.decode().count("data-order-number=") == 2
    place(4)
    for url_name in ("staff_kitchen", "staff_kitchen_board"):
        with django_assert_num_queries(5):
            response = client.get(reverse(url_name))
        assert response.content.decode().count("data-order-number=") == 6


# ---------- The actions ----------


def test_a_station_bump_from_the_display_redirects_with_its_message(client, pizzaiolo, pizza_and_drink):
    client.force_login(pizzaiolo)
    response = client.post(
        reverse("staff_kitchen_ready", args=[pizza_and_drink.number]), {"station": "oven"}, follow=True
    )
    assert response.redirect_chain == [(reverse("staff_kitchen") + "?station=oven", 302)]
    assert f"Order {pizza_and_drink.number}: Oven done." in response.content.decode()


def test_an_action_from_the_script_gets_the_board_back_with_its_message(client, pizzaiolo, pizza_and_drink):
    client.force_login(pizzaiolo)
    oven, _drink = pizza_and_drink.lines.order_by("id")
    response = client.post(
        reverse("staff_kitchen_line", args=[oven.pk]), {"done": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert 'id="kitchen-board"' in response.content.decode()
    event = json.loads(response["HX-Trigger"])["staff-message"]
    assert event == {"level": "success", "text": f"Order {pizza_and_drink.number}: line done."}

    # Taken back, then refused once the order is gone: 409, with the board and the reason.
    response = client.post(
        reverse("staff_kitchen_line", args=[oven.pk]), {"done": "0"}, HTTP_HX_REQUEST="true"
    )
    assert json.loads(response["HX-Trigger"])["staff-message"]["level"] == "info"
    bump(order=pizza_and_drink, by=pizzaiolo)
    from orders.services import hand_over_pickup

    hand_over_pickup(order=pizza_and_drink, by=pizzaiolo, payment="cash")
    response = client.post(
        reverse("staff_kitchen_recall", args=[pizza_and_drink.number]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 409
    assert "can no longer be recalled" in json.loads(response["HX-Trigger"])["staff-message"]["text"]


def test_a_line_of_another_restaurant_is_a_404(client, manager_b, pizza_and_drink):
    client.force_login(manager_b)
    line = pizza_and_drink.lines.first()
    assert client.post(reverse("staff_kitchen_line", args=[line.pk])).status_code == 404
    assert client.post(reverse("staff_kitchen_recall", args=[pizza_and_drink.number])).status_code == 404
    line.refresh_from_db()
    assert line.bumped_at is None


def test_the_recall_button_lists_the_last_bumped_tickets(client, pizzaiolo, pizza_and_drink):
    bump(order=pizza_and_drink, by=pizzaiolo)
    client.force_login(pizzaiolo)
    page = client.get(reverse("staff_kitchen")).content.decode()
    assert reverse("staff_kitchen_recall", args=[pizza_and_drink.number]) in page
    response = client.post(reverse("staff_kitchen_recall", args=[pizza_and_drink.number]), follow=True)
    assert f"Order {pizza_and_drink.number} is back on the board." in response.content.decode()
    pizza_and_drink.refresh_from_db()
    assert pizza_and_drink.status == Status.PREPARING


def test_a_ticket_recalled_after_the_window_is_no_longer_offered(
    client, pizzaiolo, pizza_and_drink, time_machine
):
    bump(order=pizza_and_drink, by=pizzaiolo)
    time_machine.move_to(pizza_and_drink.due_at + timedelta(hours=1), tick=False)
    client.force_login(pizzaiolo)
    page = client.get(reverse("staff_kitchen")).content.decode()
    assert reverse("staff_kitchen_recall", args=[pizza_and_drink.number]) not in page


# ---------- The pass ----------


def test_the_pass_shows_cooking_pickups_waiting_and_deliveries_waiting_for_a_driver(
    client,
    counter,
    pizzaiolo,
    order_for,
    customer,
    menu,
    delivery_to,
    pizza_and_drink,
    plenty,
    time_machine,
    noon,
):
    pickup = order_for(customer)
    delivery = order_for(
        customer,
        LineRequest(product_id=menu["margherita"].id, quantity=2),  # above the delivery minimum
        fulfilment="delivery",
        address=delivery_to,
    )
    bump(order=pickup, by=pizzaiolo)
    bump(order=delivery, by=pizzaiolo)
    bump(order=pizza_and_drink, by=pizzaiolo, station=Station.OVEN)
    time_machine.move_to(noon + timedelta(minutes=12), tick=False)
    client.force_login(counter)

    response = client.get(reverse("staff_expo"))

    expo = response.context["expo"]
    assert [t.order.number for t in expo.cooking] == [pizza_and_drink.number]
    assert [(v, done) for v, _l, done in expo.cooking[0].stations] == [("oven", True), ("drinks", False)]
    assert [t.order.number for t in expo.pickups] == [pickup.number]
    assert [t.order.number for t in expo.deliveries] == [delivery.number]
    page = response.content.decode()
    assert "ready 12 min ago" in page and "expo-ticket--long" in page
    assert client.get(reverse("staff_expo_board")).content.decode().lstrip().startswith("<section")


def test_the_pass_answers_204_until_an_order_moves_or_a_minute_passes(
    client, counter, order_for, customer, pizzaiolo, plenty, time_machine, noon, django_assert_num_queries
):
    order = order_for(customer)
    client.force_login(counter)
    url = reverse("staff_expo_board")

    def version():
        return re.search(r'data-version="([0-9a-f]{16})"', client.get(url).content.decode()).group(1)

    shown = version()
    # 1 session, 2 user, 3 memberships with their restaurants (the version is the restaurant's board version
    # and the minute): nothing rendered.
    with django_assert_num_queries(3):
        response = client.get(url, HTTP_X_BOARD_VERSION=shown)
    assert response.status_code == 204
    bump(order=order, by=pizzaiolo)
    response = client.get(url, HTTP_X_BOARD_VERSION=shown)
    assert response.status_code == 200
    assert re.search(rf'<li data-key="{order.number}" data-version="[^"]+-0">', response.content.decode())
    shown = version()
    time_machine.move_to(noon + timedelta(minutes=1), tick=False)
    assert client.get(url, HTTP_X_BOARD_VERSION=shown).status_code == 200


def test_the_pass_reads_in_the_same_queries_for_three_times_the_orders(
    client, counter, order_for, customer, pizzaiolo, plenty, django_assert_num_queries
):
    client.force_login(counter)
    for count in (2, 6):
        while Order.objects.count() < count:
            bump(order=order_for(customer), by=pizzaiolo)
        # 1 session, 2 user, 3 memberships with their restaurants (and the version), 4 the orders, 5 their lines.
        with django_assert_num_queries(5):
            page = client.get(reverse("staff_expo_board")).content.decode()
        assert page.count("data-order-number=") == count


# ---------- The staff layout ----------


def test_staff_screens_have_their_compact_bar_instead_of_the_customer_header(client, pizzaiolo, restaurant_a):
    client.force_login(pizzaiolo)
    page = client.get(reverse("staff_kitchen")).content.decode()
    assert "site-header" not in page and "site-footer" not in page
    assert "staff-top" in page and escape(restaurant_a.name) in page and "Pizzaiolo" in page
    assert "data-staff-clock" in page and "data-connection" in page
    assert "css/staff.css" in page and "js/staff.js" in page
    assert 'aria-live="polite"' in page and "data-board-announcer" in page


def test_the_bump_bar_keys_belong_to_the_kitchen_board_only(client, manager_a):
    """kitchen.js runs on every screen with an undo bar; its bump-bar keys (1-9, arrows, R) switch on only
    where the board carries data-bump-keys: the kitchen display, not the driver's or the counter's screens."""
    client.force_login(manager_a)
    pages = {
        name: client.get(reverse(name)).content.decode()
        for name in ("staff_kitchen", "staff_delivery", "staff_counter")
    }
    assert all("data-undo-bar" in page and "js/kitchen.js" in page for page in pages.values())
    assert "data-bump-keys" in pages["staff_kitchen"]
    assert "data-bump-keys" not in pages["staff_delivery"] and "data-bump-keys" not in pages["staff_counter"]


# ---------- Tickets rendered once per version (orders/templatetags/kitchen_tickets.py) ----------


def test_a_ticket_rendered_for_one_cook_posts_with_the_next_cooks_own_csrf_token(
    pizzaiolo, restaurant_a, pizza_and_drink
):
    from django.test import Client

    from common.csrf import CSRF_PLACEHOLDER

    first = Client(enforce_csrf_checks=True)
    first.force_login(pizzaiolo)
    assert pizza_and_drink.number in first.get(reverse("staff_kitchen_board")).content.decode()

    second_cook = f.StaffMemberFactory(restaurant=restaurant_a, role="pizzaiolo").user
    second = Client(enforce_csrf_checks=True)
    second.force_login(second_cook)
    page = second.get(reverse("staff_kitchen_board")).content.decode()
    assert CSRF_PLACEHOLDER not in page
    start = page.index(reverse("staff_kitchen_start", args=[pizza_and_drink.number]))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page[start:]).group(1)

    response = second.post(
        reverse("staff_kitchen_start", args=[pizza_and_drink.number]), {"csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    pizza_and_drink.refresh_from_db()
    assert pizza_and_drink.status == Status.PREPARING and pizza_and_drink.prepared_by == second_cook


def test_a_kept_ticket_is_rendered_again_once_its_order_moves(client, pizzaiolo, pizza_and_drink):
    client.force_login(pizzaiolo)
    url = reverse("staff_kitchen_board")
    assert "kds-line--done" not in client.get(url).content.decode()

    line = pizza_and_drink.lines.get(product__station=Station.OVEN)
    bump(order=pizza_and_drink, by=pizzaiolo, line_ids=(line.pk,))
    page = client.get(url).content.decode()
    assert page.count("kds-line--done") == 1
    assert client.get(url, {"station": Station.DRINKS}).content.decode().count("kds-line--done") == 0


# ---------- Whole boards rendered once per version (orders.staff.polling.shared_part) ----------


def _token(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def _clock(page: str) -> int:
    return int(re.search(r'id="kitchen-board"[^>]*data-now="(\d+)"', page, re.S).group(1))


def test_the_second_tablet_of_a_station_gets_the_board_from_memory_with_its_own_token(
    pizzaiolo, restaurant_a, pizza_and_drink, time_machine, noon, django_assert_num_queries
):
    from django.test import Client

    from common.csrf import CSRF_PLACEHOLDER

    url = reverse("staff_kitchen_board")
    first = Client(enforce_csrf_checks=True)
    first.force_login(pizzaiolo)
    # 1 session, 2 user, 3 memberships with their restaurants (the version), 4 orders, 5 lines: rendered.
    with django_assert_num_queries(5):
        rendered = first.get(url).content.decode()

    second_cook = f.StaffMemberFactory(restaurant=restaurant_a, role="pizzaiolo").user
    second = Client(enforce_csrf_checks=True)
    second.force_login(second_cook)
    time_machine.move_to(noon + timedelta(seconds=40), tick=False)
    # 1 session, 2 user, 3 memberships: the board of that version is served from memory.
    with django_assert_num_queries(3):
        kept = second.get(url).content.decode()

    assert CSRF_PLACEHOLDER not in rendered and CSRF_PLACEHOLDER not in kept
    assert pizza_and_drink.number in kept
    assert _token(kept) != _token(rendered)
    # The same board, but for the token and the clock, which is this request's (kitchen.js ages the tickets
    # by it).
    assert _clock(rendered) == int(noon.timestamp()) and _clock(kept) == int(noon.timestamp()) + 40

    def without_token_and_clock(page: str) -> str:
        return re.sub(r'data-now="\d+"', "", page.replace(_token(page), ""))

    assert without_token_and_clock(kept) == without_token_and_clock(rendered)

    # The token is the second cook's own: it posts.
    start = reverse("staff_kitchen_start", args=[pizza_and_drink.number])
    assert second.post(start, {"csrfmiddlewaretoken": _token(kept)}).status_code == 302
    pizza_and_drink.refresh_from_db()
    assert pizza_and_drink.status == Status.PREPARING and pizza_and_drink.prepared_by == second_cook


def test_a_bump_makes_the_next_poll_render_the_new_board(
    client, pizzaiolo, pizza_and_drink, noon, django_assert_num_queries
):
    client.force_login(pizzaiolo)
    url = reverse("staff_kitchen_board")
    assert "kds-line--done" not in client.get(url).content.decode()
    with django_assert_num_queries(3):
        assert "kds-line--done" not in client.get(url).content.decode()

    line = pizza_and_drink.lines.get(product__station=Station.OVEN)
    bump(order=pizza_and_drink, by=pizzaiolo, line_ids=(line.pk,))
    with django_assert_num_queries(5):
        assert client.get(url).content.decode().count("kds-line--done") == 1
    with django_assert_num_queries(3):
        assert client.get(url).content.decode().count("kds-line--done") == 1


def test_the_next_minute_renders_the_board_again(
    client, pizzaiolo, pizza_and_drink, time_machine, noon, django_assert_num_queries
):
    client.force_login(pizzaiolo)
    url = reverse("staff_kitchen_board")
    client.get(url)
    time_machine.move_to(noon + timedelta(seconds=59), tick=False)
    with django_assert_num_queries(3):
        client.get(url)
    time_machine.move_to(noon + timedelta(minutes=1), tick=False)
    with django_assert_num_queries(5):
        page = client.get(url).content.decode()
    assert _clock(page) == int(noon.timestamp()) + 60


def test_the_answer_to_an_action_is_the_board_the_other_tablets_get_next(
    client, pizzaiolo, restaurant_a, pizza_and_drink, noon, django_assert_num_queries
):
    from django.test import Client

    client.force_login(pizzaiolo)
    url = reverse("staff_kitchen_board")
    client.get(url)
    response = client.post(
        reverse("staff_kitchen_ready", args=[pizza_and_drink.number]), {"station": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and 'data-recall="' in response.content.decode()

    other = Client()
    other.force_login(f.StaffMemberFactory(restaurant=restaurant_a, role="pizzaiolo").user)
    with django_assert_num_queries(3):
        page = other.get(url).content.decode()
    assert f'data-recall="{pizza_and_drink.number}"' in page and "data-order-number=" not in page

    # Refused (already ready): 409 with the board, which nothing changed: served from memory, not rendered.
    response = client.post(
        reverse("staff_kitchen_ready", args=[pizza_and_drink.number]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 409 and not response.templates
    assert f'data-recall="{pizza_and_drink.number}"' in response.content.decode()


def test_a_cook_a_counter_a_station_and_a_language_each_get_their_own_board(
    client, pizzaiolo, counter, pizza_and_drink, noon, django_assert_num_queries
):
    url = reverse("staff_kitchen_board")
    client.force_login(pizzaiolo)
    cook = client.get(url).content.decode()
    client.force_login(counter)
    with django_assert_num_queries(5):
        watching = client.get(url).content.decode()
    assert (
        "csrfmiddlewaretoken" in cook
        and reverse("staff_kitchen_start", args=[pizza_and_drink.number]) in cook
    )
    assert "csrfmiddlewaretoken" not in watching and "data-kitchen-action" not in watching
    assert pizza_and_drink.number in watching

    client.force_login(pizzaiolo)
    with django_assert_num_queries(5):
        drinks = client.get(url, {"station": Station.DRINKS}).content.decode()
    assert "Cola" in drinks and "Margherita" not in drinks
    with django_assert_num_queries(5):
        french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Orders to make" in cook and "Orders to make" not in french
    with django_assert_num_queries(3):
        assert client.get(url).content.decode().count("Orders to make") == 1


def test_a_restaurant_never_gets_another_restaurants_board(
    client, pizzaiolo, restaurant_b, pizza_and_drink, noon, django_assert_num_queries
):
    url = reverse("staff_kitchen_board")
    client.force_login(pizzaiolo)
    assert pizza_and_drink.number in client.get(url).content.decode()
    client.force_login(f.StaffMemberFactory(restaurant=restaurant_b, role="pizzaiolo").user)
    # Rendered: 1 session, 2 user, 3 memberships, 4 the orders (none at B: no lines to read).
    with django_assert_num_queries(4):
        page = client.get(url).content.decode()
    assert pizza_and_drink.number not in page
    assert f'data-live-board="kitchen-{restaurant_b.pk}-all"' in page


def test_the_pass_is_rendered_once_per_version_for_every_screen_of_the_restaurant(
    client, pizzaiolo, counter, restaurant_b, pizza_and_drink, noon, django_assert_num_queries
):
    url = reverse("staff_expo_board")
    client.force_login(pizzaiolo)
    with django_assert_num_queries(5):
        first = client.get(url).content.decode()
    client.force_login(counter)
    with django_assert_num_queries(3):
        assert client.get(url).content.decode() == first
    bump(order=pizza_and_drink, by=pizzaiolo)
    with django_assert_num_queries(5):
        assert client.get(url).content.decode() != first
    client.force_login(f.StaffMemberFactory(restaurant=restaurant_b, role="counter").user)
    with django_assert_num_queries(4):  # rendered: B's orders (none, so no lines to read)
        assert pizza_and_drink.number not in client.get(url).content.decode()
