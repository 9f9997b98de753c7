"""`manage.py expire_unpaid_orders`: online orders left unpaid past their deadline are cancelled and give
their stock back; idempotent, with a dry run; paid, fresh and pay-on-delivery orders are left alone."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from orders.models import OrderStatusChange, Payment, PaymentState, PaymentStatus, Status
from orders.services import confirm_payment, expire_unpaid_orders
from restaurants.models import MovementReason, Stock
from tests.orders.stripe_fake import fake_stripe
from tests.queue import deferred, run_deferred


def run(*args) -> str:
    out = StringIO()
    call_command("expire_unpaid_orders", *args, stdout=out)
    return out.getvalue()


def quantities(stock_a) -> dict[str, Decimal]:
    return {name: Stock.objects.get(pk=stock.pk).quantity for name, stock in stock_a.items()}


@pytest.fixture
def late(time_machine, noon):
    """Half past twelve and a minute: an online order placed at noon is past its 30-minute deadline."""

    def move():
        time_machine.move_to(noon + timedelta(minutes=31), tick=False)

    return move


def test_an_online_order_unpaid_past_its_deadline_is_cancelled_and_its_stock_comes_back(
    order_for, customer, stock_a, late
):
    order = order_for(customer, payment_method="online")
    assert quantities(stock_a)["Mozzarella"] == Decimal("375")
    late()

    output = run()

    assert f"Cancelled {order.number}" in output and "Cancelled 1 unpaid order(s)." in output
    order.refresh_from_db()
    assert (order.status, order.payment_status) == (Status.CANCELLED, PaymentStatus.UNPAID)
    assert order.payments.get().status == PaymentState.CANCELLED
    change = OrderStatusChange.objects.get(order=order, to_status=Status.CANCELLED)
    assert change.from_status == Status.AWAITING_PAYMENT and change.actor is None
    assert quantities(stock_a) == {name: stock.quantity for name, stock in stock_a.items()}
    assert order.stock_movements.filter(reason=MovementReason.ORDER_CANCELLED).exists()


def test_running_it_again_changes_nothing(order_for, customer, stock_a, late):
    order = order_for(customer, payment_method="online")
    late()
    run()
    after_first = quantities(stock_a)

    output = run()

    assert "Cancelled 0 unpaid order(s)." in output
    assert quantities(stock_a) == after_first
    assert OrderStatusChange.objects.filter(order=order, to_status=Status.CANCELLED).count() == 1


def test_a_dry_run_lists_the_orders_and_changes_nothing(order_for, customer, stock_a, late):
    order = order_for(customer, payment_method="online")
    before = quantities(stock_a)
    late()

    output = run("--dry-run")

    assert f"Would cancel {order.number}" in output and "Would cancel 1 unpaid order(s)." in output
    order.refresh_from_db()
    assert order.status == Status.AWAITING_PAYMENT
    assert quantities(stock_a) == before


def test_orders_still_in_time_paid_or_paid_on_delivery_are_left_alone(
    order_for, customer, menu, stock_a, noon, time_machine
):
    fresh = order_for(customer, payment_method="online", now=noon + timedelta(minutes=10))
    paid = order_for(customer, payment_method="online")
    confirm_payment(payment=paid.payments.get())
    cash = order_for(customer)
    time_machine.move_to(noon + timedelta(minutes=35), tick=False)

    assert expire_unpaid_orders(now=noon + timedelta(minutes=35)) == []

    for order in (fresh, paid, cash):
        order.refresh_from_db()
    assert fresh.status == Status.AWAITING_PAYMENT
    assert paid.status == cash.status == Status.RECEIVED


def test_the_deadline_itself_counts_as_past(order_for, customer, noon):
    order = order_for(customer, payment_method="online")

    assert expire_unpaid_orders(now=order.payment_expires_at - timedelta(seconds=1)) == []
    assert expire_unpaid_orders(now=order.payment_expires_at) == [order.number]


def test_an_expired_order_has_its_stripe_session_closed_by_the_worker(order_for, customer, settings, late):
    with fake_stripe(settings) as stripe_api:
        order = order_for(customer, payment_method="online")
        Payment.objects.filter(order=order).update(provider_reference="cs_test_open")
        stripe_api.sessions["cs_test_open"] = {
            "id": "cs_test_open",
            "object": "checkout.session",
            "status": "open",
        }
        late()

        run()
        assert stripe_api.requests == []  # the worker closes it: a job deferred with the cancellation
        [job] = deferred("orders.void_checkout")
        assert job.args == {"payment_id": order.payments.get().pk}
        run_deferred()

        assert len(stripe_api.calls("POST", "/v1/checkout/sessions/cs_test_open/expire")) == 1
        assert stripe_api.sessions["cs_test_open"]["status"] == "expired"
    order.refresh_from_db()
    assert order.status == Status.CANCELLED
