"""The undo window of the counter and the driver, as they use it: a clerk's accidental hand-over undone (with
the keys of the counter's list), then a real one; a cancellation undone, then confirmed; a driver's accidental
"delivered" undone; a driver's trip of two deliveries undone, then taken. The counter's list stays live meanwhile: the focus survives its polls while a new order
arrives, and the arrival is announced.

Deterministic: the window is long (STAFF_UNDO_MS, one minute) so that it never ends by itself during a step,
whatever the machine's speed; it is ended on purpose by moving the page's clock (installed before the page is
opened), and every wait is on a state the page shows (the undo bar's data-state: "waiting", "cancelled",
"sending", "sent"), never on a sleep."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from orders.models import Payment, PaymentStatus, Provider, Status
from orders.services import DeliveryAddress, transition_order
from restaurants.models import Role
from tests import factories as f
from tests.e2e.helpers import PHONE, TABLET, french, order_for, poll_now, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WINDOW_MS = 60_000
POLL_MS = 5_000  # hx-trigger="every 5s" of the counter's list and the delivery board
# Beside the screenshot fixture's (tests/e2e/conftest.py), ignored by git; Playwright makes the folder.
SHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture(autouse=True)
def _long_undo_window(settings):
    settings.STAFF_UNDO_MS = WINDOW_MS


@pytest.fixture
def clerk(restaurant_a):
    return f.StaffMemberFactory(restaurant=restaurant_a, role=Role.COUNTER).user


def status_of(order) -> str:
    order.refresh_from_db()
    return order.status


def ready(order, pizzaiolo):
    for status in (Status.PREPARING, Status.READY):
        order = transition_order(order=order, to=status, by=pizzaiolo)
    return order


def shot(page, name: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=f"{SHOTS}/{name}.png")


def test_an_accidental_hand_over_at_the_counter_is_undone_and_the_live_list_keeps_the_focus(
    live_server, page, restaurant_a, menu, stock_a, customer, other_customer, pizzaiolo, clerk
):
    order = ready(order_for(customer, restaurant_a, menu), pizzaiolo)
    page.set_viewport_size(TABLET)
    page.clock.install()
    sign_in(page, live_server, clerk)
    page.goto(live_server.url + "/staff/counter/")
    bar = page.locator("[data-undo-bar]")
    row = page.locator(f"#order-{order.number}")
    expect(bar).to_have_attribute("data-state", "idle")

    # The keys of the list: 1 selects the first order's hand-over, Enter taps it.
    page.keyboard.press("1")
    cash = row.get_by_role("button", name=re.compile(r"^Espèces .* · remettre"))
    expect(cash).to_be_focused()
    page.keyboard.press("Enter")
    expect(bar).to_have_attribute("data-state", "waiting")
    expect(bar).to_contain_text(f"Commande {order.number}\u00a0: remise, payée en espèces")
    expect(page.locator("[data-undo-cancel]")).to_be_focused()
    shot(page, "counter-undo-1024x768")

    # A poll during the window leaves the order alone; U undoes it, and the focus is back on the button.
    poll_now(page, POLL_MS)
    expect(row).to_have_class(re.compile(r"\bis-pending\b"))
    page.keyboard.press("u")
    expect(bar).to_have_attribute("data-state", "cancelled")
    expect(bar).to_be_hidden()
    expect(cash).to_be_focused()
    # The window's end passes: nothing is sent.
    page.clock.fast_forward(WINDOW_MS + 1_000)
    expect(bar).to_have_attribute("data-state", "cancelled")
    assert status_of(order) == Status.READY
    assert not Payment.objects.filter(order=order).exists()

    # The list stays live under the focus: a new order arrives over three polls, is announced, and the
    # very button the clerk is on keeps the focus.
    page.evaluate("window.focusedBefore = document.activeElement")
    newcomer = order_for(other_customer, restaurant_a, menu)
    for _poll in range(3):
        with page.expect_response(re.compile(r"/staff/counter/orders/")):
            poll_now(page, POLL_MS)
        expect(page.locator(f"#order-{newcomer.number}")).to_be_visible()
        expect(cash).to_be_focused()
        assert page.evaluate("document.activeElement === window.focusedBefore") is True
    expect(page.locator("[data-board-announcer]")).to_have_text(f"Nouvelle commande {newcomer.number}.")
    page.locator(".counter-keys summary").click()
    shot(page, "counter-live-1024x768")
    page.locator(".counter-keys summary").click()

    # Handed over for real by card: applied once the window is over, without a page load.
    page.evaluate("window.notReloaded = true")
    row.get_by_role("button", name=re.compile(r"^Carte .* · remettre")).click()
    expect(bar).to_have_attribute("data-state", "waiting")
    page.clock.fast_forward(WINDOW_MS + 1_000)
    expect(bar).to_have_attribute("data-state", "sent")
    expect(row.locator(".status-badge")).to_have_text(french(Status.PICKED_UP))
    expect(page.locator(".staff-messages")).to_contain_text(order.number)
    assert page.evaluate("window.notReloaded") is True
    order.refresh_from_db()
    assert (order.status, order.payment_status) == (Status.PICKED_UP, PaymentStatus.PAID)
    assert order.payments.get().provider == Provider.CARD


def test_a_cancellation_at_the_counter_is_undone_then_confirmed(
    live_server, page, restaurant_a, menu, stock_a, customer, clerk
):
    order = order_for(customer, restaurant_a, menu)
    page.set_viewport_size(TABLET)
    page.clock.install()
    sign_in(page, live_server, clerk)
    page.goto(live_server.url + f"/staff/counter/orders/{order.number}/cancel/")
    bar = page.locator("[data-undo-bar]")
    page.get_by_label(re.compile("Motif|Raison|Pourquoi", re.IGNORECASE)).fill("Le client a rappelé")
    submit = page.get_by_role("button", name="Annuler la commande")

    submit.click()
    expect(bar).to_have_attribute("data-state", "waiting")
    expect(bar).to_contain_text(f"Commande {order.number}\u00a0: annulée")
    page.locator("[data-undo-cancel]").click()
    expect(bar).to_have_attribute("data-state", "cancelled")
    expect(submit).to_be_focused()
    page.clock.fast_forward(WINDOW_MS + 1_000)
    assert status_of(order) == Status.RECEIVED

    submit.click()
    expect(bar).to_have_attribute("data-state", "waiting")
    page.clock.fast_forward(WINDOW_MS + 1_000)
    page.wait_for_url(re.compile(r"/staff/counter/$"))
    expect(page.locator(".staff-messages")).to_contain_text(order.number)
    assert status_of(order) == Status.CANCELLED


def test_a_drivers_accidental_delivered_is_undone(
    live_server, page, restaurant_a, menu, stock_a, customer, pizzaiolo, driver
):
    order = ready(
        order_for(
            customer,
            restaurant_a,
            menu,
            fulfilment="delivery",
            address=DeliveryAddress(street="12 rue de la République", postal_code="69001", city="Lyon"),
        ),
        pizzaiolo,
    )
    page.set_viewport_size(PHONE)
    page.clock.install()
    sign_in(page, live_server, driver)
    page.goto(live_server.url + "/staff/delivery/")
    bar = page.locator("[data-undo-bar]")
    card = page.get_by_role("article", name=order.number)

    # Taking it waits in the window too; left alone, it is sent.
    card.get_by_role("button", name="Prendre cette livraison").click()
    expect(bar).to_have_attribute("data-state", "waiting")
    expect(bar).to_contain_text(f"Commande {order.number}\u00a0: prise")
    assert status_of(order) == Status.READY
    page.clock.fast_forward(WINDOW_MS + 1_000)
    expect(bar).to_have_attribute("data-state", "sent")
    cash = card.get_by_role("button", name="En espèces")
    expect(cash).to_be_visible()
    assert status_of(order) == Status.OUT_FOR_DELIVERY

    # "En espèces" tapped by accident: Esc undoes it; the window's end sends nothing.
    cash.click()
    expect(bar).to_have_attribute("data-state", "waiting")
    expect(bar).to_contain_text(f"Commande {order.number}\u00a0: livrée, payée en espèces")
    shot(page, "driver-undo-390x844")
    page.keyboard.press("Escape")
    expect(bar).to_have_attribute("data-state", "cancelled")
    expect(cash).to_be_focused()
    # The kitchen's bump-bar keys are not the driver's: 1 moves nothing.
    page.keyboard.press("1")
    expect(cash).to_be_focused()
    page.clock.fast_forward(WINDOW_MS + 1_000)
    expect(bar).to_have_attribute("data-state", "cancelled")
    order.refresh_from_db()
    assert (order.status, order.payment_status) == (Status.OUT_FOR_DELIVERY, PaymentStatus.UNPAID)
    assert not Payment.objects.filter(order=order).exists()
    expect(card).to_be_visible()


def test_a_drivers_trip_is_undone_then_taken_once_the_window_is_over(
    live_server, page, restaurant_a, menu, stock_a, customer, other_customer, pizzaiolo, driver
):
    orders = [
        ready(
            order_for(
                who,
                restaurant_a,
                menu,
                fulfilment="delivery",
                address=DeliveryAddress(street=street, postal_code=postal_code, city="Lyon"),
            ),
            pizzaiolo,
        )
        for who, street, postal_code in (
            (customer, "12 rue de la République", "69001"),
            (other_customer, "3 quai Saint-Antoine", "69002"),
        )
    ]
    page.set_viewport_size(PHONE)
    page.clock.install()
    sign_in(page, live_server, driver)
    page.goto(live_server.url + "/staff/delivery/")
    bar = page.locator("[data-undo-bar]")
    take = page.get_by_role("button", name="Prendre les livraisons cochées")
    boxes = [
        page.get_by_role("article", name=order.number).get_by_role("checkbox", name="Ajouter à ma tournée")
        for order in orders
    ]

    # Two ticked, the trip tapped: it waits in the window, naming both; a poll meanwhile unticks nothing.
    for box in boxes:
        box.check()
    take.click()
    expect(bar).to_have_attribute("data-state", "waiting")
    numbers = "|".join(order.number for order in orders)
    expect(bar).to_contain_text(re.compile(rf"Commandes ({numbers}), ({numbers})\s: prises"))
    assert all(order.number in bar.inner_text() for order in orders)
    with page.expect_response(re.compile(r"/staff/delivery/board/")):
        poll_now(page, POLL_MS)
    for box in boxes:
        expect(box).to_be_checked()
    # Undone: the window's end sends nothing, the boxes are still ticked and the focus is back on the button.
    page.locator("[data-undo-cancel]").click()
    expect(bar).to_have_attribute("data-state", "cancelled")
    expect(take).to_be_focused()
    page.clock.fast_forward(WINDOW_MS + 1_000)
    expect(bar).to_have_attribute("data-state", "cancelled")
    assert [status_of(order) for order in orders] == [Status.READY, Status.READY]
    for box in boxes:
        expect(box).to_be_checked()

    # Tapped again and left alone: both are out for delivery, the driver's, without a page load.
    page.evaluate("window.notReloaded = true")
    take.click()
    expect(bar).to_have_attribute("data-state", "waiting")
    assert [status_of(order) for order in orders] == [Status.READY, Status.READY]
    page.clock.fast_forward(WINDOW_MS + 1_000)
    expect(bar).to_have_attribute("data-state", "sent")
    expect(page.locator(".staff-messages")).to_contain_text("sont à vous")
    expect(page.get_by_role("link", name=re.compile(r"^Itinéraire\s*:\s*2 arrêts"))).to_be_visible()
    assert page.evaluate("window.notReloaded") is True
    for order in orders:
        order.refresh_from_db()
        assert (order.status, order.delivered_by) == (Status.OUT_FOR_DELIVERY, driver)
