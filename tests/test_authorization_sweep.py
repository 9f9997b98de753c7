"""Who may open what: every URL of the project, requested as every kind of user, against an explicit table.

The URL patterns are walked from the root resolver, so a URL added to the project without a row in `ACCESS`
fails `test_every_url_of_the_project_is_in_the_table` (and a row left for a URL that no longer exists fails
it too). Each URL is filled with objects of restaurant A (tests/world.py): an order of `customer` at A in
the state the action expects, a stock of A, `customer`'s address, the margherita.

Each row gives the expected answer for GET, and for POST (with an empty form) when the view takes POST, as
each role in `ROLES` order: anonymous, customer (owner of the order), other_customer, pizzaiolo of A, driver
of A, counter of A, manager of A, manager of B, head office. The answers: a status code, or LOGIN for a
redirect to the sign-in page. Objects of A are a 404 for manager_b (whose current restaurant is B) and a
customer's orders a 404 for anyone else; anonymous visitors are sent to sign in wherever an account is
needed. Each request runs in a savepoint rolled back afterwards, so a POST that succeeds changes nothing for
the next one; none may answer 500.

Not in the table, and why (`SKIPPED`): the Django admin (its own permission system, covered by
tests/ocpizza/test_admin.py) and allauth's flows (sign-up, sign-in, password reset, email management: the
library's own views), which are only checked never to fail for an anonymous visitor and a customer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from offers.models import Formule
from tests.world import ROLES, World

pytestmark = pytest.mark.django_db

LOGIN = "login"  # a redirect to the sign-in page, with the page asked for as `next`
Row = tuple  # one expected answer per role, in ROLES order

# Rows used by many URLs.
EVERYONE_200 = (200, 200, 200, 200, 200, 200, 200, 200, 200)
EVERYONE_302 = (302, 302, 302, 302, 302, 302, 302, 302, 302)
EVERYONE_400 = (400, 400, 400, 400, 400, 400, 400, 400, 400)
EVERYONE_405 = (405, 405, 405, 405, 405, 405, 405, 405, 405)
SIGNED_IN = (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200)
SIGNED_IN_302 = (LOGIN, 302, 302, 302, 302, 302, 302, 302, 302)
SIGNED_IN_405 = (LOGIN, 405, 405, 405, 405, 405, 405, 405, 405)
# Pages of one customer's own order or address: theirs, nobody else's (not even staff or head office).
OWNER = (LOGIN, 200, 404, 404, 404, 404, 404, 404, 404)
OWNER_302 = (LOGIN, 302, 404, 404, 404, 404, 404, 404, 404)
OWNER_400 = (LOGIN, 400, 404, 404, 404, 404, 404, 404, 404)
OWNER_405 = (LOGIN, 405, 404, 404, 404, 404, 404, 404, 404)
# The tracking page: its customer, or whoever holds its tracking link (nobody here): no sign-in needed.
# Pages of customer accounts only (the loyalty points): staff accounts take no part, the page is not theirs.
CUSTOMERS = (LOGIN, 200, 200, 404, 404, 404, 404, 404, 404)
TRACKING = (404, 200, 404, 404, 404, 404, 404, 404, 404)


@dataclass(frozen=True)
class Access:
    """The expected answers to GET and POST; `post=None`: the view takes POST like GET, not requested."""

    args: Callable[[World], list] | None = None
    get: Row = EVERYONE_200
    post: Row | None = None


def order(key: str) -> Callable[[World], list]:
    return lambda world: [world.orders[key].number]


def stock(world: World) -> list:
    return [world.stock_a["Mozzarella"].pk]


def formule(world: World) -> list:
    """The world's formule, offered at A."""
    return [world.restaurant_a.pk, Formule.objects.get().pk]


def closing(world: World) -> list:
    return [world.closing.pk]


#            anonymous  customer  other   pizzaiolo driver  counter  manager_a manager_b head_office
ACCESS: dict[str, Access] = {
    # ---- Public pages ----
    "home": Access(get=EVERYONE_200),
    "restaurant_detail": Access(lambda w: [w.restaurant_a.slug], get=EVERYONE_200),
    "healthz": Access(get=EVERYONE_200, post=EVERYONE_405),
    "robots_txt": Access(get=EVERYONE_200, post=EVERYONE_405),
    "set_language": Access(get=EVERYONE_302, post=EVERYONE_302),
    # ---- The cart (in the session: anyone, signed in or not) ----
    "cart": Access(get=EVERYONE_200, post=EVERYONE_405),
    "cart_add": Access(get=EVERYONE_405, post=EVERYONE_400),
    "cart_update": Access(lambda w: [0], get=EVERYONE_405, post=EVERYONE_302),
    "cart_remove": Access(lambda w: [0], get=EVERYONE_405, post=EVERYONE_302),
    "cart_clear": Access(get=EVERYONE_405, post=EVERYONE_302),
    "cart_promo": Access(get=EVERYONE_405, post=EVERYONE_302),  # an empty cart: back to the cart
    "cart_reward": Access(get=EVERYONE_405, post=EVERYONE_302),  # an empty cart: back to the cart
    "checkout": Access(get=SIGNED_IN_302, post=SIGNED_IN_302),  # an empty cart goes back to the cart
    # A formule of A (nothing chosen: the reason, a 400).
    "formule_compose": Access(formule, get=EVERYONE_200, post=EVERYONE_400),
    # ---- Payments ----
    "demo_payment": Access(lambda w: [w.demo_payment.provider_reference], get=OWNER, post=OWNER_400),
    "order_pay": Access(order("online"), get=SIGNED_IN_405, post=OWNER_302),
    "stripe_success": Access(order("online"), get=OWNER, post=SIGNED_IN_405),
    "stripe_success_status": Access(order("online"), get=OWNER, post=SIGNED_IN_405),
    "stripe_cancel": Access(order("online"), get=OWNER_302, post=SIGNED_IN_405),
    "stripe_webhook": Access(get=EVERYONE_405, post=EVERYONE_400),  # unsigned
    # ---- The customer's orders ----
    "order_list": Access(get=SIGNED_IN, post=SIGNED_IN_405),
    "order_tracking": Access(order("received"), get=TRACKING, post=EVERYONE_405),
    "order_status_fragment": Access(order("received"), get=TRACKING, post=EVERYONE_405),
    "order_modify": Access(order("received"), get=OWNER, post=OWNER_400),
    "order_cancel": Access(order("received"), get=OWNER, post=OWNER_302),
    "order_reorder": Access(order("received"), get=SIGNED_IN_405, post=OWNER_302),
    # ---- Accounts ----
    "profile": Access(get=SIGNED_IN, post=SIGNED_IN),  # an empty form is shown again with its errors
    "address_list": Access(get=SIGNED_IN),
    "address_create": Access(get=SIGNED_IN, post=SIGNED_IN),
    "address_update": Access(lambda w: [w.address.pk], get=OWNER, post=OWNER),
    "address_delete": Access(lambda w: [w.address.pk], get=OWNER, post=OWNER_302),
    "account_delete": Access(get=SIGNED_IN, post=(LOGIN, 400, 400, 400, 400, 400, 400, 400, 400)),
    "loyalty_points": Access(get=CUSTOMERS, post=SIGNED_IN_405),
    "account_export": Access(get=SIGNED_IN, post=SIGNED_IN_302),
    "account_export_download": Access(lambda w: [w.export.pk], get=OWNER, post=SIGNED_IN_405),
    # ---- Staff: entrance ----
    #            anonymous  customer  other   pizzaiolo driver  counter  manager_a manager_b head_office
    "staff_home": Access(get=(LOGIN, 403, 403, 302, 302, 302, 302, 302, 302)),
    "staff_choose_restaurant": Access(get=EVERYONE_405, post=(LOGIN, 403, 403, 400, 400, 400, 400, 400, 400)),
    # ---- Staff: kitchen (pizzaiolos cook, the counter watches) ----
    "staff_kitchen": Access(
        get=(LOGIN, 403, 403, 200, 403, 200, 200, 200, 200),
        post=(LOGIN, 403, 403, 405, 403, 405, 405, 405, 405),
    ),
    "staff_kitchen_board": Access(
        get=(LOGIN, 403, 403, 200, 403, 200, 200, 200, 200),
        post=(LOGIN, 403, 403, 405, 403, 405, 405, 405, 405),
    ),
    "staff_kitchen_start": Access(
        order("received"), get=EVERYONE_405, post=(LOGIN, 403, 403, 302, 403, 403, 302, 404, 302)
    ),
    "staff_kitchen_ready": Access(
        order("preparing"), get=EVERYONE_405, post=(LOGIN, 403, 403, 302, 403, 403, 302, 404, 302)
    ),
    # Bumping the only line of a received order starts it and makes it ready; a recall of an order being
    # prepared clears its bumps: both succeed (a redirect to the display).
    "staff_kitchen_line": Access(
        lambda w: [w.orders["received"].lines.first().pk],
        get=EVERYONE_405,
        post=(LOGIN, 403, 403, 302, 403, 403, 302, 404, 302),
    ),
    "staff_kitchen_recall": Access(
        order("preparing"), get=EVERYONE_405, post=(LOGIN, 403, 403, 302, 403, 403, 302, 404, 302)
    ),
    # The pass: the kitchen's viewers (the counter too), each seeing their current restaurant's.
    "staff_expo": Access(
        get=(LOGIN, 403, 403, 200, 403, 200, 200, 200, 200),
        post=(LOGIN, 403, 403, 405, 403, 405, 405, 405, 405),
    ),
    "staff_expo_board": Access(
        get=(LOGIN, 403, 403, 200, 403, 200, 200, 200, 200),
        post=(LOGIN, 403, 403, 405, 403, 405, 405, 405, 405),
    ),
    "staff_kitchen_ticket": Access(
        order("received"),
        get=(LOGIN, 403, 403, 200, 403, 200, 200, 404, 200),
        post=(LOGIN, 403, 403, 405, 403, 405, 405, 405, 405),
    ),
    "staff_recipe_card": Access(
        lambda w: [w.orders["received"].lines.first().pk],
        get=(LOGIN, 403, 403, 200, 403, 403, 200, 404, 200),
        post=(LOGIN, 403, 403, 405, 403, 403, 405, 405, 405),
    ),
    "staff_recipes": Access(
        get=(LOGIN, 403, 403, 200, 403, 403, 200, 200, 200),
        post=(LOGIN, 403, 403, 405, 403, 403, 405, 405, 405),
    ),
    "staff_recipe": Access(
        lambda w: [w.menu["margherita"].slug],
        get=(LOGIN, 403, 403, 200, 403, 403, 200, 200, 200),
        post=(LOGIN, 403, 403, 405, 403, 403, 405, 405, 405),
    ),
    # ---- Staff: deliveries ----
    "staff_delivery": Access(
        get=(LOGIN, 403, 403, 403, 200, 403, 200, 200, 200),
        post=(LOGIN, 403, 403, 403, 405, 403, 405, 405, 405),
    ),
    "staff_delivery_board": Access(
        get=(LOGIN, 403, 403, 403, 200, 403, 200, 200, 200),
        post=(LOGIN, 403, 403, 403, 405, 403, 405, 405, 405),
    ),
    "staff_delivery_take": Access(
        order("ready_delivery"), get=EVERYONE_405, post=(LOGIN, 403, 403, 403, 302, 403, 302, 404, 302)
    ),
    # A trip without any order chosen is refused, back to the board (303), whoever may drive.
    "staff_delivery_trip": Access(get=EVERYONE_405, post=(LOGIN, 403, 403, 403, 303, 403, 303, 303, 303)),
    # Paid on delivery: an empty form (no payment method) is refused, by the driver and the managers alike,
    # and the browser sent back to the board (303: a reload does not post again).
    "staff_delivery_deliver": Access(
        order("out"), get=EVERYONE_405, post=(LOGIN, 403, 403, 403, 303, 403, 303, 404, 303)
    ),
    "staff_delivery_failed": Access(
        order("out"),
        get=(LOGIN, 403, 403, 403, 200, 403, 200, 404, 200),
        post=(LOGIN, 403, 403, 403, 400, 403, 400, 404, 400),
    ),
    # ---- Staff: counter ----
    "staff_counter": Access(
        get=(LOGIN, 403, 403, 403, 403, 200, 200, 200, 200),
        post=(LOGIN, 403, 403, 403, 403, 405, 405, 405, 405),
    ),
    "staff_counter_orders": Access(
        get=(LOGIN, 403, 403, 403, 403, 200, 200, 200, 200),
        post=(LOGIN, 403, 403, 403, 403, 405, 405, 405, 405),
    ),
    "staff_counter_order": Access(
        order("received"),
        get=(LOGIN, 403, 403, 403, 403, 200, 200, 404, 200),
        post=(LOGIN, 403, 403, 403, 403, 405, 405, 405, 405),
    ),
    # An unpaid pick-up handed over without saying how it was paid is refused (back to the order, 303).
    "staff_counter_hand_over": Access(
        order("ready_pickup"),
        get=(LOGIN, 403, 403, 403, 403, 405, 405, 405, 405),
        post=(LOGIN, 403, 403, 403, 403, 303, 303, 404, 303),
    ),
    "staff_counter_cancel": Access(
        order("received"),
        get=(LOGIN, 403, 403, 403, 403, 200, 200, 404, 200),
        post=(LOGIN, 403, 403, 403, 403, 400, 400, 404, 400),
    ),
    "staff_counter_new": Access(
        get=(LOGIN, 403, 403, 403, 403, 200, 200, 200, 200),
        post=(LOGIN, 403, 403, 403, 403, 200, 200, 200, 200),
    ),
    "staff_counter_add": Access(
        get=(LOGIN, 403, 403, 403, 403, 405, 405, 405, 405),
        post=(LOGIN, 403, 403, 403, 403, 303, 303, 303, 303),
    ),
    # A formule for the order being taken, at the staff user's current restaurant: an empty choice is a 400.
    "staff_counter_formule": Access(
        lambda w: [Formule.objects.get().pk],
        get=(LOGIN, 403, 403, 403, 403, 200, 200, 200, 200),
        post=(LOGIN, 403, 403, 403, 403, 400, 400, 400, 400),
    ),
    # No line 0 in an empty order: refused, back to the new order (303).
    "staff_counter_line": Access(
        lambda w: [0],
        get=(LOGIN, 403, 403, 403, 403, 405, 405, 405, 405),
        post=(LOGIN, 403, 403, 403, 403, 303, 303, 303, 303),
    ),
    "staff_counter_customer": Access(
        get=(LOGIN, 403, 403, 403, 403, 405, 405, 405, 405),
        post=(LOGIN, 403, 403, 403, 403, 303, 303, 303, 303),
    ),
    # Repeating an order of A puts its lines in the new order (a redirect to it); B's manager gets a 404.
    "staff_counter_repeat": Access(
        order("received"),
        get=(LOGIN, 403, 403, 403, 403, 405, 405, 405, 405),
        post=(LOGIN, 403, 403, 403, 403, 302, 302, 404, 302),
    ),
    "staff_counter_clear": Access(
        get=(LOGIN, 403, 403, 403, 403, 405, 405, 405, 405),
        post=(LOGIN, 403, 403, 403, 403, 302, 302, 302, 302),
    ),
    # A promo code for the order being taken: with no line taken, the counter sends back to the new order.
    "staff_counter_promo": Access(
        get=(LOGIN, 403, 403, 403, 403, 405, 405, 405, 405),
        post=(LOGIN, 403, 403, 403, 403, 303, 303, 303, 303),
    ),
    # ---- Staff: stock (pizzaiolos look, managers change) ----
    "staff_stock": Access(get=(LOGIN, 403, 403, 200, 403, 403, 200, 200, 200), post=EVERYONE_405),
    "staff_stock_products": Access(get=(LOGIN, 403, 403, 200, 403, 403, 200, 200, 200), post=EVERYONE_405),
    "staff_stock_movements": Access(get=(LOGIN, 403, 403, 200, 403, 403, 200, 200, 200), post=EVERYONE_405),
    "staff_stock_restock": Access(
        stock, get=EVERYONE_405, post=(LOGIN, 403, 403, 403, 403, 403, 303, 404, 303)
    ),
    "staff_stock_waste": Access(
        stock, get=EVERYONE_405, post=(LOGIN, 403, 403, 403, 403, 403, 303, 404, 303)
    ),
    "staff_stock_count": Access(
        stock, get=EVERYONE_405, post=(LOGIN, 403, 403, 403, 403, 403, 303, 404, 303)
    ),
    "staff_stock_threshold": Access(
        stock, get=EVERYONE_405, post=(LOGIN, 403, 403, 403, 403, 403, 303, 404, 303)
    ),
    # ---- Staff: dashboard (managers; head office compares every restaurant) ----
    "staff_dashboard": Access(get=(LOGIN, 403, 403, 403, 403, 403, 200, 200, 200), post=EVERYONE_405),
    "staff_dashboard_csv": Access(get=(LOGIN, 403, 403, 403, 403, 403, 200, 200, 200), post=EVERYONE_405),
    # ---- The legal pages (public) ----
    "legal_page": Access(lambda w: ["cgv"], get=EVERYONE_200, post=EVERYONE_405),
    "legal_page_version": Access(lambda w: ["confidentialite", 1], get=EVERYONE_200, post=EVERYONE_405),
    # ---- Staff: the sales record (managers read their restaurant's; head office checks every one) ----
    "staff_sales_record": Access(get=(LOGIN, 403, 403, 403, 403, 403, 200, 200, 200), post=EVERYONE_405),
    "staff_sales_closing": Access(
        closing, get=(LOGIN, 403, 403, 403, 403, 403, 200, 404, 200), post=EVERYONE_405
    ),
    "staff_sales_archive": Access(
        closing, get=(LOGIN, 403, 403, 403, 403, 403, 200, 404, 200), post=EVERYONE_405
    ),
    "staff_sales_integrity": Access(get=(LOGIN, 403, 403, 403, 403, 403, 403, 403, 200), post=EVERYONE_405),
}

# What the sweep leaves to others, by the module of the view or the namespace.
SKIPPED = {
    "admin": "the Django admin: its own permissions, tests/ocpizza/test_admin.py",
    "allauth": "allauth's sign-up, sign-in, password and email flows: only checked never to fail",
    "django.views.static": "media files served in development",
}


@dataclass(frozen=True)
class Route:
    name: str
    path: str  # the pattern, for messages
    module: str
    namespace: str


def walk(patterns, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(
                pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace
            )
        elif isinstance(pattern, URLPattern):
            callback = pattern.callback
            module = getattr(callback, "view_class", callback).__module__
            yield Route(pattern.name or "", prefix + str(pattern.pattern), module, namespace)


def skipped_because(route: Route) -> str | None:
    for key, reason in SKIPPED.items():
        if route.namespace == key or route.module.startswith(key):
            return reason
    return None


def project_routes() -> list[Route]:
    return [route for route in walk(get_resolver().url_patterns) if not skipped_because(route)]


def test_every_url_of_the_project_is_in_the_table():
    routes = project_routes()
    unnamed = [route.path for route in routes if not route.name]
    assert not unnamed, f"Name these URL patterns, then give them a row in ACCESS: {unnamed}"
    names = {route.name for route in routes}
    assert not names - ACCESS.keys(), (
        f"URLs without a row in ACCESS (who may open them?): {sorted(names - ACCESS.keys())}"
    )
    assert not ACCESS.keys() - names, (
        f"Rows of ACCESS for URLs that no longer exist: {sorted(ACCESS.keys() - names)}"
    )
    assert len(names) == len(routes), "two URL patterns share a name"


def test_the_skipped_urls_are_the_admin_allauth_and_media_only():
    skipped = [route for route in walk(get_resolver().url_patterns) if skipped_because(route)]
    assert {route.namespace or route.module.split(".")[0] for route in skipped} <= {
        "admin",
        "allauth",
        "django",
    }
    assert any(route.module.startswith("allauth") for route in skipped)
    assert any(route.namespace == "admin" for route in skipped)


def outcome(response) -> int | str:
    login = settings.LOGIN_URL if settings.LOGIN_URL.startswith("/") else reverse(settings.LOGIN_URL)
    if response.status_code == 302 and response["Location"].startswith(f"{login}?next="):
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_each_url_answers_each_role_as_the_table_says(world, role):
    column = ROLES.index(role)
    mismatches = []
    for name, access in ACCESS.items():
        path = reverse(name, args=access.args(world) if access.args else None)
        for method, row in (("GET", access.get), ("POST", access.post)):
            if row is None:
                continue
            client = world.client(role)
            with transaction.atomic():
                response = client.get(path) if method == "GET" else client.post(path, {})
                transaction.set_rollback(True)
            assert response.status_code < 500, f"{method} {path} as {role}: {response.status_code}"
            if outcome(response) != row[column]:
                mismatches.append(
                    f"{method} {path} ({name}): expected {row[column]}, got {outcome(response)}"
                )
    assert not mismatches, f"As {role}:\n" + "\n".join(mismatches)


@pytest.mark.parametrize("role", ["anonymous", "customer"])
def test_allauth_pages_never_fail(world, role):
    """allauth's pages without a key in their address, lightly: GET never fails."""
    for route in walk(get_resolver().url_patterns):
        if not route.module.startswith("allauth") or "<" in route.path or not route.name:
            continue
        response = world.client(role).get(reverse(route.name))
        assert response.status_code < 500, f"{route.path} as {role}: {response.status_code}"


REFUSALS = (LOGIN, 403, 404)


@pytest.mark.parametrize("role", ["anonymous", "customer", "manager_a", "head_office"])
def test_no_url_answers_trace_put_or_delete(world, role):
    """Each view says which methods it takes (`require_GET`, `require_POST`, `require_http_methods`): any
    other is a 405, unless the role is refused the page anyway. The admin's and allauth's views too."""
    column = ROLES.index(role)
    wrong = []
    for route in walk(get_resolver().url_patterns):
        if route.name in ACCESS:
            access = ACCESS[route.name]
            path = reverse(route.name, args=access.args(world) if access.args else None)
            allowed = {405} | ({access.get[column]} if access.get[column] in REFUSALS else set())
        elif "<" not in route.path and route.name:
            path = reverse(f"{route.namespace}:{route.name}" if route.namespace else route.name)
            allowed = {405}
        else:
            continue
        for method in ("TRACE", "PUT", "DELETE"):
            with transaction.atomic():
                response = world.client(role).generic(method, path)
                transaction.set_rollback(True)
            if outcome(response) not in allowed:
                wrong.append(f"{method} {path}: {outcome(response)}")
    assert not wrong, f"As {role}:\n" + "\n".join(wrong)
