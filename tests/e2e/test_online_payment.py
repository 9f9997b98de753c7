"""An online payment in the browser, through the demo provider: sign in, add a pizza, check out paying
online, pay on the test payment page, and see the order received with its receipt."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from orders.models import Order, PaymentState, PaymentStatus, Status
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_payments(settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.DEMO_PAYMENTS = True


def test_a_customer_pays_online_on_the_demo_page_and_sees_the_order_received(
    live_server, page, screenshot, demo_payments, restaurant_a, customer, menu, stock_a
):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", customer.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form").filter(has=page.locator("input[name=password]")).locator(
        "button[type=submit]"
    ).click()
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/restaurants/{restaurant_a.slug}/")
    card = page.locator("form.add-to-cart").filter(
        has=page.locator(f"input[name=product][value='{menu['margherita'].pk}']")
    )
    card.locator("button[type=submit]").click()
    expect(page.locator(".add-to-cart__added")).to_be_visible()

    page.goto(live_server.url + "/checkout/")
    page.locator("input[name=fulfilment][value=pickup]").check()
    page.locator("input[name=payment_method][value=online]").check()
    page.locator("form.checkout button[type=submit]").click()

    page.wait_for_url(re.compile(r"/payments/demo/"))
    order = Order.objects.get(customer=customer)
    expect(page.locator("main")).to_contain_text(order.number)
    expect(page.locator(".demo-payment__amount-value")).to_contain_text("9,50")
    assert order.status == Status.AWAITING_PAYMENT
    screenshot("online-payment-1-demo-page")
    page.locator("button[name=action][value=pay]").click()

    page.wait_for_url(re.compile(rf"/orders/{order.number}/"))
    expect(page.locator("main")).to_contain_text("Reçue")
    receipt = page.locator("section.receipt")
    expect(receipt).to_be_visible()
    expect(receipt).to_contain_text("9,50")
    expect(receipt).to_contain_text("0,86")  # the VAT at 10 % of 9.50
    screenshot("online-payment-2-received")

    order.refresh_from_db()
    assert (order.status, order.payment_status) == (Status.RECEIVED, PaymentStatus.PAID)
    assert order.payments.get().status == PaymentState.SUCCEEDED
