"""`manage.py check_sales_record`: recompute every restaurant's sales record and closings.

Exit status 0 when everything matches; 1 with the first problem of each restaurant named otherwise.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from sales.integrity import check_all, summary


class Command(BaseCommand):
    help = "Recompute the hash chains and closings of the sales record; name the first entry that does not match."

    def handle(self, *args, **options) -> None:
        reports = check_all()
        for report in reports:
            status = "OK" if report.ok else "ALTERED"
            self.stdout.write(
                f"{report.restaurant.name}: {report.entries} entries, {report.closings} closings: {status}"
            )
            for problem in report.problems:
                self.stdout.write(f"  {problem}")
        counts = summary(reports)
        if counts.get("problems"):
            raise CommandError(f"The sales record does not check: {counts['problems']} problem(s) found.")
        self.stdout.write(
            self.style.SUCCESS(
                f"The sales record checks: {counts.get('restaurants', 0)} restaurant(s), "
                f"{counts.get('entries', 0)} entries, {counts.get('closings', 0)} closings."
            )
        )
