"""Phone numbers on orders: checked at checkout and at the counter, stored in E.164, shown the French way
on the staff screens; the migration that normalised the old ones keeps what it cannot read."""

from __future__ import annotations

import importlib
import logging

import pytest
from django.apps import apps
from django.urls import reverse

from orders.models import Order
from tests import factories as f
from tests.orders.checkout import shown_fingerprint, terms_accepted

pytestmark = pytest.mark.django_db


def test_checkout_refuses_a_phone_that_is_not_a_number_and_writes_nothing(
    client, restaurant_a, menu, stock_a, noon
):
    user = f.UserFactory(phone="")
    client.force_login(user)
    data = {"restaurant": restaurant_a.pk, "product": menu["margherita"].pk, "quantity": "1"}
    assert client.post(reverse("cart_add"), data).status_code == 302
    form = {"fulfilment": "pickup", "pickup_time": "asap", "payment_method": "cash_on_delivery"}
    form["cart_fingerprint"] = shown_fingerprint(client)
    form.update(terms_accepted())

    response = client.post(reverse("checkout"), {**form, "phone": "abc"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.context["form"].errors["phone"]
    assert Order.objects.count() == 0
    user.refresh_from_db()
    assert user.phone == ""

    response = client.post(
        reverse("checkout"), {**form, "phone": "06 11 22 33 44"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 302
    assert str(Order.objects.get().customer_phone) == "+33611223344"
    user.refresh_from_db()
    assert str(user.phone) == "+33611223344"


def test_the_counter_refuses_a_phone_that_is_not_a_number_and_writes_nothing(
    client, restaurant_a, menu, stock_a, noon
):
    clerk = f.StaffMemberFactory(restaurant=restaurant_a, role="counter").user
    client.force_login(clerk)
    assert (
        client.post(
            reverse("staff_counter_add"), {"product": menu["margherita"].pk, "quantity": "1"}
        ).status_code
        == 302
    )
    form = {
        "place": "1",
        "channel": "phone",
        "name": "Chloé Petit",
        "email": "",
        "fulfilment": "pickup",
        "pickup_time": "asap",
        "delivery_time": "asap",
        "payment_method": "cash_on_delivery",
    }

    response = client.post(reverse("staff_counter_new"), {**form, "phone": "abc"})

    assert response.status_code == 400
    assert response.context["form"].errors["phone"]
    assert Order.objects.count() == 0

    response = client.post(reverse("staff_counter_new"), {**form, "phone": "+44 20 7946 0958"})

    assert response.status_code == 302
    order = Order.objects.get()
    assert str(order.customer_phone) == "+442079460958"
    page = client.get(reverse("staff_counter_order", args=[order.number])).content.decode()
    assert 'href="tel:+442079460958">+44 20 7946 0958</a>' in page


def test_staff_screens_show_a_french_number_the_french_way(
    client, order_for, customer, pizzaiolo, restaurant_a
):
    customer.phone = "+33612345678"
    customer.save(update_fields=["phone"])
    order = order_for(customer)
    client.force_login(pizzaiolo)

    ticket = client.get(reverse("staff_kitchen_ticket", args=[order.number])).content.decode()

    assert "06 12 34 56 78" in ticket and "+33612345678" not in ticket


def test_the_migration_normalises_the_numbers_and_keeps_what_it_cannot_read(order_for, customer, caplog):
    migration = importlib.import_module("orders.migrations.0005_order_customer_phone_e164")
    spaced, free_text = order_for(customer), order_for(customer)
    Order.objects.filter(pk=spaced.pk).update(customer_phone="06 12 34 56 78")
    Order.objects.filter(pk=free_text.pk).update(customer_phone="le voisin")

    with caplog.at_level(logging.WARNING, logger="orders.migrations"):
        migration.normalise_phones(apps, None)

    phones = dict(Order.objects.values_list("pk", "customer_phone"))
    assert (str(phones[spaced.pk]), str(phones[free_text.pk])) == ("+33612345678", "le voisin")
    assert [record.getMessage() for record in caplog.records] == [
        f"Order {free_text.number}: phone 'le voisin' is not a valid number; kept as typed."
    ]
