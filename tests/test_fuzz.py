"""Malformed and hostile data posted to every form and POST endpoint, with Hypothesis.

Every endpoint gets random values for its own fields (and missing ones, extra ones, lists where one value is
expected): text with any unicode and control characters, very long strings, SQL and HTML injection, numbers
huge, negative, NaN or with exponents, and ids of objects that do not exist or belong to another restaurant or
customer. For each example:

- the answer is never a 5xx;
- a refusal (a 4xx, a form shown again with errors, or an error message) writes nothing: the rows of orders,
  lines, payments, refunds, stock movements, addresses and users, and every stock's quantity and threshold,
  are the same before and after;
- whatever the outcome, every stock is the sum of its movements and never negative;
- an HTML answer never carries the injected `<script>` back unescaped.

Each example runs inside a savepoint rolled back afterwards (the session table too), so examples start from
the same world, built once per test (tests/world.py) at Monday noon, when restaurant A is open.
"""

from __future__ import annotations

import json
import os
import time
import traceback
from collections.abc import Callable
from urllib.parse import quote, urlencode, urljoin, urlsplit

import pytest
import stripe
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.db import transaction
from django.db.models import Sum
from django.http import HttpResponse
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Address, User
from loyalty.models import Reward
from offers.models import Formule
from orders.models import (
    Order,
    OrderLine,
    OrderLineExtra,
    OrderStatusChange,
    Payment,
    PendingChange,
    Refund,
    StripeEvent,
)
from restaurants.models import StaffMember, Stock, StockMovement
from tests.world import WEBHOOK_SECRET, World

pytestmark = pytest.mark.django_db

# A deeper search, now and then: FUZZ_EXAMPLES=500 pytest tests/test_fuzz.py
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the project; a failure prints its example to replay it
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
LIGHT = settings(FUZZ, max_examples=max(EXAMPLES // 3, 10))

XSS = '<script>alert("ocpizza")</script>'
HOSTILE = [
    "",
    " ",
    "\x00",
    "1\x00",
    "\x01\x07\x1b[31m\x7f",
    "\r\n\r\nSet-Cookie: a=b",
    "'",
    '"',
    "\\",
    "' OR '1'='1",
    "1; DROP TABLE orders_order; --",
    "1 UNION SELECT password FROM accounts_user --",
    XSS,
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "{{ 7*7 }}{% debug %}",
    "%(name)s %s %n",
    "../../../etc/passwd",
    "https://evil.example/",
    "//evil.example",
    "NaN",
    "-nan",
    "Infinity",
    "-inf",
    "1e309",
    "-1e309",
    "1E+999999999",
    "1e-400",
    "0",
    "-0",
    "-1",
    "+1",
    "00001",
    "1.5",
    "1,5",
    "1.",
    ".5",
    "0x1F",
    "1_000",
    " 7 ",
    "9" * 30,
    "-" + "9" * 30,
    "2147483648",
    "9223372036854775808",
    "999999999.999",
    "0.0001",
    "²",
    "١٢",
    "𝟙𝟚",
    "Ⅻ",
    "½",
    "\u202e12",
    "\ufeff1",
    "\u00a01",
    "ｌｙｏｎ",
    "null",
    "true",
    "[]",
    "{}",
    "é" * 1000,
    "x" * 20_000,
    "🍕" * 300,
    "@",
    "a@b",
    "+33 6 12 34 56 78",
]
NUMBERS = st.one_of(
    st.integers().map(str),
    st.integers(-3, 25).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.from_regex(r"\A[+-]?[0-9]{0,40}([.,][0-9]{0,12})?([eE][+-]?[0-9]{1,9})?\Z"),
)
SCALAR = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=200), NUMBERS)
EXTRA_FIELDS = st.dictionaries(st.text(min_size=1, max_size=30), SCALAR, max_size=3)

# Rows that a refused request must not write (counted), and rows it must not change (compared).
COUNTED = (
    Order,
    OrderLine,
    OrderLineExtra,
    OrderStatusChange,
    Payment,
    Refund,
    PendingChange,
    StripeEvent,
    StockMovement,
    Address,
    User,
    StaffMember,
)
COMPARED = (Stock, Order, Payment, Refund, Address, User)


def values(*choices) -> st.SearchStrategy:
    """A field's value: one of `choices` (the valid or nearly valid ones), or anything hostile."""
    known = [str(choice) for choice in choices]
    return st.one_of(st.sampled_from(known), SCALAR) if known else SCALAR


def field_value(*choices) -> st.SearchStrategy:
    """A value as a form sends it: one value, or a list of them (several, or none: the field is missing)."""
    one = values(*choices)
    return st.one_of(one, one, st.lists(one, max_size=4))


def form(fields: dict[str, st.SearchStrategy]) -> st.SearchStrategy:
    """Form data: any subset of `fields` (each possibly a list), and fields the form does not have."""
    return st.tuples(EXTRA_FIELDS, st.fixed_dictionaries({}, optional=fields)).map(
        lambda pair: {**pair[0], **pair[1]}
    )


def path_part(*valid) -> st.SearchStrategy:
    """A URL segment: a real one (of A, of B, of another customer), or hostile text, percent-encoded."""
    return st.one_of(
        st.sampled_from([str(value) for value in valid]), st.sampled_from(HOSTILE), st.text()
    ).map(lambda value: quote(value, safe="") or "x")


# ---------- Running one example ----------


def snapshot() -> dict:
    state: dict = {model.__name__: model.objects.count() for model in COUNTED}
    for model in COMPARED:
        state[f"{model.__name__} rows"] = list(model.objects.order_by("pk").values())
    state["stock total"] = Stock.objects.aggregate(total=Sum("quantity"))["total"]
    return state


def ledger_problems() -> list[str]:
    """Stocks that are negative or differ from the sum of their movements."""
    return [
        f"stock {stock.pk}: {stock.quantity} but movements add up to {stock.ledger}"
        for stock in Stock.objects.annotate(ledger=Sum("movements__delta"))
        if stock.quantity < 0 or stock.quantity != stock.ledger
    ]


def send(client: Client, method: str, path: str, data: dict | str | bytes | None, **options) -> HttpResponse:
    encoding = options.pop("encoding", "urlencoded")
    if method == "GET":
        return client.get(path, data or {}, **options)
    if isinstance(data, (str, bytes)):
        return client.post(
            path, data, content_type=options.pop("content_type", "application/json"), **options
        )
    if encoding == "multipart":
        return client.post(path, data or {}, **options)
    body = urlencode(data or {}, doseq=True)
    return client.post(path, body, content_type="application/x-www-form-urlencoded", **options)


def form_errors(response: HttpResponse) -> bool:
    """Whether the page shows a form again with errors."""
    contexts = response.context
    if contexts is None:
        return False
    for context in contexts if isinstance(contexts, list) else [contexts]:
        for value in context.flatten().values():
            errors = getattr(value, "errors", None)
            if getattr(value, "is_bound", False) and errors:
                return True
    return False


def error_messages(response: HttpResponse) -> list[str]:
    request = getattr(response, "wsgi_request", None)
    if request is None or not hasattr(request, "_messages"):
        return []
    return [str(message) for message in get_messages(request) if message.level >= message_levels.WARNING]


def exercise(
    client: Client,
    method: str,
    path: str,
    data: dict | str | bytes | None = None,
    *,
    refusal: Callable[[HttpResponse], bool] | None = None,
    setup: Callable[[], object] | None = None,
    **options,
) -> HttpResponse:
    """Send one request in a savepoint rolled back afterwards, and check the invariants of the module.

    `setup` runs first in the same savepoint (filling a cart, say), so it is undone with the example.
    `refusal` tells a refusal from a redirect; by default, an error or warning message is one."""
    with transaction.atomic():
        if setup is not None:
            setup()
        before = snapshot()
        response = send(client, method, path, data, **options)
        if response.status_code >= 500:
            transaction.set_rollback(True)
            exc = getattr(response, "exc_info", None)
            detail = "".join(traceback.format_exception(*exc))[-3000:] if exc else response.content[:500]
            pytest.fail(f"{method} {path[:200]} answered {response.status_code}:\n{detail}")
        after = snapshot()
        problems = ledger_problems()
        transaction.set_rollback(True)
    assert not problems, problems
    refusal = refusal or (lambda response: bool(error_messages(response)))
    refused = response.status_code >= 400 or form_errors(response) or refusal(response)
    if refused:
        changed = {key: (before[key], after[key]) for key in before if before[key] != after[key]}
        assert not changed, f"{method} {path[:200]} was refused ({response.status_code}) but wrote {changed}"
    if response.get("Content-Type", "").startswith("text/html") and not response.streaming:
        assert XSS not in response.content.decode(errors="replace"), f"{path}: script echoed unescaped"
    return response


# ---------- The world (tests/conftest.py) ----------


@pytest.fixture(autouse=True)
def _english(settings):
    """The refusals are recognised by their English messages."""
    settings.LANGUAGE_CODE = "en"


def ids(world: World) -> dict[str, list]:
    """The ids a tampered form tries: real ones of A and B, ones that exist nowhere."""
    menu, ingredients = world.menu, world.ingredients
    return {
        "restaurants": [world.restaurant_a.pk, world.restaurant_b.pk, 0, 999_999],
        "products": [menu["margherita"].pk, menu["regina"].pk, 0, 999_999],
        "ingredients": [ingredient.pk for ingredient in ingredients.values()] + [999_999],
        "extras": [menu["extra_mozzarella"].pk, 0, 999_999],
        "users": [user.pk for user in world.users.values()] + [999_999],
        "addresses": [world.address.pk, world.other_address.pk, 999_999],
    }


def numbers(world: World) -> list[str]:
    """Order numbers: each order of the world (A's, B's, another customer's), lower case, and none."""
    known = [order.number for order in world.orders.values()]
    return [*known, known[0].lower(), "ZZZ-ZZZ", "ZZZZZZ"]


def fill_cart(
    client: Client, world: World, *, path: str = "/cart/add/", products=("margherita", "regina")
) -> None:
    """Lines in the cart (or the counter's order being taken), for the pages that act on them."""
    for product in products:
        response = client.post(
            path,
            {"restaurant": world.restaurant_a.pk, "product": world.menu[product].pk, "quantity": "1"},
        )
        assert response.status_code == 302, response.status_code


# ---------- Customer side ----------


@FUZZ
@given(data=st.data())
def test_add_to_cart(world, data):
    known = ids(world)
    who = data.draw(st.sampled_from(["anonymous", "customer"]))
    fields = {
        "restaurant": field_value(*known["restaurants"]),
        "product": field_value(*known["products"]),
        "quantity": field_value(1, 2, 20, 21, 0),
        "removed": field_value(*known["ingredients"]),
        "extras": field_value(*known["extras"]),
        "confirm": field_value("replace"),
    }
    body = data.draw(form(fields))
    encoding = data.draw(st.sampled_from(["urlencoded", "multipart"]))
    exercise(world.client(who), "POST", "/cart/add/", body, encoding=encoding)


@FUZZ
@given(data=st.data())
def test_change_and_remove_cart_lines(world, data):
    client = world.client("customer")
    filled = data.draw(st.booleans(), label="lines in the cart")
    index = data.draw(st.one_of(st.integers(0, 3), st.integers(0, 10**30)))
    action = data.draw(
        st.sampled_from([f"/cart/lines/{index}/", f"/cart/lines/{index}/remove/", "/cart/clear/"])
    )
    body = data.draw(form({"quantity": field_value(0, 1, 3, 20, 21)}))
    exercise(client, "POST", action, body, setup=(lambda: fill_cart(client, world)) if filled else None)


@FUZZ
@given(data=st.data())
def test_promo_code_in_the_cart(world, data):
    """A typed code (real, in any case, unknown, too long, hostile) applied or removed, cart filled or not."""
    client = world.client(data.draw(st.sampled_from(["anonymous", "customer"])))
    filled = data.draw(st.booleans(), label="lines in the cart")
    body = data.draw(
        form(
            {
                "code": field_value("BIENVENUE10", "bienvenue10", "NOPE", "X" * 33),
                "action": field_value("apply", "remove"),
            }
        )
    )
    exercise(
        client, "POST", "/cart/code/", body, setup=(lambda: fill_cart(client, world)) if filled else None
    )


@FUZZ
@given(data=st.data())
def test_loyalty_reward_in_the_cart(world, data):
    """A reward id (real, unknown, huge, not a number) taken or given up, by a guest, a customer or staff."""
    client = world.client(data.draw(st.sampled_from(["anonymous", "customer", "pizzaiolo"])))
    filled = data.draw(st.booleans(), label="lines in the cart")
    reward = Reward.objects.values_list("pk", flat=True).first()
    body = data.draw(
        form({"reward": field_value(reward, 0, -1, 10**12, "x"), "action": field_value("take", "remove")})
    )
    exercise(
        client, "POST", "/cart/reward/", body, setup=(lambda: fill_cart(client, world)) if filled else None
    )


@FUZZ
@given(data=st.data())
def test_compose_a_formule(world, data):
    """A formule's choices tampered with: products of the component or not, modifiers of any product,
    garbage; the cart filled or not, with a cart line of a formule then changed or removed."""
    formule = Formule.objects.get()
    (component,) = formule.components.all()
    known = ids(world)
    client = world.client(data.draw(st.sampled_from(["anonymous", "customer"])))
    slot = f"slot-{component.pk}-1"
    product = data.draw(st.sampled_from(known["products"]))
    body = data.draw(
        form(
            {
                slot: field_value(*known["products"]),
                f"{slot}-{product}-removed": field_value(*known["ingredients"]),
                f"{slot}-{product}-extras": field_value(*known["extras"]),
                f"slot-{component.pk}-2": field_value(*known["products"]),
            }
        )
    )
    filled = data.draw(st.booleans(), label="lines in the cart")
    exercise(
        client,
        "POST",
        f"/formules/{world.restaurant_a.pk}/{formule.pk}/",
        body,
        setup=(lambda: fill_cart(client, world)) if filled else None,
    )


@FUZZ
@given(data=st.data())
def test_checkout(world, data):
    client = world.client("customer")
    with transaction.atomic():
        fill_cart(client, world)
        page = client.get("/checkout/")
        transaction.set_rollback(True)
    assert page.status_code == 200
    shown = page.context["form"]

    def choices(name):
        flat = []
        for value, label in shown.fields[name].choices:
            if isinstance(label, (list, tuple)):  # a group of times: (day, [(value, label), ...])
                flat.extend(option for option, _label in label)
            else:
                flat.append(value)
        return flat

    fields = {
        "fulfilment": field_value("delivery", "pickup"),
        "address": field_value(*choices("address"), world.other_address.pk),
        "street": field_value("1 rue de la Paix"),
        "complement": field_value(),
        "postal_code": field_value("69001", "75004", "6900"),
        "city": field_value("Lyon"),
        "instructions": field_value(),
        "save_address": field_value("on", "true"),
        "delivery_time": field_value(*choices("delivery_time"), "2026-11-30T12:07:00+01:00"),
        "pickup_time": field_value(*choices("pickup_time")),
        "payment_method": field_value("online", "cash_on_delivery", "card_on_delivery", "at_counter"),
        "phone": field_value("06 12 34 56 78"),
        "note": field_value(),
        "cart_fingerprint": field_value(page.context["contents"].fingerprint, "0" * 32),
        "accept_terms": field_value("on"),
        "terms_version": field_value("1", "2", "-1"),
    }
    exercise(
        client,
        "POST",
        "/checkout/",
        data.draw(form(fields)),
        setup=lambda: fill_cart(client, world),
    )


@FUZZ
@given(data=st.data())
def test_address_book(world, data):
    known = ids(world)
    pk = data.draw(st.one_of(st.sampled_from([*known["addresses"], 0]), st.integers(0, 10**30)))
    path = data.draw(
        st.sampled_from(
            [
                "/accounts/addresses/new/",
                f"/accounts/addresses/{pk}/edit/",
                f"/accounts/addresses/{pk}/delete/",
            ]
        )
    )
    fields = {
        name: field_value(valid)
        for name, valid in {
            "label": "Maison",
            "street": "1 rue de la Paix",
            "complement": "",
            "postal_code": "69001",
            "city": "Lyon",
            "instructions": "",
        }.items()
    }
    exercise(world.client("customer"), "POST", path, data.draw(form(fields)))


@FUZZ
@given(data=st.data())
def test_profile(world, data):
    fields = {
        "first_name": field_value("Alice"),
        "last_name": field_value("Martin"),
        "phone": field_value("06 12 34 56 78"),
        "language": field_value("fr", "en", "de"),
        "email": field_value("mallory@example.com"),  # not a field of the form: never saved
        "is_staff": field_value("on", "true", "1"),
        "is_superuser": field_value("on", "true", "1"),
    }
    who = data.draw(st.sampled_from(["customer", "pizzaiolo"]))
    exercise(world.client(who), "POST", "/accounts/profile/", data.draw(form(fields)))
    user = User.objects.get(pk=world.users[who].pk)
    assert not user.is_superuser and user.email == world.users[who].email


@FUZZ
@given(data=st.data())
def test_modify_an_order(world, data):
    known = ids(world)
    number = data.draw(path_part(*numbers(world)))
    fields = {
        "line-0-quantity": field_value(0, 1, 2, 20, 21),
        "line-0-removed": field_value(*known["ingredients"]),
        "line-0-extras": field_value(*known["extras"]),
        "line-1-quantity": field_value(1),
        "add-product": field_value(*known["products"]),
        "add-quantity": field_value(1, 20, 21),
    }
    who = data.draw(st.sampled_from(["customer", "other_customer"]))
    exercise(world.client(who), "POST", f"/orders/{number}/modify/", data.draw(form(fields)))


@FUZZ
@given(data=st.data())
def test_cancel_reorder_and_pay_an_order(world, data):
    number = data.draw(path_part(*numbers(world)))
    action = data.draw(st.sampled_from(["cancel", "reorder", "pay"]))
    fields = {"reason": field_value("Trop long"), "replace": field_value("yes")}
    who = data.draw(st.sampled_from(["customer", "other_customer"]))
    exercise(world.client(who), "POST", f"/orders/{number}/{action}/", data.draw(form(fields)))


@FUZZ
@given(data=st.data())
def test_demo_payment_page(world, data):
    reference = data.draw(path_part(world.demo_payment.provider_reference, "demo_x", "cs_test_fuzz"))
    body = data.draw(form({"action": field_value("pay", "decline", "refund")}))
    who = data.draw(st.sampled_from(["customer", "other_customer"]))
    # "Declined" is an error message, yet a decision the customer made: it records the failed payment.
    declined = body.get("action") == "decline"
    exercise(
        world.client(who),
        "POST",
        f"/payments/demo/{reference}/",
        body,
        refusal=(lambda response: False) if declined else None,
    )


@LIGHT
@given(data=st.data())
def test_sign_up_and_sign_in(world, data):
    """allauth's forms, lightly: a fresh anonymous client each time (a success rotates the session)."""
    which = data.draw(st.sampled_from(["signup", "login", "password/reset"]))
    fields = {
        "email": field_value("new@example.com", "alice@example.com"),
        "login": field_value("alice@example.com"),
        "password": field_value("pizza-test-password"),
        "password1": field_value("a-long-enough-password"),
        "password2": field_value("a-long-enough-password"),
        "first_name": field_value("Eve"),
        "last_name": field_value("Durand"),
        "phone": field_value("06 12 34 56 78"),
        "remember": field_value("on"),
        "next": field_value("/orders/", "https://evil.example/"),
    }
    response = exercise(world.client("anonymous"), "POST", f"/accounts/{which}/", data.draw(form(fields)))
    assert response.status_code in (200, 302, 400, 403, 429)


@LIGHT
@given(data=st.data())
def test_language_switch_and_sign_out(world, data):
    path = data.draw(st.sampled_from(["/i18n/setlang/", "/accounts/logout/"]))
    body = data.draw(
        form({"language": field_value("fr", "en", "xx"), "next": field_value("/", "https://evil.example/")})
    )
    response = exercise(world.client("customer"), "POST", path, body)
    assert response.status_code < 400


# ---------- Staff side ----------


@FUZZ
@given(data=st.data())
def test_kitchen_and_delivery_actions(world, data):
    number = data.draw(path_part(*numbers(world)))
    path = data.draw(
        st.sampled_from(
            [
                f"/staff/kitchen/orders/{number}/start/",
                f"/staff/kitchen/orders/{number}/ready/",
                f"/staff/delivery/orders/{number}/take/",
                f"/staff/delivery/orders/{number}/delivered/",
                f"/staff/delivery/orders/{number}/failed/",
            ]
        )
    )
    fields = {"method": field_value("cash", "card", "online", ""), "reason": field_value("Absent")}
    who = data.draw(st.sampled_from(["pizzaiolo", "driver", "manager_a", "manager_b", "counter"]))
    exercise(world.client(who), "POST", path, data.draw(form(fields)))


@FUZZ
@given(data=st.data())
def test_counter_order_actions(world, data):
    number = data.draw(path_part(*numbers(world)))
    path = data.draw(
        st.sampled_from(
            [f"/staff/counter/orders/{number}/hand-over/", f"/staff/counter/orders/{number}/cancel/"]
        )
    )
    fields = {
        "payment": field_value("cash", "card", "online", ""),
        "back": field_value("ready", "received"),
        "reason": field_value("Le client a appelé"),
    }
    who = data.draw(st.sampled_from(["counter", "manager_a", "manager_b", "driver"]))
    exercise(world.client(who), "POST", path, data.draw(form(fields)))


@FUZZ
@given(data=st.data())
def test_counter_new_order(world, data):
    known = ids(world)
    client = world.client("counter")
    filled = data.draw(st.booleans(), label="lines taken")
    index = data.draw(st.one_of(st.integers(0, 3), st.integers(0, 10**30)))
    path = data.draw(
        st.sampled_from(
            [
                "/staff/counter/new/",
                "/staff/counter/new/add/",
                f"/staff/counter/new/lines/{index}/",
                "/staff/counter/new/customer/",
                "/staff/counter/new/clear/",
                "/staff/counter/new/code/",
            ]
        )
    )
    fields = {
        "place": field_value("1"),
        "channel": field_value("phone", "counter", "web"),
        "name": field_value("Chloé Petit"),
        "phone": field_value("06 99 88 77 66"),
        "email": field_value("chloe@example.com"),
        "fulfilment": field_value("pickup", "delivery"),
        "address": field_value(*known["addresses"], "new"),
        "street": field_value("1 rue de la Paix"),
        "postal_code": field_value("69001"),
        "city": field_value("Lyon"),
        "pickup_time": field_value("asap"),
        "delivery_time": field_value("asap"),
        "payment_method": field_value("cash_on_delivery", "card_on_delivery", "at_counter", "online"),
        "note": field_value(),
        "restaurant": field_value(*known["restaurants"]),
        "product": field_value(*known["products"]),
        "quantity": field_value(0, 1, 20, 21),
        "removed": field_value(*known["ingredients"]),
        "extras": field_value(*known["extras"]),
        "customer": field_value(*known["users"]),
        "forget": field_value("1"),
        "code": field_value("BIENVENUE10", "bienvenue10", "NOPE", "X" * 33),
        "action": field_value("apply", "remove"),
    }
    query = data.draw(st.sampled_from(["", "?q=", "?q=06%2012", "?q=%00", "?q=alice%40example.com"]))
    setup = (lambda: fill_cart(client, world, path="/staff/counter/new/add/")) if filled else None
    exercise(client, "POST", path + query, data.draw(form(fields)), setup=setup)


@FUZZ
@given(data=st.data())
def test_stock_actions(world, data):
    stock_ids = [stock.pk for stock in world.stock_a.values()] + [world.stock_b.pk, 0, 10**12]
    stock_id = data.draw(st.one_of(st.sampled_from(stock_ids), st.integers(0, 10**30)))
    action = data.draw(st.sampled_from(["restock", "waste", "count", "threshold", "delete"]))
    prefix = f"stock-{stock_id}-{action}"
    fields = {
        f"{prefix}-quantity": field_value("1", "12,5", "0.001", "1000000", "1000000.001", "5000"),
        f"{prefix}-note": field_value("Livraison"),
        "quantity": field_value("10"),
    }
    who = data.draw(st.sampled_from(["manager_a", "manager_b", "pizzaiolo", "head_office"]))
    response = exercise(
        world.client(who), "POST", f"/staff/stock/{stock_id}/{action}/", data.draw(form(fields))
    )
    if who == "pizzaiolo" or (who == "manager_b" and stock_id != world.stock_b.pk):
        assert response.status_code in (403, 404), "only the managers of the stock's restaurant change it"


@FUZZ
@given(data=st.data())
def test_switching_restaurant(world, data):
    known = ids(world)
    body = data.draw(
        form(
            {
                "restaurant": field_value(*known["restaurants"]),
                "next": field_value("/staff/", "https://evil.example/"),
            }
        )
    )
    who = data.draw(st.sampled_from(["pizzaiolo", "manager_b", "head_office", "customer"]))
    client = world.client(who)
    response = exercise(client, "POST", "/staff/restaurant/", body)
    if response.status_code == 302:
        # Never to another site, whatever `next` says.
        assert urlsplit(urljoin("http://testserver/staff/", response["Location"])).netloc == "testserver"


# ---------- Query strings of the pages with a search or a filter ----------


@FUZZ
@given(data=st.data())
def test_search_and_filter_parameters(world, data):
    known = ids(world)
    order = world.orders["phone"]
    page, who, names = data.draw(
        st.sampled_from(
            [
                ("/", "anonymous", ["postal_code"]),
                (f"/restaurants/{world.restaurant_a.slug}/", "anonymous", ["added"]),
                ("/staff/recipes/", "pizzaiolo", ["q"]),
                (
                    "/staff/stock/movements/",
                    "manager_a",
                    ["ingredient", "reason", "user", "start", "end", "page"],
                ),
                ("/staff/dashboard/", "manager_a", ["start", "end"]),
                ("/staff/dashboard/orders.csv", "head_office", ["start", "end"]),
                ("/staff/counter/", "counter", ["status"]),
                ("/staff/counter/new/", "counter", ["q"]),
                (f"/orders/{order.number}/", "anonymous", ["t"]),
                (f"/orders/{order.number}/status/", "anonymous", ["t"]),
            ]
        )
    )
    valid = [
        *known["ingredients"],
        *known["users"],
        "2026-11-30",
        "2026-02-30",
        "ready",
        order.tracking_token,
    ]
    query = data.draw(form({name: field_value(*valid) for name in names}))
    exercise(world.client(who), "GET", page, query)


# ---------- Stripe's webhook ----------


@FUZZ
@given(data=st.data())
def test_webhook_with_random_bodies_and_signatures(world, data):
    body = data.draw(st.one_of(st.binary(max_size=300), st.text(max_size=300), st.sampled_from(HOSTILE)))
    now = int(time.time())
    header = data.draw(
        st.one_of(
            st.none(),
            st.sampled_from(HOSTILE),
            st.text(max_size=200),
            st.builds(lambda t, v: f"t={t},v1={v}", st.one_of(st.integers(), SCALAR), st.text(max_size=80)),
            st.just(f"t={now},v1=" + "0" * 64),
            st.just(f"t={now - 3600},v0=abc"),
        )
    )
    headers = {} if header is None else {"Stripe-Signature": header.replace("\n", " ").replace("\r", " ")}
    response = exercise(world.client("anonymous"), "POST", "/payments/stripe/webhook/", body, headers=headers)
    assert response.status_code == 400


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=8,
)


def json_or(*choices) -> st.SearchStrategy:
    return st.one_of(st.sampled_from(choices), JSON) if choices else JSON


@FUZZ
@given(data=st.data())
def test_webhook_signed_events_of_any_shape(world, data):
    """Events with a valid signature (as if Stripe itself sent them malformed) are handled or refused, never
    a 500; they may name our real payment, refund and order."""
    payment, refund = world.stripe_payment, world.refund
    metadata = st.fixed_dictionaries(
        {},
        optional={
            "payment_id": json_or(str(payment.pk), payment.pk, "999999"),
            "order_number": json_or(payment.order.number),
            "refund_id": json_or(str(refund.pk), refund.pk),
        },
    )
    obj = st.fixed_dictionaries(
        {},
        optional={
            "id": json_or(payment.provider_reference, refund.provider_reference, "", "x" * 300),
            "metadata": st.one_of(metadata, JSON),
            "payment_status": json_or("paid", "unpaid", "no_payment_required"),
            "amount_total": json_or(int(payment.amount * 100), -1, 10**20, 1.5),
            "currency": json_or("eur", "EUR", "usd"),
            "payment_intent": json_or("pi_test_fuzz", "p" * 300),
            "status": json_or("succeeded", "failed", "canceled", "pending"),
            "failure_reason": json_or("x" * 400),
            "refunds": st.one_of(JSON, st.fixed_dictionaries({"data": st.lists(JSON, max_size=2)})),
        },
    )
    # Mostly the shape of an event (three chances in four for each part), so the handlers are reached.
    kinds = st.sampled_from(
        [
            "checkout.session.completed",
            "checkout.session.async_payment_succeeded",
            "checkout.session.async_payment_failed",
            "checkout.session.expired",
            "charge.refunded",
            "refund.updated",
            "refund.failed",
        ]
    )
    event_id = st.one_of(st.just("evt_fuzz_1"), st.text(min_size=1, max_size=40).map("evt_{}".format))
    event = data.draw(
        st.fixed_dictionaries(
            {
                "object": st.one_of(st.just("event"), st.just("event"), st.just("event"), JSON),
                "id": st.one_of(event_id, event_id, event_id, json_or("", "e" * 300, "evt\x00")),
                "type": st.one_of(kinds, kinds, kinds, json_or("t" * 200)),
                "data": st.one_of(*[st.fixed_dictionaries({"object": obj})] * 3, JSON),
            },
            optional={"extra": JSON},
        )
    )
    body = json.dumps(event)
    signature = stripe.WebhookSignature.generate_signature_header(
        body, WEBHOOK_SECRET, timestamp=int(time.time())
    )
    exercise(
        world.client("anonymous"),
        "POST",
        "/payments/stripe/webhook/",
        body,
        headers={"Stripe-Signature": signature},
    )
