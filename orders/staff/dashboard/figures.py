"""The manager dashboard's figures, from aggregate queries.

For a range of local days and any number of restaurants, `dashboard_figures` runs four queries, whatever
the number of orders: one aggregate of the orders per restaurant (counts by status, revenue, average times,
late orders), one count per restaurant and hour, one sum of quantities per restaurant and product, and the
low stocks. The range comes from orders.staff.dashboard.forms, the CSV export from .export.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Avg, Case, Count, DateTimeField, DurationField, F, Q, QuerySet, Sum, Value, When
from django.db.models.expressions import ExpressionWrapper
from django.db.models.functions import ExtractHour
from django.utils import timezone

from common.languages import in_active_language
from orders.models import ACTIVE_STATUSES, Fulfilment, Order, OrderLine, Status
from orders.staff.dashboard.forms import local_bounds
from restaurants.models import Restaurant, Stock

TOP_PRODUCTS = 5
# The hours the chart always shows (restaurants open around 11:30-22:30); orders outside widen it.
CHART_HOURS = (11, 22)


@dataclass(frozen=True)
class TopProduct:
    name: str
    quantity: int


@dataclass(frozen=True)
class Bar:
    hour: int
    orders: int
    x: float
    y: float
    width: float
    height: float
    label_x: float

    @property
    def count_y(self) -> float:
        return round(self.y - 5, 1)


@dataclass
class HourChart:
    """Orders per hour of the day as SVG geometry (viewBox units): drawn by the template, no script."""

    WIDTH = 480
    HEIGHT = 180
    TOP = 18  # room for the count above the tallest bar
    BOTTOM = 22  # room for the hour labels

    counts: dict[int, int]

    @property
    def hours(self) -> range:
        busy = [hour for hour, count in self.counts.items() if count]
        first = min([CHART_HOURS[0], *busy])
        last = max([CHART_HOURS[1], *busy])
        return range(first, last + 1)

    @property
    def peak(self) -> int:
        return max(self.counts.values(), default=0)

    @property
    def baseline(self) -> int:
        return self.HEIGHT - self.BOTTOM

    @property
    def hour_y(self) -> int:
        return self.HEIGHT - 6

    @property
    def bars(self) -> list[Bar]:
        hours = self.hours
        slot = self.WIDTH / len(hours)
        usable = self.baseline - self.TOP
        bars = []
        for index, hour in enumerate(hours):
            count = self.counts.get(hour, 0)
            height = round(usable * count / self.peak, 1) if self.peak else 0
            bars.append(
                Bar(
                    hour=hour,
                    orders=count,
                    x=round(index * slot + slot * 0.15, 1),
                    y=round(self.baseline - height, 1),
                    width=round(slot * 0.7, 1),
                    height=height,
                    label_x=round(index * slot + slot / 2, 1),
                )
            )
        return bars


def _minutes(duration: timedelta | None) -> int | None:
    return None if duration is None else round(duration.total_seconds() / 60)


@dataclass
class Figures:
    """One restaurant's figures over the range (or, for `restaurant=None`, every restaurant's together)."""

    restaurant: Restaurant | None
    orders: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    revenue: Decimal = Decimal("0")
    preparation: timedelta | None = None
    prepared: int = 0  # orders with both preparation times, for weighting the average
    delivery: timedelta | None = None
    delivered: int = 0
    late: int = 0
    top_products: list[TopProduct] = field(default_factory=list)
    chart: HourChart = field(default_factory=lambda: HourChart(counts={}))
    low_stocks: list[Stock] = field(default_factory=list)

    @property
    def preparation_minutes(self) -> int | None:
        return _minutes(self.preparation)

    @property
    def delivery_minutes(self) -> int | None:
        return _minutes(self.delivery)

    @property
    def statuses(self) -> list[tuple[str, str, int]]:
        """(status, label, count) of every status, in the lifecycle's order."""
        return [(status.value, status.label, self.by_status.get(status.value, 0)) for status in Status]


def _promised_at(restaurants: Sequence[Restaurant]) -> Case:
    """When the customer was promised the order: its due time (ready), plus the restaurant's delivery time
    for a delivery. One branch per restaurant, so it stays one query."""
    return Case(
        *[
            When(
                restaurant_id=restaurant.pk,
                fulfilment=Fulfilment.DELIVERY,
                then=F("due_at") + Value(timedelta(minutes=restaurant.delivery_minutes)),
            )
            for restaurant in restaurants
        ],
        default=F("due_at"),
        output_field=DateTimeField(),
    )


def _duration(end: str, start: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def dashboard_figures(
    *, restaurants: Sequence[Restaurant], start: date, end: date, now: datetime | None = None
) -> list[Figures]:
    """Each restaurant's figures for the local days from `start` to `end`, in the order given. Four queries.

    - orders by status: every order placed in the range;
    - revenue: the total of those not cancelled;
    - preparation time: ready_at − preparing_at; delivery time: completed_at − out_for_delivery_at, of
      delivered orders;
    - late: finished after the time promised to the customer (the due time, plus the delivery time for a
      delivery), or still open past it at `now`;
    - top products: quantities ordered, cancelled orders left out; orders per hour of the day, local time;
    - low stocks: at or below their alert threshold now.
    """
    now = now or timezone.now()
    since, until = local_bounds(start, end)
    ids = [restaurant.pk for restaurant in restaurants]
    figures = {restaurant.pk: Figures(restaurant=restaurant) for restaurant in restaurants}
    if not ids:
        return []
    orders = Order.objects.filter(restaurant_id__in=ids, created_at__gte=since, created_at__lt=until)
    _add_totals(figures, orders, restaurants=restaurants, now=now)
    _add_hours(figures, orders)
    _add_top_products(figures, orders)
    _add_low_stocks(figures, ids)
    return [figures[restaurant.pk] for restaurant in restaurants]


def _add_totals(
    figures: dict[int, Figures], orders: QuerySet[Order], *, restaurants: Sequence[Restaurant], now: datetime
) -> None:
    """Counts, revenue, average times and late orders, per restaurant. One query."""
    prepared = Q(preparing_at__isnull=False, ready_at__isnull=False)
    delivered = Q(status=Status.DELIVERED, out_for_delivery_at__isnull=False, completed_at__isnull=False)
    late = Q(completed_at__gt=F("promised_at")) | Q(status__in=ACTIVE_STATUSES, promised_at__lt=now)
    rows = (
        orders.alias(promised_at=_promised_at(restaurants))
        .values("restaurant_id")
        .order_by("restaurant_id")
        .annotate(
            orders=Count("id"),
            revenue=Sum("total", filter=~Q(status=Status.CANCELLED)),
            preparation=Avg(_duration("ready_at", "preparing_at"), filter=prepared),
            prepared=Count("id", filter=prepared),
            delivery=Avg(_duration("completed_at", "out_for_delivery_at"), filter=delivered),
            delivered=Count("id", filter=delivered),
            late=Count("id", filter=late),
            **{f"status_{status}": Count("id", filter=Q(status=status)) for status in Status.values},
        )
    )
    for row in rows:
        item = figures[row["restaurant_id"]]
        item.orders = row["orders"]
        item.revenue = row["revenue"] or Decimal("0")
        item.preparation, item.prepared = row["preparation"], row["prepared"]
        item.delivery, item.delivered = row["delivery"], row["delivered"]
        item.late = row["late"]
        item.by_status = {status: row[f"status_{status}"] for status in Status.values}


def _add_hours(figures: dict[int, Figures], orders: QuerySet[Order]) -> None:
    """Orders per hour of the day (local time), per restaurant. One query."""
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    for restaurant_id, hour, count in (
        orders.annotate(hour=ExtractHour("created_at"))
        .values_list("restaurant_id", "hour")
        .order_by()
        .annotate(count=Count("id"))
    ):
        counts[restaurant_id][hour] = count
    for restaurant_id, item in figures.items():
        item.chart = HourChart(counts=counts[restaurant_id])


def _add_top_products(figures: dict[int, Figures], orders: QuerySet[Order]) -> None:
    """The products ordered most, cancelled orders left out, per restaurant. One query."""
    lines = (
        OrderLine.objects.filter(order__in=orders.exclude(status=Status.CANCELLED))
        .annotate(product_label=in_active_language("product__name"))
        .values_list("order__restaurant_id", "product_id", "product_label")
        .annotate(quantity=Sum("quantity"))
        .order_by("order__restaurant_id", "-quantity", "product_label")
    )
    for restaurant_id, _product_id, name, quantity in lines:
        top = figures[restaurant_id].top_products
        if len(top) < TOP_PRODUCTS:
            top.append(TopProduct(name=name, quantity=quantity))


def _add_low_stocks(figures: dict[int, Figures], restaurant_ids: list[int]) -> None:
    """The stocks at or below their alert threshold now, per restaurant. One query."""
    for stock in (
        Stock.objects.low()
        .filter(restaurant_id__in=restaurant_ids)
        .select_related("ingredient")
        .order_by("restaurant_id", "quantity", "ingredient__name")
    ):
        figures[stock.restaurant_id].low_stocks.append(stock)


def _weighted(items: Sequence[Figures], value: str, weight: str) -> timedelta | None:
    """The average of the restaurants' averages, each counted as often as the orders it was measured on."""
    measured = [(getattr(item, value), getattr(item, weight)) for item in items if getattr(item, weight)]
    total = sum(count for _average, count in measured)
    if not total:
        return None
    return sum((average * count for average, count in measured), timedelta()) / total


def combined(items: Sequence[Figures]) -> Figures:
    """Every restaurant's figures together (head office's total column); no query."""
    return Figures(
        restaurant=None,
        orders=sum(item.orders for item in items),
        by_status={status: sum(item.by_status.get(status, 0) for item in items) for status in Status.values},
        revenue=sum((item.revenue for item in items), Decimal("0")),
        preparation=_weighted(items, "preparation", "prepared"),
        prepared=sum(item.prepared for item in items),
        delivery=_weighted(items, "delivery", "delivered"),
        delivered=sum(item.delivered for item in items),
        late=sum(item.late for item in items),
    )


def status_rows(items: Sequence[Figures]) -> list[tuple[str, str, list[int], int]]:
    """(status, label, count at each restaurant, total) of every status: the comparison table's rows."""
    rows = []
    for status in Status:
        counts = [item.by_status.get(status.value, 0) for item in items]
        rows.append((status.value, status.label, counts, sum(counts)))
    return rows
