"""The kitchen board: the restaurant's queue of orders to make, recipe cards and printable tickets.

Pizzaiolos (and managers) start and finish orders; the counter may watch the queue. Every order is looked
up within the current restaurant (`request.staff.restaurant`): an order of another restaurant is a 404.
Status moves go through `orders.services.transition_order_once`, which reads the status under a row lock:
when two people tap at once, the second gets a message saying who was first. Every POST ends on the board
(a redirect, refused or not: restaurants.staff.post_redirect).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from orders.errors import OrderError
from orders.models import Status
from orders.services import transition_order_once
from orders.staff import selectors
from restaurants.models import Role
from restaurants.staff.access import staff_required
from restaurants.staff.post_redirect import refuse

# Who may look at the queue, and who may move orders in it (managers and head office always may).
KITCHEN_VIEWERS = (Role.PIZZAIOLO, Role.COUNTER)
KITCHEN_COOKS = (Role.PIZZAIOLO,)


def _board_context(request: HttpRequest) -> dict:
    return {
        "tickets": selectors.kitchen_queue(request.staff.restaurant),
        "can_cook": request.staff.can(*KITCHEN_COOKS),
        "now": timezone.now(),
    }


@staff_required(*KITCHEN_VIEWERS)
@require_GET
def kitchen(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/kitchen.html", _board_context(request))


@staff_required(*KITCHEN_VIEWERS)
@require_GET
def kitchen_board(request: HttpRequest) -> HttpResponse:
    """The board alone, polled by HTMX every 5 seconds."""
    return render(request, "staff/includes/kitchen_board.html", _board_context(request))


def _move(request: HttpRequest, number: str, to: str) -> HttpResponse:
    order = selectors.get_order_for_staff(request, number)
    try:
        moved, by_me = transition_order_once(order=order, to=to, by=request.user)
    except OrderError as error:
        return refuse(request, error.message, "staff_kitchen")
    if not by_me:
        if to == Status.PREPARING and moved.prepared_by_id and moved.prepared_by_id != request.user.pk:
            message = _("Order %(number)s was already started by %(name)s.") % {
                "number": moved.number,
                "name": moved.prepared_by.get_full_name() or moved.prepared_by.email,
            }
        elif to == Status.PREPARING:
            message = _("Order %(number)s was already started.") % {"number": moved.number}
        else:
            message = _("Order %(number)s was already marked ready.") % {"number": moved.number}
        return refuse(request, message, "staff_kitchen", level=messages.WARNING)
    if to == Status.PREPARING:
        messages.success(request, _("Order %(number)s: preparation started.") % {"number": moved.number})
    else:
        messages.success(request, _("Order %(number)s is ready.") % {"number": moved.number})
    return redirect("staff_kitchen")


@require_POST
@staff_required(*KITCHEN_COOKS)
def kitchen_start(request: HttpRequest, number: str) -> HttpResponse:
    return _move(request, number, Status.PREPARING)


@require_POST
@staff_required(*KITCHEN_COOKS)
def kitchen_ready(request: HttpRequest, number: str) -> HttpResponse:
    return _move(request, number, Status.READY)


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
