"""Numbers and codes in requests: only ASCII digits count (common/parsing.py).

`str.isdigit` accepts "²" (which then makes `int` raise: a 500), "①", and other scripts' digits ("١٢", which
`int` reads as 12). Each place that reads a number or a postal code from a request is asked with such values.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Address
from common.parsing import is_postal_code, whole_number
from orders.models import Order, Payment, PaymentState
from restaurants.staff.access import SESSION_KEY
from tests.orders.checkout import shown_fingerprint, terms_accepted
from tests.orders.stripe_fake import completed_session, event, post_event
from tests.world import WEBHOOK_SECRET

pytestmark = pytest.mark.django_db

NOT_ASCII = ["²", "①", "١", "𝟙", "６"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0", 0), ("42", 42), (" 7 ", 7), ("123456789", 123456789)]
    + [(value, None) for value in ["", " ", "-1", "1.5", "1e3", "1_000", "+1", "1234567890", None, 3]]
    + [(value, None) for value in NOT_ASCII],
)
def test_a_whole_number_is_ascii_digits_only_and_short_enough_to_be_an_id(value, expected):
    assert whole_number(value) == expected


def test_a_postal_code_is_five_ascii_digits():
    assert is_postal_code("69002")
    assert not any(
        is_postal_code(value) for value in ["6900", "690021", "²²²²²", "٦٩٠٠٢", "６９００２", "69 002"]
    )


@pytest.mark.parametrize("added", ["%C2%B2", "%E2%91%A0", "%D9%A1", "99999999999999999999", "-1"])
def test_the_menu_page_ignores_an_added_mark_that_is_not_an_ascii_number(world, added):
    client = world.client("anonymous")
    url = reverse("restaurant_detail", args=[world.restaurant_a.slug])

    response = client.get(f"{url}?added={added}")

    assert response.status_code == 200
    assert "add-to-cart__added" not in response.content.decode()


def test_the_home_page_refuses_a_postal_code_in_other_digits(world):
    response = world.client("anonymous").get("/", {"postal_code": "٦٩٠٠٢"})

    assert response.status_code == 200
    assert response.context["postal_code_invalid"] is True
    assert response.context["searched"] is False


@pytest.mark.parametrize("value", ["²", "١", "9" * 30])
def test_choosing_a_restaurant_by_an_id_that_is_not_ascii_digits_is_a_400(world, value):
    client = world.client("head_office")
    digits = str(world.restaurant_b.pk).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))

    for restaurant in (value, digits):
        response = client.post(reverse("staff_choose_restaurant"), {"restaurant": restaurant})
        assert response.status_code == 400
    assert client.session.get(SESSION_KEY) != world.restaurant_b.pk


def test_an_address_with_a_postal_code_in_other_digits_is_refused(world):
    client = world.client("customer")
    before = Address.objects.count()

    response = client.post(
        reverse("address_create"),
        {"label": "Bureau", "street": "1 rue de la Ré", "postal_code": "٦٩٠٠٢", "city": "Lyon"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code in (200, 400)
    assert "Enter a French postal code of 5 digits." in response.content.decode()
    assert Address.objects.count() == before


def test_a_checkout_to_a_postal_code_in_other_digits_is_refused(world):
    client = world.client("customer")
    client.post(
        reverse("cart_add"), {"restaurant": world.restaurant_a.pk, "product": world.menu["margherita"].pk}
    )
    before = Order.objects.count()
    shown = shown_fingerprint(client)

    response = client.post(
        reverse("checkout"),
        {
            "cart_fingerprint": shown,
            **terms_accepted(),
            "fulfilment": "delivery",
            "address": "new",
            "street": "1 rue de la Ré",
            "postal_code": "６９００２",
            "city": "Lyon",
            "delivery_time": "asap",
            "pickup_time": "asap",
            "payment_method": "cash_on_delivery",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert "Enter a French postal code of 5 digits." in response.content.decode()
    assert Order.objects.count() == before


def test_a_phone_order_to_a_postal_code_in_other_digits_is_refused(world):
    client = world.client("counter")
    client.post(reverse("staff_counter_add"), {"product": world.menu["margherita"].pk, "quantity": "1"})
    before = Order.objects.count()

    response = client.post(
        reverse("staff_counter_new"),
        {
            "place": "1",
            "channel": "phone",
            "name": "Chloé Petit",
            "phone": "06 99 88 77 66",
            "fulfilment": "delivery",
            "street": "3 rue de la Ré",
            "postal_code": "²²²²²",
            "city": "Lyon",
            "pickup_time": "asap",
            "delivery_time": "asap",
            "payment_method": "cash_on_delivery",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert "Enter a French postal code of 5 digits." in response.content.decode()
    assert Order.objects.count() == before


@pytest.mark.parametrize("payment_id", ["²", "①", "9" * 30])
def test_a_stripe_session_whose_metadata_id_is_not_ascii_digits_is_not_ours(world, payment_id):
    order = world.stripe_payment.order
    session = completed_session(
        "cs_test_unknown",
        amount_cents=950,
        metadata={"order_number": order.number, "payment_id": payment_id},
    )

    response = post_event(
        world.client("anonymous"), event("checkout.session.completed", session), secret=WEBHOOK_SECRET
    )

    assert response.status_code == 200
    assert Payment.objects.get(pk=world.stripe_payment.pk).status == world.stripe_payment.status
    assert world.stripe_payment.status != PaymentState.SUCCEEDED
