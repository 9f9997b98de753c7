"""Oven capacity and due times: the 15-minute slots a restaurant can still fill, the times offered at the
checkout, and the slot an order is booked into (restaurants.schedule knows the opening hours)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import Sum
from django.utils.translation import gettext as _

from orders.errors import OrderError
from orders.models import Fulfilment, Order, OrderLine, Status
from restaurants import schedule
from restaurants.models import Restaurant


def _oven_load(restaurant: Restaurant, *, start: datetime, end: datetime, exclude: Order | None) -> dict:
    """Pizzas already due per 15-minute slot between start and end (cancelled orders excluded). Summed by
    PostgreSQL per due time: a row per busy time, not per order (a busy evening is hundreds of orders)."""
    lines = OrderLine.objects.filter(
        order__restaurant=restaurant,
        order__due_at__gte=start,
        order__due_at__lt=end,
        product__baking_minutes__isnull=False,
    ).exclude(order__status=Status.CANCELLED)
    if exclude is not None:
        lines = lines.exclude(order_id=exclude.pk)
    load: dict[datetime, int] = defaultdict(int)
    for due_at, pizzas in lines.values_list("order__due_at").annotate(pizzas=Sum("quantity")).order_by():
        load[schedule.slot_of(due_at)] += pizzas
    return load


def _slots_with_room(
    restaurant: Restaurant, *, pizzas: int, now: datetime, exclude: Order | None = None
) -> tuple[list[datetime], set[datetime]]:
    """The ready slots of the coming days, and those of them with room for `pizzas` more in the oven.

    A slot has room when its pizzas plus these stay within the capacity; an order larger than the
    capacity takes an empty slot on its own.
    """
    lead = timedelta(minutes=restaurant.preparation_minutes)
    slots = schedule.ready_slots(restaurant, now=now, lead=lead)
    if not slots:
        return [], set()
    load = _oven_load(restaurant, start=slots[0], end=slots[-1] + schedule.SLOT, exclude=exclude)
    with_room = {
        slot
        for slot in slots
        if pizzas == 0 or load.get(slot, 0) + pizzas <= restaurant.pizzas_per_slot or load.get(slot, 0) == 0
    }
    return slots, with_room


def _travel(restaurant: Restaurant, fulfilment: str) -> timedelta:
    if fulfilment == Fulfilment.DELIVERY:
        return timedelta(minutes=restaurant.delivery_minutes)
    return timedelta()


def available_times(*, restaurant: Restaurant, fulfilment: str, pizzas: int, now: datetime) -> list[datetime]:
    """The times a customer may ask for (delivered or ready for pick-up), for the checkout's choice."""
    return times_by_fulfilment(restaurant=restaurant, pizzas=pizzas, now=now)[fulfilment]


def times_by_fulfilment(
    *, restaurant: Restaurant, pizzas: int, now: datetime, with_room_only: bool = True
) -> dict[str, list[datetime]]:
    """`available_times` of every fulfilment from one reading of the oven's load (one query; none when the
    opening hours are prefetched and `with_room_only` is False: then every slot of the opening hours is
    listed, full or not, and schedule_order refuses a full one under the restaurant's lock)."""
    if with_room_only:
        slots, with_room = _slots_with_room(restaurant, pizzas=pizzas, now=now)
        slots = [slot for slot in slots if slot in with_room]
    else:
        slots = schedule.ready_slots(
            restaurant, now=now, lead=timedelta(minutes=restaurant.preparation_minutes)
        )
    return {
        fulfilment: [slot + _travel(restaurant, fulfilment) for slot in slots]
        for fulfilment in Fulfilment.values
    }


def schedule_order(
    *,
    restaurant: Restaurant,
    fulfilment: str,
    requested_time: datetime | None,
    pizzas: int,
    now: datetime,
    exclude: Order | None = None,
) -> datetime:
    """When the order must be ready (its due time), from the customer's wish and the oven's capacity.

    ASAP takes the first slot with room, from now plus the preparation time (the next opening when closed).
    A requested time must be one of `available_times`; the kitchen's due time is that time, less the
    delivery time for a delivery.
    """
    slots, with_room = _slots_with_room(restaurant, pizzas=pizzas, now=now, exclude=exclude)
    if not slots:
        raise OrderError(_("This restaurant takes no orders in the coming days."), code="no_opening")
    if requested_time is None:
        for slot in slots:
            if slot in with_room:
                return slot
        raise OrderError(_("The kitchen is fully booked; please choose a later time."), code="fully_booked")
    due = requested_time - _travel(restaurant, fulfilment)
    if due not in slots:
        raise OrderError(_("This time is not available; please choose another."), code="invalid_slot")
    if due not in with_room:
        raise OrderError(_("This time is fully booked; please choose another."), code="fully_booked")
    return due
