"""Changing an order's lines while the kitchen has not started: stock, totals, oven slot and money follow.

A change of a paid online order that lowers its total is applied and the difference refunded; one that
raises it is never applied unpaid: it is kept as a PendingChange with a pending payment of the difference,
applied by orders.services.confirm_payment once that payment is confirmed (apply_pending_change), or its
payment refunded when the change can no longer be made. A change left unpaid is given up by the worker
(abandon_pending_changes, every minute) once it can no longer be paid for or applied.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from offers.models import PromoCode
from orders import notifications
from orders.errors import OrderError
from orders.models import (
    CUSTOMER_EDITABLE_STATUSES,
    Fulfilment,
    Order,
    OrderStatusChange,
    PaymentState,
    PendingChange,
    Status,
)
from orders.payments import cancel_payment, paid_amount, save_payment_status, start_online_payment
from orders.sales_record import record_modification
from orders.services.lines import write_lines
from orders.services.locking import lock_order, lock_restaurant
from orders.services.placement import PAYMENT_WINDOW, check_minimum_order
from orders.services.pricing import LineRequest, PricedLine, oven_items, price_lines, subtotal_of
from orders.services.promotions import Totals, discount_again, totals_for
from orders.services.refunds import refund_order_after_commit, refund_payment_after_commit
from orders.services.reservation import adjust_stock, check_stock_without_changing_it, stock_changes_for
from orders.services.rewards import RewardRefused, reward_discount, reward_spent_on
from orders.services.scheduling import schedule_order
from restaurants.models import Restaurant


def modify_order(
    *, order: Order, lines: Sequence[LineRequest], by: User | None, now: datetime | None = None
) -> Order:
    """Replace an order's lines while it is `awaiting_payment` or `received`.

    The stock follows the difference (`order_modified` movements), the totals are recomputed and the oven
    slot re-checked. When an online order's total changes (settle_difference_after_commit): awaiting
    payment, its checkout asks for the new total; paid, a fall is refunded, and a rise is not applied
    but kept as a PendingChange with a payment of the difference, applied by confirm_payment once paid
    (apply_pending_change); an unpaid online order is never brought to 0 € (nothing to pay online: an
    OrderError). Raises OrderError("too_late") once preparation started,
    ProductUnavailable when the new lines cannot be made; nothing changes when it raises.
    """
    now = now or timezone.now()
    priced = price_lines(lines)
    subtotal = subtotal_of(priced)
    with transaction.atomic():
        restaurant = lock_restaurant(order.restaurant_id)
        locked = lock_order(order.pk)
        _check_still_changeable(locked, restaurant, subtotal)
        _reschedule(locked, restaurant, priced, now)
        changes = stock_changes_for(locked, priced)
        # Any change still waiting for its payment is replaced by this one.
        _cancel_open_pending_changes(locked)
        promo, totals = _totals_again(locked, priced)
        if locked.is_paid_online and locked.status == Status.AWAITING_PAYMENT and totals.total <= 0:
            raise OrderError(
                _(
                    "Nothing would be left to pay online: your offer would cover the whole order. Keep more "
                    "products, or cancel this order and order again paying on pick-up or delivery."
                ),
                code="nothing_to_pay_online",
            )
        owed = totals.total - paid_amount(locked)
        if locked.is_paid_online and locked.status != Status.AWAITING_PAYMENT and owed > 0:
            # Paid, and the total rises: the change waits for the payment of the difference.
            check_stock_without_changing_it(restaurant, changes, priced)
            PendingChange.objects.create(
                order=locked,
                payment=start_online_payment(order=locked, amount=owed),
                lines=[line.to_dict() for line in lines],
                total=totals.total,
                requested_by=by,
            )
            return locked
        adjust_stock(order=locked, restaurant=restaurant, changes=changes, lines=priced, by=by)
        _replace_lines(locked, priced, totals=totals, promo=promo, by=by)
        notifications.defer_modification(locked)
    return locked


def _check_still_changeable(order: Order, restaurant: Restaurant, subtotal: Decimal) -> None:
    """Under the order's lock: the kitchen has not started, and a delivery still reaches the minimum."""
    if order.status not in CUSTOMER_EDITABLE_STATUSES:
        raise OrderError(
            _("This order is already being prepared and can no longer be changed."), code="too_late"
        )
    if order.fulfilment == Fulfilment.DELIVERY:
        check_minimum_order(restaurant, subtotal)


def _reschedule(order: Order, restaurant: Restaurant, priced: Sequence[PricedLine], now: datetime) -> None:
    """Book the oven slot again for the new lines (the order's own pizzas left out of the count)."""
    if order.requested_time is None and order.due_at is None:
        return
    try:
        order.due_at = schedule_order(
            restaurant=restaurant,
            fulfilment=order.fulfilment,
            requested_time=order.requested_time,
            pizzas=oven_items(priced),
            now=now,
            exclude=order,
        )
    except OrderError:
        # Keeping its slot is fine when the slot is still in the future: it was booked already.
        if order.due_at is None or order.due_at < now:
            raise


def _totals_again(order: Order, priced: Sequence[PricedLine]) -> tuple[PromoCode | None, Totals]:
    """The new lines' totals with the order's promo code applied again (its minimum and the lines it
    concerns checked, not its dates or uses: spent when the order was placed). New lines that no longer
    qualify remove the offer (the code's use is given back) and, for a free delivery, bring the fee back: the
    fee waived when the order was placed (`Order.delivery_fee_waived`), whatever the restaurant's fee is now."""
    if order.promo_code_id is None and order.discount > 0:
        return None, _reward_again(order, priced)
    promo = order.promo_code
    discount = discount_again(promo, priced)
    # The fee as placed: one of the two is 0 (order_delivery_fee_waived_only_when_free).
    fee = order.delivery_fee + order.delivery_fee_waived
    return (promo if discount is not None else None), totals_for(priced, delivery_fee=fee, discount=discount)


def _reward_again(order: Order, priced: Sequence[PricedLine]) -> Totals:
    """The new lines' totals with the loyalty reward spent on the order taken off again (its points stay
    spent). Raises OrderError("reward_nothing_covered") when the new lines hold nothing it covers: keep such a
    product, or cancel the order (which gives the points back)."""
    reward = reward_spent_on(order)
    if reward is None:
        return totals_for(priced, delivery_fee=order.delivery_fee, discount=None)
    try:
        discount = reward_discount(reward, priced)
    except RewardRefused as refused:
        raise OrderError(
            _("%(reason)s Keep one, or cancel the order to get your points back.")
            % {"reason": refused.message},
            code=f"reward_{refused.code}",
        ) from refused
    return totals_for(priced, delivery_fee=order.delivery_fee, discount=discount)


def _replace_lines(
    order: Order, priced: Sequence[PricedLine], *, totals: Totals, promo: PromoCode | None, by: User | None
) -> None:
    """The new lines and totals, a line in the history, and the money settled when the total changed."""
    previous_total = order.total
    order.lines.all().delete()
    write_lines(order, priced, discounts=totals.parts)
    totals.set_on(order, promo)
    order.save(update_fields=[*Totals.ORDER_FIELDS, "due_at", "updated_at"])
    OrderStatusChange.objects.create(
        order=order,
        from_status=order.status,
        to_status=order.status,
        actor=by,
        reason=_("Order modified"),
    )
    record_modification(order=order, by=by)
    Restaurant.raise_board_version(order.restaurant_id)
    if order.total != previous_total and order.is_paid_online:
        # Awaiting payment: the checkout is re-priced. Paid: a fall is refunded (a rise never gets here:
        # it waits as a PendingChange).
        settle_difference_after_commit(order, previous_total=previous_total)


def settle_difference_after_commit(order: Order, *, previous_total: Decimal) -> None:
    """After an online order's total changed (called by modify_order, which holds the order's row lock).

    - Still awaiting payment: its pending checkout was for the old total, so it is cancelled (and voided at
      the provider after commit) and a new pending payment asks for the new total.
    - Paid and the total fell: the difference is refunded after commit.
    - Paid and the total rose: never applied directly; modify_order keeps such a change as a PendingChange
      until its difference is paid. Reaching this branch is a bug: OrderError "paid_total_rises" rolls back.
    """
    if order.status == Status.AWAITING_PAYMENT:
        pending = list(order.payments.filter(status=PaymentState.PENDING))
        for payment in pending:
            cancel_payment(payment)
        if pending:
            start_online_payment(order=order)
        save_payment_status(order)
        return
    held = paid_amount(order)
    if order.total < held:
        refund_order_after_commit(order, amount=held - order.total, reason=_("Order modified"))
    elif order.total > held:
        raise OrderError(
            _(
                "Your order is already paid, so a change cannot raise its total. You can remove products or "
                "swap them for ones that cost the same or less; to add more, place another order."
            ),
            code="paid_total_rises",
        )


def _cancel_open_pending_changes(order: Order, *, now: datetime | None = None) -> None:
    for change in order.pending_changes.filter(applied_at=None, cancelled_at=None).select_related("payment"):
        change.cancelled_at = now or timezone.now()
        change.save(update_fields=["cancelled_at"])
        if change.payment.status == PaymentState.PENDING:
            cancel_payment(change.payment)


def open_pending_change(order: Order) -> PendingChange | None:
    """The change of a paid order waiting for the payment of its difference, if any."""
    return (
        order.pending_changes.filter(applied_at=None, cancelled_at=None, payment__status=PaymentState.PENDING)
        .select_related("payment")
        .first()
    )


def apply_pending_change(*, change: PendingChange, now: datetime | None = None) -> bool:
    """Apply a change whose difference has just been paid (called by confirm_payment, in its transaction).

    Effects: the order's lines, stock and totals follow the change (modify_order). When the change can no
    longer be made (the kitchen started, a product ran out), it is cancelled and its payment refunded
    after commit. Returns whether it was applied.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            modify_order(
                order=change.order,
                lines=[LineRequest.from_dict(raw) for raw in change.lines],
                by=change.requested_by,
                now=now,
            )
    except OrderError as error:
        PendingChange.objects.filter(pk=change.pk).update(cancelled_at=now)
        refund_payment_after_commit(change.payment, reason=error.message)
        return False
    # modify_order cancelled the open changes, this one included: it is the one applied.
    PendingChange.objects.filter(pk=change.pk).update(applied_at=now, cancelled_at=None)
    return True


def abandon_pending_changes(*, now: datetime) -> list[int]:
    """Give up the changes of paid orders left waiting for their difference; run every minute by the
    worker (orders.tasks). Returns the changes given up.

    A change is abandoned when its difference was not paid within PAYMENT_WINDOW (the time an order is
    given to be paid), when its payment is no longer pending (declined, or its checkout expired at the
    provider), or when the order can no longer be changed (the kitchen started, or it was cancelled). Effects,
    for each, under the order's lock and after checking again that it is still open: the change is
    cancelled, its pending payment cancelled and its checkout voided at the provider (by the worker), the
    order's payment status recomputed. A payment still made afterwards is refunded (confirm_payment).
    Idempotent: a second run finds nothing. Errors: none of its own.
    """
    due = (
        PendingChange.objects.filter(applied_at=None, cancelled_at=None)
        .filter(
            Q(created_at__lte=now - PAYMENT_WINDOW)
            | ~Q(payment__status=PaymentState.PENDING)
            | ~Q(order__status__in=CUSTOMER_EDITABLE_STATUSES)
        )
        .order_by("pk")
        .values_list("pk", "order_id")
    )
    abandoned = []
    for pk, order_id in list(due):
        with transaction.atomic():
            order = lock_order(order_id)
            change = PendingChange.objects.select_related("payment").filter(pk=pk).first()
            if change is None or not change.is_open:
                continue
            change.cancelled_at = now
            change.save(update_fields=["cancelled_at"])
            if change.payment.status == PaymentState.PENDING:
                cancel_payment(change.payment)
            save_payment_status(order)
        abandoned.append(pk)
    return abandoned
