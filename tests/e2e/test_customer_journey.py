"""A customer's own journey on a phone: the menu, a customised pizza and a second one, sign-in at checkout
(the cart survives it), paying on pick-up, the tracking page; then the order changed through its modify
page (a quantity raised, a line removed: the stock moves by the difference), and cancelled (the stock
comes back whole, and the page says the order is cancelled)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db.models import Sum
from playwright.sync_api import expect

from orders.models import Order, Status
from restaurants.models import Stock
from tests.e2e.helpers import PHONE, add_to_cart, fill_sign_in, french, menu_product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def quantities(stocks: dict[str, Stock]) -> dict[str, Decimal]:
    """Each stock's quantity now, by ingredient name, checked against its ledger (the sum of its movements)."""
    current = {}
    for name, stock in stocks.items():
        stock = Stock.objects.get(pk=stock.pk)
        assert stock.movements.aggregate(total=Sum("delta"))["total"] == stock.quantity, name
        current[name] = stock.quantity
    return current


def test_a_customer_orders_changes_the_order_then_cancels_it(
    live_server, page, screenshot, restaurant_a, customer, menu, ingredients, stock_a
):
    """What the customer sees at each step, and the stock following the order, its change and its end."""
    opening = quantities(stock_a)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name=re.compile(restaurant_a.name)).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(restaurant_a.name)

    # A Margherita without basil and with extra mozzarella, and a plain Regina.
    margherita = menu_product(page, "Margherita")
    margherita.get_by_text("Personnaliser").click()
    margherita.get_by_role("checkbox", name="Sans Basilic").check()
    margherita.get_by_role("group", name="Suppléments").get_by_role(
        "checkbox", name=re.compile(r"^Mozzarella")
    ).check()
    screenshot("journey-1-menu")
    margherita.get_by_role("button", name=re.compile(r"^Ajouter au panier")).click()
    expect(menu_product(page, "Margherita").get_by_role("status")).to_contain_text("Ajouté à votre panier")
    add_to_cart(page, "Regina")

    page.goto(live_server.url + "/cart/")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Basilic")
    expect(main).to_contain_text("11,00")  # 9.50 + 1.50 for the extra mozzarella
    expect(main).to_contain_text("23,00")  # and the Regina at 12.00
    screenshot("journey-2-cart")
    main.get_by_role("link", name=re.compile("commande", re.IGNORECASE)).last.click()

    # Checkout needs an account: the cart survives the sign-in.
    page.wait_for_url(re.compile(r"/accounts/login/"))
    fill_sign_in(page, customer.email).click()
    page.wait_for_url(re.compile(r"/checkout/"))
    page.get_by_role("radio", name="Retrait sur place").check()
    page.get_by_role("radio", name="Espèces, à la livraison ou au retrait").check()
    expect(page.get_by_role("complementary")).to_contain_text("23,00")
    page.get_by_label(re.compile("accepte les conditions générales de vente")).check()
    screenshot("journey-3-checkout")
    page.get_by_role("button", name="Valider ma commande").click()

    page.wait_for_url(re.compile(r"/orders/[A-Z0-9]{3}-[A-Z0-9]{3}/$"))
    order = Order.objects.get(customer=customer)
    status = page.locator("#order-status")
    lines = page.get_by_role("region", name="Ce que vous avez commandé")
    expect(page.get_by_role("heading", level=1)).to_contain_text(order.number)
    expect(status.locator(".status-badge")).to_have_text(french(Status.RECEIVED))
    expect(lines).to_contain_text("Regina")
    expect(lines).to_contain_text("23,00")
    screenshot("journey-4-tracking")
    reserved = quantities(stock_a)
    assert reserved["Mozzarella"] == opening["Mozzarella"] - (125 + 50) - 125
    assert reserved["Jambon"] == opening["Jambon"] - 60

    # The change: two Margheritas as they were, and no Regina any more.
    status.get_by_role("link", name="Modifier la commande").click()
    page.wait_for_url(re.compile(rf"/orders/{order.number}/modify/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(order.number)
    expect(page.get_by_label("Quantité Margherita")).to_have_value("1")
    page.get_by_label("Quantité Margherita").fill("2")
    page.get_by_label("Quantité Regina").fill("0")
    screenshot("journey-5-modify")
    page.get_by_role("button", name="Enregistrer les modifications").click()

    page.wait_for_url(re.compile(rf"/orders/{order.number}/$"))
    expect(page.locator(".messages")).to_contain_text(
        "Votre commande a été modifiée. Son nouveau total est de 22,00"
    )
    expect(lines).to_contain_text("2\u00a0×")
    expect(lines).to_contain_text("Margherita")
    expect(lines).not_to_contain_text("Regina")
    expect(lines).to_contain_text("22,00")  # 2 × 11.00
    expect(status.locator(".status-badge")).to_have_text(french(Status.RECEIVED))
    expect(status).to_contain_text("Commande modifiée")  # a step of the timeline
    screenshot("journey-6-modified")
    changed = quantities(stock_a)
    assert changed["Mozzarella"] == opening["Mozzarella"] - 2 * (125 + 50)
    assert changed["Basilic"] == opening["Basilic"]  # both Margheritas without basil
    assert changed["Jambon"] == opening["Jambon"]  # the Regina's ham is back

    # Then the customer cancels it.
    status.get_by_role("link", name="Annuler la commande").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Annuler la commande {order.number}")
    page.get_by_role("button", name="Oui, annuler ma commande").click()

    page.wait_for_url(re.compile(rf"/orders/{order.number}/$"))
    expect(page.locator(".messages")).to_contain_text(f"Votre commande {order.number} est annulée.")
    expect(status.locator(".status-badge")).to_have_text(french(Status.CANCELLED))
    expect(status).to_contain_text("Cette commande est annulée")
    expect(status.get_by_role("link", name="Modifier la commande")).to_have_count(0)
    expect(status.get_by_role("link", name="Annuler la commande")).to_have_count(0)
    expect(page.get_by_role("main")).to_contain_text("Rien à payer")
    screenshot("journey-7-cancelled")

    order.refresh_from_db()
    assert order.status == Status.CANCELLED
    assert quantities(stock_a) == opening
