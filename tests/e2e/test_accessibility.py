"""WCAG 2.2 AA on every page of the authorisation sweep, as every role that may open it (axe-core in Chromium).

The pages: each URL of the sweep's table (tests/test_authorization_sweep.py) that answers a GET with 200 to
a role, opened as that role in a browser at a phone's width and at a desktop's, in French (and the pages of
visitors and customers in English too, at a phone's width); plus the sign-in and sign-up pages, a cart holding a customised pizza, and the admin's pages head office
works in (home, a change list with its filters, a product's change form). HTMX fragments and files (the
order status fragment, the boards' fragments, the CSV export) are checked inside the pages that show them.
Any violation of axe's WCAG 2.0/2.1/2.2 A and AA rules or of its best practices fails, naming the page, the
role, the rule and the element.

`STAFF_REWRITE` lists what axe still finds on the kitchen, delivery and counter screens, which issue #15
rewrites: each entry must still occur (so the list only shrinks), and nothing else may.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page

from tests.e2e.accessibility import describe, violations
from tests.e2e.helpers import DESKTOP, PHONE
from tests.test_authorization_sweep import ACCESS
from tests.world import ROLES, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Files, not pages: the browser downloads them.
NOT_PAGES = {"healthz", "robots_txt", "staff_dashboard_csv", "account_export_download", "staff_sales_archive"}

# (URL name, axe rule) found on the staff screens that issue #15 rewrites; see the module's docstring.
STAFF_REWRITE: set[tuple[str, str]] = set()


def pages_of(world: World, role: str) -> list[tuple[str, str]]:
    """(URL name, path) of the sweep's pages that answer `role`'s GET with 200."""
    index = ROLES.index(role)
    pages = []
    for name, access in ACCESS.items():
        if name in NOT_PAGES or access.get[index] != 200:
            continue
        pages.append((name, reverse(name, args=access.args(world) if access.args else None)))
    if role == "anonymous":
        pages += [("account_login", reverse("account_login")), ("account_signup", reverse("account_signup"))]
    if role == "head_office":
        pages += [
            ("admin:index", reverse("admin:index")),
            ("admin:menu_product_changelist", reverse("admin:menu_product_changelist")),
            (
                "admin:menu_product_change",
                reverse("admin:menu_product_change", args=[world.menu["margherita"].pk]),
            ),
            ("admin:orders_order_changelist", reverse("admin:orders_order_changelist")),
        ]
    return pages


def open_as(browser, live_server, world: World, role: str, *, language: str):
    """A browser context signed in as `role` (the session of world.client), reading `language`, where axe
    may be injected (bypass_csp: the Content Security Policy refuses injected scripts)."""
    context = browser.new_context(bypass_csp=True, locale="fr-FR" if language == "fr" else "en-GB")
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    if role != "anonymous":
        session = world.client(role).cookies[settings.SESSION_COOKIE_NAME].value
        cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url})
    context.add_cookies(cookies)
    return context


def check(page: Page, live_server, name: str, path: str, where: str) -> list[tuple[str, str, str]]:
    """(URL name, rule, description) of each violation on the page at `path`; nothing for a fragment or a
    file (not a whole HTML document)."""
    response = page.goto(live_server.url + path)
    assert response is not None and response.status == 200, (where, response and response.status)
    body = response.text()
    if not response.headers.get("content-type", "").startswith("text/html") or not re.match(
        r"\s*<!doctype html>", body, re.IGNORECASE
    ):
        return []
    return [(name, found["id"], line) for found in violations(page) for line in describe([found], where)]


def sweep(world, live_server, browser, *, roles, viewports, language) -> list[tuple[str, str, str]]:
    found: list[tuple[str, str, str]] = []
    for role in roles:
        context = open_as(browser, live_server, world, role, language=language)
        page = context.new_page()
        for viewport in viewports:
            page.set_viewport_size(viewport)
            for name, path in pages_of(world, role):
                where = f"{path} as {role} ({language}, {viewport['width']} px)"
                found += check(page, live_server, name, path, where)
        context.close()
    return found


def test_every_page_of_the_sweep_passes_axe_for_every_role(world, live_server, browser):
    found = sweep(world, live_server, browser, roles=ROLES, viewports=(PHONE, DESKTOP), language="fr")
    staff_rewrite = [entry for entry in found if (entry[0], entry[1]) in STAFF_REWRITE]
    others = [line for name, rule, line in found if (name, rule) not in STAFF_REWRITE]
    assert not others, "\n".join(others)
    still = {(name, rule) for name, rule, _line in staff_rewrite}
    assert still == STAFF_REWRITE, (
        f"Fixed on the staff screens, take out of STAFF_REWRITE: {STAFF_REWRITE - still}"
    )


def test_the_english_pages_of_visitors_and_customers_pass_axe(world, live_server, browser):
    found = sweep(
        world, live_server, browser, roles=("anonymous", "customer"), viewports=(PHONE,), language="en"
    )
    assert not found, "\n".join(line for _name, _rule, line in found)


def test_a_cart_with_a_customised_pizza_passes_axe(world, live_server, browser):
    context = open_as(browser, live_server, world, "customer", language="fr")
    page = context.new_page()
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("restaurant_detail", args=[world.restaurant_a.slug]))
    card = page.get_by_role("article").filter(has=page.get_by_role("heading", name=re.compile("^Margherita")))
    card.get_by_text("Personnaliser").click()
    card.get_by_role("checkbox", name="Sans Basilic").check()
    card.get_by_role("button", name=re.compile(r"^Ajouter au panier")).click()
    found = describe(violations(page), "the menu after adding")
    page.goto(live_server.url + reverse("cart"))
    found += describe(violations(page), "the cart")
    context.close()
    assert not found, "\n".join(found)


def test_the_check_fails_on_a_violation_added_to_a_page(world, live_server, browser):
    """The test above would see a regression: an image without a text alternative and grey text on cream
    added to the home page are both reported."""
    context = open_as(browser, live_server, world, "anonymous", language="fr")
    page = context.new_page()
    page.goto(live_server.url + reverse("home"))
    assert not violations(page)
    page.evaluate(
        """() => {
            const main = document.querySelector("main");
            main.insertAdjacentHTML("afterbegin",
                '<img src="/static/img/logo.svg" width="40" height="40">' +
                '<p style="color: #bbb">Livraison offerte ce soir</p>');
        }"""
    )
    rules = {violation["id"] for violation in violations(page)}
    context.close()
    assert {"image-alt", "color-contrast"} <= rules
