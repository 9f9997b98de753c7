"""A customer's whole journey: menu, a pizza with an extra and a removal, sign-in, checkout paying on
pick-up, live tracking, cancellation, and the stock given back."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from orders.models import Order, Status
from restaurants.models import Stock
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_customer_orders_a_customised_pizza_follows_it_and_cancels(
    live_server, page, screenshot, restaurant_a, customer, menu, ingredients, stock_a
):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/")
    page.get_by_role("link", name=re.compile(restaurant_a.name)).first.click()
    expect(page.locator("h1")).to_contain_text(restaurant_a.name)

    card = page.locator("form.add-to-cart").filter(
        has=page.locator(f"input[name=product][value='{menu['margherita'].pk}']")
    )
    card.locator("summary").click()
    card.locator(f"input[name=removed][value='{ingredients['Basilic'].pk}']").check()
    card.locator(f"input[name=extras][value='{menu['extra_mozzarella'].pk}']").check()
    screenshot("journey-1-menu")
    card.locator("button[type=submit]").click()
    expect(page.locator(".add-to-cart__added")).to_be_visible()

    page.goto(live_server.url + "/cart/")
    expect(page.locator("main")).to_contain_text("Basilic")
    expect(page.locator("main")).to_contain_text("11,00")  # 9.50 + 1.50 for the extra mozzarella
    screenshot("journey-2-cart")
    page.locator("main").get_by_role("link", name=re.compile("commande", re.IGNORECASE)).last.click()

    # Checkout needs an account: the cart survives the sign-in.
    page.fill("input[name=login]", customer.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form").filter(has=page.locator("input[name=password]")).locator(
        "button[type=submit]"
    ).click()
    page.wait_for_url(re.compile(r"/checkout/"))
    page.locator("input[name=fulfilment][value=pickup]").check()
    page.locator("input[name=payment_method][value=cash_on_delivery]").check()
    screenshot("journey-3-checkout")
    page.locator("form.checkout button[type=submit]").click()

    page.wait_for_url(re.compile(r"/orders/[A-Z0-9]{3}-[A-Z0-9]{3}/"))
    order = Order.objects.get(customer=customer)
    expect(page.locator("main")).to_contain_text(order.number)
    expect(page.locator("main")).to_contain_text("Reçue")
    mozzarella = Stock.objects.get(pk=stock_a["Mozzarella"].pk)
    assert mozzarella.quantity == Decimal("500") - 125 - 50
    screenshot("journey-4-tracking")

    page.get_by_role("link", name=re.compile("Annuler", re.IGNORECASE)).first.click()
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("main")).to_contain_text("Annulée")
    screenshot("journey-5-cancelled")

    order.refresh_from_db()
    assert order.status == Status.CANCELLED
    for name, stock in stock_a.items():
        assert Stock.objects.get(pk=stock.pk).quantity == stock.quantity, name
