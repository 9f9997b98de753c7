"""`manage.py load_demo`: fill the database with the demo restaurants, menu, staff, stock and orders."""

from __future__ import annotations

import os
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ocpizza import demo

# Live orders placed longer ago than this are no longer "live": the queues show them late.
STALE_AFTER = timedelta(hours=1)


class Command(BaseCommand):
    help = (
        "Load the demo data: 5 restaurants in Lyon and Paris with their staff, hours, delivery zones and "
        "stock, the menu with recipes and generated pictures, two customers and orders in every status. "
        "Idempotent: a second run changes nothing. Every demo account's password is DEMO_PASSWORD, or the "
        "public demo password when it is not set; the logins are printed at the end."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo data (and its orders) first, then load it again.",
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even though DEBUG is off; DEMO_PASSWORD must then be set.",
        )

    def handle(self, *args, reset: bool, allow_production: bool, **options) -> None:
        if not settings.DEBUG and not (allow_production and os.environ.get("DEMO_PASSWORD")):
            raise CommandError(
                "DEBUG is off: this looks like production. Demo accounts with a known password do not belong "
                "there; to load them anyway, pass --allow-production and set DEMO_PASSWORD."
            )
        result = demo.load_demo(password=demo.demo_password(), reset=reset)
        if result.created:
            created = ", ".join(f"{count} {label.split('.')[1]}" for label, count in result.created.items())
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {created}."))
        else:
            self.stdout.write(self.style.SUCCESS("Demo data already loaded: nothing to do."))
        self._warn_if_stale()
        self._print_logins(result.logins)

    def _warn_if_stale(self) -> None:
        placed = demo.live_orders_placed_at()
        if placed is None or timezone.now() - placed < STALE_AFTER:
            return
        hours = int((timezone.now() - placed).total_seconds() // 3600)
        self.stdout.write(
            self.style.WARNING(
                f"The demo's live orders were placed {hours} h ago: the kitchen, pass, counter and delivery "
                "screens show them that late. `manage.py load_demo --reset` (or `make run DEMO_RESET=1`) "
                "places them afresh; it deletes the demo restaurants' orders first."
            )
        )

    def _print_logins(self, logins) -> None:
        rows = [("Role", "Restaurant", "Email", "Password")]
        rows += [(login.role, login.restaurant or "—", login.email, login.password) for login in logins]
        widths = [max(len(row[column]) for row in rows) for column in range(4)]
        self.stdout.write("")
        for index, row in enumerate(rows):
            self.stdout.write(
                "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            )
            if index == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
