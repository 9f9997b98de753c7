"""The menu card shows the price of the pizza as configured: ticking an extra adds its price at once, and the
cart charges what the card showed. Without JavaScript the card keeps the base price and the form still works
(tests/restaurants/test_pages.py pins the data the script reads)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import DESKTOP, add_to_cart_button, menu_product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ticking_an_extra_updates_the_cards_price_and_the_cart_charges_it(
    live_server, page, screenshot, restaurant_a, menu, stock_a
):
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/restaurants/{restaurant_a.slug}/")
    card = menu_product(page, "Margherita")
    price = card.locator("[data-base-cents]")
    expect(price).to_have_text("9,50\u00a0€")

    card.get_by_text("Personnaliser").click()
    extra = card.get_by_role("checkbox", name="Mozzarella +1,50\u00a0€")
    extra.check()
    expect(price).to_have_text("11,00\u00a0€")
    screenshot("menu-card-configured-price")
    extra.uncheck()
    expect(price).to_have_text("9,50\u00a0€")
    extra.check()
    card.get_by_role("checkbox", name="Sans Basilic").check()
    expect(price).to_have_text("11,00\u00a0€")  # leaving an ingredient out costs the same

    add_to_cart_button(page, "Margherita").click()
    expect(card.get_by_role("status")).to_contain_text("Ajouté à votre panier")
    page.goto(f"{live_server.url}/cart/")
    expect(page.locator("main")).to_contain_text("11,00\u00a0€")
    expect(page.locator("main")).to_contain_text("sans Basilic")
