"""Promo codes on orders: the cart's field, the code re-checked under its lock at checkout, the discount
shared across the lines so that the VAT by rate, the Stripe session and the sales record hold the discounted
amounts, a modification applying it again, a cancellation giving its use back."""

from __future__ import annotations

import threading
from datetime import time
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from offers.models import Kind, PromoCode, Target
from orders.cart import SESSION_KEY
from orders.errors import OrderError
from orders.models import Order, OrderLine
from orders.payments.stripe import line_items, to_cents
from orders.receipts import vat_breakdown
from orders.services import Contact, LineRequest, cancel_order, confirm_payment, modify_order, place_order
from orders.services.pricing import allocate_discount
from sales.models import EntryKind, SalesEntry
from tests import factories as f
from tests.orders.checkout import shown_fingerprint, terms_accepted

D = Decimal


def promo(code="PROMO", **fields) -> PromoCode:
    fields = {"label": "Promo", "kind": Kind.PERCENT, "value": D("10"), **fields}
    return PromoCode.objects.create(code=code, **fields)


@pytest.fixture
def drinks(db):
    """A soft drink at 5.5 % and a beer at 20 %, no recipe (nothing to take from stock)."""
    boissons = f.CategoryFactory(name="Boissons", slug="boissons")
    return {
        "soda": f.ProductFactory(category=boissons, price=D("3.00"), vat_rate=D("5.5"), baking_minutes=None),
        "beer": f.ProductFactory(category=boissons, price=D("4.50"), vat_rate=D("20"), baking_minutes=None),
    }


@pytest.fixture
def mixed(menu, drinks):
    """A Margherita (10 %), a soda (5.5 %) and a beer (20 %): 17.00 €."""
    return [
        LineRequest(product_id=menu["margherita"].id, quantity=1),
        LineRequest(product_id=drinks["soda"].id, quantity=1),
        LineRequest(product_id=drinks["beer"].id, quantity=1),
    ]


def vat_total(order: Order) -> Decimal:
    return sum((rate.gross for rate in vat_breakdown(list(order.lines.all()), order.delivery_fee)), D("0"))


# -- Placing an order with a code -------------------------------------------------------------------------


def test_a_percentage_is_shared_across_the_lines_and_the_vat_is_on_the_discounted_amounts(
    order_for, customer, mixed
):
    code = promo(value=D("10"))

    order = order_for(customer, *mixed, promo_code="promo")

    assert (order.promo_code, order.subtotal, order.discount, order.total) == (
        code,
        D("17.00"),
        D("1.70"),
        D("15.30"),
    )
    shares = {line.vat_rate: line.discount for line in order.lines.all()}
    assert shares == {D("10.00"): D("0.95"), D("5.50"): D("0.30"), D("20.00"): D("0.45")}
    rates = {rate.rate: (rate.gross, rate.vat) for rate in vat_breakdown(list(order.lines.all()), D("0"))}
    assert rates == {
        D("5.50"): (D("2.70"), D("0.14")),
        D("10.00"): (D("8.55"), D("0.78")),
        D("20.00"): (D("4.05"), D("0.68")),
    }
    sale = SalesEntry.objects.get(order=order, kind=EntryKind.SALE)
    assert sale.amount == order.total == D("15.30")
    assert sale.vat["20.00"] == {"gross": "4.05", "vat": "0.68"}


def test_a_free_delivery_code_zeroes_the_fee(order_for, customer, menu, delivery_to, restaurant_a):
    assert restaurant_a.delivery_fee > 0
    promo("LIVRAISONOFFERTE", kind=Kind.FREE_DELIVERY, value=D("0"), minimum_order=D("15"))

    order = order_for(
        customer,
        LineRequest(product_id=menu["margherita"].id, quantity=2),
        fulfilment="delivery",
        address=delivery_to,
        promo_code="LivraisonOfferte",
    )

    assert (order.delivery_fee, order.discount, order.total) == (D("0"), D("0"), D("19.00"))
    assert order.delivery_fee_waived == restaurant_a.delivery_fee
    assert vat_total(order) == order.total


def test_a_free_delivery_code_at_pickup_waives_nothing(order_for, customer, menu):
    promo("LIVRAISONOFFERTE", kind=Kind.FREE_DELIVERY, value=D("0"))

    order = order_for(
        customer, LineRequest(product_id=menu["margherita"].id, quantity=1), promo_code="LIVRAISONOFFERTE"
    )

    assert (order.promo_code.code, order.delivery_fee, order.delivery_fee_waived) == (
        "LIVRAISONOFFERTE",
        0,
        0,
    )


def test_a_modification_keeps_or_brings_back_the_fee_waived_when_placed(
    order_for, customer, menu, delivery_to, restaurant_a
):
    promo("LIVRAISONOFFERTE", kind=Kind.FREE_DELIVERY, value=D("0"), minimum_order=D("30"))
    placed_fee = restaurant_a.delivery_fee
    margherita, regina = menu["margherita"].id, menu["regina"].id
    order = order_for(
        customer,
        LineRequest(product_id=margherita, quantity=2),
        LineRequest(product_id=regina, quantity=1),
        fulfilment="delivery",
        address=delivery_to,
        promo_code="LIVRAISONOFFERTE",
    )
    # The restaurant's fee changes after the order was placed: the order keeps its own.
    restaurant_a.delivery_fee = placed_fee + D("1.50")
    restaurant_a.save(update_fields=["delivery_fee"])

    lines = [LineRequest(product_id=margherita, quantity=1), LineRequest(product_id=regina, quantity=2)]
    order = modify_order(order=order, lines=lines, by=customer)
    order.refresh_from_db()
    assert (order.promo_code.code, order.delivery_fee, order.delivery_fee_waived) == (
        "LIVRAISONOFFERTE",
        D("0"),
        placed_fee,
    )

    order = modify_order(order=order, lines=[LineRequest(product_id=margherita, quantity=2)], by=customer)
    order.refresh_from_db()
    # Below the code's minimum: the code is removed and the fee comes back as it was when placed.
    assert (order.promo_code, order.delivery_fee, order.delivery_fee_waived) == (None, placed_fee, D("0"))
    assert order.total == order.subtotal + placed_fee
    assert vat_total(order) == order.total


def test_a_category_code_discounts_only_that_category(order_for, customer, mixed, drinks):
    promo(target=Target.CATEGORY, category=drinks["soda"].category, kind=Kind.AMOUNT, value=D("1"))

    order = order_for(customer, *mixed, promo_code="PROMO")

    assert order.discount == D("1.00")
    by_name = {line.product_id: line.discount for line in order.lines.all()}
    assert by_name[mixed[0].product_id] == 0
    assert by_name[drinks["soda"].id] + by_name[drinks["beer"].id] == D("1.00")
    assert vat_total(order) == order.total == D("16.00")


def test_a_refused_code_places_nothing_and_says_why(order_for, customer, menu, stock_a):
    promo(minimum_order=D("30"))

    with pytest.raises(OrderError) as refused:
        order_for(customer, promo_code="PROMO")

    assert refused.value.code == "promo_minimum"
    assert Order.objects.count() == 0
    with pytest.raises(OrderError) as unknown:
        order_for(customer, promo_code="NOPE")
    assert unknown.value.code == "promo_unknown"


def test_the_last_use_is_given_back_when_its_order_is_cancelled(order_for, customer, other_customer):
    promo(max_uses=1)
    first = order_for(customer, promo_code="PROMO")

    with pytest.raises(OrderError) as refused:
        order_for(other_customer, promo_code="PROMO")
    assert refused.value.code == "promo_exhausted"

    cancel_order(order=first, by=customer)
    assert order_for(other_customer, promo_code="PROMO").discount == D("0.95")


def test_a_customer_cannot_use_a_code_twice_nor_a_first_order_code_after_a_first_order(order_for, customer):
    promo(max_uses_per_customer=1)
    promo("BIENVENUE10", first_order_only=True)
    order_for(customer, promo_code="PROMO")

    for code, reason in (("PROMO", "promo_already_used"), ("BIENVENUE10", "promo_first_order")):
        with pytest.raises(OrderError) as refused:
            order_for(customer, promo_code=code)
        assert refused.value.code == reason


def test_a_modification_applies_the_code_again_or_removes_it(order_for, customer, menu):
    promo(value=D("10"), minimum_order=D("15"))
    order = order_for(customer, LineRequest(product_id=menu["margherita"].id, quantity=2), promo_code="PROMO")
    assert order.discount == D("1.90")

    order = modify_order(
        order=order, lines=[LineRequest(product_id=menu["regina"].id, quantity=2)], by=customer
    )
    order.refresh_from_db()
    assert (order.discount, order.total) == (D("2.40"), D("21.60"))
    assert sum(line.discount for line in order.lines.all()) == order.discount

    order = modify_order(
        order=order, lines=[LineRequest(product_id=menu["regina"].id, quantity=1)], by=customer
    )
    order.refresh_from_db()
    assert (order.promo_code, order.discount, order.total) == (None, D("0"), D("12.00"))
    assert vat_total(order) == order.total


def test_the_stripe_session_carries_the_discounted_lines_and_the_order_total(
    order_for, customer, mixed, menu
):
    promo(value=D("10"))
    order = order_for(
        customer,
        *mixed,
        LineRequest(
            product_id=menu["regina"].id, quantity=2, extra_ids=frozenset({menu["extra_mozzarella"].id})
        ),
        promo_code="PROMO",
        payment_method="online",
    )

    items = line_items(order, order.total)

    assert len(items) == 4  # one item per line, not the whole order as one
    assert sum(item["price_data"]["unit_amount"] * item["quantity"] for item in items) == to_cents(
        order.total
    )
    assert "PROMO" in items[0]["price_data"]["product_data"]["description"]


# -- The cart and the checkout ----------------------------------------------------------------------------


@pytest.fixture
def cart(client, restaurant_a, menu, stock_a, noon, customer):
    client.force_login(customer)
    client.post(
        reverse("cart_add"),
        {"restaurant": restaurant_a.pk, "product": menu["margherita"].pk, "quantity": "2"},
    )
    return client


def apply(client, code, action="apply"):
    return client.post(reverse("cart_promo"), {"code": code, "action": action}, HTTP_ACCEPT_LANGUAGE="en")


def test_a_code_applied_in_the_cart_shows_its_discount_then_can_be_removed(cart):
    promo("BIENVENUE10", label="Bienvenue", first_order_only=True)

    response = apply(cart, " bienvenue10 ")

    assert response.status_code == 302
    assert cart.session[SESSION_KEY]["promo_code"] == "BIENVENUE10"
    page = cart.get(reverse("cart"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.context["contents"].discount == D("1.90")
    assert "Code BIENVENUE10" in page.content.decode()
    assert page.context["contents"].total_picked_up == D("17.10")
    assert apply(cart, "", action="remove").status_code == 302
    assert cart.session[SESSION_KEY]["promo_code"] == ""


@pytest.mark.parametrize(
    ("fields", "typed", "reason"),
    [
        ({}, "NOPE", "The code NOPE does not exist."),
        ({"minimum_order": D("25")}, "PROMO", "This code needs an order of at least 25.00"),
        ({"weekdays": [2], "hours_from": time(18), "hours_until": time(23)}, "PROMO", "not valid today"),
    ],
    ids=["unknown", "minimum", "tuesday-evening"],
)
def test_a_refused_code_is_not_kept_and_the_cart_says_why(cart, fields, typed, reason):
    promo(**fields)

    response = apply(cart, typed)

    assert response.status_code == 400
    assert reason in response.content.decode().replace("\xa0", " ").replace("25,00", "25.00")
    assert cart.session[SESSION_KEY].get("promo_code", "") == ""


@pytest.mark.parametrize("typed", ["", "x" * 33])
def test_bad_input_gets_a_400_not_a_500(cart, typed):
    assert apply(cart, typed).status_code == 400
    assert cart.post(reverse("cart_promo"), {"action": "nonsense"}).status_code == 400


def test_checkout_places_the_order_with_the_code(cart):
    promo(value=D("10"))
    apply(cart, "PROMO")

    response = cart.post(
        reverse("checkout"),
        {
            "cart_fingerprint": shown_fingerprint(cart),
            **terms_accepted(),
            "fulfilment": "pickup",
            "pickup_time": "asap",
            "delivery_time": "asap",
            "payment_method": "cash_on_delivery",
        },
    )

    order = Order.objects.get()
    assert response.status_code == 302
    assert (order.promo_code.code, order.discount, order.total) == ("PROMO", D("1.90"), D("17.10"))


def test_checkout_sends_back_to_the_cart_when_the_code_was_spent_meanwhile(cart, other_customer, order_for):
    promo(max_uses=1)
    apply(cart, "PROMO")
    order_for(other_customer, promo_code="PROMO")

    response = cart.get(reverse("checkout"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302 and response["Location"] == reverse("cart")
    assert Order.objects.count() == 1


# -- The last use, spent once ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_twenty_customers_spending_the_last_use_at_once_only_one_gets_it(
    restaurant_a, menu, ingredients, stock_a, noon
):
    """Spread over four restaurants: each placement locks its restaurant's row, so only the code's own row
    lock keeps two restaurants from both spending the last use."""
    restaurants = [restaurant_a]
    for number in range(3):
        restaurant = f.RestaurantFactory(name=f"OC Pizza {number}", slug=f"oc-pizza-{number}")
        for weekday in range(7):
            f.OpeningHoursFactory(restaurant=restaurant, weekday=weekday)
        for ingredient in ingredients.values():
            f.StockFactory(restaurant=restaurant, ingredient=ingredient, quantity=D("100000"))
        restaurants.append(restaurant)
    for stock in stock_a.values():
        stock.quantity = D("100000")
        stock.save()
    promo(max_uses=1)
    customers = [f.UserFactory() for _ in range(20)]
    barrier = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def order(customer, restaurant):
        try:
            barrier.wait(timeout=10)
            place_order(
                restaurant=restaurant,
                lines=[LineRequest(product_id=menu["margherita"].id, quantity=1)],
                fulfilment="pickup",
                payment_method="cash_on_delivery",
                contact=Contact(name="Client", phone="0600000000", email=customer.email),
                customer=customer,
                now=noon,
                promo_code="PROMO",
            )
            result = "got it"
        except OrderError as error:
            result = error.code
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [
        threading.Thread(target=order, args=(customer, restaurants[index % 4]))
        for index, customer in enumerate(customers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["got it"] + ["promo_exhausted"] * 19
    assert Order.objects.filter(promo_code__code="PROMO").count() == 1


# -- Any cart, any discount: the totals hold ---------------------------------------------------------------

RATES = [D("5.5"), D("10"), D("20")]
line_strategy = st.tuples(
    st.integers(min_value=0, max_value=4000).map(lambda cents: D(cents) / 100),
    st.integers(min_value=1, max_value=10),
    st.sampled_from(RATES),
)


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(line_strategy, min_size=1, max_size=12),
    discount=st.integers(min_value=0, max_value=100_000).map(lambda cents: D(cents) / 100),
    fee=st.sampled_from([D("0"), D("2.50"), D("3.90")]),
)
def test_any_cart_any_discount_totals_never_negative_and_vat_sums_to_the_total(lines, discount, fee):
    order_lines = [
        OrderLine(unit_price=price, quantity=quantity, vat_rate=rate, line_total=price * quantity)
        for price, quantity, rate in lines
    ]
    parts = allocate_discount([line.line_total for line in order_lines], discount)
    for line, part in zip(order_lines, parts, strict=True):
        line.discount = part
    subtotal = sum((line.line_total for line in order_lines), D("0"))
    total = subtotal - sum(parts, D("0")) + fee

    assert total >= 0
    assert all(line.amount >= 0 for line in order_lines)
    rates = vat_breakdown(order_lines, fee)
    assert sum((rate.gross for rate in rates), D("0")) == total
    for rate in rates:
        assert D("0") <= rate.vat <= rate.gross


def test_a_cart_discounted_to_nothing_still_has_its_delivery_fee_in_the_vat(
    order_for, customer, menu, delivery_to
):
    promo("TOUTGRATUIT", value=D("100"))

    order = order_for(
        customer,
        LineRequest(product_id=menu["margherita"].id, quantity=2),
        fulfilment="delivery",
        address=delivery_to,
        promo_code="TOUTGRATUIT",
    )

    assert (order.discount, order.total) == (D("19.00"), order.delivery_fee)
    [rate] = vat_breakdown(list(order.lines.all()), order.delivery_fee)
    assert (rate.rate, rate.gross) == (D("10.00"), order.delivery_fee)


def test_the_receipt_names_the_delivery_fee_waived(client, order_for, customer, menu, delivery_to, settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.DEMO_PAYMENTS = True
    promo("LIVRAISONOFFERTE", kind=Kind.FREE_DELIVERY, value=D("0"), label="Livraison offerte")
    order = order_for(
        customer,
        LineRequest(product_id=menu["margherita"].id, quantity=2),
        fulfilment="delivery",
        address=delivery_to,
        promo_code="LIVRAISONOFFERTE",
        payment_method="online",
    )
    confirm_payment(payment=order.payments.get(), provider_payment_id="demo_pi_waived")
    client.force_login(customer)

    page = client.get(
        reverse("order_tracking", args=[order.number]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert "Code LIVRAISONOFFERTE · Livraison offerte" in page
    assert "delivery fee of 2.50\xa0€ waived" in page


def test_an_order_an_offer_makes_free_is_refused_online_and_records_no_payment_when_handed_over(
    order_for, customer
):
    """A fixed amount worth the whole cart at pick-up leaves 0 € to pay: nothing to charge online (refused with
    what to do, nothing written), and paid on pick-up its hand-over records no payment of 0 €."""
    from orders.models import Payment
    from orders.services.handover import record_payment_on_delivery

    promo(kind=Kind.AMOUNT, value=D("50"))

    with pytest.raises(OrderError) as refused:
        order_for(customer, promo_code="PROMO", payment_method="online")
    assert refused.value.code == "nothing_to_pay_online"
    assert Order.objects.count() == 0

    order = order_for(customer, promo_code="PROMO")
    assert order.total == D("0.00")
    assert record_payment_on_delivery(order=order, method="cash", by=None) is None
    assert not Payment.objects.filter(order=order).exists()


def test_a_change_that_an_offer_would_make_free_is_refused_unpaid_and_refunded_in_full_paid(
    order_for, customer, menu, settings, django_capture_on_commit_callbacks
):
    """A fixed amount of 15 € on 2 Margheritas (19 €) leaves 4 € to pay online; one Margherita (9.50 €) would
    leave nothing. Unpaid: nothing to pay online, refused with what to do, the order unchanged. Paid: the
    change is applied and all that was paid is refunded."""
    from orders.models import Refund

    settings.STRIPE_SECRET_KEY = ""
    settings.DEMO_PAYMENTS = True
    promo(kind=Kind.AMOUNT, value=D("15"))
    two, one = (LineRequest(product_id=menu["margherita"].id, quantity=n) for n in (2, 1))
    unpaid = order_for(customer, two, promo_code="PROMO", payment_method="online")
    assert unpaid.total == D("4.00")

    with pytest.raises(OrderError) as refused:
        modify_order(order=unpaid, lines=[one], by=customer)
    assert refused.value.code == "nothing_to_pay_online"
    unpaid.refresh_from_db()
    assert (unpaid.total, unpaid.lines.get().quantity, unpaid.payments.get().amount) == (
        D("4.00"),
        2,
        D("4.00"),
    )

    paid = order_for(customer, two, promo_code="PROMO", payment_method="online")
    confirm_payment(payment=paid.payments.get(), provider_payment_id="demo_pi_free")
    with django_capture_on_commit_callbacks(execute=True):
        modify_order(order=paid, lines=[one], by=customer)
    paid.refresh_from_db()
    assert paid.total == D("0.00")
    assert Refund.objects.get(payment__order=paid).amount == D("4.00")
