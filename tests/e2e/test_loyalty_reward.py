"""A loyalty reward in Chromium: the customer with 130 points picks « Une pizza offerte — 100 points » in the
cart, the cheapest pizza comes off; the order placed and paid online (demo provider) spends the points, and
its receipt shows the reward's discount and the VAT on the discounted amount."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from loyalty.models import Entry, Kind, Reward, balance_of
from orders.models import Order
from tests.e2e.helpers import PHONE, add_to_cart, pay_online_for_pickup, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Where the lead looks at the screenshots of this feature (besides tests/e2e/screenshots/).


def test_a_reward_redeemed_in_the_cart_and_the_receipt_shows_its_discount_and_vat(
    live_server, page, screenshot, demo_payments, restaurant_a, customer, menu, stock_a
):
    Reward.objects.create(name="Une pizza offerte", points=100, category=menu["margherita"].category)
    Entry.objects.create(customer=customer, kind=Kind.ADJUSTED, points=130)
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, customer)
    page.goto(f"{live_server.url}/restaurants/{restaurant_a.slug}/")
    add_to_cart(page, "Margherita", quantity=2)
    add_to_cart(page, "Regina")

    # 31.00 € of pizzas; the reward takes off the cheapest one, a Margherita at 9.50 €.
    page.goto(live_server.url + "/cart/")
    summary = page.get_by_role("complementary")
    expect(summary).to_contain_text("Vos points de fidélité")
    summary.get_by_label(re.compile("Une pizza offerte — 100 points")).check()
    summary.get_by_role("button", name="Utiliser mes points").click()
    expect(page.locator(".messages")).to_contain_text("La récompense « Une pizza offerte » est appliquée.")
    expect(summary).to_contain_text("Récompense\u00a0: Une pizza offerte")
    expect(summary).to_contain_text("−9,50")
    expect(summary).to_contain_text("21,50")
    expect(summary.get_by_label("Code promo")).to_have_count(0)  # a reward and a code do not combine
    screenshot("rewards-1-reward-in-cart")

    pay_online_for_pickup(page, live_server, total="21,50", shows="−9,50")
    order = Order.objects.get(customer=customer)
    assert (order.subtotal, order.discount, order.total, order.promo_code) == (
        Decimal("31.00"),
        Decimal("9.50"),
        Decimal("21.50"),
        None,
    )
    assert balance_of(customer) == 30
    receipt = page.locator("section.receipt")
    expect(receipt).to_contain_text("Récompense fidélité")
    expect(receipt).to_contain_text("−9,50")
    expect(receipt).to_contain_text("21,50")
    expect(receipt.locator(".receipt__vat")).to_contain_text("1,95")  # the VAT at 10 % of 21.50, discounted
    receipt.scroll_into_view_if_needed()
    screenshot("rewards-2-receipt")
