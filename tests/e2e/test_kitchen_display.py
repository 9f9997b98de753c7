"""The kitchen display, the pass, the driver's trip and the counter's repeat, as their users work them: a
ticket bumped station by station until it is ready, a mistaken bump recalled, an accidental "Prête" undone,
the focus kept on a ticket while the board updates itself and announces a new order; a driver taking two
deliveries into one trip; the counter finding Camille and repeating her last order."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from menu.models import Station
from orders.models import Order, PaymentStatus, Status
from orders.services import DeliveryAddress, LineRequest, bump, transition_order
from restaurants.models import Role
from tests import factories as f
from tests.e2e.helpers import DESKTOP, PHONE, TABLET, UNDO_MS, order_for, poll_now, sent_after_undo, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KITCHEN_POLL_MS = 5_000  # hx-trigger="every 5s" of templates/staff/includes/kitchen_board.html
AFTER_UNDO_MS = UNDO_MS + 1_000


@pytest.fixture
def cola(restaurant_a):
    can = f.IngredientFactory(name="Canette", unit="piece")
    f.StockFactory(restaurant=restaurant_a, ingredient=can, quantity=Decimal("50"))
    product = f.ProductFactory(name="Cola", slug="cola", price=Decimal("2.50"), station=Station.DRINKS)
    f.RecipeLineFactory(product=product, ingredient=can, quantity=Decimal("1"))
    return product


def status_of(order) -> str:
    order.refresh_from_db()
    return order.status


def test_a_ticket_is_bumped_per_station_and_completes_and_a_mistaken_bump_is_recalled(
    live_server, page, screenshot, restaurant_a, menu, stock_a, customer, pizzaiolo, cola
):
    order = order_for(
        customer,
        restaurant_a,
        menu,
        lines=[
            LineRequest(product_id=menu["margherita"].id, quantity=2),
            LineRequest(product_id=cola.id, quantity=1),
        ],
    )
    page.set_viewport_size(TABLET)
    page.clock.install()
    sign_in(page, live_server, pizzaiolo)

    # The oven's screen: the Margheritas only, the cola counted as made elsewhere.
    page.goto(live_server.url + "/staff/kitchen/?station=oven")
    ticket = page.get_by_role("article", name=order.number)
    expect(ticket).to_contain_text("Margherita")
    expect(ticket).not_to_contain_text("Cola")
    expect(ticket).to_contain_text("+ 1 ligne à un autre poste")
    expect(page.locator(".kds-allday")).to_contain_text("2 Margherita")
    screenshot("kds-oven-tablet")

    # The oven bumps its part by mistake (too early): after the undo window, the ticket leaves its screen...
    ticket.get_by_role("button", name="Envoyer").click()
    expect(page.locator("[data-undo-bar]")).to_contain_text(order.number)
    page.clock.fast_forward(AFTER_UNDO_MS)
    expect(ticket).to_have_count(0)
    assert status_of(order) == Status.PREPARING  # the cola is still to make
    # ... and is recalled from the list of the last bumped tickets.
    page.get_by_role("button", name=re.compile(rf"^Rappeler\s+{re.escape(order.number)}")).click()
    expect(ticket).to_be_visible()
    expect(page.locator(".staff-messages")).to_contain_text(f"La commande {order.number} est de retour")
    assert not order.lines.filter(bumped_at__isnull=False).exists()

    # The oven bumps it for good, line by line this time, then the drinks station bumps the cola.
    ticket.get_by_role("button", name=re.compile(r"2\s×\sMargherita")).click()
    expect(ticket).to_have_count(0)
    page.goto(live_server.url + "/staff/kitchen/?station=drinks")
    ticket = page.get_by_role("article", name=order.number)
    expect(ticket).to_contain_text("Cola")
    ticket.get_by_role("button", name="Envoyer").click()
    page.clock.fast_forward(AFTER_UNDO_MS)
    expect(ticket).to_have_count(0)
    expect(page.locator(".staff-messages")).to_contain_text(f"Commande {order.number} prête")
    assert status_of(order) == Status.READY


def test_the_undo_window_cancels_an_accidental_ready(
    live_server, page, restaurant_a, menu, stock_a, customer, pizzaiolo
):
    order = order_for(customer, restaurant_a, menu)
    page.set_viewport_size(TABLET)
    page.clock.install()
    sign_in(page, live_server, pizzaiolo)
    page.goto(live_server.url + "/staff/kitchen/")
    ticket = page.get_by_role("article", name=order.number)

    ticket.get_by_role("button", name="Prête").click()
    undo = page.get_by_role("button", name="Annuler")
    expect(undo).to_be_focused()  # Enter or a tap undoes it
    undo.click()
    page.clock.fast_forward(AFTER_UNDO_MS * 2)
    expect(page.locator("[data-undo-bar]")).to_be_hidden()
    expect(ticket).to_be_visible()
    assert status_of(order) == Status.RECEIVED
    # The button has the focus again, to bump it for real when it is made.
    expect(ticket.get_by_role("button", name="Prête")).to_be_focused()

    # Tapped again and left alone, it is applied once the window is over.
    page.keyboard.press("Enter")
    page.clock.fast_forward(AFTER_UNDO_MS)
    expect(ticket).to_have_count(0)
    assert status_of(order) == Status.READY


def test_keyboard_focus_on_a_ticket_survives_the_polls_while_a_new_order_arrives_and_is_announced(
    live_server, page, screenshot, restaurant_a, menu, stock_a, customer, other_customer, pizzaiolo
):
    first = order_for(customer, restaurant_a, menu)
    page.set_viewport_size(TABLET)
    page.clock.install()
    sign_in(page, live_server, pizzaiolo)
    page.goto(live_server.url + "/staff/kitchen/")
    expect(page.get_by_role("article", name=first.number)).to_be_visible()

    # The bump bar's key 1 selects the first ticket: its "Prête" button has the focus.
    page.keyboard.press("1")
    ready = page.get_by_role("article", name=first.number).get_by_role("button", name="Prête")
    expect(ready).to_be_focused()
    page.evaluate("window.focusedBefore = document.activeElement")

    newcomer = order_for(other_customer, restaurant_a, menu)
    announcer = page.locator("[data-board-announcer]")
    for _poll in range(3):
        poll_now(page, KITCHEN_POLL_MS)
        expect(page.get_by_role("article", name=newcomer.number)).to_be_visible(
            timeout=KITCHEN_POLL_MS + 5_000
        )
        expect(ready).to_be_focused()
        # Not even replaced: the very element the cook had selected.
        assert page.evaluate("document.activeElement === window.focusedBefore") is True
    expect(announcer).to_have_text(f"Nouvelle commande {newcomer.number}.")
    expect(announcer).to_have_attribute("aria-live", "polite")
    expect(page.get_by_role("article", name=newcomer.number)).to_have_class(re.compile(r"\bis-new\b"))
    screenshot("kds-all-stations-tablet")

    # The expo screen at the same size: one cooking, then one waiting at the pass.
    bump(order=first, by=pizzaiolo)
    page.goto(live_server.url + "/staff/expo/")
    expect(page.locator("#expo-pickups").locator("..")).to_contain_text(first.number)
    expect(page.locator("#expo-cooking").locator("..")).to_contain_text(newcomer.number)
    screenshot("expo-tablet")


def test_a_driver_groups_two_deliveries_into_one_trip_and_marks_each_stop(
    live_server, page, screenshot, restaurant_a, menu, stock_a, customer, other_customer, pizzaiolo, driver
):
    orders = []
    for who, street, postal_code in (
        (customer, "12 rue de la République", "69001"),
        (other_customer, "3 quai Saint-Antoine", "69002"),
    ):
        order = order_for(
            who,
            restaurant_a,
            menu,
            fulfilment="delivery",
            lines=[LineRequest(product_id=menu["margherita"].id, quantity=2)],
            address=DeliveryAddress(street=street, postal_code=postal_code, city="Lyon"),
        )
        transition_order(order=order, to=Status.PREPARING, by=pizzaiolo)
        transition_order(order=order, to=Status.READY, by=pizzaiolo)
        orders.append(order)

    page.set_viewport_size(PHONE)
    sign_in(page, live_server, driver)
    page.goto(live_server.url + "/staff/delivery/")
    for order in orders:
        card = page.get_by_role("article", name=order.number)
        expect(card.locator('a[href^="tel:"]')).to_have_count(0)  # not theirs yet: no phone
        card.get_by_role("checkbox", name="Ajouter à ma tournée").check()
    page.get_by_role("button", name="Prendre les livraisons cochées").click()
    sent_after_undo(page)  # the trip is sent after the undo window (tests/e2e/test_undo.py undoes one)

    expect(page.locator(".staff-messages")).to_contain_text("sont à vous")
    route = page.get_by_role("link", name=re.compile(r"^Itinéraire\s*:\s*2 arrêts"))
    expect(route).to_have_attribute("href", re.compile(r"^https://www\.google\.com/maps/dir/\?api=1"))
    assert "waypoints=" in route.get_attribute("href")
    for order in orders:
        card = page.get_by_role("article", name=order.number)
        expect(card.locator('a[href^="tel:"]')).to_be_visible()  # theirs now: the customer's phone
    screenshot("driver-trip-phone")

    for order in orders:
        page.get_by_role("article", name=order.number).get_by_role("button", name="En espèces").click()
        expect(page.get_by_role("article", name=order.number)).to_have_count(0, timeout=UNDO_MS + 5_000)
    for order in orders:
        order.refresh_from_db()
        assert (order.status, order.delivered_by, order.payment_status) == (
            Status.DELIVERED,
            driver,
            PaymentStatus.PAID,
        )


def test_the_counter_finds_camille_and_repeats_her_last_order(
    live_server, page, screenshot, restaurant_a, menu, stock_a, ingredients
):
    camille = f.UserFactory(email="camille.lefevre@example.com", first_name="Camille", last_name="Lefèvre")
    f.AddressFactory(user=camille, postal_code="69001")
    last = order_for(
        camille,
        restaurant_a,
        menu,
        lines=[
            LineRequest(
                product_id=menu["margherita"].id,
                quantity=2,
                removed_ids=frozenset({ingredients["Basilic"].id}),
            )
        ],
    )
    clerk = f.StaffMemberFactory(restaurant=restaurant_a, role=Role.COUNTER).user
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, clerk)
    page.goto(live_server.url + "/staff/counter/new/")

    search = page.get_by_label("Nom, téléphone ou e-mail du client")
    search.fill("camille")
    search.press("Enter")  # keyboard first
    match = page.locator(".counter-match").filter(has_text=camille.email)
    expect(match).to_contain_text("2\u00a0×\u00a0Margherita")
    match.get_by_role("button", name=re.compile(rf"^Refaire.*{re.escape(last.number)}")).click()

    expect(page.locator(".counter-customer__chosen")).to_contain_text("Camille Lefèvre")
    lines = page.locator("#counter-lines")
    expect(lines).to_contain_text("2\u00a0× Margherita")
    expect(lines).to_contain_text("Basilic")
    screenshot("counter-repeat")

    details = page.locator("form.counter-details__form")
    details.locator("input[name=channel][value=phone]").check()
    details.locator("input[name=fulfilment][value=pickup]").check()
    details.locator("input[name=payment_method][value=cash_on_delivery]").check()
    details.get_by_role("button", name="Valider la commande").click()
    page.wait_for_url(re.compile(r"/staff/counter/orders/[A-Z0-9]{3}-[A-Z0-9]{3}/"))
    repeated = Order.objects.exclude(pk=last.pk).get()
    assert repeated.customer == camille
    line = repeated.lines.get()
    assert (line.product_id, line.quantity) == (menu["margherita"].id, 2)
    assert list(line.removed_ingredients.values_list("name", flat=True)) == ["Basilic"]
