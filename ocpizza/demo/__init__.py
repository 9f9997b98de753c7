"""The demo data of OC Pizza: five restaurants in Lyon and Paris, their staff, a menu with recipes and
pictures, stock, customers and a week of orders in every status.

`manage.py load_demo` (restaurants/management/commands/load_demo.py) calls `load_demo`. This package lives in
`ocpizza/` because the demo spans every app and only `ocpizza` may import `orders`.
"""

from __future__ import annotations

import os

from ocpizza.demo.loader import DemoLogin, DemoResult, load_demo
from ocpizza.demo.reset import reset_demo

# The password of every demo account unless DEMO_PASSWORD says otherwise. It is public on purpose (printed
# by the command, written in the README): demo accounts are for trying the site, never for real data, and
# the command refuses to run with DEBUG off unless DEMO_PASSWORD is set.
PUBLIC_DEMO_PASSWORD = "demo-pizza-2026"  # noqa: S105 (a documented public value, not a secret)


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD", "") or PUBLIC_DEMO_PASSWORD


__all__ = ["PUBLIC_DEMO_PASSWORD", "DemoLogin", "DemoResult", "demo_password", "load_demo", "reset_demo"]
