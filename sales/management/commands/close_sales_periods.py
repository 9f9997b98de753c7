"""`manage.py close_sales_periods`: make the closings that are due (what the nightly task does)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from sales.closings import close_everything_due


class Command(BaseCommand):
    help = "Close every day, month and year that is over and not closed yet, for every restaurant."

    def handle(self, *args, **options) -> None:
        made = close_everything_due()
        for closing in made:
            self.stdout.write(
                f"{closing.restaurant_id} {closing.kind} {closing.period_start}: {closing.entry_count} entries"
            )
        self.stdout.write(self.style.SUCCESS(f"{len(made)} closing(s) made."))
