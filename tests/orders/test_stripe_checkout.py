"""Stripe Checkout: the session Stripe receives, the redirect, paying again, Stripe down, and the return pages.

Stripe is a local fake server (tests/orders/stripe_fake.py): the assertions read the requests it received.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from orders import payments
from orders.models import Order, PaymentState, PaymentStatus, Provider, Status
from orders.payments.stripe import line_items, to_cents
from orders.services import LineRequest, confirm_payment
from tests.orders.checkout import terms_accepted
from tests.orders.stripe_fake import SECRET_KEY


@pytest.fixture
def delivered_online(order_for, customer, menu, delivery_to, restaurant_a, stripe_api):
    """A delivery paid online: a Margherita with extra mozzarella and without basil, and two Reginas."""
    basil = menu["margherita"].recipe_lines.get(ingredient__name="Basilic").ingredient
    return order_for(
        customer,
        LineRequest(
            product_id=menu["margherita"].id,
            quantity=1,
            removed_ids=frozenset({basil.id}),
            extra_ids=frozenset({menu["extra_mozzarella"].id}),
        ),
        LineRequest(product_id=menu["regina"].id, quantity=2),
        fulfilment="delivery",
        address=delivery_to,
        payment_method="online",
    )


def pay(client, order):
    return client.post(reverse("order_pay", args=[order.number]), HTTP_ACCEPT_LANGUAGE="en")


def messages_after(client, response) -> list[str]:
    location = response["HX-Redirect"] if response.has_header("HX-Redirect") else response["Location"]
    followed = client.get(location, HTTP_ACCEPT_LANGUAGE="en")
    return [str(message) for message in followed.context["messages"]]


def test_stripe_is_the_provider_when_its_secret_key_is_set(settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.DEMO_PAYMENTS = True
    assert payments.active_provider_name() == Provider.DEMO
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    assert payments.active_provider_name() == Provider.STRIPE
    assert payments.get_provider().name == Provider.STRIPE
    settings.STRIPE_SECRET_KEY = ""
    settings.DEMO_PAYMENTS = False  # production without keys: no online payment at all
    assert not payments.online_payment_available()


def test_an_online_order_with_stripe_waits_for_a_session_made_when_the_customer_goes_to_pay(
    delivered_online, stripe_api
):
    payment = delivered_online.payments.get()
    assert payment.provider == Provider.STRIPE and payment.status == PaymentState.PENDING
    assert payment.provider_reference == ""  # no network call inside place_order's transaction
    assert stripe_api.requests == []


def test_the_session_stripe_receives_has_every_line_in_cents_the_metadata_and_an_idempotency_key(
    client, customer, delivered_online, stripe_api, restaurant_a, noon
):
    order = delivered_online
    payment = order.payments.get()
    client.force_login(customer)

    response = pay(client, order)

    [call] = stripe_api.calls("POST", "/v1/checkout/sessions")
    session = stripe_api.sessions["cs_test_1"]
    assert response.status_code == 302 and response["Location"] == session["url"]
    assert call.header("Authorization") == f"Bearer {SECRET_KEY}"
    assert call.header("Idempotency-Key") == f"checkout-{payment.pk}"
    form = call.form
    assert form["mode"] == "payment"
    assert form["customer_email"] == customer.email
    assert form["client_reference_id"] == order.number
    assert form["metadata[order_number]"] == order.number
    assert form["metadata[payment_id]"] == str(payment.pk)
    assert form["payment_intent_data[metadata][order_number]"] == order.number
    assert form["success_url"] == f"http://testserver/payments/stripe/success/{order.number}/"
    assert form["cancel_url"] == f"http://testserver/payments/stripe/cancel/{order.number}/"
    assert int(form["expires_at"]) == int((payment.created_at + timedelta(hours=1)).timestamp())
    assert form["locale"] == "fr"
    items = [
        (
            form[f"line_items[{i}][price_data][product_data][name]"],
            form[f"line_items[{i}][price_data][unit_amount]"],
            form[f"line_items[{i}][quantity]"],
            form[f"line_items[{i}][price_data][currency]"],
        )
        for i in range(4)
    ]
    fee = str(to_cents(restaurant_a.delivery_fee))
    assert items[0] == ("Margherita", "950", "1", "eur")
    assert items[1][1:] == ("150", "1", "eur") and "Mozzarella" in items[1][0]
    assert items[2] == ("Regina", "1200", "2", "eur")
    assert items[3][1:] == (fee, "1", "eur")
    assert "Basilic" in form["line_items[0][price_data][product_data][description]"]
    assert "line_items[4][quantity]" not in form
    assert session["amount_total"] == to_cents(order.total) == 950 + 150 + 2400 + int(fee)
    payment.refresh_from_db()
    assert payment.provider_reference == "cs_test_1"
    order.refresh_from_db()
    assert (order.status, order.payment_status) == (Status.AWAITING_PAYMENT, PaymentStatus.PENDING)


def test_checking_out_online_sends_the_customer_to_stripe(
    client, customer, restaurant_a, menu, stock_a, stripe_api, noon
):
    client.force_login(customer)
    client.post(
        reverse("cart_add"),
        {"restaurant": restaurant_a.pk, "product": menu["margherita"].pk, "quantity": "1"},
    )

    shown = client.get(reverse("checkout")).context["contents"].fingerprint
    response = client.post(
        reverse("checkout"),
        {
            "cart_fingerprint": shown,
            **terms_accepted(),
            "fulfilment": "pickup",
            "pickup_time": "asap",
            "delivery_time": "asap",
            "payment_method": "online",
        },
    )

    order = Order.objects.get(customer=customer)
    assert response.status_code == 302
    assert response["Location"].startswith("https://checkout.stripe.com/c/pay/cs_test_")
    assert order.status == Status.AWAITING_PAYMENT
    [call] = stripe_api.calls("POST", "/v1/checkout/sessions")
    assert call.form["line_items[0][price_data][unit_amount]"] == "950"
    assert "line_items[1][quantity]" not in call.form  # a pick-up has no delivery fee


def test_paying_again_reopens_the_same_session(client, customer, delivered_online, stripe_api):
    client.force_login(customer)
    first = pay(client, delivered_online)

    second = pay(client, delivered_online)

    assert second["Location"] == first["Location"]
    assert len(stripe_api.calls("POST", "/v1/checkout/sessions")) == 1
    assert len(stripe_api.calls("GET", "/v1/checkout/sessions/cs_test_1")) == 1
    assert delivered_online.payments.count() == 1


def test_two_requests_racing_for_a_session_send_the_same_key_and_get_the_same_session(
    rf, customer, delivered_online, stripe_api
):
    payment = delivered_online.payments.get()
    provider = payments.get_provider(Provider.STRIPE)
    request = rf.get("/")
    request.session = {}
    request._messages = None

    first = provider.checkout_url(payment=payment, request=request)
    second = provider.checkout_url(payment=payment, request=request)  # its copy still has no reference

    calls = stripe_api.calls("POST", "/v1/checkout/sessions")
    assert len(calls) == 2 and first == second
    assert calls[0].header("Idempotency-Key") == calls[1].header("Idempotency-Key")
    assert calls[0].form == calls[1].form  # same key, same parameters: Stripe answers the first session
    assert len(stripe_api.sessions) == 1


def test_a_session_asked_for_late_gets_a_valid_expiry_and_its_own_key(
    client, customer, delivered_online, stripe_api, time_machine, noon
):
    payment = delivered_online.payments.get()
    time_machine.move_to(noon + timedelta(minutes=40), tick=False)
    client.force_login(customer)

    pay(client, delivered_online)

    [call] = stripe_api.calls("POST", "/v1/checkout/sessions")
    expires = int((noon + timedelta(minutes=40) + timedelta(hours=1)).timestamp())
    assert int(call.form["expires_at"]) == expires  # at least 30 minutes ahead, as Stripe requires
    assert call.header("Idempotency-Key") == f"checkout-{payment.pk}-{expires}"


def test_when_stripe_is_down_the_order_is_kept_and_the_customer_told(
    client, customer, delivered_online, stripe_api
):
    stripe_api.fail("POST", "/v1/checkout/sessions", status=500, message="Stripe is down")
    client.force_login(customer)

    response = pay(client, delivered_online)

    assert response["Location"] == reverse("order_tracking", args=[delivered_online.number])
    assert (
        "Online payment is not available right now. Please try again in a moment: your order is kept until 12:30."
        in messages_after(client, response)
    )
    payment = delivered_online.payments.get()
    assert payment.status == PaymentState.PENDING and payment.provider_reference == ""
    delivered_online.refresh_from_db()
    assert delivered_online.status == Status.AWAITING_PAYMENT


def test_an_expired_session_is_given_up_and_paying_again_starts_a_new_one(
    client, customer, delivered_online, stripe_api
):
    client.force_login(customer)
    pay(client, delivered_online)
    stripe_api.sessions["cs_test_1"]["status"] = "expired"

    response = pay(client, delivered_online)

    assert response["Location"] == reverse("order_tracking", args=[delivered_online.number])
    assert "The payment page expired. Press “Pay now” to try again." in messages_after(client, response)
    first = delivered_online.payments.get()
    assert first.status == PaymentState.FAILED

    response = pay(client, delivered_online)

    second = delivered_online.payments.get(status=PaymentState.PENDING)
    assert response["Location"] == stripe_api.sessions[second.provider_reference]["url"]
    keys = [call.header("Idempotency-Key") for call in stripe_api.calls("POST", "/v1/checkout/sessions")]
    assert keys == [f"checkout-{first.pk}", f"checkout-{second.pk}"]


def test_line_items_fall_back_to_one_item_for_part_of_an_order(delivered_online):
    order = Order.objects.prefetch_related("lines__extras", "lines__removed_ingredients").get(
        pk=delivered_online.pk
    )
    [item] = line_items(order, Decimal("3.40"))
    assert item["price_data"]["unit_amount"] == 340 and item["quantity"] == 1
    assert order.number in item["price_data"]["product_data"]["name"]


def test_amounts_finer_than_a_cent_are_refused():
    assert to_cents(Decimal("19.90")) == 1990
    with pytest.raises(ValueError):
        to_cents(Decimal("0.005"))


# ---------- The return pages ----------


def test_the_success_page_marks_nothing_paid_and_polls(client, customer, delivered_online):
    client.force_login(customer)

    response = client.get(
        reverse("stripe_success", args=[delivered_online.number]), HTTP_ACCEPT_LANGUAGE="en"
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "Your payment is being confirmed" in content
    status_url = reverse("stripe_success_status", args=[delivered_online.number])
    assert f'hx-get="{status_url}"' in content and 'hx-trigger="every 5s"' in content
    assert 'hx-swap="outerHTML"' in content
    delivered_online.refresh_from_db()
    assert delivered_online.status == Status.AWAITING_PAYMENT
    assert delivered_online.payments.get().status == PaymentState.PENDING

    fragment = client.get(status_url, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    assert fragment.status_code == 200 and "Your payment is being confirmed" in fragment.content.decode()
    assert "HX-Redirect" not in fragment


def test_once_the_webhook_confirmed_the_success_page_goes_to_the_order(client, customer, delivered_online):
    client.force_login(customer)
    confirm_payment(payment=delivered_online.payments.get(), provider_payment_id="pi_test_1")
    tracking = reverse("order_tracking", args=[delivered_online.number])
    status_url = reverse("stripe_success_status", args=[delivered_online.number])

    fragment = client.get(status_url, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and fragment["HX-Redirect"] == tracking
    assert messages_after(client, fragment) == ["Paiement accepté. Merci\xa0!"]

    plain = client.get(status_url)
    assert plain.status_code == 302 and plain["Location"] == tracking

    page = client.get(reverse("stripe_success", args=[delivered_online.number]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 302 and page["Location"] == tracking
    assert "Payment accepted. Thank you!" in messages_after(client, page)


def test_the_cancel_page_says_the_order_waits_for_its_payment(client, customer, delivered_online):
    client.force_login(customer)

    response = client.get(reverse("stripe_cancel", args=[delivered_online.number]), HTTP_ACCEPT_LANGUAGE="en")

    assert response["Location"] == reverse("order_tracking", args=[delivered_online.number])
    assert "The payment was not made. Your order waits for it until 12:30." in messages_after(
        client, response
    )
    delivered_online.refresh_from_db()
    assert delivered_online.status == Status.AWAITING_PAYMENT


@pytest.mark.parametrize("name", ["stripe_success", "stripe_success_status", "stripe_cancel"])
def test_the_return_pages_are_404_for_another_customer(client, other_customer, delivered_online, name):
    client.force_login(other_customer)
    assert client.get(reverse(name, args=[delivered_online.number])).status_code == 404


def test_the_return_pages_need_a_sign_in(client, delivered_online):
    response = client.get(reverse("stripe_success", args=[delivered_online.number]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
