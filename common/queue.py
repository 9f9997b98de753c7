"""The task queue's names and retry strategies, one place for every app's tasks (procrastinate).

Tasks live in their app's `tasks.py` (found by procrastinate's autodiscovery), are deferred inside the
transaction that causes them, take ids rather than objects, and are idempotent: running one twice does the
work once. One worker serves every queue (`manage.py procrastinate worker`, no --queues); the queues let
an operator see, filter and, if ever needed, give a queue a worker of its own (docs/scaling.md).

A strategy waits `base ** (attempt + 1)` seconds before each new try: 2, 4, 8, 16 s... After the last try
the job stays `failed` in the admin, where head office can retry it (docs/operations.md §8).
"""

from __future__ import annotations

from procrastinate import RetryStrategy

# Emails to customers, staff and allauth's sign-up and password emails.
EMAILS = "emails"
# The calls to payment providers: refunds, voided checkouts, the Stripe events' consequences. Their retry
# strategies are orders.payments' (PROVIDER_RETRY: nine tries over about nine minutes, then the refund is
# failed and the managers are told), since they know which of the provider's errors are worth a new try.
PAYMENTS = "payments"
# The pictures' renditions (common.renditions), made after each upload.
RENDITIONS = "renditions"
# The queue's own upkeep and the site's timers (stalled jobs, old jobs, expired sessions).
MAINTENANCE = "maintenance"

# An email: a mail server that is down for a while. 12 retries over about 2 h 15 min (2 s ... 68 min apart).
RETRY_EMAIL = RetryStrategy(max_attempts=12, exponential_wait=2)
# Work that is cheap to redo and has no outside party (image renditions): 5 retries within a minute.
RETRY_LOCAL = RetryStrategy(max_attempts=5, exponential_wait=2)
