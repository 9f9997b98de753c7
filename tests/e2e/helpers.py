"""What the browser journeys share: signing in, finding a product on a menu by what a person reads, the
statuses as a French customer sees them, orders placed without the browser, and HTMX polls made to happen
now rather than after their interval."""

from __future__ import annotations

import re

from django.utils import translation
from playwright.sync_api import Locator, Page, expect

from orders.models import Status
from orders.services import Contact, LineRequest, place_order
from tests.factories import PASSWORD

TABLET = {"width": 1024, "height": 768}
# The kitchen display's undo window (UNDO_MS of static/js/kitchen.js): a bump is sent after it. Waits for a
# bump's effect allow this much more.
UNDO_MS = 5_000
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def fill_sign_in(page: Page, email: str, password: str = PASSWORD) -> Locator:
    """Fill in the sign-in form the page shows; returns its submit button."""
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    return (
        page.locator("form").filter(has=page.locator("input[name=password]")).locator("button[type=submit]")
    )


def sign_in(page: Page, live_server, user) -> None:
    """Sign `user` in through the sign-in form, and wait until the site has let them in."""
    page.goto(live_server.url + "/accounts/login/")
    fill_sign_in(page, user.email).click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def french(status: str) -> str:
    """A status as the French pages name it ("Reçue", "En préparation"...)."""
    with translation.override("fr"):
        return str(Status(status).label)


def menu_product(page: Page, name: str) -> Locator:
    """The card of a product on a restaurant's menu, found by its heading (the name, then any badge)."""
    heading = page.get_by_role("heading", name=re.compile(rf"^{re.escape(name)}\b"))
    return page.get_by_role("article").filter(has=heading)


def add_to_cart_button(page: Page, name: str) -> Locator:
    """The "Ajouter au panier" button of a product (its accessible name ends with the product's name)."""
    return menu_product(page, name).get_by_role("button", name=re.compile(r"^Ajouter au panier"))


def add_to_cart(page: Page, name: str, quantity: int = 1) -> None:
    """Add a product from the menu page, and wait for the menu to say it is in the cart."""
    card = menu_product(page, name)
    card.get_by_label("Qté").fill(str(quantity))
    add_to_cart_button(page, name).click()
    expect(menu_product(page, name).get_by_role("status")).to_contain_text("Ajouté à votre panier")


def poll_now(page: Page, interval_ms: int) -> None:
    """Let an HTMX `every Ns` poll fire now: the page's clock (installed with `page.clock.install()` before
    it was opened) jumps ahead by the interval. Time keeps flowing normally too, so a poll scheduled an
    instant after the jump still fires on its own, within the interval; assertions wait that long."""
    page.clock.fast_forward(interval_ms)


def sent_after_undo(page: Page) -> None:
    """Wait until the tap held in the undo window (static/js/kitchen.js) has been sent and its answer shown:
    the undo bar's state says so. Pages without an installed clock wait the real window."""
    expect(page.locator("[data-undo-bar]")).to_have_attribute("data-state", "sent", timeout=UNDO_MS + 5_000)


def order_for(customer, restaurant, menu, **options):
    """An order placed through the service, as a customer's checkout would (two Margheritas to pick up,
    paid on the spot, by default)."""
    defaults = {
        "restaurant": restaurant,
        "lines": [LineRequest(product_id=menu["margherita"].id, quantity=2)],
        "fulfilment": "pickup",
        "payment_method": "cash_on_delivery",
        "contact": Contact(name=customer.get_full_name(), phone=customer.phone, email=customer.email),
        "customer": customer,
    }
    return place_order(**{**defaults, **options})


def pay_online_for_pickup(page: Page, live_server, *, total: str, shows: str = "") -> None:
    """From the cart to the order's page: pick-up, paid online with the demo provider, the terms accepted.
    `total` is the amount the payment page asks ("27,90"); `shows` a text the checkout's summary must hold
    first (a discount line). Returns once the order's page is shown."""
    page.goto(live_server.url + "/checkout/")
    page.get_by_role("radio", name="Retrait sur place").check()
    page.get_by_role("radio", name="Payer en ligne maintenant").check()
    if shows:
        expect(page.get_by_role("complementary")).to_contain_text(shows)
    page.get_by_label(re.compile("accepte les conditions générales de vente")).check()
    page.get_by_role("button", name="Valider ma commande").click()
    page.wait_for_url(re.compile(r"/payments/demo/"))
    expect(page.locator(".demo-payment__amount-value")).to_contain_text(total)
    page.get_by_role("button", name=re.compile(rf"^Payer {re.escape(total)}")).click()
    page.wait_for_url(re.compile(r"/orders/[A-Z0-9]{3}-[A-Z0-9]{3}/$"))
