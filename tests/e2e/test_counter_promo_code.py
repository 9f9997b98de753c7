"""At the counter: a walk-in customer's first-order code is refused with its reason, a counter code is applied,
its discount shows in the totals before the order is placed, and the order carries it."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from offers.models import Kind, PromoCode
from orders.models import Channel, Order
from restaurants.models import Role
from tests import factories as f
from tests.e2e.helpers import DESKTOP, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clerk_applies_a_counter_code_for_a_walk_in_customer(
    live_server, page, screenshot, restaurant_a, menu, ingredients, stock_a
):
    # No dates nor hours on the codes: the test does not depend on the real date.
    for code, first in (("BIENVENUE10", True), ("COMPTOIR", False)):
        PromoCode.objects.create(
            code=code,
            label="Comptoir" if not first else "Bienvenue",
            kind=Kind.PERCENT,
            value=Decimal("10"),
            first_order_only=first,
            channels=["web", "counter"],
        )
    clerk = f.StaffMemberFactory(restaurant=restaurant_a, role=Role.COUNTER).user
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, clerk)
    page.goto(live_server.url + "/staff/counter/new/")
    margherita = page.get_by_role("article").filter(has=page.get_by_role("heading", name="Margherita"))
    margherita.get_by_label("Quantité de Margherita").fill("2")
    margherita.get_by_role("button", name="Ajouter Margherita").click()
    lines = page.locator("#counter-lines")
    expect(lines).to_contain_text("19,00")

    lines.get_by_label("Code promo").fill("bienvenue10")
    lines.get_by_role("button", name="Appliquer").click()
    expect(lines.locator("#id_counter_code_error")).to_contain_text("choisissez d'abord le client")
    screenshot("countercode-1-walk-in-refused")

    lines.get_by_label("Code promo").fill("comptoir")
    lines.get_by_role("button", name="Appliquer").click()
    expect(lines).to_contain_text("Code COMPTOIR")
    expect(lines).to_contain_text("−1,90")
    details = page.locator("form.counter-details__form")
    details.locator("input[name=channel][value=counter]").check()
    details.get_by_label("Nom").fill("Chloé Petit")
    details.locator("input[name=payment_method][value=at_counter]").check()
    expect(details.locator(".cart-totals__total.only-pickup")).to_contain_text("17,10")
    screenshot("countercode-2-applied")
    details.get_by_role("button", name="Valider la commande").click()

    page.wait_for_url(re.compile(r"/staff/counter/orders/[A-Z0-9]{3}-[A-Z0-9]{3}/"))
    order = Order.objects.get()
    assert (order.channel, order.promo_code.code) == (Channel.COUNTER, "COMPTOIR")
    assert (order.discount, order.total) == (Decimal("1.90"), Decimal("17.10"))
    screenshot("countercode-3-placed")
