"""The sales record's background work: the nightly closings (procrastinate, discovered by the worker).

At 00:10 UTC (01:10 or 02:10 in Paris, after every restaurant's local midnight) each restaurant's days, then
months and years, that are over and not closed are closed (sales.closings.close_everything_due). It catches
up by itself after the worker was down, and a tick run twice closes nothing twice (one closing a period,
under the chain head's lock).
"""

from __future__ import annotations

from procrastinate.contrib.django import app

from common.queue import MAINTENANCE, RETRY_LOCAL
from sales.closings import close_everything_due


@app.periodic(cron="10 0 * * *", periodic_id="sales_closings")
@app.task(
    name="sales.close_periods", queue=MAINTENANCE, retry=RETRY_LOCAL, queueing_lock="sales.close_periods"
)
def close_periods(timestamp: int) -> int:
    """Make the closings due (daily Z, monthly, yearly) for every restaurant; returns how many were made."""
    return len(close_everything_due())
