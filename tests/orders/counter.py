"""Helpers of the counter tests: the new order's URL and its order placed (a phone order picked up and paid
then, for Chloé Petit, unless told otherwise)."""

from __future__ import annotations

from django.urls import reverse

NEW = reverse("staff_counter_new")


def place(client, **data):
    form = {
        "place": "1",
        "channel": "phone",
        "name": "Chloé Petit",
        "phone": "06 99 88 77 66",
        "email": "",
        "fulfilment": "pickup",
        "pickup_time": "asap",
        "delivery_time": "asap",
        "payment_method": "cash_on_delivery",
        **data,
    }
    return client.post(NEW, form)
