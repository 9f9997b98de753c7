"""offers.rules: what a promo code takes off a cart, or the precise reason it is refused."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction

from offers.models import Kind, PromoCode, Target
from offers.rules import OfferRefused, Usage, check, discount_for, find
from tests import factories as f

D = Decimal
PARIS = ZoneInfo("Europe/Paris")
# A Tuesday evening, frozen for every test of this module (no test depends on the real date).
TUESDAY_EVENING = datetime(2026, 3, 10, 20, 0, tzinfo=PARIS)
NO_USE = Usage()


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(TUESDAY_EVENING, tick=False)


@pytest.fixture
def pizzas(db):
    return f.CategoryFactory(name="Pizzas", slug="pizzas")


@pytest.fixture
def drinks(db):
    return f.CategoryFactory(name="Boissons", slug="boissons")


@pytest.fixture
def cart(pizzas, drinks):
    """A pizza at 12 € and a drink at 3 €: 15 €."""
    pizza = f.ProductFactory(category=pizzas, price=D("12.00"))
    drink = f.ProductFactory(category=drinks, price=D("3.00"), baking_minutes=None)
    return [
        SimpleNamespace(product=pizza, line_total=D("12.00")),
        SimpleNamespace(product=drink, line_total=D("3.00")),
    ]


def code(**fields) -> PromoCode:
    fields = {"code": "PROMO", "label": "Promo", "kind": Kind.PERCENT, "value": D("10"), **fields}
    restaurants = fields.pop("restaurants", [])
    products = fields.pop("products", [])
    promo = PromoCode.objects.create(**fields)
    promo.restaurants.set(restaurants)
    promo.products.set(products)
    return promo


def ask(promo, cart, restaurant, *, customer="someone", channel="web", usage=NO_USE, now=None):
    customer = SimpleNamespace(pk=1) if customer == "someone" else customer
    return check(
        promo, restaurant=restaurant, customer=customer, channel=channel, lines=cart, usage=usage, now=now
    )


def refusal(promo, cart, restaurant, **options) -> OfferRefused:
    with pytest.raises(OfferRefused) as refused:
        ask(promo, cart, restaurant, **options)
    return refused.value


# -- What a code takes off ------------------------------------------------------------------------------


def test_a_percentage_of_the_whole_order(cart, restaurant_a):
    discount = ask(code(value=D("10")), cart, restaurant_a)
    assert discount.amount == D("1.50")
    assert discount.concerned == (True, True)
    assert not discount.free_delivery


def test_a_fixed_amount_never_above_what_it_concerns(cart, restaurant_a):
    assert ask(code(kind=Kind.AMOUNT, value=D("5")), cart, restaurant_a).amount == D("5.00")
    assert ask(code(code="BIG", kind=Kind.AMOUNT, value=D("50")), cart, restaurant_a).amount == D("15.00")


def test_a_category_code_takes_off_only_that_category(cart, restaurant_a, drinks):
    discount = ask(code(target=Target.CATEGORY, category=drinks, value=D("50")), cart, restaurant_a)
    assert discount.amount == D("1.50")
    assert discount.concerned == (False, True)


def test_a_products_code_takes_off_only_those_products(cart, restaurant_a):
    promo = code(target=Target.PRODUCTS, products=[cart[0].product], kind=Kind.AMOUNT, value=D("2"))
    discount = ask(promo, cart, restaurant_a)
    assert (discount.amount, discount.concerned) == (D("2"), (True, False))


def test_free_delivery_takes_nothing_off_the_lines(cart, restaurant_a):
    discount = ask(code(kind=Kind.FREE_DELIVERY, value=D("0")), cart, restaurant_a)
    assert discount.free_delivery and discount.amount == 0


def test_a_code_is_found_whatever_its_case_and_spaces(db):
    promo = code(code="Bienvenue10")
    assert promo.code == "BIENVENUE10"
    assert find("  bienvenue10 ") == promo


def test_two_codes_cannot_differ_only_by_case(db):
    code(code="ABC")
    other = code(code="XYZ")
    with pytest.raises(IntegrityError), transaction.atomic():
        PromoCode.objects.filter(pk=other.pk).update(code="abc")  # past save(), which capitalises


# -- Every refusal, with its reason ---------------------------------------------------------------------


def test_unknown(db):
    with pytest.raises(OfferRefused) as refused:
        find("NOPE")
    assert refused.value.code == "unknown"
    assert "NOPE" in refused.value.message


def test_an_inactive_code_is_unknown(cart, restaurant_a):
    promo = code(active=False)
    with pytest.raises(OfferRefused):
        find("PROMO")
    assert refusal(promo, cart, restaurant_a).code == "unknown"


def test_expired_and_not_yet_valid(cart, restaurant_a):
    expired = code(valid_until=TUESDAY_EVENING - timedelta(minutes=1))
    assert refusal(expired, cart, restaurant_a).code == "expired"
    later = code(code="LATER", valid_from=TUESDAY_EVENING + timedelta(days=1))
    refused = refusal(later, cart, restaurant_a)
    assert refused.code == "not_yet"
    assert "11" in refused.message  # the date it starts, in the customer's time


def test_valid_within_its_dates(cart, restaurant_a):
    promo = code(
        valid_from=TUESDAY_EVENING - timedelta(days=1), valid_until=TUESDAY_EVENING + timedelta(days=1)
    )
    assert ask(promo, cart, restaurant_a).amount == D("1.50")


def test_tuesday_evening_only(cart, restaurant_a, time_machine):
    promo = code(weekdays=[2], hours_from=time(18), hours_until=time(23))
    assert ask(promo, cart, restaurant_a).amount == D("1.50")
    time_machine.move_to(TUESDAY_EVENING.replace(hour=12), tick=False)
    assert refusal(promo, cart, restaurant_a).code == "not_now"
    time_machine.move_to(TUESDAY_EVENING + timedelta(days=1), tick=False)
    refused = refusal(promo, cart, restaurant_a)
    assert refused.code == "not_now"
    assert "mardi 18:00–23:00" in refused.message  # French, the default language


def test_an_hour_window_across_midnight(cart, restaurant_a, time_machine):
    promo = code(hours_from=time(22), hours_until=time(2))
    time_machine.move_to(TUESDAY_EVENING.replace(hour=23, minute=30), tick=False)
    assert ask(promo, cart, restaurant_a).amount
    time_machine.move_to(TUESDAY_EVENING.replace(hour=1) + timedelta(days=1), tick=False)
    assert ask(promo, cart, restaurant_a).amount
    time_machine.move_to(TUESDAY_EVENING.replace(hour=21), tick=False)
    assert refusal(promo, cart, restaurant_a).code == "not_now"


def test_minimum_not_reached_says_the_amount(cart, restaurant_a):
    refused = refusal(code(minimum_order=D("25")), cart, restaurant_a)
    assert refused.code == "minimum"
    assert "25,00" in refused.message and "10,00" in refused.message


def test_already_used_by_this_customer(cart, restaurant_a):
    promo = code(max_uses_per_customer=1)
    assert ask(promo, cart, restaurant_a, usage=Usage(by_customer=0)).amount
    assert refusal(promo, cart, restaurant_a, usage=Usage(by_customer=1)).code == "already_used"


def test_exhausted_once_every_use_is_spent(cart, restaurant_a):
    promo = code(max_uses=3)
    assert ask(promo, cart, restaurant_a, usage=Usage(total=2)).amount
    assert refusal(promo, cart, restaurant_a, usage=Usage(total=3)).code == "exhausted"


def test_not_in_this_restaurant(cart, restaurant_a, restaurant_b):
    promo = code(restaurants=[restaurant_b])
    refused = refusal(promo, cart, restaurant_a)
    assert refused.code == "restaurant"
    assert restaurant_a.name in refused.message
    assert ask(promo, cart, restaurant_b).amount


def test_first_order_only(cart, restaurant_a):
    promo = code(first_order_only=True)
    assert ask(promo, cart, restaurant_a, usage=Usage(customer_orders=0)).amount
    assert refusal(promo, cart, restaurant_a, usage=Usage(customer_orders=1)).code == "first_order"


def test_a_code_for_known_customers_asks_to_sign_in(cart, restaurant_a):
    assert refusal(code(first_order_only=True), cart, restaurant_a, customer=None).code == "sign_in"


def test_not_on_this_channel(cart, restaurant_a):
    promo = code(channels=["web"])
    assert refusal(promo, cart, restaurant_a, channel="counter").code == "channel"
    assert refusal(promo, cart, restaurant_a, channel="phone").code == "channel"
    assert ask(code(code="DESK", channels=["web", "counter"]), cart, restaurant_a, channel="counter").amount


def test_nothing_concerned_in_the_cart(cart, restaurant_a):
    other = f.CategoryFactory(name="Desserts", slug="desserts")
    refused = refusal(code(target=Target.CATEGORY, category=other), cart, restaurant_a)
    assert refused.code == "nothing_concerned"


def test_discount_for_checks_only_the_lines(cart):
    promo = code(valid_until=TUESDAY_EVENING - timedelta(days=1), minimum_order=D("20"))
    with pytest.raises(OfferRefused) as refused:
        discount_for(promo, cart)
    assert refused.value.code == "minimum"
    promo.minimum_order = D("0")
    assert discount_for(promo, cart).amount == D("1.50")  # its dates are not checked again
