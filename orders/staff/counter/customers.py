"""The counter's customer search: an account found by name, email or phone, with its address book and its
last orders at the restaurant."""

from __future__ import annotations

from django.db.models import Prefetch, Q

from accounts.models import Address, User
from orders.models import Order, OrderLine, Status
from orders.staff.counter.forms import CustomerSearchForm
from restaurants.models import Restaurant

MAX_MATCHES = 10
RECENT_ORDERS = 3  # a found customer's last orders at the restaurant, each one tap from being repeated
# Words of a search beyond these are left out: a name and a surname find anyone.
MAX_SEARCH_WORDS = 4


def find_customers(search: CustomerSearchForm, restaurant: Restaurant) -> list[User]:
    """Up to MAX_MATCHES active accounts for a valid search, each with its address book (`user.book`) and
    its last RECENT_ORDERS orders at `restaurant` with their lines (`user.recent`), to repeat one in a tap.

    A whole phone number is one equality on the indexed E.164 column, so its owner comes first and alone.
    Anything else is read word by word, each word found in the first name, the last name or the email; a
    search that reads as part of a phone number ("06 12", "56 78", "+44 20") also finds the numbers that
    start with it, or contain it when written without its leading 0. Four queries: accounts, addresses,
    recent orders, their lines.
    """
    book = Prefetch("addresses", queryset=Address.objects.active().order_by("label", "id"), to_attr="book")
    recent = Prefetch(
        "orders",
        queryset=Order.objects.filter(restaurant=restaurant)
        .exclude(status=Status.AWAITING_PAYMENT)
        .order_by("-created_at", "-id")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))[:RECENT_ORDERS],
        to_attr="recent",
    )
    users = (
        User.objects.filter(is_active=True)
        .prefetch_related(book, recent)
        .order_by("last_name", "first_name", "id")
    )
    number = search.phone
    if number is not None:
        return list(users.filter(phone=number.as_e164)[:MAX_MATCHES])
    words = Q()
    for word in search.cleaned_data["q"].split()[:MAX_SEARCH_WORDS]:
        words &= Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
    digits = search.phone_digits
    if digits.startswith("+"):
        words |= Q(phone__startswith=digits)
    elif digits.startswith("0"):
        # A French number written nationally: "06 12" is the start of "+33612…".
        words |= Q(phone__startswith=f"+33{digits[1:]}")
    elif digits:
        words |= Q(phone__contains=digits)
    return list(users.filter(words)[:MAX_MATCHES])
