"""A populated world for the abuse tests (tests/test_fuzz.py, tests/test_authorization_sweep.py).

On top of the fixtures of tests/conftest.py (restaurants A and B, customers, staff, the menu and A's stock), it
adds the roles the conftest lacks (counter and manager of A), stock and opening hours at B, and one order in
each state a screen acts on, so every URL with an order number, a stock id or a payment reference can be
filled with a real object of restaurant A (or of B, or of another customer, to try the wrong ones).

Time is Monday 30 November 2026 at noon (Paris): A is open; the orders are placed then.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from http.cookies import SimpleCookie
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from accounts.models import Address, User
from loyalty.models import Entry, Reward
from loyalty.models import Kind as LoyaltyKind
from offers.models import Formule, FormuleComponent, PromoCode
from orders.models import Order, Payment, PaymentState, Provider, Refund, Status
from orders.services import Contact, DeliveryAddress, LineRequest, place_order, transition_order
from privacy.models import DataExport, PrivacyRequest
from restaurants.models import Restaurant, Role, Stock
from restaurants.services import restock
from sales.closings import close_period
from sales.models import Closing, ClosingKind
from tests import factories as f

NOON = datetime(2026, 11, 30, 12, 0, tzinfo=ZoneInfo("Europe/Paris"))
WEBHOOK_SECRET = "whsec_test_ocpizza_fuzz"

# The roles requests are made as, in the order the sweep's table lists them.
ROLES = (
    "anonymous",
    "customer",
    "other_customer",
    "pizzaiolo",
    "driver",
    "counter",
    "manager_a",
    "manager_b",
    "head_office",
)


@dataclass
class World:
    restaurant_a: Restaurant
    restaurant_b: Restaurant
    users: dict[str, User]
    menu: dict
    ingredients: dict
    stock_a: dict[str, Stock]
    stock_b: Stock
    orders: dict[str, Order] = field(default_factory=dict)
    address: Address | None = None
    other_address: Address | None = None
    demo_payment: Payment | None = None
    stripe_payment: Payment | None = None
    refund: Refund | None = None
    export: DataExport | None = None  # a ready data export of `customer`
    closing: Closing | None = None  # A's daily closing (of the day before the clock's)
    _sessions: dict[str, str] = field(default_factory=dict)
    _clients: dict[str, Client] = field(default_factory=dict)

    def client(self, role: str) -> Client:
        """A test client signed in as `role` (the session is made once), which returns 500s instead of
        raising. Its cookies are reset each time, so a request that signed out or rotated the session leaves
        the next one alone. (One client per role: each new client would load the middleware again, and
        WhiteNoise reads every static file's metadata then.)"""
        client = self._clients.setdefault(role, Client(raise_request_exception=False))
        client.cookies = SimpleCookie()
        if role == "anonymous":
            return client
        if role not in self._sessions:
            signing_in = Client()
            signing_in.force_login(self.users[role])
            self._sessions[role] = signing_in.cookies[settings.SESSION_COOKIE_NAME].value
        client.cookies[settings.SESSION_COOKIE_NAME] = self._sessions[role]
        return client


def _contact(user: User | None) -> Contact:
    if user is None:
        return Contact(name="Client au téléphone", phone="06 11 22 33 44", email="")
    return Contact(name=user.get_full_name(), phone=user.phone, email=user.email)


def build_world(*, restaurant_a, restaurant_b, menu, ingredients, stock_a, users: dict[str, User]) -> World:
    """Stock and hours at B, then the orders: at A, for `customer` unless told otherwise."""
    for weekday in range(7):
        f.OpeningHoursFactory(restaurant=restaurant_b, weekday=weekday)
    stocks_b = {
        name: f.StockFactory(restaurant=restaurant_b, ingredient=ingredient, quantity=Decimal("5000"))
        for name, ingredient in ingredients.items()
    }
    # A promo code the cart's fuzzing can type (tests/test_fuzz.py).
    PromoCode.objects.create(code="BIENVENUE10", label="Bienvenue", value=Decimal("10"))
    # A formule of A, composed by the sweep and the fuzzing: a pizza, 9 € (offers.Formule).
    midi = Formule.objects.create(name="Menu Midi", price=Decimal("9.00"))
    FormuleComponent.objects.create(formule=midi, label="Pizza").products.add(
        menu["margherita"], menu["regina"]
    )
    for stock in stock_a.values():
        restock(stock=stock, quantity=Decimal("5000"), by=None)
    for stock in stock_a.values():
        stock.refresh_from_db()
    users = {
        **users,
        "counter": f.StaffMemberFactory(restaurant=restaurant_a, role=Role.COUNTER).user,
        "manager_a": f.StaffMemberFactory(restaurant=restaurant_a, role=Role.MANAGER).user,
    }
    world = World(
        restaurant_a=restaurant_a,
        restaurant_b=restaurant_b,
        users=users,
        menu=menu,
        ingredients=ingredients,
        stock_a=stock_a,
        stock_b=stocks_b["Mozzarella"],
    )
    customer, pizzaiolo, driver = users["customer"], users["pizzaiolo"], users["driver"]
    world.address = customer.addresses.get()
    # A reward the customer has the points for, which the cart's fuzzing can take (tests/test_fuzz.py).
    Reward.objects.create(name="Un produit offert", points=100)
    Entry.objects.create(customer=customer, kind=LoyaltyKind.ADJUSTED, points=500)
    world.other_address = users["other_customer"].addresses.get()
    delivery_address = DeliveryAddress(
        street=world.address.street,
        postal_code=world.address.postal_code,
        city=world.address.city,
        address_id=world.address.pk,
    )

    def place(who=customer, *, restaurant=restaurant_a, quantity=1, **options) -> Order:
        return place_order(
            restaurant=restaurant,
            lines=[LineRequest(product_id=menu["margherita"].id, quantity=quantity)],
            fulfilment=options.pop("fulfilment", "pickup"),
            payment_method=options.pop("payment_method", "cash_on_delivery"),
            contact=_contact(who),
            customer=who,
            now=NOON,
            **options,
        )

    def move(order: Order, *statuses: str, by: User) -> Order:
        for status in statuses:
            order = transition_order(order=order, to=status, by=by)
        return order

    orders = world.orders
    orders["received"] = place()
    orders["other_customer"] = place(users["other_customer"])
    orders["phone"] = place(None, channel="phone", taken_by=users["counter"])
    orders["preparing"] = move(place(), Status.PREPARING, by=pizzaiolo)
    orders["ready_pickup"] = move(place(), Status.PREPARING, Status.READY, by=pizzaiolo)
    delivery = {"fulfilment": "delivery", "address": delivery_address, "quantity": 2}
    orders["ready_delivery"] = move(place(**delivery), Status.PREPARING, Status.READY, by=pizzaiolo)
    orders["out"] = move(place(**delivery), Status.PREPARING, Status.READY, by=pizzaiolo)
    orders["out"] = move(orders["out"], Status.OUT_FOR_DELIVERY, by=driver)
    orders["online"] = place(payment_method="online")
    orders["cancelled"] = move(place(), Status.CANCELLED, by=customer)
    orders["at_b"] = place(restaurant=restaurant_b)
    for key, order in orders.items():
        orders[key] = Order.objects.get(pk=order.pk)
    world.demo_payment = orders["online"].payments.get(status=PaymentState.PENDING)
    # A Stripe payment and refund for the webhook's events to name.
    world.stripe_payment = Payment.objects.create(
        order=orders["ready_delivery"],
        provider=Provider.STRIPE,
        amount=orders["ready_delivery"].total,
        status=PaymentState.PENDING,
        provider_reference="cs_test_fuzz",
    )
    world.refund = Refund.objects.create(
        payment=world.stripe_payment,
        amount=Decimal("1.00"),
        idempotency_key="fuzz-refund",
        provider_reference="re_test_fuzz",
    )
    world.export = DataExport.objects.create(
        user=customer,
        requested_at=timezone.now(),
        ready_at=timezone.now(),
        expires_at=timezone.now() + timedelta(hours=1),
        file_name=default_storage.save("private/exports/world.zip", ContentFile(b"PK")),
    )
    PrivacyRequest.objects.create(kind="export", account_id=customer.pk, done_by=customer)
    world.closing = close_period(
        restaurant_id=restaurant_a.pk, kind=ClosingKind.DAY, day=timezone.localdate() - timedelta(days=1)
    )
    return world
