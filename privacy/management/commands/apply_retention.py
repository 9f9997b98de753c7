"""`manage.py apply_retention [--dry-run]`: anonymise what has passed its retention period (what the nightly
task does); with --dry-run, only list it."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from privacy.retention import apply_retention


class Command(BaseCommand):
    help = "Anonymise the orders and erase the customer accounts past their retention period."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be anonymised; change nothing."
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        report = apply_retention(now=timezone.now(), dry_run=dry_run)
        verb = "would be" if dry_run else "were"
        self.stdout.write(
            f"{len(report.orders)} order(s) {verb} anonymised: {', '.join(report.orders) or '-'}"
        )
        self.stdout.write(
            f"{len(report.accounts)} account(s) {verb} erased: {', '.join(map(str, report.accounts)) or '-'}"
        )
