"""In a real browser: the kitchen moves an order on while its customer's tracking page follows by itself,
and a driver takes and delivers a cash order on a phone."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.utils import translation
from playwright.sync_api import expect

from orders.models import Payment, PaymentStatus, Provider, Status
from orders.services import Contact, DeliveryAddress, LineRequest, place_order, transition_order
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}


def sign_in(page, live_server, user) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form").filter(has=page.locator("input[name=password]")).locator(
        "button[type=submit]"
    ).click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def french(status: str) -> str:
    with translation.override("fr"):
        return str(Status(status).label)


def order_for(customer, restaurant, menu, **options):
    defaults = {
        "restaurant": restaurant,
        "lines": [LineRequest(product_id=menu["margherita"].id, quantity=2)],
        "fulfilment": "pickup",
        "payment_method": "cash_on_delivery",
        "contact": Contact(name=customer.get_full_name(), phone=customer.phone, email=customer.email),
        "customer": customer,
    }
    return place_order(**{**defaults, **options})


def test_the_tracking_page_follows_the_kitchen_by_itself(
    live_server, page, browser, screenshot, restaurant_a, menu, stock_a, customer, pizzaiolo, ingredients
):
    order = order_for(
        customer,
        restaurant_a,
        menu,
        lines=[
            LineRequest(
                product_id=menu["margherita"].id,
                quantity=2,
                removed_ids=frozenset({ingredients["Basilic"].id}),
                extra_ids=frozenset({menu["extra_mozzarella"].id}),
            )
        ],
        note="Bien cuite, s'il vous plaît",
    )

    # The customer, on their own device, opens the tracking page and leaves it alone.
    customer_context = browser.new_context(locale="fr-FR")
    try:
        tracking = customer_context.new_page()
        sign_in(tracking, live_server, customer)
        tracking.goto(f"{live_server.url}/orders/{order.number}/")
        badge = tracking.locator("#order-status .status-badge")
        expect(badge).to_have_text(french(Status.RECEIVED))
        tracking.evaluate("window.notReloaded = true")

        # The pizzaiolo's tablet.
        page.set_viewport_size(TABLET)
        sign_in(page, live_server, pizzaiolo)
        page.goto(live_server.url + "/staff/kitchen/")
        ticket = page.locator(f'[data-order-number="{order.number}"]')
        expect(ticket).to_contain_text("Margherita")
        expect(ticket).to_contain_text("sans Basilic")
        expect(ticket).to_contain_text("+ Mozzarella")
        expect(ticket).to_contain_text("Bien cuite")

        # A new order arrives while the board is open: it appears by itself, highlighted.
        newcomer = order_for(
            customer, restaurant_a, menu, lines=[LineRequest(product_id=menu["regina"].id, quantity=1)]
        )
        fresh = page.locator(f'[data-order-number="{newcomer.number}"]')
        expect(fresh).to_be_visible(timeout=15_000)
        expect(fresh).to_have_class(re.compile(r"\bis-new\b"))
        screenshot("kitchen-board-tablet")

        # The sound can be turned off, and the choice is remembered.
        toggle = page.locator("[data-sound-toggle]")
        expect(toggle).to_be_visible()
        toggle.click()
        expect(toggle).to_have_attribute("aria-pressed", "false")
        assert page.evaluate("localStorage.getItem('ocpizza.kitchen.sound')") == "off"

        # The recipe card of the line: twice the recipe, without basil, with the extra mozzarella.
        ticket.locator(".kitchen-lines__link").click()
        expect(page.locator(".recipe-table")).to_contain_text("350")
        expect(page.locator(".recipe-card__without")).to_contain_text("Basilic")
        screenshot("kitchen-recipe-card-tablet")
        page.go_back()

        page.locator(f'[data-order-number="{order.number}"] [data-action="start"]').click()
        expect(page.locator(f'[data-order-number="{order.number}"] [data-action="ready"]')).to_be_visible()
        expect(badge).to_have_text(french(Status.PREPARING), timeout=25_000)

        page.locator(f'[data-order-number="{order.number}"] [data-action="ready"]').click()
        expect(page.locator(f'[data-order-number="{order.number}"]')).to_have_count(0)
        expect(badge).to_have_text(french(Status.READY), timeout=25_000)
        screenshot("kitchen-board-after-ready-tablet")

        assert tracking.evaluate("window.notReloaded") is True  # HTMX swapped the status in place
    finally:
        customer_context.close()

    order.refresh_from_db()
    assert order.status == Status.READY and order.prepared_by == pizzaiolo


def test_a_driver_takes_and_delivers_a_cash_order_on_a_phone(
    live_server, page, screenshot, restaurant_a, menu, stock_a, customer, pizzaiolo, driver
):
    order = order_for(
        customer,
        restaurant_a,
        menu,
        fulfilment="delivery",
        address=DeliveryAddress(
            street="12 rue de la République",
            postal_code="69001",
            city="Lyon",
            complement="Bât. B, 3e étage, code 1234A",
            instructions="Sonner deux fois",
        ),
    )
    transition_order(order=order, to=Status.PREPARING, by=pizzaiolo)
    transition_order(order=order, to=Status.READY, by=pizzaiolo)

    page.set_viewport_size(PHONE)
    sign_in(page, live_server, driver)
    page.goto(live_server.url + "/staff/delivery/")
    card = page.locator(f'[data-order-number="{order.number}"]')
    expect(card).to_contain_text("12 rue de la République")
    screenshot("delivery-board-phone")

    card.locator('[data-action="take"]').click()
    card = page.locator(f'[data-order-number="{order.number}"]')
    expect(card.locator('[data-action="deliver-cash"]')).to_be_visible()
    expect(card.locator('a[href^="tel:"]')).to_be_visible()
    expect(card.locator('a[href^="https://www.openstreetmap.org/search?query="]')).to_be_visible()
    expect(card).to_contain_text("Sonner deux fois")
    screenshot("delivery-taken-phone")

    card.locator('[data-action="deliver-cash"]').click()
    expect(page.locator(f'[data-order-number="{order.number}"]')).to_have_count(0)
    expect(page.locator(".messages")).to_contain_text(order.number)
    screenshot("delivery-delivered-phone")

    order.refresh_from_db()
    assert order.status == Status.DELIVERED and order.delivered_by == driver
    assert order.payment_status == PaymentStatus.PAID
    payment = Payment.objects.get(order=order)
    assert (payment.provider, payment.amount, payment.recorded_by) == (Provider.CASH, order.total, driver)
    assert order.total == Decimal("21.50")
