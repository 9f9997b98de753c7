"""Closings of the sales record: a daily Z per restaurant, then monthly and yearly ones, each kind chained.

A closing covers the entries recorded before the end of its period (local time, settings.TIME_ZONE) that the
previous closing of its kind did not: their totals by VAT rate (sales) and by payment method (money), their
count, the hash of the last one, and the perpetual grand total (the previous closing's plus this period's
sales). It is hashed like an entry, over its fields and the previous closing's hash. It is written under
the restaurant's chain head lock, so no entry slips in while it is counted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from sales.journal import chain_hash, lock_chain, money
from sales.models import MONEY_KINDS, SALE_KINDS, Closing, ClosingKind, SalesChain, SalesEntry


@dataclass(frozen=True)
class Totals:
    """What a run of entries adds up to, under the names of the Closing's fields that hold it."""

    entry_count: int
    sales_total: Decimal
    sales_net: Decimal
    money_total: Decimal
    by_rate: dict[str, dict[str, str]]
    by_method: dict[str, str]


def totals_of(entries) -> Totals:
    """The totals of `entries` (an iterable of SalesEntry): sales by VAT rate, money by payment method."""
    gross: dict[str, Decimal] = defaultdict(Decimal)
    vat: dict[str, Decimal] = defaultdict(Decimal)
    methods: dict[str, Decimal] = defaultdict(Decimal)
    count = 0
    sales_total = sales_net = money_total = Decimal("0")
    for entry in entries:
        count += 1
        if entry.kind in SALE_KINDS:
            sales_total += entry.amount
            sales_net += entry.amount_net or Decimal("0")
            for rate, amounts in entry.vat.items():
                gross[rate] += Decimal(amounts["gross"])
                vat[rate] += Decimal(amounts["vat"])
        elif entry.kind in MONEY_KINDS:
            money_total += entry.amount
            methods[entry.payment_method] += entry.amount
    return Totals(
        entry_count=count,
        sales_total=sales_total,
        sales_net=sales_net,
        money_total=money_total,
        by_rate={
            rate: {
                "gross": money(gross[rate]),
                "net": money(gross[rate] - vat[rate]),
                "vat": money(vat[rate]),
            }
            for rate in sorted(gross)
        },
        by_method={method: money(amount) for method, amount in sorted(methods.items())},
    )


def closing_payload(closing: Closing) -> dict[str, Any]:
    """The fields a closing's hash covers, the same read back from the database."""
    return {
        "restaurant": closing.restaurant_id,
        "kind": closing.kind,
        "sequence": closing.sequence,
        "period_start": closing.period_start.isoformat(),
        "period_end": closing.period_end.isoformat(),
        "closed_at": closing.closed_at.astimezone(UTC).isoformat(),
        "first_sequence": closing.first_sequence,
        "last_sequence": closing.last_sequence,
        "entry_count": closing.entry_count,
        "sales_total": money(closing.sales_total),
        "sales_net": money(closing.sales_net),
        "money_total": money(closing.money_total),
        "by_rate": closing.by_rate,
        "by_method": closing.by_method,
        "grand_total": money(closing.grand_total),
        "last_entry_hash": closing.last_entry_hash,
    }


def closing_hash(closing: Closing) -> str:
    return chain_hash(closing.previous_hash, closing_payload(closing))


def period_of(kind: str, day: date) -> tuple[date, date]:
    """The period of `kind` holding `day`: (first day, last day), both included."""
    if kind == ClosingKind.DAY:
        return day, day
    if kind == ClosingKind.MONTH:
        start = day.replace(day=1)
        following = (start + timedelta(days=32)).replace(day=1)
        return start, following - timedelta(days=1)
    return day.replace(month=1, day=1), day.replace(month=12, day=31)


def end_of(day: date) -> datetime:
    """The instant the local day `day` ends (the next local midnight, DST included)."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def close_period(*, restaurant_id: int, kind: str, day: date, now: datetime | None = None) -> Closing:
    """Close the period of `kind` holding `day` for a restaurant.

    Preconditions: the period has ended (ValueError otherwise: a day is closed once it is over). Effects, in
    one transaction under the chain head's lock: a closing of the entries recorded before the period's end
    and after the previous closing of this kind, chained to it. Idempotent: a period closed already returns
    its closing unchanged.
    """
    now = now or timezone.now()
    start, end = period_of(kind, day)
    if end_of(end) > now:
        raise ValueError(f"The {kind} from {start} to {end} is not over: it cannot be closed yet.")
    with transaction.atomic():
        lock_chain(restaurant_id)
        existing = Closing.objects.filter(restaurant_id=restaurant_id, kind=kind, period_start=start).first()
        if existing is not None:
            return existing
        previous = (
            Closing.objects.filter(restaurant_id=restaurant_id, kind=kind).order_by("-sequence").first()
        )
        after = previous.last_sequence if previous else 0
        entries = list(
            SalesEntry.objects.filter(
                restaurant_id=restaurant_id, sequence__gt=after, recorded_at__lt=end_of(end)
            ).order_by("sequence")
        )
        totals = totals_of(entries)
        closing = Closing(
            restaurant_id=restaurant_id,
            kind=kind,
            sequence=(previous.sequence + 1) if previous else 1,
            period_start=start,
            period_end=end,
            closed_at=now,
            first_sequence=entries[0].sequence if entries else None,
            last_sequence=entries[-1].sequence if entries else after,
            **asdict(totals),
            grand_total=(previous.grand_total if previous else Decimal("0")) + totals.sales_total,
            last_entry_hash=entries[-1].hash if entries else (previous.last_entry_hash if previous else ""),
            previous_hash=previous.hash if previous else "",
        )
        closing.hash = closing_hash(closing)
        closing.save(force_insert=True)
    return closing


def periods_to_close(*, restaurant_id: int, kind: str, now: datetime) -> list[date]:
    """The first day of each period of `kind` over and not closed yet for a restaurant: from the one after
    its last closing of this kind (or the one of its first entry) to the last one ended before `now`."""
    last = Closing.objects.filter(restaurant_id=restaurant_id, kind=kind).order_by("-sequence").first()
    if last is not None:
        day = last.period_end + timedelta(days=1)
    else:
        first = SalesEntry.objects.filter(restaurant_id=restaurant_id).order_by("sequence").first()
        if first is None:
            return []
        day = period_of(kind, timezone.localtime(first.recorded_at).date())[0]
    days = []
    while end_of(period_of(kind, day)[1]) <= now:
        days.append(day)
        day = period_of(kind, day)[1] + timedelta(days=1)
    return days


def close_everything_due(*, now: datetime | None = None) -> list[Closing]:
    """Every restaurant's days, then months, then years that are over and not closed; for the nightly task
    (sales.tasks) and `manage.py close_sales_periods`. Each closing is its own transaction; a second run
    finds nothing to do. Returns the closings made."""
    now = now or timezone.now()
    made = []
    for restaurant_id in SalesChain.objects.order_by("restaurant_id").values_list("restaurant_id", flat=True):
        for kind in (ClosingKind.DAY, ClosingKind.MONTH, ClosingKind.YEAR):
            for day in periods_to_close(restaurant_id=restaurant_id, kind=kind, now=now):
                made.append(close_period(restaurant_id=restaurant_id, kind=kind, day=day, now=now))
    return made
