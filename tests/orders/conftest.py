from __future__ import annotations

from datetime import datetime
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest

from offers.models import Formule, FormuleComponent
from orders.services import Contact, DeliveryAddress, LineRequest, place_order
from restaurants.services import restock
from tests import factories as f
from tests.orders.stripe_fake import fake_stripe

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


@pytest.fixture
def drinks(ingredients, restaurant_a):
    """A soda (5.5 %) and a beer (20 %), each a can kept in stock at A (10 of each)."""
    boissons = f.CategoryFactory(name="Boissons", slug="boissons")
    found = {}
    for name, price, rate in (("Soda", "3.00", "5.5"), ("Bière", "4.50", "20")):
        can = f.IngredientFactory(name=f"Canette {name}", unit="pc")
        product = f.ProductFactory(
            name=name, category=boissons, price=D(price), vat_rate=D(rate), baking_minutes=None
        )
        f.RecipeLineFactory(product=product, ingredient=can, quantity=D("1"), removable=False)
        f.StockFactory(restaurant=restaurant_a, ingredient=can, quantity=D("10"), alert_threshold=D("1"))
        found[name.lower()] = product
        found[f"{name.lower()}_can"] = can
    found["category"] = boissons
    return {
        "soda": found["soda"],
        "beer": found["bière"],
        "soda_can": found["soda_can"],
        "category": boissons,
    }


@pytest.fixture
def midi(menu, drinks):
    """« Menu Midi » : 1 pizza (Margherita or Regina) + 1 boisson (the category), 12,00 €."""
    formule = Formule.objects.create(name="Menu Midi", price=D("12.00"))
    pizza = FormuleComponent.objects.create(formule=formule, label="Pizza", position=1)
    pizza.products.set([menu["margherita"], menu["regina"]])
    boisson = FormuleComponent.objects.create(
        formule=formule, label="Boisson", category=drinks["category"], position=2
    )
    return {"formule": formule, "pizza": pizza, "boisson": boisson}


@pytest.fixture
def stripe_api(settings):
    """Stripe faked in process (tests/orders/stripe_fake.py): what the code asks of it, and its answers."""
    with fake_stripe(settings) as fake:
        yield fake


@pytest.fixture
def plenty(stock_a):
    """Enough stock at A for a dozen pizzas of each kind."""
    for name, quantity in {"Mozzarella": "3000", "Jambon": "600", "Pâte à pizza": "3000"}.items():
        restock(stock=stock_a[name], quantity=D(quantity), by=None)
    return stock_a
