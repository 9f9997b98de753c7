"""Admin of orders and payments: a window on them, not a way to run them.

Orders are placed, moved between statuses, paid and refunded by orders.services, so nothing here adds,
deletes or edits their status or money; only notes, contact details and the attention flag are editable.
The order list's actions move orders between statuses through orders.services.transition_order; the order
page's "Retry this refund" asks the provider again for a failed refund (orders.services.retry_refund).
"""

from __future__ import annotations

from orders.admin import lines, order, payments  # noqa: F401 (each registers its admins)
