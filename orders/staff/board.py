"""Reads of the kitchen display and the expo screen: the tickets of a station ordered by due time with their
ageing, the all-day counts, the tickets to recall, and the board's version for the polls.

The board is polled every few seconds by every kitchen tablet. A poll first computes the board's version
(`board_version`: from the restaurant's row, which the order services' writes raise, and the minute; no
query); when the tablet already shows that version, the view answers without rendering. Otherwise
`kitchen_board` reads the orders with their lines in two queries whatever their number, and at most
MAX_TICKETS are rendered.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import CharField, F, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import get_language
from modeltranslation.utils import build_localized_fieldname
from modeltranslation.utils import get_language as mt_get_language

from menu.models import Station
from orders.models import Fulfilment, Order, OrderLine, OrderLineExtra, Status
from restaurants.models import Restaurant

KITCHEN_STATUSES = (Status.RECEIVED, Status.PREPARING)
DUE_SOON_MINUTES = 5  # a ticket due within this many minutes turns amber
RECALL_WINDOW = timedelta(minutes=15)  # a ticket bumped this recently can be recalled from the board
MAX_RECALLS = 6
MAX_TICKETS = 40  # tickets rendered at most; the others are counted ("and 3 more")
# How stale an unchanged board may be about what no order write announces (board_version): a minute, so a
# tablet renders its board once a minute when nothing happens (one poll in twelve) rather than at every poll,
# and a recall button outlives its RECALL_WINDOW by a minute at most (recalling then still works:
# orders.services.recall_order checks the order, not the window).
BOARD_TICK = timedelta(minutes=1)


def _minutes(delta_seconds: float) -> int:
    return int(delta_seconds // 60)


def station_or_all(value: str | None) -> str:
    """A station named in a request, or "" (every station) for anything else."""
    return value if value in Station.values else ""


@dataclass(frozen=True)
class KitchenTicket:
    """An order on the kitchen display, as one station (or every one) sees it, with its clock read at `now`."""

    order: Order
    lines: list[OrderLine]  # the lines this screen shows: its station's, or all of them
    waiting_minutes: int  # since the order reached the kitchen
    due_in_minutes: int | None  # negative once late; None without a due time
    elsewhere: int  # lines still to make at the other stations (on a station's screen)

    @property
    def is_late(self) -> bool:
        return self.due_in_minutes is not None and self.due_in_minutes < 0

    @property
    def late_minutes(self) -> int:
        return -self.due_in_minutes if self.is_late else 0

    @property
    def age(self) -> str:
        """ "late", "soon" (due within DUE_SOON_MINUTES) or "on-time": the ticket's colour and its words."""
        if self.is_late:
            return "late"
        if self.due_in_minutes is not None and self.due_in_minutes < DUE_SOON_MINUTES:
            return "soon"
        return "on-time"

    @property
    def is_preparing(self) -> bool:
        return self.order.status == Status.PREPARING

    @property
    def to_make(self) -> list[OrderLine]:
        return [line for line in self.lines if line.bumped_at is None]

    @property
    def stations(self) -> list[tuple[str, str, bool]]:
        """(station, its name, done) of every station this order needs, in the stations' order."""
        needed: dict[str, bool] = {}
        for line in self.order.lines.all():
            needed[line.station] = needed.get(line.station, True) and line.bumped_at is not None
        return [(value, label, needed[value]) for value, label in Station.choices if value in needed]

    @property
    def version(self) -> str:
        """Changes whenever the order does (a bump or a status moves `updated_at`): the live board swaps
        only the tickets whose version changed."""
        return str(int(self.order.updated_at.timestamp() * 1000))


@dataclass(frozen=True)
class Recall:
    order: Order
    at: datetime  # when it was bumped (the order's ready time, or the station's last bump)


@dataclass(frozen=True)
class KitchenBoard:
    station: str  # "" for every station
    tickets: list[KitchenTicket]  # at most MAX_TICKETS, due first
    hidden: int  # tickets beyond MAX_TICKETS
    all_day: list[tuple[str, int]]  # (product, how many to make) over every ticket of the screen, most first
    recalls: list[Recall]  # the last tickets bumped, latest first
    now: datetime

    @property
    def late(self) -> int:
        return sum(1 for ticket in self.tickets if ticket.is_late)


def _on_the_board(now: datetime) -> Q:
    """The orders the kitchen display reads: those in the kitchen, and those ready for less than
    RECALL_WINDOW (they may be recalled)."""
    return Q(status__in=KITCHEN_STATUSES) | Q(status=Status.READY, ready_at__gte=now - RECALL_WINDOW)


def board_version(
    restaurant: Restaurant, *, station: str, can_cook: bool, now: datetime | None = None
) -> str:
    """A short fingerprint of what the kitchen display of `restaurant` shows to this screen, without a query:
    the restaurant's `board_version` (raised by every order write that changes the display:
    Restaurant.raise_board_version), the screen's station, whether it may cook, the language, and the
    BOARD_TICK the clock is in. `restaurant` must have been read in this request (staff_context reads it).

    The tick is there for what no write announces: a ready ticket leaving the recalls once RECALL_WINDOW has
    passed, and an order's note edited in the admin. Each then shows within one tick. The ticket ages are
    not part of it: the browser computes them again (static/js/kitchen.js)."""
    now = now or timezone.now()
    tick = int(now.timestamp() // BOARD_TICK.total_seconds())
    parts = (restaurant.pk, restaurant.board_version, station, int(can_cook), get_language(), tick)
    return hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).hexdigest()


def board_key(restaurant: Restaurant, *, station: str, can_cook: bool) -> str:
    """The screen `board_version` fingerprints, without what moves (the counter and the tick): the key under
    which the last board rendered for that screen is kept (orders.staff.polling.shared_part), one a screen
    whatever the versions, so at most restaurants × stations × 2 × languages boards a process."""
    return f"kitchen:{restaurant.pk}:{station}:{int(can_cook)}:{get_language()}"


# What the board and its tickets (templates/staff/includes/kitchen_ticket.html) read of an order. A field a
# ticket starts to show must be added here: the pinned query counts of tests/orders/test_kitchen_display.py
# catch one loaded later, one by one.
BOARD_ORDER_FIELDS = (
    "id",
    "number",
    "restaurant",
    "status",
    "fulfilment",
    "channel",
    "customer_name",
    "note",
    "prepared_by",
    "due_at",
    "created_at",
    "updated_at",
    "confirmed_at",
    "ready_at",
)


def _translated(field: str, language: str) -> Coalesce:
    """A catalogue text (django-modeltranslation: a column per language) as the model's attribute shows it in
    `language`: that language's column, else the fallback languages' (settings), else the original column; an
    empty text counts as missing."""
    languages = dict.fromkeys((language, *settings.MODELTRANSLATION_FALLBACK_LANGUAGES))
    columns = [NullIf(build_localized_fieldname(field, code), Value("")) for code in languages]
    return Coalesce(*columns, F(field), output_field=CharField())


def _board_lines(language: str) -> QuerySet[OrderLine]:
    """The lines of the board's orders (`board_orders`), in `language`."""
    name = _translated("ingredient__name", language)
    # Annotated, then named in values(): django-modeltranslation's values(name=expression) selects every column.
    removed = (
        OrderLine.removed_ingredients.through.objects.filter(orderline=OuterRef("pk"))
        .annotate(ingredient_name=name)
        .order_by("ingredient_name")
        .values("ingredient_name")
    )
    extras = (
        OrderLineExtra.objects.filter(line=OuterRef("pk"))
        .annotate(extra_name=_translated("name", language))
        .order_by("id")
        .values("extra_name")
    )
    return OrderLine.objects.annotate(
        station=F("product__station"),
        kitchen_removed=ArraySubquery(removed),
        kitchen_extras=ArraySubquery(extras),
    ).order_by("id")


def _board_orders(language: str) -> QuerySet[Order]:
    return (
        Order.objects.select_related("prepared_by")
        # Only what a ticket shows: the order is a wide row, read for every ticket at every changed poll.
        .only(*BOARD_ORDER_FIELDS, *(f"prepared_by__{name}" for name in ("first_name", "last_name", "email")))
        .prefetch_related(Prefetch("lines", queryset=_board_lines(language)))
        .order_by(F("due_at").asc(nulls_last=True), "created_at", "id")
    )


# The board's read, built once per language and copied for each poll (`.all()`; never evaluated itself):
# building its expressions cost about a tenth of a changed poll's CPU (bench/kinds_profile.py).
_BOARD_ORDERS: dict[str, QuerySet[Order]] = {}


def board_orders(restaurant: Restaurant, now: datetime) -> QuerySet[Order]:
    """The restaurant's orders on the kitchen display, oldest due first, with who prepares them and their
    lines, each with its product's station, the names of the ingredients left out (`kitchen_removed`, in the
    reader's language, by name) and of its extras (`kitchen_extras`). Two queries: the names are two arrays
    of the line's row rather than two prefetches, which cost two queries more and a third of the board's CPU
    (bench/kinds_profile.py)."""
    language = mt_get_language()
    if language not in _BOARD_ORDERS:
        _BOARD_ORDERS[language] = _board_orders(language)
    return _BOARD_ORDERS[language].for_restaurant(restaurant).filter(_on_the_board(now))


def _ticket(order: Order, station: str, now: datetime) -> KitchenTicket | None:
    lines = list(order.lines.all())
    mine = [line for line in lines if not station or line.station == station]
    if station and not any(line.bumped_at is None for line in mine):
        return None  # nothing left for this station
    since = order.confirmed_at or order.created_at
    return KitchenTicket(
        order=order,
        lines=mine,
        waiting_minutes=max(0, _minutes((now - since).total_seconds())),
        due_in_minutes=None if order.due_at is None else _minutes((order.due_at - now).total_seconds()),
        elsewhere=sum(1 for line in lines if line.station != station and line.bumped_at is None)
        if station
        else 0,
    )


def _recall(order: Order, station: str) -> Recall | None:
    """The order as a ticket this screen may recall: ready, or (on a station's screen) with every line of the
    station bumped; None otherwise."""
    mine = [line for line in order.lines.all() if not station or line.station == station]
    if order.status == Status.READY:
        if station and not mine:
            return None
        return Recall(order=order, at=order.ready_at)
    if not station or not mine or any(line.bumped_at is None for line in mine):
        return None
    return Recall(order=order, at=max(line.bumped_at for line in mine))


def kitchen_board(restaurant: Restaurant, *, station: str = "", now: datetime | None = None) -> KitchenBoard:
    """The kitchen display of `restaurant` for `station` ("" for every station): the tickets with something
    left to make there, due first; the all-day counts of what is left to make; the tickets to recall."""
    now = now or timezone.now()
    tickets: list[KitchenTicket] = []
    recalls: list[Recall] = []
    for order in board_orders(restaurant, now):
        if order.status in KITCHEN_STATUSES:
            ticket = _ticket(order, station, now)
            if ticket is not None:
                tickets.append(ticket)
        recall = _recall(order, station)
        if recall is not None:
            recalls.append(recall)
    all_day: Counter[str] = Counter()
    for ticket in tickets:
        for line in ticket.to_make:
            all_day[line.product_name] += line.quantity
    recalls.sort(key=lambda recall: recall.at, reverse=True)
    return KitchenBoard(
        station=station,
        tickets=tickets[:MAX_TICKETS],
        hidden=max(0, len(tickets) - MAX_TICKETS),
        all_day=sorted(all_day.items(), key=lambda item: (-item[1], item[0])),
        recalls=recalls[:MAX_RECALLS],
        now=now,
    )


# ---------- Expo (the pass) ----------


@dataclass(frozen=True)
class PassTicket:
    order: Order
    minutes: int  # since it became ready (or since it reached the kitchen, for a ticket still cooking)
    stations: list[tuple[str, str, bool]]  # for tickets still in the kitchen: each station and whether done


@dataclass(frozen=True)
class Expo:
    cooking: list[PassTicket]  # in the kitchen, some stations done
    pickups: list[PassTicket]  # ready, waiting for their customer at the counter
    deliveries: list[PassTicket]  # ready, waiting for a driver
    now: datetime


def expo_version(restaurant: Restaurant, *, now: datetime | None = None) -> str:
    """A short fingerprint of what the pass shows, without a query: the restaurant's `board_version` (the
    writes that change the kitchen display change the pass: a status change, a bump, a recall, a
    modification), the language and the minute (the pass shows each wait in whole minutes, rendered by the
    server). `restaurant` must have been read in this request. An unchanged pass answers 204 to its poll."""
    now = now or timezone.now()
    parts = (restaurant.pk, restaurant.board_version, get_language(), int(now.timestamp() // 60))
    return hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).hexdigest()


def expo_key(restaurant: Restaurant) -> str:
    """What `expo_version` fingerprints without what moves (the counter and the minute): the key of the last
    pass rendered for the restaurant (orders.staff.polling.shared_part), one a restaurant and language."""
    return f"expo:{restaurant.pk}:{get_language()}"


def expo(restaurant: Restaurant, *, now: datetime | None = None) -> Expo:
    """The pass: the orders still in the kitchen (with each station's progress), then the ready pick-ups
    waiting for their customer and the ready deliveries waiting for a driver, the longest waiting first.
    Two queries: the orders, their lines with their stations."""
    now = now or timezone.now()
    lines = OrderLine.objects.annotate(station=F("product__station")).order_by("id")
    orders = (
        Order.objects.for_restaurant(restaurant)
        .filter(status__in=(*KITCHEN_STATUSES, Status.READY))
        .prefetch_related(Prefetch("lines", queryset=lines))
        .order_by(F("due_at").asc(nulls_last=True), "created_at", "id")
    )
    cooking, pickups, deliveries = [], [], []
    for order in orders:
        if order.status == Status.READY:
            waiting = PassTicket(order, max(0, _minutes((now - (order.ready_at or now)).total_seconds())), [])
            (deliveries if order.fulfilment == Fulfilment.DELIVERY else pickups).append(waiting)
            continue
        since = order.confirmed_at or order.created_at
        stations = KitchenTicket(order, [], 0, None, 0).stations
        cooking.append(PassTicket(order, max(0, _minutes((now - since).total_seconds())), stations))
    pickups.sort(key=lambda ticket: -ticket.minutes)
    deliveries.sort(key=lambda ticket: -ticket.minutes)
    return Expo(cooking=cooking, pickups=pickups, deliveries=deliveries, now=now)
