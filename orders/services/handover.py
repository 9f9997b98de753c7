"""Hand-over: an order given to its customer at the counter or at the door, with the cash or card taken then.

The move itself is the lifecycle's (transition_order, its guards in orders.services.lifecycle); this module
records the payment that must come first.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from orders.errors import OrderError
from orders.models import (
    Fulfilment,
    Order,
    Payment,
    PaymentMethod,
    PaymentState,
    PaymentStatus,
    Provider,
    Status,
)
from orders.payments import paid_amount, save_payment_status
from orders.sales_record import record_payment
from orders.services.lifecycle import check_move, transition_order
from orders.services.locking import lock_order


def record_payment_on_delivery(
    *, order: Order, method: str, by, now: datetime | None = None
) -> Payment | None:
    """The driver or counter employee records the cash or card taken when handing over an order.

    Preconditions: the order is not paid online and not cancelled; `method` is `cash` or `card`.
    Effects: a succeeded payment of what is still due, recorded by `by`; the order is `paid`. Recording an
    order already paid returns its payment (idempotent); an order with nothing to pay records none (None). Errors: OrderError "invalid_method", "paid_online",
    "cancelled".
    """
    if method not in (Provider.CASH, Provider.CARD):
        raise OrderError(_("Choose cash or card."), code="invalid_method")
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_order(order.pk)
        if locked.payment_method == PaymentMethod.ONLINE:
            raise OrderError(_("This order is paid online."), code="paid_online")
        if locked.status == Status.CANCELLED:
            raise OrderError(_("This order is cancelled: there is nothing to pay."), code="cancelled")
        due = locked.total - paid_amount(locked)
        if locked.payment_status == PaymentStatus.PAID or due <= 0:
            # Paid already, or nothing to pay (an order an offer made free: no payment at all, None).
            return locked.payments.filter(status=PaymentState.SUCCEEDED).order_by("created_at").last()
        payment = Payment.objects.create(
            order=locked,
            provider=method,
            amount=due,
            status=PaymentState.SUCCEEDED,
            recorded_by=by,
            succeeded_at=now,
        )
        record_payment(payment=payment, by=by, new=True)
        save_payment_status(locked)
    return payment


def _require_fulfilment(order: Order, fulfilment: str) -> None:
    """Refuse to hand over (or take out) an order fulfilled the other way."""
    if order.fulfilment == fulfilment:
        return
    if fulfilment == Fulfilment.PICKUP:
        raise OrderError(_("This order is delivered, not picked up."), code="not_a_pickup")
    raise OrderError(_("This order is picked up, not delivered."), code="not_a_delivery")


def _take_payment_at_handover(order: Order, payment: str, *, by, now: datetime) -> None:
    """Record the cash or card the customer handed over with an unpaid order (`payment`, required)."""
    if not payment:
        raise OrderError(
            _("Record how the customer paid, cash or card, before handing over the order."),
            code="payment_required",
        )
    record_payment_on_delivery(order=order, method=payment, by=by, now=now)


def hand_over_pickup(
    *, order: Order, by: User | None, payment: str = "", now: datetime | None = None
) -> Order:
    """Hand a ready pick-up over to its customer at the counter, recording what they pay there.

    Preconditions: the order is a pick-up and `ready`; when it is not paid yet, `payment` says how the
    customer paid (`cash` or `card`, orders.models.Provider).
    Effects, in one transaction: the cash or card payment (record_payment_on_delivery) and the move to
    `picked_up` (transition_order), or neither. Handing over an order already picked up is a no-op.
    Errors: OrderError "not_a_pickup" for a delivery, "invalid_transition" when it is not ready,
    "payment_required" when it is unpaid and no payment is given, "invalid_method" for another payment.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_order(order.pk)
        _require_fulfilment(locked, Fulfilment.PICKUP)
        if locked.status == Status.PICKED_UP:
            return locked
        check_move(locked, Status.PICKED_UP)
        if not locked.is_paid:
            _take_payment_at_handover(locked, payment, by=by, now=now)
        return transition_order(order=locked, to=Status.PICKED_UP, by=by, now=now)


def deliver_order(
    *, order: Order, by: User | None, payment: str = "", now: datetime | None = None
) -> tuple[Order, bool]:
    """Hand an order out for delivery over to its customer, recording what the driver collected.

    Preconditions: the order is a delivery and `out_for_delivery`; when it is paid on delivery and not paid
    yet, `payment` says how the customer paid (`cash` or `card`, orders.models.Provider).
    Effects, in one transaction: the cash or card payment (record_payment_on_delivery) and the move to
    `delivered` (transition_order), or neither. Returns (the order, delivered by this call): an order
    already delivered is left alone and gives False.
    Errors: OrderError "not_a_delivery" for a pick-up, "invalid_transition" when it is not out for delivery,
    "payment_required" when it is unpaid and no payment is given (or an online payment is incomplete),
    "invalid_method" for another payment.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_order(order.pk)
        _require_fulfilment(locked, Fulfilment.DELIVERY)
        if locked.status == Status.DELIVERED:
            return locked, False
        check_move(locked, Status.DELIVERED)
        if not locked.is_paid:
            if locked.payment_method == PaymentMethod.ONLINE:
                raise OrderError(
                    _("The online payment of this order is not complete: call the restaurant."),
                    code="payment_required",
                )
            _take_payment_at_handover(locked, payment, by=by, now=now)
        return transition_order(order=locked, to=Status.DELIVERED, by=by, now=now), True


def take_deliveries(*, orders: list[Order], by: User, now: datetime | None = None) -> list[Order]:
    """A driver takes several ready deliveries at once: one trip.

    Preconditions: every order is a delivery of the same restaurant. Effects, in one transaction: each order
    moves to `out_for_delivery` through transition_order, delivered by `by`; all of them or none. The orders
    are locked by id, so two drivers taking overlapping trips never deadlock. An order this driver took
    already stays theirs (idempotent). Returns the orders, by id.
    Errors: OrderError "not_a_delivery", "already_taken" (another driver has it: their name is said),
    "invalid_transition" (not ready yet, or gone).
    """
    now = now or timezone.now()
    taken = []
    with transaction.atomic():
        for order in sorted(orders, key=lambda order: order.pk):
            locked = lock_order(order.pk, with_restaurant=True)
            _require_fulfilment(locked, Fulfilment.DELIVERY)
            if locked.status == Status.OUT_FOR_DELIVERY and locked.delivered_by_id is not None:
                if locked.delivered_by_id == by.pk:
                    taken.append(locked)
                    continue
                driver = locked.delivered_by
                raise OrderError(
                    _("Order %(number)s was already taken by %(name)s.")
                    % {"number": locked.number, "name": driver.display_name},
                    code="already_taken",
                )
            taken.append(transition_order(order=locked, to=Status.OUT_FOR_DELIVERY, by=by, now=now))
    return taken
