from __future__ import annotations

from decimal import Decimal

import pytest

from common.models import AppendOnlyError
from orders.errors import OrderError, ProductUnavailable
from orders.models import OrderStatusChange, PaymentStatus, Status
from orders.services import (
    LineRequest,
    cancel_order,
    confirm_payment,
    deliver_order,
    modify_order,
    record_payment_on_delivery,
    transition_order,
)
from restaurants.models import MovementReason, Stock
from tests.queue import WorkerOutbox, run_deferred

# The emails as the worker sends them: each read runs the jobs deferred so far.
outbox = WorkerOutbox()


def stock_of(stock_a, name):
    return Stock.objects.get(pk=stock_a[name].pk).quantity


def test_an_order_moves_through_the_kitchen_with_a_history(
    order_for, customer, pizzaiolo, django_capture_on_commit_callbacks
):
    order = order_for(customer)
    outbox.clear()  # the confirmation
    with django_capture_on_commit_callbacks(execute=True):
        order = transition_order(order=order, to=Status.PREPARING, by=pizzaiolo)
    run_deferred()
    assert order.status == Status.PREPARING
    assert order.prepared_by == pizzaiolo and order.preparing_at is not None
    assert list(OrderStatusChange.objects.filter(order=order).values_list("from_status", "to_status")) == [
        ("", "received"),
        ("received", "preparing"),
    ]
    assert len(outbox) == 1
    assert order.number in outbox[0].subject
    assert "préparation" in outbox[0].body


def test_a_move_to_the_current_status_is_a_no_op(order_for, customer, pizzaiolo):
    order = order_for(customer)
    transition_order(order=order, to=Status.PREPARING, by=pizzaiolo)
    transition_order(order=order, to=Status.PREPARING, by=pizzaiolo)
    assert OrderStatusChange.objects.filter(order=order).count() == 2


def test_an_orders_history_is_never_changed_or_deleted(order_for, customer):
    change = OrderStatusChange.objects.get(order=order_for(customer))
    reason = change.reason
    change.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        change.save()
    with pytest.raises(AppendOnlyError):
        change.delete()
    assert OrderStatusChange.objects.filter(pk=change.pk, reason=reason).exists()


def test_a_move_the_lifecycle_forbids_is_a_domain_error(order_for, customer, pizzaiolo):
    order = order_for(customer)
    with pytest.raises(OrderError) as error:
        transition_order(order=order, to=Status.DELIVERED, by=pizzaiolo)
    assert error.value.code == "invalid_transition"
    order.refresh_from_db()
    assert order.status == Status.RECEIVED


HAND_OVER = {
    "pickup": ([Status.PREPARING, Status.READY], Status.PICKED_UP),
    "delivery": ([Status.PREPARING, Status.READY, Status.OUT_FOR_DELIVERY], Status.DELIVERED),
}


@pytest.mark.parametrize("fulfilment", ["pickup", "delivery"])
def test_handing_over_needs_the_payment_recorded(
    noon, order_for, customer, menu, pizzaiolo, driver, delivery_to, fulfilment
):
    order = order_for(
        customer,
        LineRequest(product_id=menu["margherita"].id, quantity=2),
        fulfilment=fulfilment,
        address=delivery_to if fulfilment == "delivery" else None,
    )
    before, handed_over = HAND_OVER[fulfilment]
    for status in before:
        transition_order(order=order, to=status, by=pizzaiolo)
    with pytest.raises(OrderError) as error:
        transition_order(order=order, to=handed_over, by=driver)
    assert error.value.code == "payment_required"
    if fulfilment == "delivery":
        with pytest.raises(OrderError) as error:
            deliver_order(order=order, by=driver)
        assert error.value.code == "payment_required"
    order.refresh_from_db()
    assert (order.status, order.payment_status) == (before[-1], PaymentStatus.UNPAID)
    assert not order.payments.exists()
    payment = record_payment_on_delivery(order=order, method="cash", by=driver)
    assert payment.amount == order.total
    order = transition_order(order=order, to=handed_over, by=driver)
    assert (order.status, order.payment_status) == (handed_over, PaymentStatus.PAID)


def test_cancelling_before_preparation_gives_the_stock_back(
    order_for, customer, menu, stock_a, django_capture_on_commit_callbacks
):
    order = order_for(customer, LineRequest(product_id=menu["regina"].id, quantity=2))
    assert stock_of(stock_a, "Jambon") == 0
    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order=order, by=customer, reason="Changement de programme")
    run_deferred()
    assert stock_of(stock_a, "Jambon") == Decimal("120")
    assert stock_of(stock_a, "Mozzarella") == Decimal("500")
    assert order.stock_movements.filter(reason=MovementReason.ORDER_CANCELLED).count() == 4 + 1
    assert "annulée" in outbox[-1].body


def test_a_customer_cannot_cancel_once_preparation_started(order_for, customer, pizzaiolo, stock_a):
    order = order_for(customer)
    transition_order(order=order, to=Status.PREPARING, by=pizzaiolo)
    with pytest.raises(OrderError) as error:
        cancel_order(order=order, by=customer)
    assert error.value.code == "too_late"
    order.refresh_from_db()
    assert order.status == Status.PREPARING


def test_a_failed_delivery_is_cancelled_by_staff_with_a_reason_and_no_stock_back(
    order_for, customer, menu, delivery_to, pizzaiolo, driver, stock_a
):
    order = order_for(
        customer,
        LineRequest(product_id=menu["regina"].id, quantity=2),
        fulfilment="delivery",
        address=delivery_to,
    )
    for status in (Status.PREPARING, Status.READY, Status.OUT_FOR_DELIVERY):
        transition_order(order=order, to=status, by=driver)
    with pytest.raises(OrderError) as error:
        cancel_order(order=order, by=driver, by_customer=False)
    assert error.value.code == "reason_required"
    cancel_order(order=order, by=driver, reason="Client absent", by_customer=False)
    order.refresh_from_db()
    assert order.status == Status.CANCELLED
    assert stock_of(stock_a, "Jambon") == 0


def test_modifying_adjusts_the_stock_by_the_difference(order_for, customer, menu, stock_a):
    order = order_for(customer, LineRequest(product_id=menu["margherita"].id, quantity=2))
    assert stock_of(stock_a, "Mozzarella") == Decimal("250")
    order = modify_order(
        order=order,
        lines=[LineRequest(product_id=menu["regina"].id, quantity=1)],
        by=customer,
    )
    assert order.total == Decimal("12.00")
    assert stock_of(stock_a, "Mozzarella") == Decimal("375")
    assert stock_of(stock_a, "Jambon") == Decimal("60")
    assert [line.product_name for line in order.lines.all()] == ["Regina"]
    assert order.stock_movements.filter(reason=MovementReason.ORDER_MODIFIED).exists()


def test_a_modification_that_cannot_be_made_changes_nothing(order_for, customer, menu, stock_a):
    order = order_for(customer, LineRequest(product_id=menu["margherita"].id, quantity=1))
    with pytest.raises(ProductUnavailable):
        modify_order(order=order, lines=[LineRequest(product_id=menu["regina"].id, quantity=3)], by=customer)
    order.refresh_from_db()
    assert [line.product_name for line in order.lines.all()] == ["Margherita"]
    assert stock_of(stock_a, "Mozzarella") == Decimal("375")


def test_a_modification_is_refused_once_preparation_started(order_for, customer, menu, pizzaiolo):
    order = order_for(customer)
    transition_order(order=order, to=Status.PREPARING, by=pizzaiolo)
    with pytest.raises(OrderError) as error:
        modify_order(order=order, lines=[LineRequest(product_id=menu["regina"].id, quantity=1)], by=customer)
    assert error.value.code == "too_late"


def test_a_confirmed_online_payment_makes_the_order_received_once(
    order_for, customer, django_capture_on_commit_callbacks
):
    order = order_for(customer, payment_method="online")
    payment = order.payments.get()
    with django_capture_on_commit_callbacks(execute=True):
        confirm_payment(payment=payment)
        confirm_payment(payment=payment)
    run_deferred()
    order.refresh_from_db()
    assert (order.status, order.payment_status) == (Status.RECEIVED, PaymentStatus.PAID)
    assert OrderStatusChange.objects.filter(order=order, to_status=Status.RECEIVED).count() == 1
    assert len(outbox) == 1 and "confirm" in outbox[0].subject.lower()


def test_cancelling_a_paid_order_refunds_it(order_for, customer, django_capture_on_commit_callbacks):
    order = order_for(customer, payment_method="online")
    confirm_payment(payment=order.payments.get())
    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order=order, by=customer)
    run_deferred()
    order.refresh_from_db()
    refund = order.payments.get().refunds.get()
    assert (refund.amount, refund.status) == (order.total, "succeeded")
    assert order.payment_status == PaymentStatus.REFUNDED


def test_a_payment_confirmed_after_cancellation_is_refunded(
    order_for, customer, django_capture_on_commit_callbacks
):
    order = order_for(customer, payment_method="online")
    payment = order.payments.get()
    cancel_order(order=order, by=customer)
    with django_capture_on_commit_callbacks(execute=True):
        confirm_payment(payment=payment)
    run_deferred()
    order.refresh_from_db()
    assert order.status == Status.CANCELLED
    assert payment.refunds.get().status == "succeeded"
    assert order.payment_status == PaymentStatus.REFUNDED


def test_a_pickup_never_goes_out_for_delivery_and_a_delivery_is_never_picked_up(
    order_for, customer, menu, delivery_to, pizzaiolo
):
    pickup = order_for(customer)
    delivery = order_for(
        customer,
        LineRequest(product_id=menu["margherita"].id, quantity=2),
        fulfilment="delivery",
        address=delivery_to,
    )
    for order in (pickup, delivery):
        for status in (Status.PREPARING, Status.READY):
            transition_order(order=order, to=status, by=pizzaiolo)
    with pytest.raises(OrderError) as error:
        transition_order(order=pickup, to=Status.OUT_FOR_DELIVERY, by=pizzaiolo)
    assert error.value.code == "invalid_transition"
    record_payment_on_delivery(order=delivery, method="cash", by=pizzaiolo)
    with pytest.raises(OrderError) as error:
        transition_order(order=delivery, to=Status.PICKED_UP, by=pizzaiolo)
    assert error.value.code == "invalid_transition"


def test_plain_text_emails_are_not_html_escaped(
    order_for, customer, pizzaiolo, django_capture_on_commit_callbacks
):
    customer.first_name, customer.last_name = "Séan", "O'Brien"
    customer.save()
    order = order_for(customer)
    with django_capture_on_commit_callbacks(execute=True):
        transition_order(order=order, to=Status.PREPARING, by=pizzaiolo)
    assert "O'Brien" in outbox[-1].body
