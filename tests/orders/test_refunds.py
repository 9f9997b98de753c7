"""Refunds and differences: a cancelled paid order is refunded in full, a smaller change refunds the
difference, a larger change of a paid order is refused, a change while awaiting payment asks Stripe for the
new total; refunds leave after commit with idempotency keys, and Stripe's failures are left for staff.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from orders.models import (
    Payment,
    PaymentState,
    PaymentStatus,
    PendingChange,
    Provider,
    Refund,
    RefundState,
    Status,
)
from orders.payments import paid_amount
from orders.services import LineRequest, cancel_order, confirm_payment, modify_order, transition_order
from restaurants.models import Stock
from tests.orders.stripe_fake import completed_session, event, post_event
from tests.queue import deferred, run_deferred


def margheritas(menu, quantity: int, **more) -> LineRequest:
    return LineRequest(product_id=menu["margherita"].id, quantity=quantity, **more)


@pytest.fixture
def paid(order_for, customer, menu, stripe_api):
    """Two Margheritas (19.00 €) paid through Stripe Checkout."""
    order = order_for(customer, margheritas(menu, 2), payment_method="online")
    payment = order.payments.get()
    Payment.objects.filter(pk=payment.pk).update(provider_reference="cs_test_paid")
    confirm_payment(payment=payment, provider_payment_id="pi_test_paid")
    order.refresh_from_db()
    assert (order.status, order.payment_status) == (Status.RECEIVED, PaymentStatus.PAID)
    return order


def quantities(stock_a) -> dict[str, Decimal]:
    return {name: Stock.objects.get(pk=stock.pk).quantity for name, stock in stock_a.items()}


# ---------- Cancel ----------


def test_cancelling_a_paid_order_refunds_it_in_full_through_the_worker(
    paid, customer, stripe_api, stock_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order=paid, by=customer, reason="Plus faim")

    assert stripe_api.requests == []  # nothing leaves in the request: a job waits for the worker
    [job] = deferred("orders.execute_refund")
    assert job.args == {"refund_id": Refund.objects.get().pk} and job.queue_name == "payments"

    run_deferred()

    [call] = stripe_api.calls("POST", "/v1/refunds")
    refund = Refund.objects.get()
    assert call.form["payment_intent"] == "pi_test_paid"
    assert call.form["amount"] == "1900"
    assert call.form["metadata[refund_id]"] == str(refund.pk)
    assert call.form["metadata[order_number]"] == paid.number
    assert call.header("Idempotency-Key") == refund.idempotency_key != ""
    assert (refund.amount, refund.status) == (Decimal("19.00"), RefundState.SUCCEEDED)
    assert refund.provider_reference.startswith("re_test_")
    paid.refresh_from_db()
    assert (paid.status, paid.payment_status) == (Status.CANCELLED, PaymentStatus.REFUNDED)
    assert quantities(stock_a) == {name: stock.quantity for name, stock in stock_a.items()}


def test_every_refund_has_its_own_idempotency_key(paid, customer, menu, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        modify_order(order=paid, lines=[margheritas(menu, 1)], by=customer)
    run_deferred()
    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order=paid, by=customer)
    run_deferred()

    keys = list(Refund.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == 2 and len(set(keys)) == 2


def test_a_stripe_failure_leaves_the_refund_failed_and_the_order_needing_attention(
    paid, customer, stripe_api, stock_a, django_capture_on_commit_callbacks
):
    stripe_api.fail("POST", "/v1/refunds", status=402, message="charge_already_refunded")

    with django_capture_on_commit_callbacks(execute=True):
        cancelled = cancel_order(order=paid, by=customer)
    run_deferred()

    assert cancelled.status == Status.CANCELLED
    refund = Refund.objects.get()
    assert refund.status == RefundState.FAILED and "charge_already_refunded" in refund.failure_message
    paid.refresh_from_db()
    assert paid.needs_attention
    # Consistent: cancelled, stock back, and the money still shown as held until staff refund it.
    assert (paid.status, paid.payment_status) == (Status.CANCELLED, PaymentStatus.PAID)
    assert paid_amount(paid) == Decimal("19.00")
    assert quantities(stock_a) == {name: stock.quantity for name, stock in stock_a.items()}


def test_a_cancelled_paid_order_page_shows_the_refund(
    client, paid, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order=paid, by=customer)
    run_deferred()
    client.force_login(customer)

    page = client.get(
        reverse("order_tracking", args=[paid.number]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert "Paid online by card (Stripe)" in page
    assert "Refunded" in page and "−19.00\xa0€" in page


# ---------- Modify ----------


def test_a_smaller_change_of_a_paid_order_refunds_the_difference(
    paid, customer, menu, stripe_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        changed = modify_order(order=paid, lines=[margheritas(menu, 1)], by=customer)
    run_deferred()

    assert changed.total == Decimal("9.50")
    [call] = stripe_api.calls("POST", "/v1/refunds")
    assert (call.form["payment_intent"], call.form["amount"]) == ("pi_test_paid", "950")
    refund = Refund.objects.get()
    assert refund.status == RefundState.SUCCEEDED and call.header("Idempotency-Key") == refund.idempotency_key
    paid.refresh_from_db()
    assert (paid.status, paid.payment_status) == (Status.RECEIVED, PaymentStatus.PARTIALLY_REFUNDED)
    assert paid_amount(paid) == paid.total == Decimal("9.50")


def test_a_change_keeping_the_total_moves_no_money(paid, customer, menu, ingredients, stripe_api):
    basil = frozenset({ingredients["Basilic"].id})

    modify_order(order=paid, lines=[margheritas(menu, 2, removed_ids=basil)], by=customer)

    paid.refresh_from_db()
    assert paid.total == Decimal("19.00") and paid.payment_status == PaymentStatus.PAID
    assert not Refund.objects.exists() and paid.payments.count() == 1
    assert stripe_api.requests == []


def test_a_larger_change_of_a_paid_order_waits_for_the_difference_then_applies(
    paid, customer, menu, stripe_api, stock_a, django_capture_on_commit_callbacks
):
    before = quantities(stock_a)

    modify_order(order=paid, lines=[margheritas(menu, 3)], by=customer)

    paid.refresh_from_db()
    assert paid.total == Decimal("19.00") and [line.quantity for line in paid.lines.all()] == [2]
    assert quantities(stock_a) == before
    change = PendingChange.objects.get(order=paid)
    assert change.is_open and change.total == Decimal("28.50")
    assert (change.payment.status, change.payment.amount) == (PaymentState.PENDING, Decimal("9.50"))

    with django_capture_on_commit_callbacks(execute=True):
        confirm_payment(payment=change.payment, provider_payment_id="pi_test_difference")
    run_deferred()

    paid.refresh_from_db()
    change.refresh_from_db()
    assert change.applied_at is not None and change.cancelled_at is None
    assert paid.total == Decimal("28.50") and [line.quantity for line in paid.lines.all()] == [3]
    assert paid.payment_status == PaymentStatus.PAID and paid_amount(paid) == Decimal("28.50")
    assert not Refund.objects.exists()
    assert quantities(stock_a)["Mozzarella"] == before["Mozzarella"] - Decimal("125")


def test_a_difference_paid_once_the_kitchen_started_is_refunded_and_the_order_kept(
    paid, customer, menu, pizzaiolo, stripe_api, stock_a, django_capture_on_commit_callbacks
):
    modify_order(order=paid, lines=[margheritas(menu, 3)], by=customer)
    change = PendingChange.objects.get(order=paid)
    transition_order(order=paid, to=Status.PREPARING, by=pizzaiolo)

    with django_capture_on_commit_callbacks(execute=True):
        confirm_payment(payment=change.payment, provider_payment_id="pi_test_difference")
    run_deferred()

    paid.refresh_from_db()
    change.refresh_from_db()
    assert change.cancelled_at is not None and change.applied_at is None
    assert paid.total == Decimal("19.00") and [line.quantity for line in paid.lines.all()] == [2]
    refund = Refund.objects.get()
    assert (refund.payment_id, refund.amount) == (change.payment_id, Decimal("9.50"))
    assert paid_amount(paid) == Decimal("19.00")


def test_a_newer_change_replaces_one_still_waiting_for_its_payment(paid, customer, menu, stripe_api):
    modify_order(order=paid, lines=[margheritas(menu, 3)], by=customer)
    first = PendingChange.objects.get(order=paid)
    modify_order(order=paid, lines=[margheritas(menu, 4)], by=customer)

    first.refresh_from_db()
    assert first.cancelled_at is not None and first.payment.status == PaymentState.CANCELLED
    second = PendingChange.objects.exclude(pk=first.pk).get()
    assert second.is_open and second.payment.amount == Decimal("19.00")


def test_the_customer_is_sent_to_pay_the_difference_of_a_larger_change(client, paid, customer, stock_a):
    client.force_login(customer)

    response = client.post(
        reverse("order_modify", args=[paid.number]), {"line-0-quantity": "3"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 302
    change = PendingChange.objects.get(order=paid)
    assert change.payment.provider_reference  # a Checkout Session was opened for the difference
    paid.refresh_from_db()
    assert paid.total == Decimal("19.00")


@pytest.fixture
def awaiting(client, order_for, customer, stripe_api):
    """One Margherita (9.50 €) to pay online; the customer opened Stripe's page (session cs_test_1)."""
    order = order_for(customer, payment_method="online")
    client.force_login(customer)
    client.post(reverse("order_pay", args=[order.number]))
    assert order.payments.get().provider_reference == "cs_test_1"
    return order


def test_a_larger_change_while_awaiting_payment_asks_stripe_for_the_new_total(
    client, awaiting, customer, menu, stripe_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        modify_order(order=awaiting, lines=[margheritas(menu, 2)], by=customer)
    run_deferred()

    old = awaiting.payments.get(provider_reference="cs_test_1")
    new = awaiting.payments.get(status=PaymentState.PENDING)
    assert old.status == PaymentState.CANCELLED
    assert len(stripe_api.calls("POST", "/v1/checkout/sessions/cs_test_1/expire")) == 1  # voided after commit
    assert (new.amount, new.provider) == (Decimal("19.00"), Provider.STRIPE)

    response = client.post(reverse("order_pay", args=[awaiting.number]))

    first, second = stripe_api.calls("POST", "/v1/checkout/sessions")
    assert response["Location"] == stripe_api.sessions["cs_test_2"]["url"]
    assert second.header("Idempotency-Key") == f"checkout-{new.pk}" != first.header("Idempotency-Key")
    assert (
        second.form["line_items[0][price_data][unit_amount]"],
        second.form["line_items[0][quantity]"],
    ) == (
        "950",
        "2",
    )
    assert stripe_api.sessions["cs_test_2"]["amount_total"] == 1900

    with django_capture_on_commit_callbacks(execute=True):
        post_event(
            client, event("checkout.session.completed", completed_session("cs_test_2", amount_cents=1900))
        )
    run_deferred()

    awaiting.refresh_from_db()
    assert (awaiting.status, awaiting.payment_status) == (Status.RECEIVED, PaymentStatus.PAID)
    assert paid_amount(awaiting) == Decimal("19.00")


def test_the_replaced_session_paid_anyway_is_refunded_in_full(
    client, awaiting, customer, menu, stripe_api, django_capture_on_commit_callbacks
):
    stripe_api.fail("POST", "/v1/checkout/sessions/cs_test_1/expire", message="already complete")
    with django_capture_on_commit_callbacks(execute=True):
        modify_order(order=awaiting, lines=[margheritas(menu, 2)], by=customer)
    run_deferred()

    with django_capture_on_commit_callbacks(execute=True):
        post_event(
            client,
            event(
                "checkout.session.completed",
                completed_session("cs_test_1", amount_cents=950, payment_intent="pi_old"),
            ),
        )
    run_deferred()

    [call] = stripe_api.calls("POST", "/v1/refunds")
    assert (call.form["payment_intent"], call.form["amount"]) == ("pi_old", "950")
    awaiting.refresh_from_db()
    # The order still waits for its new total; the old amount went back.
    assert (awaiting.status, awaiting.payment_status) == (Status.AWAITING_PAYMENT, PaymentStatus.PENDING)
    assert paid_amount(awaiting) == Decimal("0")


def test_a_second_checkout_paid_after_the_first_is_refunded_and_was_voided(
    client, order_for, customer, stripe_api, django_capture_on_commit_callbacks
):
    order = order_for(customer, payment_method="online")
    first = order.payments.get()
    Payment.objects.filter(pk=first.pk).update(provider_reference="cs_test_a")
    second = Payment.objects.create(
        order=order, provider=Provider.STRIPE, amount=order.total, provider_reference="cs_test_b"
    )
    stripe_api.sessions["cs_test_b"] = {"id": "cs_test_b", "object": "checkout.session", "status": "open"}

    with django_capture_on_commit_callbacks(execute=True):
        post_event(
            client, event("checkout.session.completed", completed_session("cs_test_a", amount_cents=950))
        )
    run_deferred()

    second.refresh_from_db()
    assert second.status == PaymentState.CANCELLED
    assert len(stripe_api.calls("POST", "/v1/checkout/sessions/cs_test_b/expire")) == 1

    with django_capture_on_commit_callbacks(execute=True):
        post_event(
            client,
            event(
                "checkout.session.completed",
                completed_session("cs_test_b", amount_cents=950, payment_intent="pi_b"),
            ),
        )
    run_deferred()

    [call] = stripe_api.calls("POST", "/v1/refunds")
    assert (call.form["payment_intent"], call.form["amount"]) == ("pi_b", "950")
    order.refresh_from_db()
    assert order.status == Status.RECEIVED and paid_amount(order) == order.total


def test_the_demo_provider_refunds_a_smaller_change_at_once(
    order_for, customer, menu, settings, django_capture_on_commit_callbacks
):
    settings.STRIPE_SECRET_KEY = ""
    settings.DEMO_PAYMENTS = True
    order = order_for(customer, margheritas(menu, 2), payment_method="online")
    confirm_payment(payment=order.payments.get(), provider_payment_id="demo_pi_1")

    with django_capture_on_commit_callbacks(execute=True):
        modify_order(order=order, lines=[margheritas(menu, 1)], by=customer)
    run_deferred()

    refund = Refund.objects.get()
    assert (refund.amount, refund.status) == (Decimal("9.50"), RefundState.SUCCEEDED)
    assert refund.provider_reference == f"demo_re_{refund.pk}"
