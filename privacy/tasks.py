"""The personal data's background work (procrastinate, discovered by the worker from this module):

- privacy.send_erasure_email (queue "emails"): tell a former customer their account was erased, deferred in
  the erasure's transaction (privacy.erasure);
- privacy.build_export (queue "maintenance"): build a customer's copy of their data, deferred with its request
  (privacy.export);
- privacy.apply_retention, every night at 02:30 UTC: anonymise what has passed its retention period
  (privacy.retention.apply_retention); idempotent, so a tick run twice or late does no harm.
"""

from __future__ import annotations

from django.utils import timezone
from procrastinate.contrib.django import app

from common.queue import MAINTENANCE, RETRY_LOCAL
from privacy.erasure import send_erasure_email
from privacy.export import build_export
from privacy.retention import apply_retention

__all__ = ["apply_retention_every_night", "build_export", "send_erasure_email"]


@app.periodic(cron="30 2 * * *", periodic_id="privacy_retention")
@app.task(
    name="privacy.apply_retention",
    queue=MAINTENANCE,
    retry=RETRY_LOCAL,
    queueing_lock="privacy.apply_retention",
)
def apply_retention_every_night(timestamp: int) -> int:
    """Anonymise the orders and erase the accounts past their period; returns how many of both."""
    report = apply_retention(now=timezone.now())
    return len(report.orders) + len(report.accounts)
