"""Reads of orders: fetched with what their pages need, and with the permission check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import (
    Case,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from common.prepared import Prepared
from menu.models import Product
from orders.models import ACTIVE_STATUSES, Fulfilment, Order, OrderLine, OrderStatusChange, Refund, Status
from restaurants.availability import with_portions_left


def order_with_details() -> Prefetch:
    return Order.objects.select_related("restaurant").prefetch_related(
        Prefetch(
            "lines",
            queryset=OrderLine.objects.prefetch_related("extras", "removed_ingredients").order_by("id"),
        ),
        Prefetch("status_changes", queryset=OrderStatusChange.objects.order_by("created_at", "id")),
    )


# What the tracking page's live fragment reads of an order and its restaurant (its poll, the status version,
# the estimate, the permission check), and nothing else: both models are wide, and the poll runs every 10 s
# per open tracking page. Loading and compiling every column of both was most of the poll's CPU
# (docs/scaling.md, "The tracking poll and the kitchen board"). A field the fragment starts to show must be
# added here: the pinned query counts of tests/orders/test_tracking*.py catch one loaded later, one by one.
STATUS_ORDER_FIELDS = (
    "id",
    "number",
    "customer",
    "tracking_token",
    "restaurant",
    "status",
    "payment_status",
    "payment_method",
    "fulfilment",
    "due_at",
    "updated_at",
    "payment_expires_at",
    "confirmed_at",
    "preparing_at",
    "ready_at",
    "out_for_delivery_at",
    "completed_at",
    "cancelled_at",
)
STATUS_RESTAURANT_FIELDS = ("preparation_minutes", "delivery_minutes", "pizzas_per_slot", "phone")


def _pizzas_ahead_of(order: Order | None) -> QuerySet[OrderLine]:
    """The lines still to bake in the kitchen before `order` (None: the outer query's order): those of orders
    received or preparing at its restaurant, due before it (or at the same time and placed before it)."""
    if order is None:
        restaurant, due_at, order_id = OuterRef("restaurant_id"), OuterRef("due_at"), OuterRef("id")
    else:
        restaurant, due_at, order_id = order.restaurant_id, order.due_at, order.id
    return OrderLine.objects.filter(
        order__restaurant=restaurant,
        order__status__in=(Status.RECEIVED, Status.PREPARING),
        product__baking_minutes__isnull=False,
    ).filter(Q(order__due_at__lt=due_at) | Q(order__due_at=due_at, order__id__lt=order_id))


def _order_for_status(number: str) -> QuerySet[Order]:
    """The order's columns the live fragment reads, its restaurant's, and the pizzas ahead of it in the
    kitchen (the estimate's queue) in the same query: a poll is then one query beside the session's.
    Compiled once per process (`_ORDER_FOR_STATUS`): building and compiling it was most of a poll's CPU."""
    ahead = _pizzas_ahead_of(None).order_by().annotate(total=Func("quantity", function="SUM")).values("total")
    return (
        Order.objects.select_related("restaurant")
        .only(*STATUS_ORDER_FIELDS, *(f"restaurant__{name}" for name in STATUS_RESTAURANT_FIELDS))
        .annotate(pizzas_ahead=Coalesce(Subquery(ahead), 0))
        .filter(number=number)
    )


_ORDER_FOR_STATUS = Prepared(_order_for_status, number=str)


def get_order_for_user(request: HttpRequest, number: str, *, details: bool = True) -> Order:
    """The order a customer may see: their own, or any order whose tracking token they hold (the link of
    the confirmation email, for phone and counter orders). Anything else is a 404, revealing nothing.
    Without `details`, only what the live status fragment reads (STATUS_ORDER_FIELDS)."""
    if details:
        order = order_with_details().filter(number=number.upper()).first()
    else:
        order = _ORDER_FOR_STATUS.first(number=number.upper())
    if order is None:
        raise Http404
    if request.user.is_authenticated and order.customer_id == request.user.pk:
        return order
    key = f"order-token-{order.number}"
    remembered = request.session.get(key, "")
    token = request.GET.get("t") or remembered
    if token and constant_time_compare(token, order.tracking_token):
        if token != remembered:  # written once, not on every poll (each write is an UPDATE of the session)
            request.session[key] = token
        return order
    raise Http404


@dataclass(frozen=True)
class Estimate:
    ready_at: datetime | None
    arrives_at: datetime | None  # delivered or available for pick-up


def estimate(order: Order, *, now: datetime | None = None) -> Estimate:
    """When the order should be ready, and at the customer's, from the queue ahead of it in the kitchen."""
    now = now or timezone.now()
    restaurant = order.restaurant
    prep = timedelta(minutes=restaurant.preparation_minutes)
    travel = (
        timedelta(minutes=restaurant.delivery_minutes)
        if order.fulfilment == Fulfilment.DELIVERY
        else timedelta()
    )
    if order.status in (Status.DELIVERED, Status.PICKED_UP, Status.CANCELLED):
        return Estimate(order.ready_at, order.completed_at)
    if order.status == Status.OUT_FOR_DELIVERY:
        return Estimate(order.ready_at, max(now, (order.out_for_delivery_at or now) + travel))
    if order.status == Status.READY:
        return Estimate(
            order.ready_at, max(now, (order.ready_at or now) + travel) if travel else order.ready_at
        )
    if order.status == Status.PREPARING:
        ready = max(now, (order.preparing_at or now) + prep)
    else:
        # Pizzas due before this one still to bake, at the oven's pace per 15-minute slot.
        # Read with the order by the poll (`pizzas_ahead`), else counted here.
        ahead = getattr(order, "pizzas_ahead", None)
        if ahead is None:
            ahead = _pizzas_ahead_of(order).aggregate(pizzas=Sum("quantity"))["pizzas"] or 0
        queue = timedelta(minutes=15 * (ahead // max(restaurant.pizzas_per_slot, 1)))
        ready = max(now + prep + queue, order.due_at or now)
    if order.status == Status.AWAITING_PAYMENT:
        ready = max(ready, order.due_at or ready)
    return Estimate(ready, ready + travel)


def customer_orders(user) -> QuerySet[Order]:
    """The customer's orders for "My orders": those under way first, then newest first, each with its
    restaurant and lines (one query for the orders, one for their lines, whatever their number)."""
    under_way = Case(
        When(status__in=[*ACTIVE_STATUSES, Status.AWAITING_PAYMENT], then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        Order.objects.filter(customer=user)
        .select_related("restaurant")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))
        .order_by(under_way, "-created_at", "-id")
    )


def is_active(order: Order) -> bool:
    return order.status in ACTIVE_STATUSES or order.status == Status.AWAITING_PAYMENT


def _status_changes(order_id: int) -> QuerySet[OrderStatusChange]:
    return OrderStatusChange.objects.filter(order=order_id).order_by("created_at", "id")


_STATUS_CHANGES = Prepared(_status_changes, order_id=int)


def status_changes(order: Order) -> list[OrderStatusChange]:
    """The order's status history in time order (one query, compiled once per process), for its timeline."""
    return _STATUS_CHANGES.all(order_id=order.pk)


def get_customer_order(user, number: str, *, details: bool = False) -> Order:
    """An order of this signed-in customer, for what only its customer may do (modify, cancel, re-order).

    The tracking token only lets its holder follow an order: an order taken by phone for someone without an
    account is changed by calling the restaurant. Anyone else's order is a 404, revealing nothing."""
    queryset = order_with_details() if details else Order.objects.select_related("restaurant")
    order = queryset.filter(number=number.upper(), customer_id=user.pk).first()
    if order is None:
        raise Http404
    return order


def is_customer_of(user, order: Order) -> bool:
    return bool(user.is_authenticated and order.customer_id == user.pk)


def order_refunds(order: Order) -> list[Refund]:
    return list(Refund.objects.filter(payment__order=order).order_by("created_at", "id"))


# The steps an order goes through when all goes well, after `received`.
HAPPY_PATHS = {
    Fulfilment.DELIVERY: (
        Status.RECEIVED,
        Status.PREPARING,
        Status.READY,
        Status.OUT_FOR_DELIVERY,
        Status.DELIVERED,
    ),
    Fulfilment.PICKUP: (Status.RECEIVED, Status.PREPARING, Status.READY, Status.PICKED_UP),
}
FINISHED_STATUSES = (Status.DELIVERED, Status.PICKED_UP, Status.CANCELLED)


@dataclass(frozen=True)
class TimelineStep:
    status: str  # a Status value, or "modified"
    label: str
    at: datetime | None
    state: str  # "done", "current" or "upcoming"
    reason: str = ""


def order_timeline(order: Order, changes: list[OrderStatusChange] | None = None) -> list[TimelineStep]:
    """The steps behind the order (from `changes`, its status history in time order, by default its
    prefetched status changes; a modification being a change to the same status by its customer) and, while
    it is under way, the steps still ahead of it. A change to the same status by anyone else is staff's record
    (a refund retried), not a step of the customer's timeline."""
    changes = list(order.status_changes.all()) if changes is None else changes
    steps = []
    current_index = None
    for change in changes:
        if change.from_status == change.to_status:
            if change.actor_id == order.customer_id:
                steps.append(TimelineStep("modified", _("Order modified"), change.created_at, "done"))
            continue
        reason = change.reason if change.to_status == Status.CANCELLED else ""
        steps.append(
            TimelineStep(change.to_status, Status(change.to_status).label, change.created_at, "done", reason)
        )
        current_index = len(steps) - 1
    if current_index is not None and order.status not in FINISHED_STATUSES:
        current = steps[current_index]
        steps[current_index] = TimelineStep(current.status, current.label, current.at, "current")
    if order.status in FINISHED_STATUSES:
        return steps
    path = HAPPY_PATHS[order.fulfilment]
    ahead = path[path.index(order.status) + 1 :] if order.status in path else path
    return steps + [TimelineStep(status, Status(status).label, None, "upcoming") for status in ahead]


def menu_for_adding(restaurant) -> list[Product]:
    """The products a customer may add to an order, with the portions the restaurant can make now."""
    return list(
        with_portions_left(Product.objects.active().select_related("category"), restaurant).order_by(
            "category__position", "category__name", "position", "name"
        )
    )
