"""A formule in Chromium: seen on the menu, composed with a modifier (an extra on the pizza), in the cart as
one group with its mark, the order placed and paid online (demo provider); the receipt's lines marked and its
VAT by rate on the shared amounts."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from offers.models import Formule, FormuleComponent
from orders.models import Order
from tests import factories as f
from tests.e2e.helpers import PHONE, pay_online_for_pickup, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_formule_composed_with_an_extra_then_ordered(
    live_server, page, screenshot, demo_payments, restaurant_a, customer, menu, stock_a, ingredients
):
    boissons = f.CategoryFactory(name="Boissons", slug="boissons")
    can = f.IngredientFactory(name="Canette", unit="pc")
    soda = f.ProductFactory(
        name="Soda", category=boissons, price=Decimal("3.00"), vat_rate=Decimal("5.5"), baking_minutes=None
    )
    f.RecipeLineFactory(product=soda, ingredient=can, quantity=Decimal("1"), removable=False)
    f.StockFactory(
        restaurant=restaurant_a, ingredient=can, quantity=Decimal("10"), alert_threshold=Decimal("1")
    )
    midi = Formule.objects.create(name="Menu Midi", price=Decimal("12.00"))
    pizza = FormuleComponent.objects.create(formule=midi, label="Pizza", position=1)
    pizza.products.set([menu["margherita"], menu["regina"]])
    FormuleComponent.objects.create(formule=midi, label="Boisson", category=boissons, position=2)

    page.set_viewport_size(PHONE)
    sign_in(page, live_server, customer)
    page.goto(f"{live_server.url}/restaurants/{restaurant_a.slug}/")
    formules = page.locator("#formules")
    expect(formules).to_contain_text("Menu Midi")
    expect(formules).to_contain_text("12,00")
    formules.get_by_role("link", name=re.compile("Composer")).click()

    page.get_by_role("radio", name=re.compile("Regina")).check()
    page.get_by_text("Personnaliser Regina").click()
    page.locator(".formule-compose__product", has_text="Regina").get_by_role(
        "checkbox", name=re.compile(r"^\+ Mozzarella")
    ).check()
    page.get_by_role("radio", name=re.compile("Soda")).check()
    screenshot("formules-1-composed")
    page.get_by_role("button", name="Ajouter la formule à mon panier").click()

    page.wait_for_url(re.compile(r"/cart/$"))
    expect(page.locator(".cart-line__formule")).to_have_count(2)
    summary = page.get_by_role("complementary")
    expect(summary).to_contain_text("13,50")  # 12,00 + the extra mozzarella 1,50
    screenshot("formules-2-cart")

    pay_online_for_pickup(page, live_server, total="13,50")
    order = Order.objects.get(customer=customer)
    assert order.total == Decimal("13.50")
    assert sorted(line.formule_name for line in order.lines.all()) == ["Menu Midi", "Menu Midi"]
    receipt = page.locator("section.receipt")
    expect(receipt).to_contain_text("Formule Menu Midi")
    expect(receipt).to_contain_text("13,50")
    receipt.scroll_into_view_if_needed()
    screenshot("formules-3-receipt")
