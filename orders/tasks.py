"""The orders' background work (procrastinate), discovered by the worker from this module.

Each task is defined beside the service that defers it, inside the transaction that decides it, and is
imported here so the worker knows them all.

Emails (queue "emails", orders.notifications): the customers' confirmation, modification and each status
change, deferred through the `defer_*` helpers: the email's job commits or rolls back with the order. Each
job carries the key of its event, so running it twice sends once.

Payments (queue "payments"):
- orders.execute_refund: ask the provider for a refund (orders.services.refunds);
- orders.notify_refund_failed: tell the restaurant's managers that a refund failed for good;
- orders.void_checkout: close the checkout of a payment no longer wanted (orders.payments);
- orders.handle_stripe_event: do what a recorded Stripe event reports (orders.services.stripe_events).

Scheduled work (the worker defers these itself, on a cron; nothing runs on Heroku Scheduler):
- every minute, unpaid online orders past their deadline are cancelled and give their stock back, so the
  stock returns within about a minute of the window closing;
- every minute, changes of paid orders left unpaid are given up, and refunds whose job was lost (a worker
  killed in the middle) are taken up again.
Each periodic task receives the `timestamp` of its tick; each is idempotent, so a tick run twice (or late,
after the worker was down) does no harm.
"""

from __future__ import annotations

from django.utils import timezone
from procrastinate.contrib.django import app

from orders.notifications import defer_confirmation, defer_modification, defer_status_email, send_order_email
from orders.payments import void_checkout
from orders.payments.base import QUEUE
from orders.services import abandon_pending_changes, expire_unpaid_orders, retry_stuck_refunds
from orders.services.refunds import execute_refund, notify_refund_failed
from orders.services.stripe_events import handle_stripe_event

__all__ = [
    "abandon_unpaid_changes_every_minute",
    "defer_confirmation",
    "defer_modification",
    "defer_status_email",
    "execute_refund",
    "expire_unpaid_orders_every_minute",
    "handle_stripe_event",
    "notify_refund_failed",
    "retry_stuck_refunds_every_minute",
    "send_order_email",
    "void_checkout",
]


@app.periodic(cron="* * * * *", periodic_id="expire_unpaid_orders")
@app.task(name="orders.expire_unpaid_orders", queue=QUEUE, queueing_lock="orders.expire_unpaid_orders")
def expire_unpaid_orders_every_minute(timestamp: int) -> int:
    """Cancel the online orders still unpaid past their deadline, giving their stock back; returns how many."""
    return len(expire_unpaid_orders(now=timezone.now()))


@app.periodic(cron="* * * * *", periodic_id="abandon_pending_changes")
@app.task(name="orders.abandon_pending_changes", queue=QUEUE, queueing_lock="orders.abandon_pending_changes")
def abandon_unpaid_changes_every_minute(timestamp: int) -> int:
    """Give up the changes of paid orders left unpaid (abandon_pending_changes); returns how many."""
    return len(abandon_pending_changes(now=timezone.now()))


@app.periodic(cron="* * * * *", periodic_id="retry_stuck_refunds")
@app.task(name="orders.retry_stuck_refunds", queue=QUEUE, queueing_lock="orders.retry_stuck_refunds")
def retry_stuck_refunds_every_minute(timestamp: int) -> int:
    """Put back to work the refunds whose job was lost (retry_stuck_refunds); returns how many."""
    return len(retry_stuck_refunds(now=timezone.now()))
