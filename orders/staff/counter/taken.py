"""The order being taken by phone or at the counter: kept in the session under its own key (CounterCart),
apart from the staff user's own website cart, for the current restaurant only, with the customer's account
it is taken for (CUSTOMER_KEY)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts.models import User
from orders.cart import Cart

CUSTOMER_KEY = "counter_customer"


class CounterCart(Cart):
    """The order being taken at the counter, kept apart from the staff user's own website cart."""

    session_key = "counter_cart"


def counter_cart(request: HttpRequest) -> CounterCart:
    """The order being taken, for the current restaurant only (switching restaurant starts a new one)."""
    cart = CounterCart.load(request.session)
    if cart.lines and not cart.is_for(request.staff.restaurant.pk):
        cart.clear()
        cart.save(request.session)
        request.session.pop(CUSTOMER_KEY, None)
    cart.restaurant_id = request.staff.restaurant.pk
    return cart


def chosen_customer(request: HttpRequest) -> User | None:
    customer_id = request.session.get(CUSTOMER_KEY)
    if not customer_id:
        return None
    return User.objects.filter(pk=customer_id, is_active=True).first()


def back_to_new(anchor: str = "counter-lines") -> HttpResponse:
    return redirect(f"{reverse('staff_counter_new')}#{anchor}")
