"""Payments in the worker: a refund is a job deferred in the transaction that decides it, made once whatever
happens, retried with backoff while Stripe does not answer, and reported to the managers when it fails for
good; the scheduled work (expiry, abandoned paid changes, lost refunds) runs every minute in the worker; the
one Stripe call left in a request (the Checkout Session) keeps within its budget.

Stripe is the local fake server (tests/orders/stripe_fake.py); `run_as_the_worker` runs the jobs as the
worker does, rescheduling a failed one by its task's own retry strategy.
"""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob

from orders.models import Payment, PaymentState, PaymentStatus, PendingChange, Refund, RefundState, Status
from orders.services import LineRequest, cancel_order, confirm_payment, modify_order, transition_order
from orders.services.refunds import REFUND_ATTEMPTS, execute_refund, retry_stuck_refunds
from orders.tasks import (
    abandon_unpaid_changes_every_minute,
    expire_unpaid_orders_every_minute,
    retry_stuck_refunds_every_minute,
)
from restaurants.models import Stock
from tests.orders.checkout import shown_fingerprint, terms_accepted
from tests.queue import deferred, run_deferred


@pytest.fixture
def paid(order_for, customer, menu, stripe_api):
    """Two Margheritas (19.00 €) paid through Stripe Checkout."""
    order = order_for(
        customer, LineRequest(product_id=menu["margherita"].id, quantity=2), payment_method="online"
    )
    payment = order.payments.get()
    Payment.objects.filter(pk=payment.pk).update(provider_reference="cs_test_paid")
    confirm_payment(payment=payment, provider_payment_id="pi_test_paid")
    order.refresh_from_db()
    return order


def run_as_the_worker(task_name: str) -> list[tuple[int, str]]:
    """Run the jobs of `task_name` due now, as the worker does: a job that raises is given back to the queue
    by its task's retry strategy (to run again at the time it says), or marked failed when the strategy
    gives up. Returns (job id, "succeeded" | "retry" | "failed") for each run."""
    runs = []
    for job in deferred(task_name):
        task = app.tasks[job.task_name]
        try:
            task(**job.args)
        except Exception as error:  # noqa: BLE001 - what the worker does with any exception
            retry = task.retry_strategy and task.retry_strategy.get_retry_exception(
                exception=error, job=job.procrastinate_job
            )
            with connection.cursor() as cursor:
                if retry:
                    cursor.execute(
                        "UPDATE procrastinate_jobs SET attempts = attempts + 1, scheduled_at = %s WHERE id = %s",
                        [retry.retry_decision.retry_at, job.id],
                    )
                else:
                    cursor.execute("UPDATE procrastinate_jobs SET status = 'failed' WHERE id = %s", [job.id])
            runs.append((job.id, "retry" if retry else "failed"))
            continue
        with connection.cursor() as cursor:
            cursor.execute("UPDATE procrastinate_jobs SET status = 'succeeded' WHERE id = %s", [job.id])
        runs.append((job.id, "succeeded"))
    return runs


def next_run_in(job_id: int) -> float:
    """Seconds from now to the time the job is scheduled to run again."""
    return (ProcrastinateJob.objects.get(pk=job_id).scheduled_at - timezone.now()).total_seconds()


# ---------- In the transaction ----------


def test_a_refund_is_a_job_deferred_in_the_transaction_that_decides_it(paid, customer, stripe_api):
    with pytest.raises(RuntimeError), transaction.atomic():
        cancel_order(order=paid, by=customer, reason="Plus faim")
        assert len(deferred("orders.execute_refund")) == 1
        raise RuntimeError("the request fails after the cancellation")

    # Rolled back with its cause: no refund, no job, nothing asked of Stripe.
    assert not Refund.objects.exists() and deferred("orders.execute_refund") == []
    paid.refresh_from_db()
    assert paid.status == Status.RECEIVED

    cancel_order(order=paid, by=customer, reason="Plus faim")

    [job] = deferred("orders.execute_refund")
    refund = Refund.objects.get()
    assert (job.args, job.lock, job.queue_name) == (
        {"refund_id": refund.pk},
        f"refund-{refund.pk}",
        "payments",
    )
    assert stripe_api.requests == []  # the request never waits on Stripe


# ---------- Once ----------


def test_a_refund_task_run_twice_makes_one_refund(paid, customer, stripe_api):
    cancel_order(order=paid, by=customer)
    [job] = deferred("orders.execute_refund")

    execute_refund(**job.args)
    execute_refund(**job.args)

    assert stripe_api.refunds_made == 1 and len(stripe_api.calls("POST", "/v1/refunds")) == 1
    assert Refund.objects.get().status == RefundState.SUCCEEDED


def test_a_refund_run_again_after_a_crash_before_its_answer_was_recorded_makes_one_refund(
    paid, customer, stripe_api
):
    cancel_order(order=paid, by=customer)
    refund = Refund.objects.get()
    execute_refund(refund_id=refund.pk)
    # The worker died after Stripe refunded and before the answer was saved: the refund looks pending.
    Refund.objects.filter(pk=refund.pk).update(status=RefundState.PENDING, provider_reference="")

    execute_refund(refund_id=refund.pk)

    first, second = stripe_api.calls("POST", "/v1/refunds")
    assert first.header("Idempotency-Key") == second.header("Idempotency-Key") == refund.idempotency_key
    assert stripe_api.refunds_made == 1  # Stripe answered the second call with the first refund
    refund.refresh_from_db()
    assert refund.status == RefundState.SUCCEEDED and refund.attempts == 2


# ---------- Retries ----------


def test_stripe_failing_three_times_then_answering_makes_one_refund_on_the_fourth_try_with_backoff(
    paid, customer, stripe_api, time_machine, noon
):
    stripe_api.fail("POST", "/v1/refunds", status=500, message="Stripe is down", times=3)
    cancel_order(order=paid, by=customer)
    waits = []

    for _try in range(3):
        [(job_id, outcome)] = run_as_the_worker("orders.execute_refund")
        assert outcome == "retry"
        assert deferred("orders.execute_refund") == []  # not before its time
        waits.append(next_run_in(job_id))
        time_machine.move_to(ProcrastinateJob.objects.get(pk=job_id).scheduled_at, tick=False)

    assert run_as_the_worker("orders.execute_refund") == [(job_id, "succeeded")]
    assert waits == [7, 9, 13]  # 5 + 2^n seconds: backing off
    assert len(stripe_api.calls("POST", "/v1/refunds")) == 4 and stripe_api.refunds_made == 1
    refund = Refund.objects.get()
    assert (refund.status, refund.attempts) == (RefundState.SUCCEEDED, 4)
    paid.refresh_from_db()
    assert paid.payment_status == PaymentStatus.REFUNDED and not paid.needs_attention


def test_a_refund_stripe_never_answers_fails_for_good_after_its_last_try_minutes_later(
    paid, customer, manager_a, stripe_api, time_machine, noon
):
    stripe_api.fail("POST", "/v1/refunds", status=503, message="Stripe is down")
    cancel_order(order=paid, by=customer)

    outcomes = []
    while jobs := ProcrastinateJob.objects.filter(task_name="orders.execute_refund", status="todo"):
        time_machine.move_to(jobs.get().scheduled_at or timezone.now(), tick=False)
        outcomes += [outcome for _job, outcome in run_as_the_worker("orders.execute_refund")]

    assert outcomes == ["retry"] * (REFUND_ATTEMPTS - 1) + ["succeeded"]  # the last try records the failure
    assert len(stripe_api.calls("POST", "/v1/refunds")) == REFUND_ATTEMPTS == 9
    assert timedelta(minutes=5) < timezone.now() - noon < timedelta(minutes=15)
    refund = Refund.objects.get()
    assert refund.status == RefundState.FAILED and "Stripe is down" in refund.failure_message
    paid.refresh_from_db()
    assert paid.needs_attention and paid.payment_status == PaymentStatus.PAID  # the money is still held
    run_deferred("orders.notify_refund_failed")
    assert [message.to for message in mail.outbox] == [[manager_a.email]]


def test_a_refund_stripe_refuses_fails_at_once_marks_the_order_and_emails_its_managers_once(
    paid, customer, manager_a, manager_b, stripe_api
):
    stripe_api.fail("POST", "/v1/refunds", status=402, message="charge_already_refunded")
    cancel_order(order=paid, by=customer)
    [refund_job] = deferred("orders.execute_refund")

    assert run_as_the_worker("orders.execute_refund") == [(refund_job.id, "succeeded")]

    assert len(stripe_api.calls("POST", "/v1/refunds")) == 1  # a 4xx is Stripe's final word
    refund = Refund.objects.get()
    assert refund.status == RefundState.FAILED and "charge_already_refunded" in refund.failure_message
    paid.refresh_from_db()
    assert paid.needs_attention
    [job] = deferred("orders.notify_refund_failed")
    assert mail.outbox == []  # the email leaves from the worker too

    run_deferred()
    app.tasks["orders.notify_refund_failed"](**job.args)  # run twice: told once

    # The order's other emails (its confirmation, its cancellation, a low-stock alert) left too.
    [email] = [email for email in mail.outbox if email.subject.startswith("Remboursement échoué")]
    assert email.to == [manager_a.email]  # the manager of the order's restaurant, not restaurant B's
    assert paid.number in email.subject
    assert "charge_already_refunded" in email.body
    assert reverse("admin:orders_order_change", args=[paid.pk]) in email.body
    assert Refund.objects.get().failure_notified_at is not None


def test_a_refund_email_that_the_mail_server_refuses_is_tried_again(
    paid, customer, manager_a, stripe_api, settings
):
    stripe_api.fail("POST", "/v1/refunds", status=402, message="charge_already_refunded")
    cancel_order(order=paid, by=customer)
    run_deferred("orders.execute_refund")
    settings.EMAIL_BACKEND = "tests.orders.test_payment_tasks.RefusingBackend"

    [(job_id, outcome)] = run_as_the_worker("orders.notify_refund_failed")

    assert outcome == "retry" and next_run_in(job_id) > 0
    assert Refund.objects.get().failure_notified_at is None  # rolled back with the failed send


class RefusingBackend:
    def __init__(self, *args, **kwargs) -> None:
        pass

    def send_messages(self, messages) -> int:
        raise ConnectionRefusedError("The mail server is away")


# ---------- Lost jobs ----------


def test_a_refund_whose_worker_died_mid_job_is_taken_up_again(paid, customer, stripe_api):
    cancel_order(order=paid, by=customer)
    [job] = deferred("orders.execute_refund")
    # A worker fetched it and was killed (SIGKILL): the job stays `doing`, with no live worker.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE procrastinate_jobs SET status = 'doing' WHERE id = %s", [job.id])
    assert deferred("orders.execute_refund") == []

    taken_up = retry_stuck_refunds_every_minute(timestamp=int(time.time()))

    assert taken_up == 1 and [again.id for again in deferred("orders.execute_refund")] == [job.id]
    run_deferred()
    assert Refund.objects.get().status == RefundState.SUCCEEDED and stripe_api.refunds_made == 1
    assert retry_stuck_refunds(now=timezone.now() + timedelta(minutes=5)) == []  # nothing left to take up


def test_a_pending_refund_without_a_job_gets_one_after_two_minutes(paid, customer, stripe_api, time_machine):
    cancel_order(order=paid, by=customer)
    ProcrastinateJob.objects.filter(task_name="orders.execute_refund").delete()
    refund = Refund.objects.get()

    assert retry_stuck_refunds(now=timezone.now() + timedelta(minutes=1)) == []  # maybe still on its way
    assert retry_stuck_refunds(now=timezone.now() + timedelta(minutes=2)) == [refund.pk]

    run_deferred()
    assert Refund.objects.get().status == RefundState.SUCCEEDED and stripe_api.refunds_made == 1


# ---------- Scheduled work ----------


def periodic(task_name: str) -> str:
    [cron] = [
        periodic.cron
        for periodic in app.periodic_registry.periodic_tasks.values()
        if periodic.task.name == task_name
    ]
    return cron


@pytest.mark.parametrize(
    "task_name",
    ["orders.expire_unpaid_orders", "orders.abandon_pending_changes", "orders.retry_stuck_refunds"],
)
def test_the_scheduled_work_runs_every_minute_in_the_worker(task_name):
    assert periodic(task_name) == "* * * * *"


def test_an_unpaid_online_order_gives_its_stock_back_at_the_first_tick_after_its_window_closes(
    order_for, customer, stock_a, time_machine, noon
):
    order = order_for(customer, payment_method="online")
    mozzarella = Stock.objects.get(pk=stock_a["Mozzarella"].pk).quantity
    assert order.payment_expires_at == noon + timedelta(minutes=30)

    time_machine.move_to(order.payment_expires_at - timedelta(seconds=1), tick=False)
    assert expire_unpaid_orders_every_minute(timestamp=int(time.time())) == 0

    # The worst case: the window closes just after a tick; the next one comes a minute later.
    time_machine.move_to(order.payment_expires_at + timedelta(seconds=60), tick=False)
    assert expire_unpaid_orders_every_minute(timestamp=int(time.time())) == 1

    order.refresh_from_db()
    assert order.status == Status.CANCELLED
    assert Stock.objects.get(pk=stock_a["Mozzarella"].pk).quantity == mozzarella + Decimal("125")
    assert expire_unpaid_orders_every_minute(timestamp=int(time.time())) == 0  # idempotent


def test_a_paid_change_left_unpaid_is_given_up_after_the_payment_window(
    paid, customer, menu, stripe_api, time_machine, noon
):
    modify_order(order=paid, lines=[LineRequest(product_id=menu["margherita"].id, quantity=3)], by=customer)
    change = PendingChange.objects.get()
    Payment.objects.filter(pk=change.payment_id).update(provider_reference="cs_test_difference")
    stripe_api.sessions["cs_test_difference"] = {"id": "cs_test_difference", "status": "open"}

    time_machine.move_to(noon + timedelta(minutes=29), tick=False)
    assert abandon_unpaid_changes_every_minute(timestamp=int(time.time())) == 0

    time_machine.move_to(noon + timedelta(minutes=30), tick=False)
    assert abandon_unpaid_changes_every_minute(timestamp=int(time.time())) == 1

    change.refresh_from_db()
    assert change.cancelled_at is not None and change.payment.status == PaymentState.CANCELLED
    paid.refresh_from_db()
    assert paid.total == Decimal("19.00") and paid.payment_status == PaymentStatus.PAID
    run_deferred("orders.void_checkout")
    assert stripe_api.sessions["cs_test_difference"]["status"] == "expired"  # nobody can pay it now
    assert abandon_unpaid_changes_every_minute(timestamp=int(time.time())) == 0


def test_a_paid_change_is_given_up_once_the_kitchen_starts(paid, customer, menu, pizzaiolo, stripe_api):
    modify_order(order=paid, lines=[LineRequest(product_id=menu["margherita"].id, quantity=3)], by=customer)
    transition_order(order=paid, to=Status.PREPARING, by=pizzaiolo)

    assert abandon_unpaid_changes_every_minute(timestamp=int(time.time())) == 1

    assert not PendingChange.objects.get().is_open


# ---------- The Checkout Session's budget ----------


def test_a_checkout_with_stripe_hanging_answers_within_its_budget_and_the_order_waits_for_payment(
    client, customer, restaurant_a, menu, stock_a, stripe_api, noon
):
    stripe_api.hang("POST", "/v1/checkout/sessions", seconds=20)
    client.force_login(customer)
    client.post(
        reverse("cart_add"),
        {"restaurant": restaurant_a.pk, "product": menu["margherita"].pk, "quantity": "1"},
    )
    form = {
        "cart_fingerprint": shown_fingerprint(client),
        **terms_accepted(),
        "fulfilment": "pickup",
        "pickup_time": "asap",
        "delivery_time": "asap",
        "payment_method": "online",
    }

    started = time.perf_counter()
    response = client.post(reverse("checkout"), form, HTTP_ACCEPT_LANGUAGE="en")
    took = time.perf_counter() - started

    assert took < 8.5  # two tries of 3 s and Stripe's pause, never Heroku's 30 s
    assert len(stripe_api.calls("POST", "/v1/checkout/sessions")) == 2  # one quick retry, same key
    order = customer.orders.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "order_tracking", args=[order.number]
    )
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    messages = [str(message) for message in page.context["messages"]]
    assert any(message.startswith("Online payment is not available right now.") for message in messages)
    assert "Pay now" in page.content.decode()
    assert (order.status, order.payments.get().status) == (Status.AWAITING_PAYMENT, PaymentState.PENDING)
