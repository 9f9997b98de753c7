"""A customer without a mouse: from the home page to a placed order with the keyboard alone (Tab, Shift+Tab,
Enter, Space, the arrow keys and typing), the focus visible at every stop; then on the tracking page, the
focus stays on the link the customer was on when the live status refreshes, and the new status is read out.

A cook starts and finishes an order, and a driver takes and delivers one, with the keyboard alone too."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from orders.models import Order, Status
from orders.services import DeliveryAddress, transition_order
from tests.e2e.helpers import DESKTOP, PHONE, UNDO_MS, order_for, poll_now, sent_after_undo, sign_in
from tests.e2e.keyboard import choose_radio, focus_is_visible, tab_to
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_customer_orders_a_customised_pizza_with_the_keyboard_only(
    live_server, page, screenshot, restaurant_a, customer, menu, ingredients, stock_a, pizzaiolo
):
    page.set_viewport_size(DESKTOP)
    page.clock.install()
    page.goto(live_server.url + "/")

    # The first Tab shows the skip link.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()

    tab_to(page, page.get_by_role("main").get_by_role("link", name=re.compile(restaurant_a.name)).first)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/restaurants/{restaurant_a.slug}/"))

    card = page.get_by_role("article").filter(has=page.get_by_role("heading", name=re.compile("^Margherita")))
    tab_to(page, card.locator("summary"))
    page.keyboard.press("Enter")
    without_basil = card.get_by_role("checkbox", name="Sans Basilic")
    tab_to(page, without_basil)
    page.keyboard.press("Space")
    expect(without_basil).to_be_checked()
    extra = card.get_by_role("group", name="Suppléments").get_by_role(
        "checkbox", name=re.compile("^Mozzarella")
    )
    tab_to(page, extra)
    page.keyboard.press("Space")
    expect(extra).to_be_checked()
    tab_to(page, card.get_by_role("button", name=re.compile(r"^Ajouter au panier")))
    screenshot("keyboard-1-menu-focus")
    page.keyboard.press("Enter")
    expect(card.get_by_role("status")).to_contain_text("Ajouté à votre panier")

    # Back up to the header's cart link.
    tab_to(page, page.get_by_role("banner").get_by_role("link", name=re.compile("Panier")), backwards=True)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/cart/$"))
    main = page.get_by_role("main")
    expect(main).to_contain_text("Basilic")
    tab_to(page, main.get_by_role("link", name=re.compile("commande", re.IGNORECASE)).last)
    page.keyboard.press("Enter")

    # Signing in: type, Tab, type, Enter.
    page.wait_for_url(re.compile(r"/accounts/login/"))
    tab_to(page, page.locator("input[name=login]"))
    page.keyboard.type(customer.email)
    tab_to(page, page.locator("input[name=password]"))
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/checkout/"))
    choose_radio(page, page.get_by_role("radio", name="Retrait sur place"))
    choose_radio(page, page.get_by_role("radio", name="Espèces, à la livraison ou au retrait"))
    terms = page.get_by_role("checkbox", name=re.compile("accepte les conditions générales de vente"))
    tab_to(page, terms)
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Valider ma commande"))
    screenshot("keyboard-2-checkout-focus")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/orders/[A-Z0-9]{3}-[A-Z0-9]{3}/$"))
    order = Order.objects.get(customer=customer)
    line = order.lines.get()
    assert line.product_name == "Margherita"
    assert list(line.removed_ingredients.values_list("name_fr", flat=True)) == ["Basilic"]
    assert list(line.extras.values_list("name_fr", flat=True)) == ["Mozzarella"]

    # The live status refreshes under the focus: the focus stays on the link.
    change = page.get_by_role("link", name="Modifier la commande")
    tab_to(page, change)
    with page.expect_response(re.compile(r"/status/$")):
        poll_now(page, 10_000)
    page.wait_for_timeout(200)  # htmx settles the swap
    assert page.evaluate("document.activeElement.id") == "order-change-link"
    expect(page.locator("#order-change-link")).to_be_focused()

    # The kitchen starts: the link goes away with the change; the focus stays on the status, which is read out.
    transition_order(order=order, to=Status.PREPARING, by=pizzaiolo)
    with page.expect_response(re.compile(r"/status/$")):
        poll_now(page, 10_000)
    expect(page.locator("#live-announcer")).to_contain_text("En préparation")
    expect(page.locator("#order-status")).to_be_focused()
    screenshot("keyboard-3-tracking")


def test_a_cook_starts_and_finishes_an_order_with_the_keyboard_only(
    live_server, page, restaurant_a, menu, stock_a, customer, pizzaiolo
):
    order = order_for(customer, restaurant_a, menu)
    page.set_viewport_size(DESKTOP)
    page.clock.install()
    sign_in(page, live_server, pizzaiolo)
    page.goto(live_server.url + "/staff/kitchen/")
    ticket = page.get_by_role("article", name=order.number)

    tab_to(page, ticket.get_by_role("button", name="Commencer"))
    page.keyboard.press("Enter")
    expect(ticket.get_by_role("button", name="Commencer")).to_have_count(0)
    assert status_of(order) == Status.PREPARING

    # "1" puts the focus on the first ticket's bump button; Enter bumps it once the undo window is over.
    page.keyboard.press("1")
    expect(ticket.get_by_role("button", name="Prête")).to_be_focused()
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator("[data-undo-bar]")).to_contain_text(order.number)
    page.clock.fast_forward(UNDO_MS + 1_000)
    expect(ticket).to_have_count(0)
    assert status_of(order) == Status.READY


def test_a_driver_takes_and_delivers_an_order_with_the_keyboard_only(
    live_server, page, restaurant_a, menu, stock_a, customer, pizzaiolo, driver
):
    order = order_for(
        customer,
        restaurant_a,
        menu,
        fulfilment="delivery",
        address=DeliveryAddress(street="12 rue de la République", postal_code="69001", city="Lyon"),
    )
    transition_order(order=order, to=Status.PREPARING, by=pizzaiolo)
    transition_order(order=order, to=Status.READY, by=pizzaiolo)
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, driver)
    page.goto(live_server.url + "/staff/delivery/")

    card = page.get_by_role("article", name=order.number)
    tab_to(page, card.get_by_role("button", name="Prendre cette livraison"))
    page.keyboard.press("Enter")
    sent_after_undo(page)  # taking it waits in the undo window too
    cash = page.get_by_role("article", name=order.number).get_by_role("button", name="En espèces")
    expect(cash).to_be_visible()
    tab_to(page, cash)
    page.keyboard.press("Enter")
    expect(page.get_by_role("article", name=order.number)).to_have_count(0, timeout=UNDO_MS + 5_000)
    assert status_of(order) == Status.DELIVERED


def status_of(order) -> str:
    order.refresh_from_db()
    return order.status
