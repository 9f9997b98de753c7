"""At the counter: a clerk takes a phone order for a customer found by phone, to pick up and pay there; it
appears in the live list, and once the kitchen has it ready the clerk hands it over, taking the cash."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from orders.models import Channel, Order, PaymentMethod, PaymentStatus, Provider, Status
from orders.services import transition_order
from restaurants.models import Role
from tests import factories as f
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_counter_clerk_takes_a_phone_order_and_hands_it_over(
    live_server, page, screenshot, restaurant_a, customer, menu, ingredients, stock_a, pizzaiolo
):
    clerk = f.StaffMemberFactory(restaurant=restaurant_a, role=Role.COUNTER).user
    customer.phone = "0612345678"
    customer.save(update_fields=["phone"])
    page.set_viewport_size({"width": 1280, "height": 800})

    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", clerk.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form").filter(has=page.locator("input[name=password]")).locator(
        "button[type=submit]"
    ).click()
    page.wait_for_load_state()
    page.goto(live_server.url + "/staff/counter/new/")

    # The customer gives their number, spaced as people say it.
    page.fill("input[name=q]", "06 12 34 56 78")
    page.locator("form.counter-search button[type=submit]").click()
    match = page.locator(".counter-match").filter(has_text=customer.email)
    expect(match).to_contain_text(str(customer.addresses.get()))
    match.locator("button[type=submit]").click()
    expect(page.locator(".counter-customer__chosen")).to_contain_text(customer.get_full_name())

    margherita = page.locator("#product-margherita")
    margherita.locator("summary").click()
    margherita.locator(f"input[name=removed][value='{ingredients['Basilic'].pk}']").check()
    margherita.locator("input[name=quantity]").fill("2")
    margherita.locator("button[type=submit]").click()
    expect(page.locator("#counter-lines")).to_contain_text("2\u00a0× Margherita")
    expect(page.locator("#counter-lines")).to_contain_text("Basilic")

    details = page.locator("form.counter-details__form")
    expect(details.locator("input[name=name]")).to_have_value(customer.get_full_name())
    expect(details.locator("input[name=phone]")).to_have_value("0612345678")
    # Taken by phone: paying at the counter is not offered, cash or card on pick-up is.
    expect(details.locator(".counter-choice--at_counter")).to_be_hidden()
    details.locator("input[name=channel][value=counter]").check()
    expect(details.locator(".counter-choice--at_counter")).to_be_visible()
    details.locator("input[name=channel][value=phone]").check()
    details.locator("input[name=fulfilment][value=pickup]").check()
    expect(details.locator("select[name=delivery_time]")).to_be_hidden()
    details.locator("input[name=payment_method][value=cash_on_delivery]").check()
    screenshot("counter-1-new-order")
    details.locator("button.counter-details__place").click()

    page.wait_for_url(re.compile(r"/staff/counter/orders/[A-Z0-9]{3}-[A-Z0-9]{3}/"))
    order = Order.objects.get()
    assert (order.channel, order.customer, order.taken_by) == (Channel.PHONE, customer, clerk)
    assert (order.fulfilment, order.payment_method) == ("pickup", PaymentMethod.CASH_ON_DELIVERY)
    expect(page.locator(".counter-handout__number")).to_have_text(order.number)
    expect(page.locator("#tracking-url")).to_have_value(
        re.compile(re.escape(f"/orders/{order.number}/?t={order.tracking_token}") + "$")
    )
    screenshot("counter-2-confirmation")

    page.goto(live_server.url + "/staff/counter/")
    row = page.locator(f"#order-{order.number}")
    expect(row).to_contain_text(customer.get_full_name())
    expect(row.locator(".status-badge--received")).to_be_visible()
    screenshot("counter-3-list")

    # The kitchen finishes it: the list shows it ready by itself, with the hand-over buttons.
    for status in (Status.PREPARING, Status.READY):
        transition_order(order=order, to=status, by=pizzaiolo)
    expect(row.locator(".status-badge--ready")).to_be_visible(timeout=10_000)
    screenshot("counter-4-ready")
    row.locator("button[name=payment][value=cash]").click()

    expect(page.locator(".messages")).to_contain_text(order.number)
    order.refresh_from_db()
    assert order.status == Status.PICKED_UP
    assert order.payment_status == PaymentStatus.PAID
    assert order.payments.get().provider == Provider.CASH
