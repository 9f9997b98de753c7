"""Domain actions on orders, one concern a module; this package is their public API (`from orders.services
import place_order`).

- pricing: a line as asked for, checked against the menu and priced;
- scheduling: oven capacity, the times offered and the slot an order is booked into;
- reservation: the stock an order takes, adjusts and gives back;
- placement: place_order;
- lines: an order's lines written as priced (placement, modification);
- lifecycle: transition_order, the one door for status changes, and its guards; cancel and expiry;
- modification: modify_order and the changes of paid orders waiting for their difference;
- kitchen: the kitchen display's start, bumps (per line, per station, per ticket) and recall;
- handover: the pick-up, the drivers' trips and the delivery, with the payment taken then;
- payment: what providers report (confirmed, failed, expired), recorded against the order;
- refunds: money given back through the provider by the worker, retried until the provider answers;
- stripe_events: Stripe's webhook events, recorded by the webhook and handled by the worker;
- locking: the order and restaurant row locks, refused outside a transaction.

Every action is one transaction. Locks are always taken in the same order (restaurant row, then order row,
then stock rows by id), so two actions never deadlock. Side effects (emails, refunds, voided checkouts) leave
through the task queue: their job is deferred inside the action's transaction (orders.tasks), so it commits
or rolls back with its cause, and the worker does the work after the answer; no slow call runs while a row
lock is held.
"""

from orders.services.handover import (
    deliver_order,
    hand_over_pickup,
    record_payment_on_delivery,
    take_deliveries,
)
from orders.services.kitchen import BumpResult, bump, recall_order, start_order, unbump_line
from orders.services.lifecycle import (
    cancel_order,
    check_move,
    expire_unpaid_orders,
    transition_order,
    transition_order_once,
)
from orders.services.locking import LockOutsideTransaction, lock_order, lock_restaurant
from orders.services.modification import (
    abandon_pending_changes,
    apply_pending_change,
    modify_order,
    open_pending_change,
)
from orders.services.payment import (
    checkout_url,
    confirm_payment,
    expire_checkout,
    fail_payment,
    restart_online_payment,
)
from orders.services.placement import PAYMENT_METHODS_BY_CHANNEL, Contact, DeliveryAddress, place_order
from orders.services.pricing import (
    MAX_LINES,
    MAX_QUANTITY_PER_LINE,
    FormulePart,
    LineRequest,
    PricedLine,
    price_lines,
    products_for_pricing,
)
from orders.services.refunds import (
    execute_refund,
    mark_refund_failed,
    mark_refund_succeeded,
    refund_order_after_commit,
    retry_refund,
    retry_stuck_refunds,
)
from orders.services.reservation import reserved_stock, stock_needs
from orders.services.scheduling import available_times, schedule_order
from orders.services.stripe_events import handle_stripe_event, record_stripe_event

__all__ = [
    "MAX_LINES",
    "MAX_QUANTITY_PER_LINE",
    "PAYMENT_METHODS_BY_CHANNEL",
    "BumpResult",
    "Contact",
    "DeliveryAddress",
    "FormulePart",
    "LineRequest",
    "LockOutsideTransaction",
    "PricedLine",
    "abandon_pending_changes",
    "apply_pending_change",
    "available_times",
    "bump",
    "cancel_order",
    "check_move",
    "checkout_url",
    "confirm_payment",
    "deliver_order",
    "execute_refund",
    "expire_checkout",
    "expire_unpaid_orders",
    "fail_payment",
    "hand_over_pickup",
    "handle_stripe_event",
    "lock_order",
    "lock_restaurant",
    "mark_refund_failed",
    "mark_refund_succeeded",
    "modify_order",
    "open_pending_change",
    "place_order",
    "price_lines",
    "products_for_pricing",
    "recall_order",
    "record_payment_on_delivery",
    "record_stripe_event",
    "refund_order_after_commit",
    "reserved_stock",
    "restart_online_payment",
    "retry_refund",
    "retry_stuck_refunds",
    "schedule_order",
    "start_order",
    "stock_needs",
    "take_deliveries",
    "transition_order",
    "transition_order_once",
    "unbump_line",
]
