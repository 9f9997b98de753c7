"""Checkout: the signed-in customer turns the cart into an order (orders.services.place_order)."""

from __future__ import annotations

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
from orders.cart import Cart, CartContents, cart_contents
from orders.errors import AlreadyPlaced, OrderError, ProductUnavailable
from orders.forms import CheckoutForm, offered_times
from orders.models import Channel, PaymentMethod, PaymentState
from orders.services import Contact, checkout_url, place_order
from restaurants import schedule

CART_CHANGED = gettext_lazy(
    "Your cart changed since this page was shown (in another tab?): check your order, then place it again."
)


@login_required
@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest) -> HttpResponse:
    """GET shows the form; POST places the order. A refused POST re-renders the form with a 400, or a 409
    when the cart is no longer the one the page showed."""
    current = Cart.load(request.session)
    now = timezone.now()
    contents = cart_contents(current, customer=request.user, now=now)
    if not contents.rows or contents.restaurant is None:
        return redirect("cart")
    if contents.offer_refused:
        # The code was accepted in the cart, and no longer is (its last use spent, the cart changed).
        messages.error(request, contents.offer_refused)
        return redirect("cart")
    if contents.reward_refused:
        # The reward was within reach in the cart, and no longer is (points spent in another tab).
        messages.error(request, contents.reward_refused)
        return redirect("cart")
    if contents.problems:
        messages.error(
            request,
            ngettext(
                "Sorry, %(products)s can no longer be ordered as it is in your cart.",
                "Sorry, %(products)s can no longer be ordered as they are in your cart.",
                len(contents.problems),
            )
            % {"products": contents.problem_names},
        )
        return redirect("cart")
    restaurant = contents.restaurant
    prefetch_related_objects([restaurant], "opening_hours", "delivery_zones")
    form = CheckoutForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        restaurant=restaurant,
        **offered_times(restaurant=restaurant, pizzas=contents.pizzas, now=now),
        online=payments.online_payment_available(),
        now=now,
        served_postal_codes=restaurant.served_postal_codes(),
        below_minimum=contents.below_minimum > 0,
    )
    status = 200
    if request.method == "POST":
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
        messages.error(request, error.message)
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
    # One transaction: a new address saved to the book and the phone saved to the profile disappear with
    # a refused order.
    with transaction.atomic():
        address = form.save_new_address()
        order = place_order(
            restaurant=contents.restaurant,
            lines=[row.line for row in contents.rows],
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
        if not user.phone and phone:
            user.phone = phone
            user.save(update_fields=["phone"])
    return order
