"""A loyalty reward redeemed in the cart: its discount taken off the line it covers (the promo codes' path, so
the VAT by rate stays exact), its points spent at checkout under the customer's lock, refused when they are
gone, given back on cancellation, never combined with a promo code, and nothing for staff accounts."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from loyalty.models import Entry, Kind, Reward, balance_of
from loyalty.services import spend
from offers.models import Kind as PromoKind
from offers.models import PromoCode
from orders.cart import SESSION_KEY
from orders.errors import OrderError
from orders.models import Order
from orders.payments.stripe import line_items, to_cents
from orders.receipts import vat_breakdown
from orders.services import Contact, LineRequest, cancel_order, modify_order, place_order
from restaurants.models import StockMovement
from tests import factories as f
from tests.orders.checkout import shown_fingerprint, terms_accepted

D = Decimal


@pytest.fixture
def soda(db):
    boissons = f.CategoryFactory(name="Boissons", slug="boissons")
    return f.ProductFactory(category=boissons, price=D("3.00"), vat_rate=D("5.5"), baking_minutes=None)


@pytest.fixture
def free_pizza(menu):
    """« Une pizza offerte » at 100 points: the pizzas' category (the Margherita's), the cheapest one."""
    return Reward.objects.create(name="Une pizza offerte", points=100, category=menu["margherita"].category)


def give_points(customer, points):
    Entry.objects.create(customer=customer, kind=Kind.ADJUSTED, points=points)


def vat_total(order: Order) -> Decimal:
    return sum((rate.gross for rate in vat_breakdown(list(order.lines.all()), order.delivery_fee)), D("0"))


@pytest.fixture
def cart(client, restaurant_a, menu, stock_a, noon, customer, soda):
    """The customer's cart at A: a Regina, a Margherita with extra mozzarella, a soda (26.00 €)."""
    client.force_login(customer)
    for product, extras in (
        (menu["regina"], []),
        (menu["margherita"], [menu["extra_mozzarella"].pk]),
        (soda, []),
    ):
        client.post(
            reverse("cart_add"),
            {"restaurant": restaurant_a.pk, "product": product.pk, "quantity": "1", "extras": extras},
        )
    return client


def take(client, reward, action="take"):
    data = {"reward": reward.pk if reward else "", "action": action}
    return client.post(reverse("cart_reward"), data, HTTP_ACCEPT_LANGUAGE="en")


def checkout(client):
    return client.post(
        reverse("checkout"),
        {
            "cart_fingerprint": shown_fingerprint(client),
            **terms_accepted(),
            "fulfilment": "pickup",
            "pickup_time": "asap",
            "delivery_time": "asap",
            "payment_method": "cash_on_delivery",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )


# -- In the cart, then at checkout -------------------------------------------------------------------------


def test_a_reward_taken_in_the_cart_takes_off_the_cheapest_pizza_and_checkout_spends_its_points(
    cart, customer, free_pizza, menu, soda
):
    give_points(customer, 130)
    page = cart.get(reverse("cart"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.context["contents"].rewards == [free_pizza]
    assert "Une pizza offerte — 100 points" in page.content.decode()

    assert take(cart, free_pizza).status_code == 302

    assert cart.session[SESSION_KEY]["reward_id"] == free_pizza.pk
    contents = cart.get(reverse("cart"), HTTP_ACCEPT_LANGUAGE="en").context["contents"]
    # The Margherita's menu price (9.50), not its extra mozzarella (1.50), which stays charged.
    assert (contents.subtotal, contents.discount, contents.total_picked_up) == (
        D("26.00"),
        D("9.50"),
        D("16.50"),
    )
    assert balance_of(customer) == 130  # nothing spent before the checkout

    response = checkout(cart)

    order = Order.objects.get()
    assert response.status_code == 302
    assert (order.promo_code, order.discount, order.total) == (None, D("9.50"), D("16.50"))
    shares = {line.product_id: line.discount for line in order.lines.all()}
    assert shares == {menu["regina"].pk: D("0"), menu["margherita"].pk: D("9.50"), soda.pk: D("0")}
    assert vat_total(order) == order.total
    items = line_items(order, order.total)
    assert sum(item["price_data"]["unit_amount"] * item["quantity"] for item in items) == to_cents(
        order.total
    )
    spent = Entry.objects.get(kind=Kind.SPENT)
    assert (spent.order, spent.reward, spent.points, balance_of(customer)) == (order, free_pizza, -100, 30)
    receipt = cart.get(reverse("order_tracking", args=[order.number]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Loyalty reward" in receipt.content.decode()


def test_a_reward_can_be_given_up_in_the_cart_and_the_points_are_kept(cart, customer, free_pizza):
    give_points(customer, 100)
    take(cart, free_pizza)

    assert take(cart, None, action="remove").status_code == 302

    assert cart.session[SESSION_KEY]["reward_id"] is None
    assert balance_of(customer) == 100


@pytest.mark.parametrize(
    ("points", "reward_fields", "reason"),
    [
        (99, {}, "Not enough points: this reward needs 100, you have 99."),
        (100, {"active": False}, "This reward is no longer offered."),
        (100, {"category": None, "product_slug": "nothing-here"}, "Your cart holds nothing"),
    ],
    ids=["not-enough-points", "inactive", "nothing-covered"],
)
def test_a_refused_reward_is_not_kept_and_the_cart_says_why(cart, customer, points, reward_fields, reason):
    give_points(customer, points)
    fields = dict(reward_fields)
    product = f.ProductFactory(slug=fields.pop("product_slug")) if "product_slug" in fields else None
    reward = Reward.objects.create(name="Une pizza offerte", points=100, product=product, **fields)

    response = take(cart, reward)

    assert response.status_code == 400
    assert reason in response.content.decode()
    assert cart.session[SESSION_KEY].get("reward_id") is None


@pytest.mark.parametrize("data", [{"action": "take"}, {"action": "nonsense"}, {"reward": "x" * 40}])
def test_bad_input_gets_a_400_not_a_500(cart, data):
    assert cart.post(reverse("cart_reward"), data).status_code == 400


def test_a_staff_account_is_offered_no_reward_and_cannot_take_one(
    client, pizzaiolo, restaurant_a, menu, stock_a, noon, free_pizza
):
    give_points(pizzaiolo, 500)
    client.force_login(pizzaiolo)
    client.post(reverse("cart_add"), {"restaurant": restaurant_a.pk, "product": menu["margherita"].pk})

    page = client.get(reverse("cart"), HTTP_ACCEPT_LANGUAGE="en")

    assert page.context["contents"].rewards == []
    assert "loyalty-reward" not in page.content.decode()
    assert take(client, free_pizza).status_code == 400
    assert client.session[SESSION_KEY].get("reward_id") is None


def test_a_reward_and_a_promo_code_do_not_combine(cart, customer, free_pizza, order_for):
    give_points(customer, 300)
    PromoCode.objects.create(code="PROMO", label="Promo", kind=PromoKind.PERCENT, value=D("10"))
    take(cart, free_pizza)

    refused = cart.post(
        reverse("cart_promo"), {"code": "PROMO", "action": "apply"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert refused.status_code == 400
    assert "do not combine" in refused.content.decode()
    take(cart, None, action="remove")
    cart.post(reverse("cart_promo"), {"code": "PROMO", "action": "apply"})
    assert take(cart, free_pizza).status_code == 400
    with pytest.raises(OrderError) as error:
        order_for(customer, promo_code="PROMO", reward=free_pizza)
    assert error.value.code == "reward_with_code"
    assert balance_of(customer) == 300


# -- The points gone meanwhile ------------------------------------------------------------------------------


def test_checkout_sends_back_to_the_cart_when_the_points_were_spent_in_another_tab(
    cart, customer, free_pizza, order_for
):
    give_points(customer, 100)
    take(cart, free_pizza)
    spend(customer, free_pizza, order_for(customer))  # another tab

    response = cart.get(reverse("checkout"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302 and response["Location"] == reverse("cart")
    assert Order.objects.count() == 1


def test_points_spent_between_the_checkout_page_and_the_placement_send_back_to_the_cart_with_nothing_written(
    cart, customer, free_pizza, order_for, monkeypatch
):
    """The other tab spends the points after the checkout view read the cart and before the placement:
    spend() finds the balance short under the customer's lock and the whole placement is rolled back."""
    give_points(customer, 100)
    take(cart, free_pizza)
    fingerprint = shown_fingerprint(cart)
    other = order_for(customer)
    movements = StockMovement.objects.count()
    import orders.cart_contents

    real = orders.cart_contents.redeemable_rewards

    def then_another_tab_spends(who):
        rewards = real(who)
        if not Entry.objects.filter(kind=Kind.SPENT).exists():
            spend(customer, free_pizza, other)
        return rewards

    monkeypatch.setattr(orders.cart_contents, "redeemable_rewards", then_another_tab_spends)

    response = cart.post(
        reverse("checkout"),
        {
            "cart_fingerprint": fingerprint,
            **terms_accepted(),
            "fulfilment": "pickup",
            "pickup_time": "asap",
            "delivery_time": "asap",
            "payment_method": "cash_on_delivery",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 302 and response["Location"] == reverse("cart")
    assert list(Order.objects.all()) == [other]
    assert StockMovement.objects.count() == movements
    assert balance_of(customer) == 0
    assert cart.session[SESSION_KEY]["reward_id"] is None
    page = cart.get(reverse("cart"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Not enough points" in page.content.decode()


def test_placing_with_too_few_points_writes_nothing(order_for, customer, free_pizza):
    give_points(customer, 99)
    movements = StockMovement.objects.count()

    with pytest.raises(OrderError) as error:
        order_for(customer, reward=free_pizza)

    assert error.value.code == "reward_not_enough_points"
    assert (Order.objects.count(), StockMovement.objects.count(), balance_of(customer)) == (0, movements, 99)


@pytest.mark.django_db(transaction=True)
def test_eight_checkouts_spending_the_same_points_at_once_only_one_gets_the_reward(
    restaurant_a, soda, ingredients, noon, customer
):
    """Eight tabs of one customer checking out at once, at eight restaurants: each placement locks its own
    restaurant's row, and a soda takes nothing from stock (a pizza would lock the shared ingredient rows, see
    restaurants.services.apply_stock_changes), so only the customer's row lock (taken by loyalty.spend inside
    the placement) keeps them from spending the same 150 points. Without that lock, all eight get it."""
    restaurants = [restaurant_a]
    for number in range(7):
        restaurant = f.RestaurantFactory(name=f"OC Pizza {number}", slug=f"oc-pizza-{number}")
        for weekday in range(7):
            f.OpeningHoursFactory(restaurant=restaurant, weekday=weekday)
        for ingredient in ingredients.values():
            f.StockFactory(restaurant=restaurant, ingredient=ingredient, quantity=D("100000"))
        restaurants.append(restaurant)
    reward = Reward.objects.create(name="Une boisson offerte", points=100, category=soda.category)
    give_points(customer, 150)
    barrier = threading.Barrier(len(restaurants))
    outcomes: list[str] = []
    lock = threading.Lock()

    def checkout_at(restaurant):
        try:
            barrier.wait(timeout=10)
            place_order(
                restaurant=restaurant,
                lines=[LineRequest(product_id=soda.id, quantity=1)],
                fulfilment="pickup",
                payment_method="cash_on_delivery",
                contact=Contact(name="Client", phone="0600000000", email=customer.email),
                customer=customer,
                now=noon,
                reward=reward,
            )
            result = "got it"
        except OrderError as error:
            result = error.code
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=checkout_at, args=(where,)) for where in restaurants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["got it"] + ["reward_not_enough_points"] * 7
    assert Order.objects.count() == 1
    assert balance_of(customer) == 50


# -- After the placement --------------------------------------------------------------------------------------


def test_cancelling_gives_the_rewards_points_back(order_for, customer, free_pizza):
    give_points(customer, 120)
    order = order_for(customer, reward=free_pizza)
    assert (order.discount, balance_of(customer)) == (D("9.50"), 20)

    cancel_order(order=order, by=customer)

    assert balance_of(customer) == 120
    assert Entry.objects.get(order=order, kind=Kind.GIVEN_BACK).points == 100


def test_a_modification_takes_the_reward_off_the_new_lines_or_refuses_lines_it_does_not_cover(
    order_for, customer, free_pizza, menu, soda, noon
):
    give_points(customer, 100)
    order = order_for(customer, LineRequest(product_id=menu["regina"].id, quantity=1), reward=free_pizza)
    assert order.discount == D("12.00")

    modified = modify_order(
        order=order,
        lines=[
            LineRequest(product_id=menu["regina"].id, quantity=1),
            LineRequest(product_id=menu["margherita"].id, quantity=1),
        ],
        by=customer,
        now=noon,
    )
    assert (modified.discount, modified.total) == (D("9.50"), D("12.00"))

    with pytest.raises(OrderError) as error:
        modify_order(order=order, lines=[LineRequest(product_id=soda.id, quantity=1)], by=customer, now=noon)
    assert error.value.code == "reward_nothing_covered"
    assert balance_of(customer) == 0
