"""Rules of ordering that nothing else pinned: a cancelled paid delivery refunds its fee too, orders share an
oven slot up to its capacity exactly, the minimum for delivery is compared with the subtotal, and every status
change emails the customer.

Each test freezes the clock first (`noon`, a Monday at noon: restaurant A is open), then builds its world.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from menu.models import Product
from orders.errors import OrderError
from orders.models import Order, Payment, PaymentStatus, Refund, RefundState, Status
from orders.payments import paid_amount
from orders.services import (
    LineRequest,
    cancel_order,
    confirm_payment,
    record_payment_on_delivery,
    transition_order,
)
from tests.orders.stripe_fake import fake_stripe
from tests.queue import WorkerOutbox, run_deferred

# The emails as the worker sends them: each read runs the jobs deferred so far.
outbox = WorkerOutbox()


def margheritas(menu, quantity: int) -> LineRequest:
    return LineRequest(product_id=menu["margherita"].id, quantity=quantity)


# ---------- A cancelled paid delivery ----------


def test_cancelling_a_paid_delivery_refunds_everything_paid_delivery_fee_included(
    noon, settings, order_for, customer, menu, restaurant_a, delivery_to, django_capture_on_commit_callbacks
):
    with fake_stripe(settings) as stripe_api:
        order = order_for(
            customer,
            margheritas(menu, 2),
            fulfilment="delivery",
            address=delivery_to,
            payment_method="online",
        )
        assert (order.subtotal, order.delivery_fee, order.total) == (
            Decimal("19.00"),
            restaurant_a.delivery_fee,
            Decimal("19.00") + restaurant_a.delivery_fee,
        )
        payment = order.payments.get()
        Payment.objects.filter(pk=payment.pk).update(provider_reference="cs_test_delivery")
        confirm_payment(payment=payment, provider_payment_id="pi_test_delivery")

        with django_capture_on_commit_callbacks(execute=True):
            cancel_order(order=order, by=customer, reason="Plus faim")
        run_deferred()

        [call] = stripe_api.calls("POST", "/v1/refunds")
    assert (call.form["payment_intent"], call.form["amount"]) == ("pi_test_delivery", "2150")
    refund = Refund.objects.get()
    assert (refund.amount, refund.status) == (Decimal("21.50"), RefundState.SUCCEEDED)
    order.refresh_from_db()
    assert (order.status, order.payment_status) == (Status.CANCELLED, PaymentStatus.REFUNDED)
    assert paid_amount(order) == Decimal("0")


# ---------- The oven's capacity ----------


def test_orders_that_fill_an_oven_slot_exactly_share_it_and_one_more_pizza_goes_to_the_next(
    noon, order_for, customer, menu, restaurant_a
):
    restaurant_a.pizzas_per_slot = 3
    restaurant_a.save(update_fields=["pizzas_per_slot"])
    first_slot = noon + timedelta(minutes=restaurant_a.preparation_minutes)

    one = order_for(customer, margheritas(menu, 1))
    two = order_for(customer, margheritas(menu, 2))  # 1 + 2 = the capacity exactly
    three = order_for(customer, margheritas(menu, 1))

    assert one.due_at == two.due_at == first_slot
    assert three.due_at == first_slot + timedelta(minutes=15)
    with pytest.raises(OrderError) as error:
        order_for(customer, margheritas(menu, 1), requested_time=first_slot)
    assert error.value.code == "fully_booked"


def test_a_requested_slot_takes_pizzas_up_to_its_capacity_exactly(
    noon, order_for, customer, menu, restaurant_a
):
    restaurant_a.pizzas_per_slot = 3
    restaurant_a.save(update_fields=["pizzas_per_slot"])
    later = noon + timedelta(hours=2)

    first = order_for(customer, margheritas(menu, 2), requested_time=later)
    second = order_for(customer, margheritas(menu, 1), requested_time=later)

    assert first.due_at == second.due_at == later
    with pytest.raises(OrderError) as error:
        order_for(customer, margheritas(menu, 1), requested_time=later)
    assert error.value.code == "fully_booked"


# ---------- The minimum for delivery ----------


@pytest.mark.parametrize(("unit_price", "accepted"), [("7.00", False), ("7.50", True)])
def test_the_minimum_for_delivery_is_compared_with_the_subtotal_not_the_total(
    noon, order_for, customer, menu, restaurant_a, delivery_to, unit_price, accepted
):
    assert (restaurant_a.minimum_order, restaurant_a.delivery_fee) == (Decimal("15.00"), Decimal("2.50"))
    Product.objects.filter(pk=menu["margherita"].pk).update(price=Decimal(unit_price))

    def place():
        return order_for(customer, margheritas(menu, 2), fulfilment="delivery", address=delivery_to)

    if accepted:  # 15.00 € of pizzas: the minimum exactly
        assert place().subtotal == Decimal("15.00")
    else:  # 14.00 € of pizzas, 16.50 € with the fee: still below the minimum
        with pytest.raises(OrderError) as error:
            place()
        assert error.value.code == "below_minimum"
        assert not Order.objects.exists()


# ---------- Emails ----------

# Each move of the lifecycle, with the moves that lead to it, per fulfilment and payment.
TRANSITIONS = [
    ("pickup", "cash_on_delivery", [], Status.PREPARING),
    ("pickup", "cash_on_delivery", [Status.PREPARING], Status.READY),
    ("pickup", "cash_on_delivery", [Status.PREPARING, Status.READY], Status.PICKED_UP),
    ("pickup", "cash_on_delivery", [], Status.CANCELLED),
    ("delivery", "cash_on_delivery", [Status.PREPARING, Status.READY], Status.OUT_FOR_DELIVERY),
    (
        "delivery",
        "cash_on_delivery",
        [Status.PREPARING, Status.READY, Status.OUT_FOR_DELIVERY],
        Status.DELIVERED,
    ),
    (
        "delivery",
        "cash_on_delivery",
        [Status.PREPARING, Status.READY, Status.OUT_FOR_DELIVERY],
        Status.CANCELLED,
    ),
    ("pickup", "online", [], Status.CANCELLED),  # from awaiting payment
]


@pytest.mark.parametrize(
    ("fulfilment", "payment_method", "before", "to"),
    TRANSITIONS,
    ids=[
        f"{fulfilment}-{before[-1] if before else 'first'}-to-{to}"
        for fulfilment, _, before, to in TRANSITIONS
    ],
)
def test_every_status_change_emails_the_customer_the_new_status(
    noon,
    order_for,
    customer,
    menu,
    pizzaiolo,
    delivery_to,
    django_capture_on_commit_callbacks,
    fulfilment,
    payment_method,
    before,
    to,
):
    address = delivery_to if fulfilment == "delivery" else None
    order = order_for(
        customer, margheritas(menu, 2), fulfilment=fulfilment, address=address, payment_method=payment_method
    )
    for status in before:
        order = transition_order(order=order, to=status, by=pizzaiolo)
    if to in (Status.PICKED_UP, Status.DELIVERED):
        record_payment_on_delivery(order=order, method="cash", by=pizzaiolo)
    outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        transition_order(order=order, to=to, by=pizzaiolo, reason="Client injoignable")
    run_deferred()

    [email] = outbox
    assert email.to == [customer.email]
    with translation.override(order.language):
        assert email.subject == f"Commande {order.number} : {Status(to).label}"


def test_a_confirmed_online_payment_emails_the_confirmation(
    noon, order_for, customer, menu, django_capture_on_commit_callbacks
):
    order = order_for(customer, payment_method="online")
    outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        confirm_payment(payment=order.payments.get())
    run_deferred()

    [email] = outbox
    assert email.to == [customer.email]
    assert email.subject == f"Votre commande {order.number} chez OC Pizza Lyon Presqu'île est confirmée"
