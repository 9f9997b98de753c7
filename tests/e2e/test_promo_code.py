"""A promo code in Chromium: one refused with its reason (the minimum not reached, the amount said), then
one applied in the cart; the order placed and paid online (demo provider), and its receipt showing the
discount and the VAT on the discounted amount."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from offers.models import Kind, PromoCode
from orders.models import Order
from tests.e2e.helpers import PHONE, add_to_cart, pay_online_for_pickup, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Where the lead looks at the screenshots of this feature (besides tests/e2e/screenshots/).


def test_a_code_refused_then_one_applied_and_the_receipt_shows_the_discount_and_vat(
    live_server, page, screenshot, demo_payments, restaurant_a, customer, menu, stock_a
):
    PromoCode.objects.create(
        code="GRANDEFAIM",
        label="5 € dès 40 €",
        kind=Kind.AMOUNT,
        value=Decimal("5"),
        minimum_order=Decimal("40"),
    )
    PromoCode.objects.create(
        code="BIENVENUE10",
        label="Bienvenue : 10 %",
        kind=Kind.PERCENT,
        value=Decimal("10"),
        first_order_only=True,
    )
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, customer)
    page.goto(f"{live_server.url}/restaurants/{restaurant_a.slug}/")
    add_to_cart(page, "Margherita", quantity=2)
    add_to_cart(page, "Regina")

    # 31.00 € of pizzas: GRANDEFAIM needs 40 €, and says how much is missing.
    page.goto(live_server.url + "/cart/")
    summary = page.get_by_role("complementary")
    summary.get_by_label("Code promo").fill("grandefaim")
    summary.get_by_role("button", name="Appliquer").click()
    expect(summary).to_contain_text("Minimum de commande non atteint")
    expect(summary).to_contain_text("40,00")
    expect(summary).to_contain_text("9,00")
    expect(summary.get_by_label("Code promo")).to_have_attribute("aria-invalid", "true")
    screenshot("offers-1-code-refused")

    summary.get_by_label("Code promo").fill("bienvenue10")
    summary.get_by_role("button", name="Appliquer").click()
    expect(page.locator(".messages")).to_contain_text("Le code BIENVENUE10 est appliqué.")
    expect(summary).to_contain_text("Code BIENVENUE10")
    expect(summary).to_contain_text("−3,10")
    expect(summary).to_contain_text("27,90")
    screenshot("offers-2-code-applied")

    pay_online_for_pickup(page, live_server, total="27,90", shows="−3,10")
    order = Order.objects.get(customer=customer)
    assert (order.subtotal, order.discount, order.total) == (
        Decimal("31.00"),
        Decimal("3.10"),
        Decimal("27.90"),
    )
    receipt = page.locator("section.receipt")
    expect(receipt).to_contain_text("Code BIENVENUE10")
    expect(receipt).to_contain_text("−3,10")
    expect(receipt).to_contain_text("27,90")
    expect(receipt.locator(".receipt__vat")).to_contain_text("2,54")  # the VAT at 10 % of 27.90, discounted
    receipt.scroll_into_view_if_needed()
    screenshot("offers-3-receipt")
