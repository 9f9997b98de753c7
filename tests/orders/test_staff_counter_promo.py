"""A promo code on the counter's new order: checked at the counter for the customer picked (or for nobody, a
walk-in), its discount in the totals before the order is placed, checked again under lock at placement, and
refused with its reason, a 400 and nothing written."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from offers.models import Kind, PromoCode
from orders.models import Channel, Order
from orders.staff.counter.taken import CounterCart
from restaurants.models import Role, Stock
from tests import factories as f
from tests.orders import counter as counter_orders
from tests.orders.counter import NEW

pytestmark = pytest.mark.django_db

D = Decimal
ADD = reverse("staff_counter_add")
CODE = reverse("staff_counter_promo")
CHOOSE = reverse("staff_counter_customer")


def promo(code="COMPTOIR", **fields) -> PromoCode:
    fields = {
        "label": "Comptoir",
        "kind": Kind.PERCENT,
        "value": D("10"),
        "channels": ["web", "counter"],
        **fields,
    }
    return PromoCode.objects.create(code=code, **fields)


@pytest.fixture
def at_counter(client, restaurant_a, menu, stock_a, noon):
    """The counter clerk of A, signed in (in English), two Margheritas (19.00 €) taken."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(f.StaffMemberFactory(restaurant=restaurant_a, role=Role.COUNTER).user)
    client.post(ADD, {"product": menu["margherita"].pk, "quantity": "2"})
    return client


def apply(client, code, action="apply"):
    return client.post(CODE, {"code": code, "action": action})


def kept_code(client) -> str:
    return CounterCart.load(client.session).promo_code


def place(client, **data):
    """A counter order, paid at the counter unless told otherwise."""
    return counter_orders.place(client, **{"channel": "counter", "payment_method": "at_counter", **data})


def text(response) -> str:
    return response.content.decode().replace("\xa0", " ")


def stock_levels():
    return sorted(Stock.objects.values_list("pk", "quantity"))


def test_a_code_applied_shows_its_discount_in_the_totals_then_the_order_carries_it(at_counter):
    promo()

    response = apply(at_counter, " comptoir ")

    assert response.status_code == 302
    assert kept_code(at_counter) == "COMPTOIR"
    page = at_counter.get(NEW)
    contents = page.context["contents"]
    assert (contents.discount, contents.total_picked_up) == (D("1.90"), D("17.10"))
    assert "Code COMPTOIR" in text(page)
    assert "17.10" in text(page)

    placed = place(at_counter)

    assert placed.status_code == 302
    order = Order.objects.get()
    assert order.promo_code.code == "COMPTOIR"
    assert (order.subtotal, order.discount, order.total) == (D("19.00"), D("1.90"), D("17.10"))
    assert sum(line.discount for line in order.lines.all()) == D("1.90")
    assert kept_code(at_counter) == ""  # the next order starts without it


def test_a_code_can_be_removed(at_counter):
    promo()
    apply(at_counter, "COMPTOIR")

    assert apply(at_counter, "", action="remove").status_code == 302

    assert kept_code(at_counter) == ""
    assert at_counter.get(NEW).context["contents"].discount == 0


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"channels": ["web"]}, "This code cannot be used for this kind of order."),
        ({"valid_until": "past"}, "This code has expired."),
        ({"first_order_only": True}, "pick the customer first"),
        ({"max_uses_per_customer": 1}, "pick the customer first"),
    ],
    ids=["web-only", "expired", "walk-in-first-order", "walk-in-per-customer"],
)
def test_a_refused_code_says_why_with_a_400_and_is_not_kept(at_counter, noon, fields, reason):
    if fields.get("valid_until") == "past":
        fields["valid_until"] = noon - timedelta(days=1)
    promo(**fields)

    response = apply(at_counter, "COMPTOIR")

    assert response.status_code == 400
    assert reason in text(response)
    assert 'aria-invalid="true"' in text(response)
    assert kept_code(at_counter) == ""


def test_a_first_order_code_is_taken_for_the_customer_picked(at_counter, customer):
    promo(first_order_only=True)
    at_counter.post(CHOOSE, {"customer": customer.pk})

    assert apply(at_counter, "COMPTOIR").status_code == 302

    assert place(at_counter).status_code == 302
    order = Order.objects.get()
    assert (order.customer, order.discount, order.total) == (customer, D("1.90"), D("17.10"))


def test_forgetting_the_customer_refuses_the_code_again_and_placement_writes_nothing(at_counter, customer):
    promo(first_order_only=True)
    at_counter.post(CHOOSE, {"customer": customer.pk})
    apply(at_counter, "COMPTOIR")
    at_counter.post(CHOOSE, {"forget": "1"})

    page = at_counter.get(NEW)
    assert page.context["contents"].offer is None
    assert "pick the customer first" in text(page)
    before = stock_levels()

    response = place(at_counter)

    assert response.status_code == 400
    assert "pick the customer first" in text(response)
    assert not Order.objects.exists()
    assert stock_levels() == before


def test_a_code_expired_since_it_was_applied_is_refused_at_placement_with_nothing_written(at_counter, noon):
    code = promo()
    apply(at_counter, "COMPTOIR")
    PromoCode.objects.filter(pk=code.pk).update(valid_until=noon - timedelta(minutes=1))
    before = stock_levels()

    response = place(at_counter)

    assert response.status_code == 400
    assert "This code has expired." in text(response)
    assert not Order.objects.exists()
    assert stock_levels() == before


def test_a_phone_order_takes_a_counter_code(at_counter):
    """Orders taken by staff, at the counter or on the phone, are the offers' "counter" channel."""
    promo()
    apply(at_counter, "COMPTOIR")

    response = place(at_counter, channel=Channel.PHONE, payment_method="cash_on_delivery")

    assert response.status_code == 302
    order = Order.objects.get()
    assert order.channel == Channel.PHONE
    assert order.promo_code.code == "COMPTOIR"
    assert order.discount > 0


@pytest.mark.parametrize(
    "body",
    [{"code": "", "action": "apply"}, {"code": "x" * 33, "action": "apply"}, {"action": "nonsense"}, {}],
    ids=["empty", "too-long", "bad-action", "nothing"],
)
def test_bad_input_gets_a_400_not_a_500(at_counter, body):
    assert at_counter.post(CODE, body).status_code == 400
    assert kept_code(at_counter) == ""


def test_no_line_taken_sends_back_without_a_code(client, restaurant_a, menu, stock_a, noon):
    client.force_login(f.StaffMemberFactory(restaurant=restaurant_a, role=Role.COUNTER).user)
    promo()

    response = apply(client, "COMPTOIR")

    assert response.status_code == 303
    assert kept_code(client) == ""


def test_the_counter_reads_no_loyalty_reward_for_the_customer_picked(at_counter, customer):
    """Rewards are taken in the customer's own cart: the counter's order page never queries them."""
    at_counter.post(CHOOSE, {"customer": customer.pk})
    with CaptureQueriesContext(connection) as queries:
        response = at_counter.get(NEW)

    assert response.status_code == 200
    assert not [query["sql"] for query in queries if "loyalty_" in query["sql"]]
