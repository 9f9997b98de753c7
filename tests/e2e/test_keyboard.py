"""A customer without a mouse: from the home page to a placed order with the keyboard alone (Tab, Shift+Tab,
Enter, Space, the arrow keys and typing), the focus visible at every stop; then on the tracking page, the
focus stays on the link the customer was on when the live status refreshes, and the new status is read out.

The kitchen's and the delivery's keyboard journeys belong to the staff screens' rewrite (issue #15)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from orders.models import Order, Status
from orders.services import transition_order
from tests.e2e.helpers import DESKTOP, poll_now
from tests.e2e.keyboard import choose_radio, tab_to
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
