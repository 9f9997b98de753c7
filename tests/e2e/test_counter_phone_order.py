"""At the counter: a clerk takes a phone order for a customer found by phone, to pick up and pay there; it
appears on the pizzaiolo's kitchen board (another device, another session), and once the pizzaiolo has it
ready the clerk's live list shows it by itself, and the clerk hands it over, taking the cash."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from orders.models import Channel, Order, PaymentMethod, PaymentStatus, Provider, Status
from restaurants.models import Role
from tests import factories as f
from tests.e2e.helpers import DESKTOP, TABLET, UNDO_MS, french, poll_now, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COUNTER_POLL_MS = 5_000  # hx-trigger="every 5s" of templates/staff/includes/counter_orders.html


def test_a_counter_clerk_takes_a_phone_order_the_kitchen_makes_it_and_the_clerk_hands_it_over(
    live_server,
    page,
    other_browser,
    screenshot,
    restaurant_a,
    customer,
    menu,
    ingredients,
    stock_a,
    pizzaiolo,
):
    """Find the customer by a spaced phone number, add customised pizzas, place the order; the kitchen
    board shows it, the counter list follows the kitchen by itself, and the cash hand-over closes it."""
    clerk = f.StaffMemberFactory(restaurant=restaurant_a, role=Role.COUNTER).user
    customer.phone = "0612345678"
    customer.save(update_fields=["phone"])
    page.set_viewport_size(DESKTOP)
    page.clock.install()  # the live list's polls can then be made to fire now (poll_now)
    sign_in(page, live_server, clerk)
    page.goto(live_server.url + "/staff/counter/new/")

    # The customer gives their number, spaced as people say it.
    page.get_by_label("Nom, téléphone ou e-mail du client").fill("06 12 34 56 78")
    page.get_by_role("button", name="Rechercher").click()
    match = page.locator(".counter-match").filter(has_text=customer.email)
    expect(match).to_contain_text(str(customer.addresses.get()))
    match.get_by_role("button", name="Commander pour ce client").click()
    expect(page.locator(".counter-customer__chosen")).to_contain_text(customer.get_full_name())

    # Two Margheritas without basil, and a Regina.
    margherita = page.get_by_role("article").filter(has=page.get_by_role("heading", name="Margherita"))
    margherita.locator("summary").click()
    margherita.get_by_role("checkbox", name="Sans Basilic").check()
    margherita.get_by_label("Quantité de Margherita").fill("2")
    margherita.get_by_role("button", name="Ajouter Margherita").click()
    lines = page.locator("#counter-lines")
    expect(lines).to_contain_text("2\u00a0× Margherita")
    expect(lines).to_contain_text("Basilic")
    regina = page.get_by_role("article").filter(has=page.get_by_role("heading", name="Regina"))
    regina.get_by_role("button", name="Ajouter Regina").click()
    expect(lines).to_contain_text("1\u00a0× Regina")
    expect(lines).to_contain_text("31,00")  # 2 × 9.50 + 12.00

    details = page.locator("form.counter-details__form")
    expect(details.locator("input[name=name]")).to_have_value(customer.get_full_name())
    expect(details.locator("input[name=phone]")).to_have_value("06 12 34 56 78")
    # Taken by phone: paying at the counter is not offered, cash or card on pick-up is.
    expect(details.locator(".counter-choice--at_counter")).to_be_hidden()
    details.locator("input[name=channel][value=counter]").check()
    expect(details.locator(".counter-choice--at_counter")).to_be_visible()
    details.locator("input[name=channel][value=phone]").check()
    details.locator("input[name=fulfilment][value=pickup]").check()
    expect(details.locator("select[name=delivery_time]")).to_be_hidden()
    details.locator("input[name=payment_method][value=cash_on_delivery]").check()
    screenshot("counter-1-new-order")
    details.get_by_role("button", name="Valider la commande").click()

    page.wait_for_url(re.compile(r"/staff/counter/orders/[A-Z0-9]{3}-[A-Z0-9]{3}/"))
    order = Order.objects.get()
    assert (order.channel, order.customer, order.taken_by) == (Channel.PHONE, customer, clerk)
    assert (order.fulfilment, order.payment_method) == ("pickup", PaymentMethod.CASH_ON_DELIVERY)
    assert order.lines.count() == 2
    expect(page.locator(".counter-handout__number")).to_have_text(order.number)
    expect(page.locator("#tracking-url")).to_have_value(
        re.compile(re.escape(f"/orders/{order.number}/?t={order.tracking_token}") + "$")
    )
    screenshot("counter-2-confirmation")

    page.goto(live_server.url + "/staff/counter/")
    row = page.locator(f"#order-{order.number}")
    expect(row).to_contain_text(customer.get_full_name())
    expect(row.locator(".status-badge")).to_have_text(french(Status.RECEIVED))
    screenshot("counter-3-list")

    # The pizzaiolo's tablet: the phone order is on the kitchen board, with its lines.
    kitchen = other_browser(TABLET)
    sign_in(kitchen, live_server, pizzaiolo)
    kitchen.goto(live_server.url + "/staff/kitchen/")
    ticket = kitchen.get_by_role("article", name=order.number)
    expect(ticket).to_contain_text("Téléphone")
    expect(ticket).to_contain_text(customer.get_full_name())
    expect(ticket).to_contain_text("Margherita")
    expect(ticket).to_contain_text("sans Basilic")
    expect(ticket).to_contain_text("Regina")
    screenshot("counter-4-kitchen-board", of=kitchen)
    ticket.get_by_role("button", name="Commencer").click()
    ticket.get_by_role("button", name="Prête").click()
    expect(ticket).to_have_count(0, timeout=UNDO_MS + 5_000)

    # The counter's list shows it ready by itself, with the hand-over buttons.
    poll_now(page, COUNTER_POLL_MS)
    expect(row.locator(".status-badge")).to_have_text(french(Status.READY), timeout=COUNTER_POLL_MS + 5_000)
    hand_over = row.get_by_role("button", name=re.compile(r"^Espèces 31,00 € · remettre"))
    expect(hand_over).to_be_visible()
    screenshot("counter-5-ready")
    hand_over.click()

    # Handing over waits in its undo window (the bar says so), then goes without a page load.
    bar = page.locator("[data-undo-bar]")
    expect(bar).to_have_attribute("data-state", "waiting")
    assert order.payments.count() == 0
    page.clock.fast_forward(UNDO_MS + 1_000)
    expect(bar).to_have_attribute("data-state", "sent")
    expect(row.locator(".status-badge")).to_have_text(french(Status.PICKED_UP))
    expect(page.locator(".messages")).to_contain_text(order.number)
    order.refresh_from_db()
    assert order.status == Status.PICKED_UP
    assert order.prepared_by == pizzaiolo
    assert order.payment_status == PaymentStatus.PAID
    assert order.payments.get().provider == Provider.CASH
