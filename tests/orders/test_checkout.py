"""Checkout: the signed-in customer turns the cart into an order, or is told precisely why not."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Address
from orders.cart import SESSION_KEY
from orders.models import Order, Payment, PaymentMethod, PaymentStatus, Status
from orders.services import available_times
from restaurants.models import Stock, StockMovement
from restaurants.services import record_waste
from tests import factories as f
from tests.orders.checkout import shown_fingerprint, terms_accepted

CHECKOUT = "/checkout/"


def add(client, restaurant, product, quantity=1, **more):
    data = {"restaurant": restaurant.pk, "product": product.pk, "quantity": str(quantity), **more}
    response = client.post(reverse("cart_add"), data)
    assert response.status_code == 302, response.content
    return response


def checkout(client, **data):
    form = {
        "cart_fingerprint": data.pop("cart_fingerprint", None) or shown_fingerprint(client),
        **terms_accepted(),
        "fulfilment": "pickup",
        "pickup_time": "asap",
        "delivery_time": "asap",
        "payment_method": "cash_on_delivery",
    }
    form.update(data)
    return client.post(reverse("checkout"), form, HTTP_ACCEPT_LANGUAGE="en")


def stock(stock_a, name) -> Decimal:
    return Stock.objects.get(pk=stock_a[name].pk).quantity


def messages_of(client, response) -> list[str]:
    followed = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    return [str(message) for message in followed.context["messages"]]


@pytest.fixture
def cart_of(client, restaurant_a, menu, stock_a, noon):
    """A signed-in customer with two Margheritas in the cart at restaurant A, at Monday noon."""

    def fill(user, quantity=2, product="margherita"):
        client.force_login(user)
        add(client, restaurant_a, menu[product], quantity)
        return client

    return fill


def nothing_written(stock_a, before):
    assert Order.objects.count() == 0
    assert {name: stock(stock_a, name) for name in stock_a} == before


# ---------- Sign-in ----------


@pytest.mark.django_db
def test_an_anonymous_visitor_signs_in_and_keeps_the_cart(
    client, restaurant_a, menu, stock_a, customer, noon
):
    add(client, restaurant_a, menu["margherita"], 2)

    response = client.get(reverse("checkout"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={CHECKOUT}"

    response = client.post(
        reverse("account_login"), {"login": customer.email, "password": f.PASSWORD, "next": CHECKOUT}
    )
    assert response.status_code == 302 and response["Location"] == CHECKOUT

    response = client.get(reverse("checkout"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "2&nbsp;× Margherita" in response.content.decode()
    assert client.session[SESSION_KEY]["lines"][0]["quantity"] == 2


@pytest.mark.django_db
def test_an_empty_cart_goes_back_to_the_cart_page(client, customer):
    client.force_login(customer)

    response = client.get(reverse("checkout"))

    assert response.status_code == 302 and response["Location"] == reverse("cart")


# ---------- Placing orders ----------


@pytest.mark.django_db
def test_a_pickup_paid_at_the_counter_is_placed_and_lands_on_tracking(cart_of, customer, stock_a, noon):
    client = cart_of(customer)

    response = checkout(client, note="Bien cuite")

    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("order_tracking", args=[order.number])
    assert (order.status, order.fulfilment, order.payment_method, order.channel) == (
        Status.RECEIVED,
        "pickup",
        PaymentMethod.CASH_ON_DELIVERY,
        "web",
    )
    assert order.customer == customer
    assert (order.customer_name, order.customer_phone, order.customer_email) == (
        "Alice Martin",
        customer.phone,
        "alice@example.com",
    )
    assert order.total == Decimal("19.00") and order.delivery_fee == 0
    assert order.note == "Bien cuite"
    assert order.requested_time is None
    assert order.lines.get().quantity == 2
    assert stock(stock_a, "Mozzarella") == Decimal("250")
    assert StockMovement.objects.filter(order=order).count() == 4
    assert SESSION_KEY not in client.session
    assert f"Thank you! Your order {order.number} is placed." in messages_of(client, response)


@pytest.mark.django_db
def test_a_delivery_to_an_address_of_the_book(cart_of, customer, stock_a):
    client = cart_of(customer)
    address = customer.addresses.get()

    response = checkout(
        client, fulfilment="delivery", address=str(address.pk), payment_method="card_on_delivery"
    )

    order = Order.objects.get()
    assert response.status_code == 302
    assert order.fulfilment == "delivery"
    assert order.address == address
    assert (order.delivery_street, order.delivery_postal_code, order.delivery_city) == (
        address.street,
        "69001",
        "Lyon",
    )
    assert order.delivery_fee == Decimal("2.50") and order.total == Decimal("21.50")


@pytest.mark.django_db
def test_a_delivery_to_a_new_address_can_be_saved_to_the_book(cart_of, customer, stock_a):
    client = cart_of(customer)

    response = checkout(
        client,
        fulfilment="delivery",
        address="new",
        street="3 quai Saint-Antoine",
        complement="2e étage",
        postal_code="69002",
        city="Lyon",
        instructions="Sonner deux fois",
        save_address="on",
    )

    assert response.status_code == 302
    order = Order.objects.get()
    saved = Address.objects.get(user=customer, street="3 quai Saint-Antoine")
    assert order.address == saved
    assert (saved.complement, saved.postal_code, saved.instructions) == (
        "2e étage",
        "69002",
        "Sonner deux fois",
    )
    assert order.delivery_instructions == "Sonner deux fois"


@pytest.mark.django_db
def test_a_new_address_outside_the_zones_is_refused_and_nothing_is_written(cart_of, customer, stock_a):
    client = cart_of(customer)
    before = {name: stock(stock_a, name) for name in stock_a}

    response = checkout(
        client,
        fulfilment="delivery",
        address="new",
        street="1 rue de Rivoli",
        postal_code="75001",
        city="Paris",
        save_address="on",
    )

    assert response.status_code == 400
    assert "does not deliver to 75001" in response.content.decode()
    nothing_written(stock_a, before)
    assert not Address.objects.filter(street="1 rue de Rivoli").exists()
    assert client.session[SESSION_KEY]["lines"][0]["quantity"] == 2


@pytest.mark.django_db
def test_a_new_address_needs_a_street_and_a_postal_code(cart_of, customer, stock_a):
    client = cart_of(customer)

    response = checkout(client, fulfilment="delivery", address="new", postal_code="690", city="Lyon")

    content = response.content.decode()
    assert response.status_code == 400
    assert "This field is required for a delivery." in content
    assert "Enter a French postal code of 5 digits." in content
    assert Order.objects.count() == 0


def label_of(content: str, name: str) -> str:
    return re.search(rf'<div class="field field--{name}[ "].*?</label>', content, re.S).group(0)


@pytest.mark.django_db
def test_the_new_address_marks_street_postal_code_and_city_required_not_optional(cart_of, customer, stock_a):
    client = cart_of(customer)

    content = client.get(reverse("checkout"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    for name in ("street", "postal_code", "city"):
        assert "facultatif" not in label_of(content, name), name
        assert re.search(rf'<input type="text" name="{name}"[^>]* aria-required="true"', content), name
    for name in ("complement", "instructions"):
        assert "facultatif" in label_of(content, name), name
    assert ' required id="id_street"' not in content, "a pick-up leaves it empty: no browser check"


@pytest.mark.django_db
@pytest.mark.parametrize("missing", ["street", "postal_code", "city"])
def test_a_delivery_to_a_new_address_without_each_required_part_is_refused(
    cart_of, customer, stock_a, missing
):
    client = cart_of(customer)
    address = {"street": "3 rue Mercière", "postal_code": "69002", "city": "Lyon", missing: "  "}

    response = checkout(client, fulfilment="delivery", address="new", **address)

    assert response.status_code == 400
    assert response.context["form"].errors[missing] == ["This field is required for a delivery."]
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_another_customers_address_is_a_400_and_nothing_is_written(
    cart_of, customer, other_customer, stock_a
):
    client = cart_of(customer)
    before = {name: stock(stock_a, name) for name in stock_a}
    theirs = other_customer.addresses.get()

    response = checkout(client, fulfilment="delivery", address=str(theirs.pk))

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    nothing_written(stock_a, before)


@pytest.mark.django_db
def test_a_deleted_address_of_the_book_cannot_be_used(cart_of, customer, stock_a):
    client = cart_of(customer)
    address = customer.addresses.get()
    address.soft_delete()

    response = checkout(client, fulfilment="delivery", address=str(address.pk))

    assert response.status_code == 400
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_delivery_below_the_minimum_order_is_refused(cart_of, customer, stock_a):
    client = cart_of(customer, quantity=1)

    response = checkout(client, fulfilment="delivery", address=str(customer.addresses.get().pk))

    assert response.status_code == 400
    assert "The minimum order for delivery is 15.00\xa0€." in response.content.decode()
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_a_time_offered_is_kept_on_the_order(cart_of, customer, restaurant_a, stock_a, noon):
    client = cart_of(customer)
    times = available_times(restaurant=restaurant_a, fulfilment="pickup", pizzas=2, now=noon)
    chosen = times[4]

    response = client.get(reverse("checkout"), HTTP_ACCEPT_LANGUAGE="en")
    assert chosen.isoformat() in response.content.decode()

    response = checkout(client, pickup_time=chosen.isoformat())

    assert response.status_code == 302
    order = Order.objects.get()
    assert order.requested_time == chosen
    assert order.due_at == chosen


@pytest.mark.django_db
@pytest.mark.parametrize("when", ["past", "odd", "garbage"])
def test_a_time_not_offered_is_refused(cart_of, customer, stock_a, noon, when):
    client = cart_of(customer)
    value = {
        "past": (noon - timedelta(hours=1)).isoformat(),
        "odd": (noon + timedelta(hours=1, minutes=7)).isoformat(),
        "garbage": "tomorrow-ish",
    }[when]

    response = checkout(client, pickup_time=value)

    assert response.status_code == 400
    assert "This time is not available; please choose another." in response.content.decode()
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_an_unknown_payment_method_is_a_400(cart_of, customer, stock_a):
    client = cart_of(customer)

    response = checkout(client, payment_method="at_counter")

    assert response.status_code == 400
    assert "This payment method is not available here." in response.content.decode()
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_online_payment_is_not_offered_when_no_provider_is_set(cart_of, customer, stock_a, settings):
    settings.DEMO_PAYMENTS = False
    settings.STRIPE_SECRET_KEY = ""
    client = cart_of(customer)

    content = client.get(reverse("checkout"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'value="online"' not in content

    response = checkout(client, payment_method="online")
    assert response.status_code == 400
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_sold_out_between_cart_and_checkout_goes_back_to_the_cart(cart_of, customer, menu, stock_a):
    client = cart_of(customer, quantity=2, product="regina")
    record_waste(stock=stock_a["Jambon"], quantity=Decimal("60"), by=None)
    before = {name: stock(stock_a, name) for name in stock_a}

    response = checkout(client)

    assert response.status_code == 302 and response["Location"] == reverse("cart")
    assert "Sorry, Regina can no longer be ordered as it is in your cart." in messages_of(client, response)
    nothing_written(stock_a, before)
    assert client.session[SESSION_KEY]["lines"][0]["quantity"] == 2


@pytest.mark.django_db
def test_online_payment_sends_the_customer_to_the_demo_page(cart_of, customer, stock_a):
    client = cart_of(customer)

    response = checkout(client, payment_method="online")

    order = Order.objects.get()
    payment = Payment.objects.get(order=order)
    assert response.status_code == 302
    assert response["Location"] == reverse("demo_payment", args=[payment.provider_reference])
    assert (order.status, order.payment_status) == (Status.AWAITING_PAYMENT, PaymentStatus.PENDING)
    assert payment.status == "pending" and payment.amount == order.total
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_a_customer_without_a_phone_is_asked_for_one(client, restaurant_a, menu, stock_a, noon):
    user = f.UserFactory(phone="", first_name="Chloé", last_name="Roux")
    client.force_login(user)
    add(client, restaurant_a, menu["margherita"], 1)

    content = client.get(reverse("checkout"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="phone"' in content

    response = checkout(client)
    assert response.status_code == 400
    assert Order.objects.count() == 0

    response = checkout(client, phone="06 11 22 33 44")
    assert response.status_code == 302
    assert Order.objects.get().customer_phone == "06 11 22 33 44"
    user.refresh_from_db()
    assert user.phone == "06 11 22 33 44"


@pytest.mark.django_db
def test_a_closed_restaurant_takes_a_pre_order_for_its_next_opening(
    client, customer, restaurant_a, menu, stock_a, noon, time_machine
):
    night = noon.replace(hour=23)
    time_machine.move_to(night, tick=False)
    client.force_login(customer)
    add(client, restaurant_a, menu["margherita"], 1)

    content = client.get(reverse("checkout"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "is closed right now" in content
    assert "Tomorrow" in content

    response = checkout(client)

    assert response.status_code == 302
    order = Order.objects.get()
    # Tomorrow 11:30 opening plus 15 minutes of preparation.
    assert order.due_at == (noon + timedelta(days=1)).replace(hour=11, minute=45)


@pytest.mark.django_db
def test_the_checkout_page_shows_the_order_and_its_choices(cart_of, customer, stock_a):
    client = cart_of(customer)

    response = client.get(reverse("checkout"), HTTP_ACCEPT_LANGUAGE="en")

    content = response.content.decode()
    assert response.status_code == 200
    assert "2&nbsp;× Margherita" in content
    assert "19.00\xa0€" in content and "21.50\xa0€" in content
    assert str(customer.addresses.get()) in content
    assert "As soon as possible" in content
    for method in ("online", "cash_on_delivery", "card_on_delivery"):
        assert f'value="{method}"' in content


# ---------- Notes ----------


@pytest.mark.django_db
def test_the_note_says_its_limit_and_a_longer_one_is_refused_not_cut(cart_of, customer, stock_a):
    client = cart_of(customer)
    page = client.get(reverse("checkout"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert re.search(r'<textarea name="note"[^>]* maxlength="500"', page)
    assert "500 caractères au plus." in page

    response = checkout(client, note="x" * 501)

    assert response.status_code == 400
    assert response.context["form"].errors["note"] == ["Please keep it to 500 characters: this text has 501."]
    assert Order.objects.count() == 0

    checkout(client, note="y" * 500)
    assert Order.objects.get().note == "y" * 500


@pytest.mark.django_db
def test_delivery_instructions_over_the_limit_are_refused_not_cut(cart_of, customer, stock_a):
    client = cart_of(customer)

    response = checkout(
        client,
        fulfilment="delivery",
        address="new",
        street="3 rue Mercière",
        postal_code="69002",
        city="Lyon",
        instructions="z" * 501,
    )

    assert response.status_code == 400
    assert "Please keep it to 500 characters" in response.content.decode()
    assert Order.objects.count() == 0


# ---------- The cart changed since the checkout page was shown ----------


@pytest.mark.django_db
def test_a_cart_changed_in_another_tab_places_nothing_and_shows_the_cart_as_it_is_now(
    cart_of, customer, restaurant_a, menu, stock_a
):
    """Tab A shows 1 Margherita for 9.50 €; tab B adds 2 Reginas; tab A's checkout places nothing."""
    client = cart_of(customer, quantity=1)
    seen_in_tab_a = shown_fingerprint(client)
    before = {name: stock(stock_a, name) for name in stock_a}
    add(client, restaurant_a, menu["regina"], 2)

    response = checkout(client, cart_fingerprint=seen_in_tab_a)

    content = response.content.decode()
    assert response.status_code == 409
    assert "Your cart changed since this page was shown (in another tab?)" in content
    assert "2&nbsp;× Regina" in content and "33.50\xa0€" in content
    assert f'name="cart_fingerprint" value="{shown_fingerprint(client)}"' in content
    nothing_written(stock_a, before)
    assert len(client.session[SESSION_KEY]["lines"]) == 2, "the cart is kept as it is"

    # Placed once the customer has seen the new cart.
    response = checkout(client)
    order = Order.objects.get()
    assert response.status_code == 302
    assert order.total == Decimal("33.50")


@pytest.mark.django_db
def test_a_cart_changed_in_another_tab_is_told_in_french(cart_of, customer, restaurant_a, menu, stock_a):
    client = cart_of(customer, quantity=1)
    seen = shown_fingerprint(client)
    add(client, restaurant_a, menu["margherita"], 1)

    response = client.post(
        reverse("checkout"),
        {
            "cart_fingerprint": seen,
            **terms_accepted(),
            "fulfilment": "pickup",
            "pickup_time": "asap",
            "payment_method": "cash_on_delivery",
        },
        HTTP_ACCEPT_LANGUAGE="fr",
    )

    assert response.status_code == 409
    assert "Votre panier a changé" in response.content.decode()
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_a_price_changed_since_the_checkout_page_was_shown_places_nothing(cart_of, customer, menu, stock_a):
    client = cart_of(customer, quantity=1)
    seen = shown_fingerprint(client)
    menu["margherita"].price = Decimal("10.50")
    menu["margherita"].save()

    response = checkout(client, cart_fingerprint=seen)

    assert response.status_code == 409
    assert "10.50\xa0€" in response.content.decode()
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_a_checkout_without_the_cart_it_was_shown_with_places_nothing(cart_of, customer, stock_a):
    client = cart_of(customer, quantity=1)

    response = checkout(client, cart_fingerprint="forged")

    assert response.status_code == 409
    assert Order.objects.count() == 0


# ---------- The same checkout sent twice ----------


@pytest.mark.django_db
def test_a_checkout_sent_again_with_the_same_cart_places_one_order(cart_of, customer, stock_a):
    """The answer of the first checkout was lost (connection cut, session not saved after the commit):
    the browser still holds the same cart and sends it again."""
    client = cart_of(customer)
    cart_before = client.session[SESSION_KEY]

    first = checkout(client)
    order = Order.objects.get()
    session = client.session
    session[SESSION_KEY] = cart_before
    session.save()
    again = checkout(client)

    assert Order.objects.count() == 1
    assert again.status_code == 302
    assert again["Location"] == reverse("order_tracking", args=[order.number])
    assert first["Location"] == again["Location"]
    assert stock(stock_a, "Mozzarella") == Decimal("250"), "the stock is taken once"
    assert SESSION_KEY not in client.session
    assert f"Your order {order.number} was already placed." in messages_of(client, again)


@pytest.mark.django_db
def test_a_cart_changed_after_a_lost_answer_is_a_new_order(cart_of, customer, restaurant_a, menu, stock_a):
    client = cart_of(customer, quantity=1)
    cart_before = client.session[SESSION_KEY]
    checkout(client)
    session = client.session
    session[SESSION_KEY] = cart_before
    session.save()

    add(client, restaurant_a, menu["margherita"], 1)
    checkout(client)

    assert Order.objects.count() == 2
    assert sorted(Order.objects.values_list("lines__quantity", flat=True)) == [1, 2]


@pytest.mark.django_db
def test_the_same_cart_again_after_the_order_is_a_new_order(cart_of, customer, restaurant_a, menu, stock_a):
    """Ordering the very same pizzas again later is a new checkout: the cart was emptied in between."""
    client = cart_of(customer, quantity=1)
    checkout(client)
    add(client, restaurant_a, menu["margherita"], 1)
    checkout(client)
    assert Order.objects.count() == 2
