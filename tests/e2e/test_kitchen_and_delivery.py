"""The staff boards on their devices: the kitchen board of a tablet shows a new order by itself, with the
recipe card of each line, and moves orders on; a driver takes and delivers a cash order on a phone.
(The customer's tracking page following these steps is in test_order_to_delivery.py.)"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from orders.models import Payment, PaymentStatus, Provider, Status
from orders.services import DeliveryAddress, LineRequest, transition_order
from tests.e2e.helpers import PHONE, TABLET, UNDO_MS, french, order_for, poll_now, sent_after_undo, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KITCHEN_POLL_MS = 5_000  # hx-trigger="every 5s" of templates/staff/includes/kitchen_board.html


def test_the_kitchen_board_shows_new_orders_by_itself_with_their_recipes(
    live_server, page, screenshot, restaurant_a, menu, stock_a, customer, pizzaiolo, ingredients
):
    """A ticket shows the customisations and the note; a new order appears highlighted without a reload;
    the sound toggle is remembered; the recipe card scales the recipe; start and ready move the order."""
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

    page.set_viewport_size(TABLET)
    page.clock.install()  # the board's polls can then be made to fire now (poll_now)
    sign_in(page, live_server, pizzaiolo)
    page.goto(live_server.url + "/staff/kitchen/")
    ticket = page.get_by_role("article", name=order.number)
    expect(ticket).to_contain_text("Margherita")
    expect(ticket).to_contain_text("sans Basilic")
    expect(ticket).to_contain_text("+ Mozzarella")
    expect(ticket).to_contain_text("Bien cuite")
    page.evaluate("window.notReloaded = true")

    # A new order arrives while the board is open: it appears by itself, highlighted.
    newcomer = order_for(
        customer, restaurant_a, menu, lines=[LineRequest(product_id=menu["regina"].id, quantity=1)]
    )
    poll_now(page, KITCHEN_POLL_MS)
    fresh = page.get_by_role("article", name=newcomer.number)
    expect(fresh).to_be_visible(timeout=KITCHEN_POLL_MS + 5_000)
    expect(fresh).to_have_class(re.compile(r"\bis-new\b"))
    expect(ticket).not_to_have_class(re.compile(r"\bis-new\b"))
    assert page.evaluate("window.notReloaded") is True
    screenshot("kitchen-board-tablet")

    # The sound can be turned off, and the choice is remembered.
    toggle = page.locator("[data-sound-toggle]")
    expect(toggle).to_be_visible()
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("localStorage.getItem('ocpizza.kitchen.sound')") == "off"

    # The recipe card of the line: twice the recipe, without basil, with the extra mozzarella.
    ticket.get_by_role("link", name=re.compile("Recette")).click()
    expect(page.locator(".recipe-table")).to_contain_text("350")
    expect(page.locator(".recipe-card__without")).to_contain_text("Basilic")
    screenshot("kitchen-recipe-card-tablet")
    page.go_back()

    ticket.get_by_role("button", name="Commencer").click()
    expect(ticket.locator(".status-badge")).to_have_text(french(Status.PREPARING))
    ticket.get_by_role("button", name="Prête").click()
    expect(ticket).to_have_count(0, timeout=UNDO_MS + 5_000)
    expect(fresh).to_be_visible()
    screenshot("kitchen-board-after-ready-tablet")

    order.refresh_from_db()
    assert order.status == Status.READY and order.prepared_by == pizzaiolo


def test_a_driver_takes_and_delivers_a_cash_order_on_a_phone(
    live_server, page, screenshot, restaurant_a, menu, stock_a, customer, pizzaiolo, driver
):
    """The amount to collect, the address details, call and map links; paid in cash on delivery."""
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
    card = page.get_by_role("article", name=order.number)
    expect(card).to_contain_text("12 rue de la République")
    expect(card).to_contain_text("À encaisser : 21,50 €")
    expect(card).to_contain_text("Le client prévoit de payer en espèces.")
    screenshot("delivery-board-phone")

    card.get_by_role("button", name="Prendre cette livraison").click()
    sent_after_undo(page)
    card = page.get_by_role("article", name=order.number)
    expect(card.get_by_role("button", name="En espèces")).to_be_visible()
    expect(card.locator('a[href^="tel:"]')).to_be_visible()
    expect(card.locator('a[href^="https://www.google.com/maps/dir/?api=1"]')).to_be_visible()
    expect(card).to_contain_text("Sonner deux fois")
    screenshot("delivery-taken-phone")

    card.get_by_role("button", name="En espèces").click()
    # Handed over after the undo window, without a page load.
    expect(page.locator("[data-undo-bar]")).to_contain_text(
        f"Commande {order.number}\u00a0: livrée, payée en espèces"
    )
    expect(page.get_by_role("article", name=order.number)).to_have_count(0, timeout=UNDO_MS + 5_000)
    expect(page.locator(".messages")).to_contain_text(order.number)
    screenshot("delivery-delivered-phone")

    order.refresh_from_db()
    assert order.status == Status.DELIVERED and order.delivered_by == driver
    assert order.payment_status == PaymentStatus.PAID
    payment = Payment.objects.get(order=order)
    assert (payment.provider, payment.amount, payment.recorded_by) == (Provider.CASH, order.total, driver)
    assert order.total == Decimal("21.50")
