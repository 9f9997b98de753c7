"""A restock brings a sold-out pizza back: with no ham left, the menu shows the Regina sold out and offers
no way to add it; the manager, on the stock page in their own session, sees why it cannot be made and
records a delivery of ham; the customer reloads the menu and can add the Regina to the cart."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from restaurants.models import MovementReason, Role, Stock
from restaurants.services import record_waste
from tests import factories as f
from tests.e2e.helpers import DESKTOP, PHONE, add_to_cart, add_to_cart_button, menu_product, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_restocks_an_ingredient_and_a_sold_out_pizza_comes_back_on_the_menu(
    live_server, page, other_browser, screenshot, restaurant_a, menu, stock_a, customer
):
    """Sold out on the menu, explained on the stock page, restocked there, then back on the menu."""
    ham = stock_a["Jambon"]
    record_waste(stock=ham, quantity=ham.quantity, by=None, note="Date dépassée")
    manager = f.StaffMemberFactory(restaurant=restaurant_a, role=Role.MANAGER).user

    # The customer's phone: the Regina is sold out and cannot be added; the Margherita can.
    page.set_viewport_size(PHONE)
    menu_url = f"{live_server.url}/restaurants/{restaurant_a.slug}/"
    page.goto(menu_url)
    regina = menu_product(page, "Regina")
    expect(regina.get_by_role("heading")).to_contain_text("Épuisé")
    expect(regina).to_contain_text("Plus disponible aujourd'hui dans ce restaurant.")
    expect(add_to_cart_button(page, "Regina")).to_have_count(0)
    expect(add_to_cart_button(page, "Margherita")).to_be_enabled()
    screenshot("restock-1-menu-regina-sold-out")

    # The manager's computer: the stock page says what is missing, and takes the delivery.
    office = other_browser(DESKTOP)
    sign_in(office, live_server, manager)
    office.goto(live_server.url + "/staff/stock/")
    can_make = office.get_by_role("region", name="Ce qu'on peut encore préparer")
    regina_stock = can_make.get_by_role("listitem").filter(has_text="Regina").first
    expect(regina_stock).to_contain_text("Indisponible")
    expect(regina_stock).to_contain_text("Jambon")
    row = office.locator(f"#stock-{ham.pk}")
    expect(row).to_contain_text("Rupture de stock")
    row.get_by_text("Mettre à jour").click()
    delivery = row.locator("form").filter(has=office.get_by_role("button", name="Ajouter au stock"))
    delivery.get_by_role("textbox").first.fill("600")
    screenshot("restock-2-stock-page-delivery", of=office)
    delivery.get_by_role("button", name="Ajouter au stock").click()

    expect(office.locator(".messages")).to_contain_text("Jambon")
    expect(office.locator(".messages")).to_contain_text("600")
    row = office.locator(f"#stock-{ham.pk}")
    expect(row).not_to_contain_text("Rupture de stock")
    regina_stock = can_make.get_by_role("listitem").filter(has_text="Regina").first
    expect(regina_stock).to_contain_text(re.compile(r"\d+ portions?"))
    expect(regina_stock).not_to_contain_text("Indisponible")
    screenshot("restock-3-stock-page-restocked", of=office)

    ham = Stock.objects.get(pk=ham.pk)
    assert ham.quantity == Decimal("600")
    restock = ham.movements.get(reason=MovementReason.RESTOCK)
    assert (restock.delta, restock.user) == (Decimal("600"), manager)

    # The customer reloads the menu: the Regina is back and goes into the cart.
    page.reload()
    regina = menu_product(page, "Regina")
    expect(regina.get_by_role("heading")).not_to_contain_text("Épuisé")
    expect(regina).not_to_contain_text("Plus disponible aujourd'hui")
    add_to_cart(page, "Regina")
    screenshot("restock-4-menu-regina-back-in-cart")

    page.goto(live_server.url + "/cart/")
    expect(page.get_by_role("main")).to_contain_text("Regina")
    expect(page.get_by_role("main")).to_contain_text("12,00")
