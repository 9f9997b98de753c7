"""The kitchen display's actions: start an order, bump lines (one line, a station's part, the whole ticket),
recall a ticket bumped by mistake.

A line is bumped when its part is made (`OrderLine.bumped_at`). Each product belongs to a station
(menu.models.Station: oven, cold, drinks), and each station bumps its own lines; the order becomes `ready`
through `transition_order` in the same transaction as the bump of its last line, never otherwise. A recall
clears bumps: a ticket already ready goes back to `preparing` through `transition_order` (the lifecycle's
ready -> preparing move), as long as it has not left the pass.

Every action locks the order (with its restaurant, in the order every service locks) and reads the lines
under that lock, so two tablets bumping the same ticket at once make it ready once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from menu.models import Station
from orders.errors import OrderError
from orders.models import Order, OrderLine, Status
from orders.services.lifecycle import transition_order
from orders.services.locking import lock_order
from restaurants.models import Restaurant

IN_THE_KITCHEN = (Status.RECEIVED, Status.PREPARING)


@dataclass(frozen=True)
class BumpResult:
    order: Order
    bumped: int  # lines bumped by this call (0: someone else was first)
    completed: bool  # this call made the order ready


def _lines(order: Order, *, station: str = "", line_ids: tuple[int, ...] = ()) -> QuerySet[OrderLine]:
    lines = OrderLine.objects.filter(order=order)
    if station:
        lines = lines.filter(product__station=station)
    if line_ids:
        lines = lines.filter(pk__in=line_ids)
    return lines


def _check_station(station: str) -> None:
    if station and station not in Station.values:
        raise OrderError(_("There is no such kitchen station."), code="invalid_station")


def _touch(order: Order, now: datetime) -> None:
    """A bump, an unbump or a recall changed the order's lines: its `updated_at` moves (the live board swaps
    the tickets whose `updated_at` changed) and so does its restaurant's board version (the tablets' polls)."""
    order.updated_at = now
    order.save(update_fields=["updated_at"])
    Restaurant.raise_board_version(order.restaurant_id)


def start_order(*, order: Order, by: User | None, now: datetime | None = None) -> tuple[Order, bool]:
    """Start preparing an order received by the kitchen.

    Preconditions: none. Effects: the order moves to `preparing` through transition_order, prepared by `by`.
    Returns (the order, started by this call): an order already being prepared is left alone (False).
    Errors: OrderError "invalid_transition" for an order that is not received nor preparing (a ready order is
    never sent back to the kitchen by a stale Start: only a recall does that).
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_order(order.pk, with_restaurant=True)
        if locked.status == Status.PREPARING:
            return locked, False
        if locked.status != Status.RECEIVED:
            raise OrderError(
                _("An order that is “%(current)s” cannot become “%(target)s”.")
                % {"current": locked.get_status_display(), "target": Status.PREPARING.label},
                code="invalid_transition",
            )
        return transition_order(order=locked, to=Status.PREPARING, by=by, now=now), True


def bump(
    *,
    order: Order,
    by: User | None,
    station: str = "",
    line_ids: tuple[int, ...] = (),
    now: datetime | None = None,
) -> BumpResult:
    """Mark lines of an order made: the lines of `line_ids` (one line's bump), else those of `station`
    (a station's bump), else every line (the whole ticket).

    Preconditions: the order is received or preparing. Effects, in one transaction: a received order is
    started first (transition_order to `preparing`, by `by`); the lines not bumped yet are stamped with `now`
    and `by`; when no line of the order is left to make, the order becomes `ready` (transition_order).
    Bumping lines already bumped changes nothing (bumped == 0).
    Errors: OrderError "invalid_station", "no_such_line" (a line of another order), "not_in_kitchen"
    (the order is ready, gone or cancelled: nothing to bump).
    """
    now = now or timezone.now()
    _check_station(station)
    with transaction.atomic():
        locked = lock_order(order.pk, with_restaurant=True)
        if locked.status not in IN_THE_KITCHEN:
            if locked.status == Status.READY:
                return BumpResult(order=locked, bumped=0, completed=False)
            raise OrderError(
                _("Order %(number)s is no longer in the kitchen: it is “%(status)s”.")
                % {"number": locked.number, "status": locked.get_status_display()},
                code="not_in_kitchen",
            )
        chosen = _lines(locked, station=station, line_ids=line_ids)
        if line_ids and chosen.count() != len(set(line_ids)):
            raise OrderError(_("This line is not part of the order."), code="no_such_line")
        if locked.status == Status.RECEIVED:
            locked = transition_order(order=locked, to=Status.PREPARING, by=by, now=now)
        bumped = chosen.filter(bumped_at__isnull=True).update(bumped_at=now, bumped_by=by)
        completed = False
        if not OrderLine.objects.filter(order=locked, bumped_at__isnull=True).exists():
            locked = transition_order(order=locked, to=Status.READY, by=by, now=now)
            completed = True
        elif bumped:
            _touch(locked, now)
    return BumpResult(order=locked, bumped=bumped, completed=completed)


def unbump_line(*, order: Order, line_id: int, now: datetime | None = None) -> Order:
    """Take back the bump of one line of an order still being prepared (a line tapped by mistake).

    Effects: the line is to make again; nothing else. A line not bumped is left alone.
    Errors: OrderError "no_such_line", "not_in_kitchen" (ready or gone: recall the ticket instead).
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_order(order.pk, with_restaurant=True)
        if locked.status not in IN_THE_KITCHEN:
            raise OrderError(
                _("Order %(number)s is no longer in the kitchen: it is “%(status)s”.")
                % {"number": locked.number, "status": locked.get_status_display()},
                code="not_in_kitchen",
            )
        lines = _lines(locked, line_ids=(line_id,))
        if not lines.exists():
            raise OrderError(_("This line is not part of the order."), code="no_such_line")
        if lines.filter(bumped_at__isnull=False).update(bumped_at=None, bumped_by=None):
            _touch(locked, now)
    return locked


def recall_order(*, order: Order, by: User | None, station: str = "", now: datetime | None = None) -> Order:
    """Bring back to the kitchen a ticket bumped by mistake: the lines of `station` (every line without one)
    are to make again.

    Preconditions: the order is preparing, or ready and still at the pass (not taken by a driver nor handed
    over). Effects, in one transaction: a ready order goes back to `preparing` through transition_order
    (keeping who started it; no email to the customer), and the bumps are cleared.
    Errors: OrderError "invalid_station", "too_late" (the order left the pass or was cancelled),
    "not_in_kitchen" (it was never started).
    """
    now = now or timezone.now()
    _check_station(station)
    with transaction.atomic():
        locked = lock_order(order.pk, with_restaurant=True)
        if locked.status not in (Status.PREPARING, Status.READY):
            if locked.status == Status.RECEIVED:
                raise OrderError(
                    _("Order %(number)s has not been started: there is nothing to recall.")
                    % {"number": locked.number},
                    code="not_in_kitchen",
                )
            raise OrderError(
                _("Order %(number)s has left the kitchen (“%(status)s”): it can no longer be recalled.")
                % {"number": locked.number, "status": locked.get_status_display()},
                code="too_late",
            )
        if locked.status == Status.READY:
            locked = transition_order(
                order=locked, to=Status.PREPARING, by=by, reason=_("Recalled by the kitchen"), now=now
            )
        _lines(locked, station=station).filter(bumped_at__isnull=False).update(bumped_at=None, bumped_by=None)
        _touch(locked, now)
    return locked
