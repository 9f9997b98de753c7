"""The kitchen display: the restaurant's tickets to make, per station, with bumps, recall, recipe cards and
printable tickets; and the expo screen (the pass).

Pizzaiolos (and managers) start, bump and recall; the counter may watch the display and the pass. Every order
is looked up within the current restaurant (`request.staff.restaurant`): an order of another restaurant is a
404. The actions are the kitchen services' (orders.services.kitchen: start_order, bump, unbump_line,
recall_order), which lock the order and make it ready through transition_order once every station has
bumped its part: when two people tap at once, the second is told it was done already.

Each action answers in two ways. A plain form POST ends on the display (Post/Redirect/Get, refused or not:
restaurants.staff.post_redirect). The display's script posts with HTMX's header instead: it gets the board
fragment back at once, with the message in an `HX-Trigger` event ("staff-message"), and swaps only the
tickets that changed (static/js/kitchen.js).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from menu.models import Station
from orders.errors import OrderError
from orders.models import OrderLine, Status
from orders.services import bump, recall_order, start_order, unbump_line
from orders.staff import board as boards
from orders.staff import selectors
from orders.staff.polling import polled_part, shared_part
from restaurants.models import Role
from restaurants.staff.access import staff_required
from restaurants.staff.post_redirect import refuse

# Who may look at the display and the pass, and who may act on them (managers and head office always may).
KITCHEN_VIEWERS = (Role.PIZZAIOLO, Role.COUNTER)
KITCHEN_COOKS = (Role.PIZZAIOLO,)
POLL_SECONDS = 5


def _station(request: HttpRequest) -> str:
    return boards.station_or_all(request.POST.get("station") or request.GET.get("station"))


def _board_context(request: HttpRequest, station: str, version: str = "") -> dict:
    """The board of the screen's station. Its version is read first: a change made while the board is read
    then shows again at the next poll, never the other way round."""
    can_cook = request.staff.can(*KITCHEN_COOKS)
    restaurant = request.staff.restaurant
    version = version or boards.board_version(restaurant, station=station, can_cook=can_cook)
    board = boards.kitchen_board(restaurant, station=station)
    return {
        "version": version,
        "board": board,
        "now": board.now,  # the board's clock (its data-now), this request's time when it is kept
        "station": station,
        "stations": Station.choices,
        "can_cook": can_cook,
        "poll_seconds": POLL_SECONDS,
        "due_soon_minutes": boards.DUE_SOON_MINUTES,
    }


def _shared_board(request: HttpRequest, station: str, *, status: int = 200) -> HttpResponse:
    """The board fragment of the current version, rendered once for every screen of the same restaurant,
    station, role and language that asks for it (the other tablets of the station, the answer to an action):
    orders.staff.polling.shared_part. The fragment shows nothing of the user but the CSRF token."""
    can_cook = request.staff.can(*KITCHEN_COOKS)
    restaurant = request.staff.restaurant
    version = boards.board_version(restaurant, station=station, can_cook=can_cook)
    return shared_part(
        request,
        key=boards.board_key(restaurant, station=station, can_cook=can_cook),
        version=version,
        template="staff/includes/kitchen_board.html",
        context=lambda: _board_context(request, station, version),
        clock=True,
        status=status,
    )


def _display_url(station: str) -> str:
    url = reverse("staff_kitchen")
    return f"{url}?station={station}" if station else url


@staff_required(*KITCHEN_VIEWERS)
@require_GET
def kitchen(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/kitchen.html", _board_context(request, _station(request)))


@staff_required(*KITCHEN_VIEWERS)
@require_GET
def kitchen_board(request: HttpRequest) -> HttpResponse:
    """The board alone, polled by HTMX every POLL_SECONDS. When the screen already shows the board's version
    (`X-Board-Version`, sent by kitchen.js, or a browser's `If-None-Match`), nothing is rendered: 204 (HTMX
    swaps nothing) or 304. Otherwise the fragment, with its version as its ETag: rendered once per version
    for every screen alike (polling.shared_part)."""
    station = _station(request)
    can_cook = request.staff.can(*KITCHEN_COOKS)
    version = boards.board_version(request.staff.restaurant, station=station, can_cook=can_cook)
    return polled_part(
        request,
        version=version,
        template="staff/includes/kitchen_board.html",
        context=lambda: _board_context(request, station, version),
        etag=True,
        shared=boards.board_key(request.staff.restaurant, station=station, can_cook=can_cook),
        clock=True,
    )


def _answer(
    request: HttpRequest, message: str, *, station: str, level: int = messages.SUCCESS
) -> HttpResponse:
    """The end of an action: for the display's script (an HTMX request), the board at once with the message
    as an event (status 409 when refused); for a plain form, the message and a redirect to the display."""
    refused = level >= messages.WARNING
    if getattr(request, "htmx", False):
        # The restaurant was read before the action raised its board version: read the version again, or
        # the screen would show the new board under the old version and render it again at its next poll.
        request.staff.restaurant.refresh_from_db(fields=["board_version"])
        response = _shared_board(request, station, status=409 if refused else 200)
        level_tag = messages.DEFAULT_TAGS.get(level, "info")
        return trigger_client_event(response, "staff-message", {"level": level_tag, "text": message})
    if refused:
        return refuse(request, message, _display_url(station), level=level)
    messages.add_message(request, level, message)
    return redirect(_display_url(station))


def _cook_action(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The frame of a cook's action on the display: the view is given the screen's station, and an
    OrderError raised by the kitchen service (refused, or out of the kitchen's hands meanwhile) is answered
    as a refusal, like every other message (_answer)."""

    @wraps(view)
    def action(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        station = _station(request)
        try:
            return view(request, *args, station=station, **kwargs)
        except OrderError as error:
            return _answer(request, error.message, station=station, level=messages.ERROR)

    return action


@require_POST
@staff_required(*KITCHEN_COOKS)
@_cook_action
def kitchen_start(request: HttpRequest, number: str, *, station: str) -> HttpResponse:
    order = selectors.get_order_for_staff(request, number)
    moved, by_me = start_order(order=order, by=request.user)
    if by_me:
        return _answer(
            request, _("Order %(number)s: preparation started.") % {"number": moved.number}, station=station
        )
    if moved.prepared_by_id and moved.prepared_by_id != request.user.pk:
        message = _("Order %(number)s was already started by %(name)s.") % {
            "number": moved.number,
            "name": moved.prepared_by.display_name,
        }
    else:
        message = _("Order %(number)s was already started.") % {"number": moved.number}
    return _answer(request, message, station=station, level=messages.WARNING)


def _bump_message(result, station: str) -> tuple[str, int]:
    order = result.order
    if result.completed:
        return _("Order %(number)s is ready.") % {"number": order.number}, messages.SUCCESS
    if order.status == Status.READY:
        return _("Order %(number)s was already marked ready.") % {"number": order.number}, messages.WARNING
    if not result.bumped:
        return _("Order %(number)s: nothing left to make here.") % {"number": order.number}, messages.WARNING
    if station:
        return (
            _("Order %(number)s: %(station)s done.")
            % {"number": order.number, "station": Station(station).label},
            messages.SUCCESS,
        )
    return _("Order %(number)s: line done.") % {"number": order.number}, messages.SUCCESS


@require_POST
@staff_required(*KITCHEN_COOKS)
@_cook_action
def kitchen_ready(request: HttpRequest, number: str, *, station: str) -> HttpResponse:
    """Bump a ticket: the lines of the screen's station (`station`), or every line. The order is ready once
    every station has bumped its part."""
    order = selectors.get_order_for_staff(request, number)
    result = bump(order=order, by=request.user, station=station)
    message, level = _bump_message(result, station)
    return _answer(request, message, station=station, level=level)


@require_POST
@staff_required(*KITCHEN_COOKS)
@_cook_action
def kitchen_line(request: HttpRequest, line_id: int, *, station: str) -> HttpResponse:
    """Bump one line (`done=1`, the default) or take its bump back (`done=0`)."""
    line = get_object_or_404(
        OrderLine.objects.select_related("order"), pk=line_id, order__restaurant=request.staff.restaurant
    )
    if request.POST.get("done", "1") == "0":
        unbump_line(order=line.order, line_id=line.pk)
        message = _("Order %(number)s: line to make again.") % {"number": line.order.number}
        return _answer(request, message, station=station, level=messages.INFO)
    result = bump(order=line.order, by=request.user, line_ids=(line.pk,))
    message, level = _bump_message(result, "")
    return _answer(request, message, station=station, level=level)


@require_POST
@staff_required(*KITCHEN_COOKS)
@_cook_action
def kitchen_recall(request: HttpRequest, number: str, *, station: str) -> HttpResponse:
    """Bring back a ticket bumped by mistake (the screen's station's part, or the whole ticket)."""
    order = selectors.get_order_for_staff(request, number)
    recalled = recall_order(order=order, by=request.user, station=station)
    return _answer(
        request, _("Order %(number)s is back on the board.") % {"number": recalled.number}, station=station
    )


@staff_required(*KITCHEN_COOKS)
@require_GET
def recipe_card(request: HttpRequest, line_id: int) -> HttpResponse:
    card = selectors.get_recipe_card(request.staff.restaurant, line_id)
    return render(request, "staff/kitchen_recipe_card.html", {"card": card, "order": card.line.order})


@staff_required(*KITCHEN_VIEWERS)
@require_GET
def kitchen_ticket(request: HttpRequest, number: str) -> HttpResponse:
    """A plain page to print and stick on the box."""
    order = selectors.get_order_for_staff(request, number, within=selectors.ticket_orders())
    return render(request, "staff/ticket.html", {"order": order})


# ---------- Expo ----------


def _expo_context(request: HttpRequest, version: str = "") -> dict:
    now = timezone.now()
    return {
        # Read first: a change made while the pass is read shows again at the next poll.
        "version": version or boards.expo_version(request.staff.restaurant, now=now),
        "expo": boards.expo(request.staff.restaurant, now=now),
        "now": now,
        "poll_seconds": POLL_SECONDS,
    }


@staff_required(*KITCHEN_VIEWERS)
@require_GET
def expo(request: HttpRequest) -> HttpResponse:
    """The pass: what is still cooking (each station's progress), the pick-ups waiting for their customer and
    the deliveries waiting for a driver, with how long they have waited."""
    return render(request, "staff/expo.html", _expo_context(request))


@staff_required(*KITCHEN_VIEWERS)
@require_GET
def expo_board(request: HttpRequest) -> HttpResponse:
    """The pass alone, polled by HTMX every POLL_SECONDS; 204 when the screen already shows its version
    (`X-Board-Version`, sent by kitchen.js): HTMX swaps nothing. Otherwise the fragment, rendered once per
    version for every screen of the restaurant in that language (it shows nothing of the user:
    polling.shared_part)."""
    version = boards.expo_version(request.staff.restaurant)
    return polled_part(
        request,
        version=version,
        template="staff/includes/expo_board.html",
        context=lambda: _expo_context(request, version),
        shared=boards.expo_key(request.staff.restaurant),
    )
