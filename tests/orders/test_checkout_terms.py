"""The terms of sale at checkout (issue #14): a required box linking to the version in force, whose version
the order records; terms published while the page was open are not taken as accepted."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from legal.models import DocumentKind, LegalDocument
from orders.models import Order
from tests.orders.checkout import shown_fingerprint, terms_accepted


@pytest.fixture
def cart(client, customer, restaurant_a, menu, stock_a, noon):
    client.force_login(customer)
    data = {"restaurant": restaurant_a.pk, "product": menu["margherita"].pk, "quantity": "1"}
    assert client.post(reverse("cart_add"), data).status_code == 302
    return client


def post_checkout(client, **more):
    form = {
        "cart_fingerprint": shown_fingerprint(client),
        "fulfilment": "pickup",
        "pickup_time": "asap",
        "payment_method": "cash_on_delivery",
        **more,
    }
    return client.post(reverse("checkout"), form, HTTP_ACCEPT_LANGUAGE="en")


def test_the_checkout_shows_the_box_linking_to_the_terms_in_force(cart):
    terms = LegalDocument.objects.current(DocumentKind.TERMS)
    page = cart.get(reverse("checkout"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="accept_terms"' in page and "required" in page.split('name="accept_terms"')[1][:80]
    assert reverse("legal_page_version", args=["cgv", terms.version]) in page
    assert f'name="terms_version" value="{terms.version}"' in page


def test_an_order_records_the_version_of_the_terms_accepted(cart, customer):
    response = post_checkout(cart, **terms_accepted())
    assert response.status_code == 302
    order = Order.objects.get(customer=customer)
    assert order.accepted_terms == LegalDocument.objects.current(DocumentKind.TERMS)


def test_without_the_box_ticked_nothing_is_placed(cart):
    response = post_checkout(
        cart, terms_version=str(LegalDocument.objects.current(DocumentKind.TERMS).version)
    )
    assert response.status_code == 400
    assert "Accept the terms of sale to place your order." in response.content.decode()
    assert not Order.objects.exists()


def test_terms_published_while_the_page_was_open_must_be_read_again(cart, head_office):
    shown = terms_accepted()
    LegalDocument.objects.create(
        kind=DocumentKind.TERMS, version=2, body="New terms", published_at=timezone.now()
    )

    response = post_checkout(cart, **shown)

    assert response.status_code == 400
    assert "The terms of sale changed while this page was open" in response.content.decode()
    assert not Order.objects.exists()
    assert post_checkout(cart, **terms_accepted()).status_code == 302
    assert Order.objects.get().accepted_terms.version == 2


def test_an_order_taken_by_staff_records_no_terms(restaurant_a, menu, stock_a, counter, noon):
    from orders.services import Contact, LineRequest, place_order

    order = place_order(
        restaurant=restaurant_a,
        lines=[LineRequest(product_id=menu["margherita"].id, quantity=1)],
        fulfilment="pickup",
        payment_method="cash_on_delivery",
        contact=Contact(name="Client", phone="0600000000", email=""),
        channel="phone",
        taken_by=counter,
        now=noon,
    )
    assert order.accepted_terms is None
