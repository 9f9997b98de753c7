from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from orders.services import Contact, DeliveryAddress, LineRequest, place_order

PARIS = ZoneInfo("Europe/Paris")
# A Monday at noon: restaurant A is open (11:30-22:30 every day in the test world).
NOON = datetime(2026, 11, 30, 12, 0, tzinfo=PARIS)


@pytest.fixture
def noon(time_machine):
    time_machine.move_to(NOON, tick=False)
    return NOON


@pytest.fixture
def order_for(restaurant_a, menu, stock_a, noon):
    """Place an order at A for a customer, paying on pick-up unless told otherwise."""

    def place(customer, *lines: LineRequest, **kwargs):
        options = {
            "restaurant": restaurant_a,
            "lines": lines or [LineRequest(product_id=menu["margherita"].id, quantity=1)],
            "fulfilment": "pickup",
            "payment_method": "cash_on_delivery",
            "contact": Contact(name=customer.get_full_name(), phone=customer.phone, email=customer.email),
            "customer": customer,
            "now": noon,
        }
        options.update(kwargs)
        return place_order(**options)

    return place


@pytest.fixture
def delivery_to(customer):
    address = customer.addresses.get()
    return DeliveryAddress(
        street=address.street, postal_code=address.postal_code, city=address.city, address_id=address.id
    )
