"""`manage.py make_renditions`: renditions for the pictures that have none (uploads from before them, a job
that failed for good)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from common import renditions


class Command(BaseCommand):
    help = (
        "Defer the making of renditions for every uploaded picture that has none (the worker makes them), "
        "or, with --now, make them in this process. Pictures whose renditions exist are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Make them here instead of deferring jobs.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count the pictures without renditions."
        )

    def handle(self, *args, now: bool, dry_run: bool, **options) -> None:
        count = 0
        for instance, field in renditions.missing_renditions():
            count += 1
            if dry_run:
                continue
            if now:
                renditions.make(instance, field)
            else:
                renditions.defer_renditions(instance, field)
        verb = "would get" if dry_run else ("got" if now else "will get")
        self.stdout.write(self.style.SUCCESS(f"{count} picture(s) {verb} their renditions."))
