"""The delivery board: ready delivery orders to take (nearest area first), and the driver's own orders out for
delivery: their trip, with the route through its stops in the phone's navigation app.

A driver takes an order, or several at once into one trip (each becomes `out_for_delivery`, delivered by
them; all or none: orders.services.take_deliveries), then marks each stop delivered,
recording cash or card when it is paid on delivery, or records a failed delivery with a reason (a staff
cancellation: the food is gone, no stock comes back). Only the driver who took an order may close it;
managers may close any. Orders of another restaurant, and other drivers' orders, are 404s. A POST ends on
the board, refused or not (restaurants.staff.post_redirect); only a failed delivery without a reason is shown
again, with the form's error.

The board is a live board (static/js/kitchen.js): each phone polls it with the version it shows
(`board_version`), and an unchanged board answers 204 without rendering (orders.staff.polling).
"""

from __future__ import annotations

import hashlib
import re

from django import forms
from django.contrib import messages
from django.db.models import Count, Max, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orders.errors import OrderError
from orders.models import Fulfilment, Order, PaymentStatus, Status
from orders.services import cancel_order, deliver_order, take_deliveries, transition_order_once
from orders.staff import selectors
from orders.staff.polling import polled_part
from restaurants.models import Restaurant, Role
from restaurants.staff.access import staff_required
from restaurants.staff.post_redirect import refuse

DRIVERS = (Role.DRIVER,)
MAX_TRIP = 8  # orders taken at once, at most
ORDER_NUMBER = re.compile(r"^[A-Za-z0-9-]{1,12}$")  # as orders.urls.OrderNumberConverter reads them


class FailedDeliveryForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("What happened?"),
        max_length=300,
        widget=forms.TextInput(attrs={"list": "failed-reasons", "autocomplete": "off"}),
        help_text=gettext_lazy(
            "For example: nobody answered, wrong address, the customer refused the order."
        ),
        error_messages={"required": gettext_lazy("Say why the order could not be delivered.")},
    )


def board_version(restaurant: Restaurant, *, driver_pk: int, sees_all: bool) -> str:
    """A short fingerprint of what this user's delivery board shows: one aggregate query over the orders it
    reads (the restaurant's ready deliveries, and the orders out for delivery with this driver, or with any for
    a manager: how many, which, their last change, how many are out, how many paid), with the user, whether
    they see every driver's orders, and the language. Taking, handing over, a payment, a modification (each
    moves the order's `updated_at`) or an order leaving the board changes it. No time is in it: the board
    shows clock times, never ages."""
    out = Q(status=Status.OUT_FOR_DELIVERY)
    if not sees_all:
        out &= Q(delivered_by_id=driver_pk)
    state = (
        Order.objects.for_restaurant(restaurant)
        .filter(Q(fulfilment=Fulfilment.DELIVERY) & (Q(status=Status.READY) | out))
        .aggregate(
            count=Count("id"),
            ids=Sum("id"),
            last=Max("updated_at"),
            # Two changes within the same instant still differ: how many are out, how many are paid.
            out=Count("id", filter=Q(status=Status.OUT_FOR_DELIVERY)),
            paid=Count("id", filter=Q(payment_status=PaymentStatus.PAID)),
        )
    )
    state["last"] = state["last"].timestamp() if state["last"] else 0
    parts = (restaurant.pk, driver_pk, int(sees_all), get_language(), *state.values())
    return hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).hexdigest()


def _version(request: HttpRequest) -> str:
    return board_version(
        request.staff.restaurant, driver_pk=request.user.pk, sees_all=request.staff.is_manager
    )


def _board_context(request: HttpRequest, version: str = "") -> dict:
    """The board, with its version read first: a change made while the board is read shows again at the next
    poll, never the other way round."""
    version = version or _version(request)
    return {
        "version": version,
        "board": selectors.delivery_board(
            request.staff.restaurant, driver=request.user, sees_all=request.staff.is_manager
        ),
        "sees_all": request.staff.is_manager,
        "now": timezone.now(),
    }


def _own_order(request: HttpRequest, number: str) -> Order:
    """An order this user may close: taken by them, or any delivery of the restaurant for a manager."""
    return selectors.get_order_for_staff(
        request, number, within=selectors.delivery_orders(), own_delivery=True
    )


@staff_required(*DRIVERS)
@require_GET
def delivery(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/delivery.html", _board_context(request))


@staff_required(*DRIVERS)
@require_GET
def delivery_board(request: HttpRequest) -> HttpResponse:
    """The board alone, polled by HTMX every 5 seconds; 204 when the phone already shows its version
    (`X-Board-Version`, sent by kitchen.js): HTMX swaps nothing."""
    version = _version(request)
    return polled_part(
        request,
        version=version,
        template="staff/includes/delivery_board.html",
        context=lambda: _board_context(request, version),
    )


@require_POST
@staff_required(*DRIVERS)
def delivery_take(request: HttpRequest, number: str) -> HttpResponse:
    order = selectors.get_order_for_staff(request, number, within=selectors.delivery_orders())
    try:
        moved, by_me = transition_order_once(order=order, to=Status.OUT_FOR_DELIVERY, by=request.user)
    except OrderError as error:
        return refuse(request, error.message, "staff_delivery")
    if not by_me:
        if moved.delivered_by_id == request.user.pk:
            messages.info(request, _("You already took order %(number)s.") % {"number": moved.number})
            return redirect("staff_delivery")
        driver = moved.delivered_by
        message = _("Order %(number)s was already taken by %(name)s.") % {
            "number": moved.number,
            "name": driver.display_name if driver else _("another driver"),
        }
        return refuse(request, message, "staff_delivery", level=messages.WARNING)
    messages.success(request, _("Order %(number)s is yours: on your way!") % {"number": moved.number})
    return redirect("staff_delivery")


@require_POST
@staff_required(*DRIVERS)
def delivery_trip(request: HttpRequest) -> HttpResponse:
    """Take the chosen ready deliveries (`orders`: their numbers, up to MAX_TRIP) into one trip: all of them,
    or none when one was taken by someone else meanwhile. A number of another restaurant is a 404."""
    numbers = {number.upper() for number in request.POST.getlist("orders") if ORDER_NUMBER.match(number)}
    if not numbers:
        return refuse(request, _("Choose the deliveries to take."), "staff_delivery")
    if len(numbers) > MAX_TRIP:
        message = _("Take at most %(count)d deliveries at once.") % {"count": MAX_TRIP}
        return refuse(request, message, "staff_delivery")
    orders = list(
        selectors.delivery_orders().for_restaurant(request.staff.restaurant).filter(number__in=numbers)
    )
    if len(orders) != len(numbers):
        raise Http404
    try:
        taken = take_deliveries(orders=orders, by=request.user)
    except OrderError as error:
        return refuse(request, error.message, "staff_delivery", level=messages.WARNING)
    messages.success(
        request,
        ngettext(
            "Order %(numbers)s is yours: on your way!",
            "Orders %(numbers)s are yours: on your way!",
            len(taken),
        )
        % {"numbers": ", ".join(order.number for order in taken)},
    )
    return redirect("staff_delivery")


@require_POST
@staff_required(*DRIVERS)
def delivery_deliver(request: HttpRequest, number: str) -> HttpResponse:
    """Hand the order over. An order paid on delivery needs the way it was paid (cash or card): the payment
    and the move to `delivered` are written together, or not at all (orders.services.deliver_order)."""
    order = _own_order(request, number)
    try:
        moved, by_me = deliver_order(order=order, by=request.user, payment=request.POST.get("method", ""))
    except OrderError as error:
        return refuse(request, error.message, "staff_delivery")
    if not by_me:
        message = _("Order %(number)s was already delivered.") % {"number": moved.number}
        return refuse(request, message, "staff_delivery", level=messages.INFO)
    messages.success(request, _("Order %(number)s is delivered.") % {"number": moved.number})
    return redirect("staff_delivery")


@require_http_methods(["GET", "POST"])
@staff_required(*DRIVERS)
def delivery_failed(request: HttpRequest, number: str) -> HttpResponse:
    """Record that an order out for delivery could not be delivered, with the reason."""
    order = _own_order(request, number)
    form = FailedDeliveryForm(request.POST if request.method == "POST" else None)
    status = 200
    if order.status != Status.OUT_FOR_DELIVERY:
        message = _("Order %(number)s is not out for delivery: it is “%(status)s”.") % {
            "number": order.number,
            "status": order.get_status_display(),
        }
        return refuse(request, message, "staff_delivery")
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                cancel_order(
                    order=order, by=request.user, reason=form.cleaned_data["reason"], by_customer=False
                )
            except OrderError as error:
                return refuse(request, error.message, "staff_delivery")
            messages.success(
                request,
                _("Order %(number)s: failed delivery recorded. Bring the order back to the restaurant.")
                % {"number": order.number},
            )
            return redirect("staff_delivery")
    return render(
        request,
        "staff/delivery_failed.html",
        {"order": order, "delivery": selectors.Delivery(order), "form": form},
        status=status,
    )
