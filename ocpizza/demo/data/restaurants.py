"""The five restaurants: address, hours, delivery zones, fees and capacity, crew, stock, shop front; and
the staff's emails."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from decimal import Decimal

from ocpizza.demo.data.files import read
from ocpizza.demo.data.people import CUSTOMERS, EMAIL_DOMAIN, HEAD_OFFICE


@dataclass(frozen=True)
class StaffSpec:
    role: str  # restaurants.models.Role
    first_name: str
    last_name: str
    phone: str
    bio: str = ""
    portrait: str = "short"  # how a pizzaiolo's portrait is drawn: short, long (hair) or moustache


@dataclass(frozen=True)
class RestaurantSpec:
    slug: str
    code: str  # two letters in the demo order numbers: DEM-LB-001
    short: str  # the part of the staff emails after the role: manager.bellecour@…
    name: str
    street: str
    postal_code: str
    city: str
    phone: str
    description: str
    zones: tuple[str, ...]
    hours: tuple[tuple[int, time, time], ...]
    delivery_fee: Decimal
    minimum_order: Decimal
    preparation_minutes: int
    delivery_minutes: int
    pizzas_per_slot: int
    staff: tuple[StaffSpec, ...]
    # Streets in the delivery zones, for phone orders.
    streets: tuple[tuple[str, str], ...]
    facade: tuple[int, int, int]
    awning: tuple[int, int, int]
    stock_factor: float = 1.0
    # Stock at the end of the load, overriding the usual quantity: low items, a sold-out ingredient.
    stock_overrides: dict[str, int] = field(default_factory=dict)

    @property
    def email(self) -> str:
        return f"{self.slug}@{EMAIL_DOMAIN}"


def _hours(
    *, closed: tuple[int, ...] = (), late: tuple[int, ...] = (4, 5)
) -> tuple[tuple[int, time, time], ...]:
    """Lunch and evening every day but `closed`; evenings last an hour longer on `late` days (Fri, Sat)."""
    periods = []
    for weekday in range(7):
        if weekday in closed:
            continue
        periods.append((weekday, time(11, 30), time(14, 30)))
        periods.append((weekday, time(18, 30), time(23, 30) if weekday in late else time(22, 30)))
    return tuple(periods)


def _crew(
    manager: tuple[str, str],
    pizzaiolos: tuple[tuple[str, str, str, str], tuple[str, str, str, str]],
    drivers: tuple[tuple[str, str], tuple[str, str]],
    counter: tuple[str, str],
    phones: int,
) -> tuple[StaffSpec, ...]:
    """A restaurant's team: a manager, two pizzaiolos (with their bio), two drivers and a counter employee."""
    numbers = iter(f"01 99 00 {phones + i:02d} {(phones * 7 + i * 13) % 100:02d}" for i in range(6))
    return (
        StaffSpec("manager", *manager, next(numbers)),
        *(
            StaffSpec("pizzaiolo", first, last, next(numbers), bio, portrait)
            for first, last, bio, portrait in pizzaiolos
        ),
        *(StaffSpec("driver", first, last, next(numbers)) for first, last in drivers),
        StaffSpec("counter", *counter, next(numbers)),
    )


_BUILT = ("hours", "crew", "delivery_fee", "minimum_order")  # what _restaurant makes from its row


def _restaurant(row: dict) -> RestaurantSpec:
    """A restaurant of restaurants.toml: its hours and crew from their helpers, its amounts as decimals."""
    details = {key: value for key, value in row.items() if key not in _BUILT}
    return RestaurantSpec(
        **details,
        hours=_hours(**row.get("hours", {})),
        staff=_crew(**row["crew"]),
        delivery_fee=Decimal(row["delivery_fee"]),
        minimum_order=Decimal(row["minimum_order"]),
    )


RESTAURANTS: tuple[RestaurantSpec, ...] = tuple(
    _restaurant(row) for row in read("restaurants")["restaurants"]
)


def staff_email(restaurant: RestaurantSpec, staff: StaffSpec) -> str:
    """manager.bellecour@…, pizzaiolo1.bellecour@…, driver2.bellecour@…, counter.bellecour@…"""
    same_role = [member for member in restaurant.staff if member.role == staff.role]
    suffix = str(same_role.index(staff) + 1) if len(same_role) > 1 else ""
    return f"{staff.role}{suffix}.{restaurant.short}@{EMAIL_DOMAIN}"


def demo_emails() -> list[str]:
    emails = [HEAD_OFFICE.email, *(customer.email for customer in CUSTOMERS)]
    for restaurant in RESTAURANTS:
        emails += [staff_email(restaurant, member) for member in restaurant.staff]
    return emails
