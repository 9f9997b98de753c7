"""The demo data of OC Pizza: five restaurants in Lyon and Paris, their staff, a menu with recipes and
pictures, stock, customers and a week of orders in every status.

`manage.py load_demo` (restaurants/management/commands/load_demo.py) calls `load_demo`. This package lives in
`ocpizza/` because the demo spans every app and only `ocpizza` may import `orders`.
"""

from __future__ import annotations

import os
from datetime import datetime

from django.db.models import Max

from ocpizza.demo.data import RESTAURANTS
from ocpizza.demo.loader import DemoLogin, DemoResult, load_demo
from ocpizza.demo.reset import reset_demo
from orders.models import ACTIVE_STATUSES, Order

# The password of every demo account unless DEMO_PASSWORD says otherwise. It is public on purpose (printed
# by the command, written in the README): demo accounts are for trying the site, never for real data, and
# the command refuses to run with DEBUG off unless DEMO_PASSWORD is set.
PUBLIC_DEMO_PASSWORD = "demo-pizza-2026"  # noqa: S105 (a documented public value, not a secret)


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD", "") or PUBLIC_DEMO_PASSWORD


def live_orders_placed_at() -> datetime | None:
    """When the newest of the demo restaurants' live orders (in the kitchen, at the pass, on the road) was
    placed; None without any. A load places them minutes before it and a later load keeps them (their
    numbers are taken), so on a database loaded days ago the staff screens show them that late."""
    live = Order.objects.filter(
        restaurant__slug__in=[spec.slug for spec in RESTAURANTS], status__in=ACTIVE_STATUSES
    )
    return live.aggregate(newest=Max("created_at"))["newest"]


__all__ = [
    "PUBLIC_DEMO_PASSWORD",
    "DemoLogin",
    "DemoResult",
    "demo_password",
    "live_orders_placed_at",
    "load_demo",
    "reset_demo",
]
