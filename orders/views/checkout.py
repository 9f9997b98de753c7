"""Checkout: the signed-in customer turns the cart into an order (orders.services.place_order)."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from orders import payments
from orders.cart import Cart
from orders.cart_contents import CartContents, cart_contents
from orders.errors import AlreadyPlaced, OrderError, ProductUnavailable
from orders.forms import ASAP, CheckoutForm, time_choices
from orders.models import Channel, Fulfilment, PaymentMethod, PaymentState
from orders.services import Contact, checkout_url, place_order
from orders.services.scheduling import times_by_fulfilment
from restaurants import schedule

CART_CHANGED = gettext_lazy(
    "Your cart changed since this page was shown (in another tab?): check your order, then place it again."
)


def _cannot_be_ordered(products: list[str]) -> str:
    return ngettext(
        "Sorry, %(products)s can no longer be ordered as it is in your cart.",
        "Sorry, %(products)s can no longer be ordered as they are in your cart.",
        len(products),
    ) % {"products": ", ".join(products)}


@login_required
@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest) -> HttpResponse:
    """GET shows the form; POST places the order. A refused POST re-renders the form with a 400, or a 409
    when the cart is no longer the one the page showed."""
    current = Cart.load(request.session)
    now = timezone.now()
    posted = request.method == "POST"
    # A POST reads the stock once, under its lock, when placing (a shortage then sends back to the cart
    # as the check here would); the list of rewards within reach is the cart page's, not this one's.
    contents = cart_contents(
        current, customer=request.user, now=now, offer_rewards=False, check_stock=not posted
    )
    if posted and request.POST.get("cart_fingerprint") != contents.fingerprint:
        # The cart changed since the page was shown: read it as a GET does (its stock too), so a cart that
        # can no longer be made goes back to the cart page rather than to a form that cannot show why.
        contents = cart_contents(current, customer=request.user, now=now, offer_rewards=False)
    why_not = _why_not_orderable(contents)
    if why_not is not None:
        if why_not:
            messages.error(request, why_not)
        return redirect("cart")
    restaurant = contents.restaurant
    form = _checkout_form(request, contents, now=now)
    status = 200
    if posted:
        status = 400
        if request.POST.get("cart_fingerprint") != contents.fingerprint:
            # The cart changed since this page was shown (another tab, a price on the menu): place nothing
            # the customer did not see, and show the cart as it is now. 409: the form may be right, the
            # cart it was filled in for is not the cart any more.
            form.is_valid()
            form.add_error(None, CART_CHANGED)
            status = 409
        elif form.is_valid():
            placed = _place_and_go_on(request, form, current, contents, now=now)
            if placed is not None:
                return placed
        # Shown again: the times with room only, as a GET lists them.
        _offer_times_with_room(form, restaurant=restaurant, pizzas=contents.pizzas, now=now)
    return render(
        request,
        "orders/checkout.html",
        {
            "form": form,
            "contents": contents,
            "restaurant": restaurant,
            "open_now": schedule.is_open_at(restaurant, now),
            "total_delivered": contents.total_delivered,
        },
        status=status,
    )


def _checkout_form(request: HttpRequest, contents: CartContents, *, now: datetime) -> CheckoutForm:
    """The checkout form for the cart's restaurant, bound to a POST. A GET lists the times whose oven slot
    has room; a POST checks the time asked for against the opening hours only (no query): whether its slot
    has room is read once, under the restaurant's lock, by place_order."""
    posted = request.method == "POST"
    restaurant = contents.restaurant
    prefetch_related_objects([restaurant], "opening_hours", "delivery_zones")
    times = times_by_fulfilment(
        restaurant=restaurant, pizzas=contents.pizzas, now=now, with_room_only=not posted
    )
    if posted:
        times = {name: _asked(listed, request.POST.get(f"{name}_time")) for name, listed in times.items()}
    return CheckoutForm(
        request.POST if posted else None,
        user=request.user,
        restaurant=restaurant,
        delivery_times=times[Fulfilment.DELIVERY],
        pickup_times=times[Fulfilment.PICKUP],
        online=payments.online_payment_available(),
        now=now,
        served_postal_codes=restaurant.served_postal_codes(),
        below_minimum=contents.below_minimum > 0,
    )


def _why_not_orderable(contents: CartContents) -> str | None:
    """Why the cart cannot go through the checkout, to say on the cart page ("" for an empty cart, nothing to
    say); None when it can: the promo code or reward accepted in the cart and no longer (its last use spent,
    points spent in another tab), or lines the menu or the stock can no longer make."""
    if not contents.rows or contents.restaurant is None:
        return ""
    if contents.offer_refused or contents.reward_refused:
        return contents.offer_refused or contents.reward_refused
    if contents.problems:
        return _cannot_be_ordered(list(dict.fromkeys(row.name for row in contents.problems)))
    return None


def _asked(times: list[datetime], value: str | None) -> list[datetime]:
    """Of the times a POST may ask for, the one it asks for (the first one for "as soon as possible", or when
    it asks for none of them, so the form still says "takes no orders" for none and refuses a time not
    offered): the form then lists two choices, not two hundred it would format for nothing."""
    try:
        asked = datetime.fromisoformat(value) if value and value != ASAP else None
    except ValueError:
        asked = None
    return [time for time in times if time == asked] or times[:1]


def _offer_times_with_room(form: CheckoutForm, *, restaurant, pizzas: int, now: datetime) -> None:
    times = times_by_fulfilment(restaurant=restaurant, pizzas=pizzas, now=now)
    for fulfilment in Fulfilment.values:
        form.fields[f"{fulfilment}_time"].choices = time_choices(times[fulfilment], now=now)


def _place_and_go_on(
    request: HttpRequest, form: CheckoutForm, current: Cart, contents: CartContents, *, now: datetime
) -> HttpResponse | None:
    """Place the order of a valid form and send the customer on (to pay, or to follow it); None when it is
    refused, the reason then on the form."""
    try:
        order = _place(request, form, contents, checkout_token=current.checkout_token, now=now)
    except AlreadyPlaced as error:
        # The same checkout sent again, its first answer lost: show the order placed, once.
        current.clear()
        current.save(request.session)
        messages.info(request, _("Your order %(number)s was already placed.") % {"number": error.number})
        return redirect(reverse("order_tracking", args=[error.number]))
    except ProductUnavailable as error:
        # Said as the cart's check says it (the POST leaves that check to the reservation, under its lock).
        messages.error(request, _cannot_be_ordered(error.products))
        return redirect("cart")
    except OrderError as error:
        if error.code.startswith("reward_"):
            # The points were spent since the page was shown (another tab): nothing was placed; the cart
            # comes back without the reward, with the reason.
            current.reward_id = None
            current.save(request.session)
            messages.error(request, error.message)
            return redirect("cart")
        form.add_error(None, error.message)
        return None
    current.clear()
    current.save(request.session)
    if order.payment_method == PaymentMethod.ONLINE:
        payment = order.payments.get(status=PaymentState.PENDING)
        return redirect(checkout_url(payment=payment, request=request))
    messages.success(request, _("Thank you! Your order %(number)s is placed.") % {"number": order.number})
    return redirect(reverse("order_tracking", args=[order.number]))


def _place(request: HttpRequest, form: CheckoutForm, contents, *, checkout_token: str, now):
    user = request.user
    data = form.cleaned_data
    phone = user.phone or data.get("phone") or ""
    saves_phone = not user.phone and bool(phone)
    # One transaction: a new address saved to the book and the phone saved to the profile disappear with
    # a refused order. Without them (an address of the book, a phone known), place_order's own transaction
    # is the only one, not a savepoint inside this one (two round trips fewer).
    with transaction.atomic() if saves_phone or form.saves_new_address() else nullcontext():
        address = form.save_new_address()
        order = place_order(
            restaurant=contents.restaurant,
            lines=[row.line for row in contents.rows],
            priced_lines=contents.priced_lines,
            fulfilment=data["fulfilment"],
            payment_method=data["payment_method"],
            contact=Contact(name=user.display_name, phone=str(phone), email=user.email),
            customer=user,
            address=address,
            requested_time=data["requested_time"],
            channel=Channel.WEB,
            note=data.get("note", ""),
            now=now,
            checkout_token=checkout_token,
            accepted_terms=form.accepted_terms(),
            promo_code=contents.promo_code,
            reward=contents.reward.reward if contents.reward else None,
        )
        if saves_phone:
            user.phone = phone
            user.save(update_fields=["phone"])
    return order
