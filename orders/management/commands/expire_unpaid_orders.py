"""Cancel the online orders left unpaid past their deadline and give their stock back, by hand.

The worker does it every minute (orders.tasks); this command is for a check or a catch-up from a shell."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from orders.services import expire_unpaid_orders


class Command(BaseCommand):
    help = (
        "Cancel the online orders still awaiting payment past their deadline and give their stock back. "
        "The worker does it every minute; idempotent, so running it by hand as well does no harm."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List the orders that would be cancelled; change nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        numbers = expire_unpaid_orders(now=timezone.now(), dry_run=dry_run)
        verb = "Would cancel" if dry_run else "Cancelled"
        for number in numbers:
            self.stdout.write(f"{verb} {number}")
        self.stdout.write(f"{verb} {len(numbers)} unpaid order(s).")
