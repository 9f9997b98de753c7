"""The restaurants' background work, emails to the managers:

- the low-stock alert, deferred in the transaction of the stock movement that crossed the threshold;
- the low-stock digest, every morning at 6:00 UTC (7:00 or 8:00 in Paris, before the day's deliveries are
  ordered): each restaurant's ingredients still at or below their threshold, whether or not their alert
  left already, so nothing left low is forgotten. Sent once per day, restaurant and manager.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from procrastinate.contrib.django import app

from common.queue import EMAILS, RETRY_EMAIL
from restaurants import notifications
from restaurants.models import Stock


@app.task(name="restaurants.send_low_stock_alert", queue=EMAILS, retry=RETRY_EMAIL)
def send_low_stock_alert(*, stock_ids: list[int], alert: str) -> None:
    notifications.send_low_stock_alert(stock_ids=stock_ids, alert=alert)


def defer_low_stock_alert(*, stock_ids: Sequence[int], now: datetime) -> None:
    """The managers' alert for `stock_ids`, which crossed their threshold at `now` (the alert's key)."""
    send_low_stock_alert.defer(stock_ids=list(stock_ids), alert=f"{now:%Y%m%dT%H%M%S.%f}-{min(stock_ids)}")


@app.periodic(cron="0 6 * * *", periodic_id="low_stock_digest")
@app.task(name="restaurants.low_stock_digest", queue=EMAILS, retry=RETRY_EMAIL)
def low_stock_digest(timestamp: int) -> int:
    """Email each active restaurant's managers its ingredients at or below their threshold; returns how many
    emails left. The tick's date is the emails' key, so a tick run twice (or retried) sends each once."""
    stock_ids = list(
        Stock.objects.low().filter(restaurant__is_active=True).order_by("id").values_list("id", flat=True)
    )
    if not stock_ids:
        return 0
    day = datetime.fromtimestamp(timestamp, tz=UTC).date()
    return notifications.send_low_stock_alert(stock_ids=stock_ids, alert=f"digest-{day:%Y%m%d}", digest=True)
