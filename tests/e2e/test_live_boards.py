"""The pass (expo) at 1024×768 as a live board: an unchanged pass answers its poll with 204 and nothing moves;
an order the kitchen finishes moves to the pick-ups by itself, the others untouched; a new order is announced.
Every wait is on a response or on what the page shows, the polls fired by moving the page's clock."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from orders.services import LineRequest, bump
from tests.e2e.helpers import TABLET, order_for, poll_now, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POLL_MS = 5_000  # hx-trigger="every 5s" of templates/staff/includes/expo_board.html
# Beside the screenshot fixture's (tests/e2e/conftest.py), ignored by git; Playwright makes the folder.
SHOTS = Path(__file__).parent / "screenshots"


def test_the_pass_updates_only_what_changed_and_announces_a_new_order(
    live_server, page, restaurant_a, menu, stock_a, customer, other_customer, pizzaiolo, counter
):
    one = {"lines": [LineRequest(product_id=menu["margherita"].id, quantity=1)]}
    cooking = order_for(customer, restaurant_a, menu, **one)
    waiting = order_for(customer, restaurant_a, menu, **one)
    bump(order=waiting, by=pizzaiolo)
    page.set_viewport_size(TABLET)
    page.clock.install()
    sign_in(page, live_server, counter)
    page.goto(live_server.url + "/staff/expo/")
    cooking_list = page.locator("[data-board-part='cooking']")
    pickups = page.locator("[data-board-part='pickups']")
    expect(cooking_list).to_contain_text(cooking.number)
    expect(pickups).to_contain_text(waiting.number)
    ticket = f"document.querySelector('[data-board-part=pickups] > [data-key=\"{waiting.number}\"]')"
    page.evaluate(f"window.waitingTicket = {ticket}")

    # Nothing changed: the poll is answered 204, nothing is swapped.
    with page.expect_response(re.compile(r"/staff/expo/board/")) as unchanged:
        poll_now(page, POLL_MS)
    assert unchanged.value.status == 204

    # The kitchen finishes an order and a new one arrives: both show by themselves, the new one announced; the
    # ticket that did not change is the very same element.
    bump(order=cooking, by=pizzaiolo)
    newcomer = order_for(other_customer, restaurant_a, menu, **one)
    with page.expect_response(re.compile(r"/staff/expo/board/")) as changed:
        poll_now(page, POLL_MS)
    assert changed.value.status == 200
    expect(pickups).to_contain_text(cooking.number)
    expect(cooking_list).to_contain_text(newcomer.number)
    expect(page.locator("[data-board-announcer]")).to_have_text(f"Nouvelle commande {newcomer.number}.")
    assert page.evaluate(f"window.waitingTicket === {ticket}") is True
    page.screenshot(path=f"{SHOTS}/expo-1024x768.png")
