"""The restaurants' background work: the low-stock alert to the managers, deferred in the transaction of
the stock movement that crossed the threshold."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from procrastinate.contrib.django import app

from common.queue import EMAILS, RETRY_EMAIL
from restaurants import notifications


@app.task(name="restaurants.send_low_stock_alert", queue=EMAILS, retry=RETRY_EMAIL)
def send_low_stock_alert(*, stock_ids: list[int], alert: str) -> None:
    notifications.send_low_stock_alert(stock_ids=stock_ids, alert=alert)


def defer_low_stock_alert(*, stock_ids: Sequence[int], now: datetime) -> None:
    """The managers' alert for `stock_ids`, which crossed their threshold at `now` (the alert's key)."""
    send_low_stock_alert.defer(stock_ids=list(stock_ids), alert=f"{now:%Y%m%dT%H%M%S.%f}-{min(stock_ids)}")
