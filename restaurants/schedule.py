"""Opening hours and 15-minute slots of a restaurant, in its local time (settings.TIME_ZONE).

All functions read `restaurant.opening_hours.all()`, so a caller that prefetched the hours runs no query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from restaurants.models import Restaurant

SLOT = timedelta(minutes=15)
HORIZON_DAYS = 7


@dataclass(frozen=True)
class Period:
    opens: datetime
    closes: datetime

    def __contains__(self, moment: datetime) -> bool:
        return self.opens <= moment <= self.closes


def _local(day: date, clock: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock), timezone.get_current_timezone())


def periods(restaurant: Restaurant, *, start: datetime, days: int = HORIZON_DAYS) -> list[Period]:
    """The opening periods from the day of `start` on, for `days` days, in chronological order."""
    first_day = timezone.localtime(start).date()
    hours = sorted(restaurant.opening_hours.all(), key=lambda h: (h.weekday, h.opens))
    result = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        for hour in hours:
            if hour.weekday == day.weekday():
                result.append(Period(_local(day, hour.opens), _local(day, hour.closes)))
    return result


def is_open_at(restaurant: Restaurant, moment: datetime) -> bool:
    return any(moment in period for period in periods(restaurant, start=moment, days=1))


def current_or_next_period(restaurant: Restaurant, moment: datetime) -> Period | None:
    for period in periods(restaurant, start=moment):
        if period.closes >= moment:
            return period
    return None


def ceil_to_slot(moment: datetime) -> datetime:
    local = timezone.localtime(moment)
    minutes = local.hour * 60 + local.minute
    remainder = minutes % 15
    floored = local.replace(minute=local.minute - remainder, second=0, microsecond=0)
    if remainder == 0 and local.second == 0 and local.microsecond == 0:
        return floored
    return floored + SLOT


def slot_of(moment: datetime) -> datetime:
    """The start of the 15-minute slot holding `moment`."""
    local = timezone.localtime(moment)
    return local.replace(minute=local.minute - local.minute % 15, second=0, microsecond=0)


def ready_slots(restaurant: Restaurant, *, now: datetime, lead: timedelta, days: int = 2) -> list[datetime]:
    """Slot starts at which an order can be ready: inside an opening period, at least `lead` from now."""
    earliest = now + lead
    result = []
    for period in periods(restaurant, start=now, days=days):
        moment = ceil_to_slot(max(period.opens + lead, earliest))
        while moment <= period.closes:
            result.append(moment)
            moment += SLOT
    return result
