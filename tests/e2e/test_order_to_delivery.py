"""An order from the customer's phone to their door, three people on three devices: the customer orders
online and pays on the demo payment page, the pizzaiolo starts and finishes it on the kitchen board, the
driver takes and delivers it on the delivery board, and the customer's tracking page follows every step by
itself (HTMX polling, never reloaded), then stops polling once the order is delivered."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from orders.models import Order, PaymentState, PaymentStatus, Status
from tests.e2e.helpers import PHONE, TABLET, UNDO_MS, add_to_cart, french, poll_now, sent_after_undo, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TRACKING_POLL_MS = 10_000  # hx-trigger="every 10s" of templates/orders/includes/order_status.html
# The poll after a step: made to happen at once by poll_now, or at worst on its own one interval later.
FOLLOWS = TRACKING_POLL_MS + 5_000


def test_a_customer_pays_online_and_follows_the_order_to_delivery(
    live_server,
    page,
    other_browser,
    screenshot,
    demo_payments,
    restaurant_a,
    customer,
    menu,
    stock_a,
    pizzaiolo,
    driver,
):
    """Online payment, kitchen and delivery in their own sessions; the tracking page moves by itself."""
    address = customer.addresses.get()
    page.set_viewport_size(PHONE)
    page.clock.install()  # the tracking page's polls can then be made to fire now (poll_now)
    sign_in(page, live_server, customer)

    page.goto(f"{live_server.url}/restaurants/{restaurant_a.slug}/")
    add_to_cart(page, "Margherita", quantity=2)
    page.goto(live_server.url + "/checkout/")
    page.get_by_role("radio", name="Livraison", exact=True).check()
    page.get_by_role("radio", name=re.compile(re.escape(address.street))).check()
    page.get_by_role("radio", name="Payer en ligne maintenant").check()
    expect(page.get_by_role("complementary")).to_contain_text("21,50")  # 2 × 9.50 + 2.50 delivery
    page.get_by_label(re.compile("accepte les conditions générales de vente")).check()
    screenshot("delivery-journey-1-checkout")
    page.get_by_role("button", name="Valider ma commande").click()

    # The demo payment page: the order waits for its payment until the customer pays.
    page.wait_for_url(re.compile(r"/payments/demo/"))
    order = Order.objects.get(customer=customer)
    assert order.status == Status.AWAITING_PAYMENT
    expect(page.get_by_role("main")).to_contain_text(order.number)
    expect(page.locator(".demo-payment__amount-value")).to_contain_text("21,50")
    screenshot("delivery-journey-2-demo-payment")
    page.get_by_role("button", name=re.compile(r"^Payer 21,50")).click()

    # Paid: the tracking page says the restaurant has it, with the receipt.
    page.wait_for_url(re.compile(rf"/orders/{order.number}/$"))
    status = page.locator("#order-status")
    badge = status.locator(".status-badge")
    expect(badge).to_have_text(french(Status.RECEIVED))
    expect(status).to_contain_text("Le restaurant a bien reçu votre commande")
    expect(status.get_by_role("link", name="Modifier la commande")).to_be_visible()
    receipt = page.locator("section.receipt")
    expect(receipt).to_contain_text("21,50")
    expect(receipt).to_contain_text("1,95")  # the VAT at 10 % of 21.50, the delivery fee included
    expect(receipt).to_contain_text("Payé en ligne")
    expect(page.get_by_role("main")).to_contain_text(address.street)
    screenshot("delivery-journey-3-tracking-received")
    page.evaluate("window.notReloaded = true")

    # The pizzaiolo's tablet, signed in on its own.
    kitchen = other_browser(TABLET)
    sign_in(kitchen, live_server, pizzaiolo)
    kitchen.goto(live_server.url + "/staff/kitchen/")
    ticket = kitchen.get_by_role("article", name=order.number)
    expect(ticket).to_contain_text("Margherita")
    expect(ticket).to_contain_text(customer.get_full_name())
    screenshot("delivery-journey-4-kitchen-board", of=kitchen)
    ticket.get_by_role("button", name="Commencer").click()
    expect(ticket.locator(".status-badge")).to_have_text(french(Status.PREPARING))

    poll_now(page, TRACKING_POLL_MS)
    expect(badge).to_have_text(french(Status.PREPARING), timeout=FOLLOWS)
    expect(status).to_contain_text("Votre commande est en préparation")
    # Too late to change it: the buttons are gone.
    expect(status.get_by_role("link", name="Modifier la commande")).to_have_count(0)
    expect(status.get_by_role("link", name="Annuler la commande")).to_have_count(0)
    screenshot("delivery-journey-5-tracking-preparing")

    ticket.get_by_role("button", name="Prête").click()
    expect(kitchen.get_by_role("article", name=order.number)).to_have_count(0, timeout=UNDO_MS + 5_000)
    poll_now(page, TRACKING_POLL_MS)
    expect(badge).to_have_text(french(Status.READY), timeout=FOLLOWS)
    expect(status).to_contain_text("Prête, elle part bientôt")

    # The driver's phone: the order waits on the delivery board, already paid.
    delivery = other_browser(PHONE)
    sign_in(delivery, live_server, driver)
    delivery.goto(live_server.url + "/staff/delivery/")
    card = delivery.get_by_role("article", name=order.number)
    expect(card).to_contain_text(address.street)
    expect(card).to_contain_text("Déjà payée en ligne : rien à encaisser.")
    expect(card.get_by_role("button", name="En espèces")).to_have_count(0)
    screenshot("delivery-journey-6-delivery-board", of=delivery)
    card.get_by_role("button", name="Prendre cette livraison").click()
    sent_after_undo(delivery)
    card = delivery.get_by_role("article", name=order.number)
    expect(card.get_by_role("button", name="Livrée")).to_be_enabled()
    screenshot("delivery-journey-7-delivery-taken", of=delivery)

    poll_now(page, TRACKING_POLL_MS)
    expect(badge).to_have_text(french(Status.OUT_FOR_DELIVERY), timeout=FOLLOWS)
    expect(status).to_contain_text("En route vers chez vous")
    screenshot("delivery-journey-8-tracking-on-its-way")

    card.get_by_role("button", name="Livrée").click()
    expect(delivery.get_by_role("article", name=order.number)).to_have_count(0, timeout=UNDO_MS + 5_000)
    expect(delivery.locator(".messages")).to_contain_text(order.number)

    poll_now(page, TRACKING_POLL_MS)
    expect(badge).to_have_text(french(Status.DELIVERED), timeout=FOLLOWS)
    expect(status).to_contain_text("Livrée. Bon appétit !")
    # Delivered: the fragment comes back without hx-get, so the page stops polling.
    expect(page.locator("#order-status[hx-get]")).to_have_count(0)
    screenshot("delivery-journey-9-tracking-delivered")
    assert page.evaluate("window.notReloaded") is True  # every status was swapped in place

    order.refresh_from_db()
    assert order.status == Status.DELIVERED
    assert (order.prepared_by, order.delivered_by) == (pizzaiolo, driver)
    assert order.payment_status == PaymentStatus.PAID
    assert order.payments.get().status == PaymentState.SUCCEEDED
