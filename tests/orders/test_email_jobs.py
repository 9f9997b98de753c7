"""The customers' emails leave the request as jobs: deferred in the order's transaction, sent once by the
worker however often their job runs, retried with backoff when the mail server fails."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob
from procrastinate.jobs import Job

from common.models import SentEmail
from common.queue import RETRY_EMAIL
from orders import notifications
from orders.models import Order, Status
from orders.services import transition_order
from tests.queue import deferred, run_deferred

SEND = "orders.send_order_email"


class RefusingBackend(BaseEmailBackend):
    """A mail server that drops the connection, as one that is down or overloaded."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def run(job) -> None:
    """The job's task, called as the worker calls it."""
    app.tasks[job.task_name](**job.args)


def test_placing_an_order_defers_its_confirmation_and_sends_nothing_in_the_request(order_for, customer):
    order = order_for(customer)

    (job,) = deferred(SEND)
    assert job.args == {"order_id": order.pk, "name": "order-confirmed", "key": f"order-confirmed:{order.pk}"}
    assert job.queue_name == "emails"
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_the_confirmation_job_commits_or_rolls_back_with_the_order(order_for, customer):
    with pytest.raises(RuntimeError), transaction.atomic():
        order_for(customer)
        raise RuntimeError("the request fails after placing the order")

    assert not Order.objects.exists()
    assert not ProcrastinateJob.objects.filter(task_name=SEND).exists()

    order = order_for(customer)  # committed on its own

    assert [job.args["key"] for job in ProcrastinateJob.objects.filter(task_name=SEND)] == [
        f"order-confirmed:{order.pk}"
    ]


def test_the_email_job_run_twice_sends_once(order_for, customer):
    order = order_for(customer)
    (job,) = deferred(SEND)

    run(job)
    run(job)

    assert [message.to for message in mail.outbox] == [[customer.email]]
    assert order.number in mail.outbox[0].subject
    assert SentEmail.objects.get().key == f"order-confirmed:{order.pk}"


def test_a_confirmation_deferred_twice_is_sent_once(order_for, customer):
    order = order_for(customer)
    notifications.defer_confirmation(order)  # a payment confirmed a second time, say

    assert run_deferred(SEND) == 2
    assert len(mail.outbox) == 1


def test_each_status_change_is_its_own_email_telling_its_own_status(order_for, customer, pizzaiolo):
    order = order_for(customer)
    transition_order(order=order, to=Status.PREPARING, by=pizzaiolo)
    transition_order(order=order, to=Status.READY, by=pizzaiolo)

    run_deferred()

    subjects = [message.subject for message in mail.outbox]
    assert len(subjects) == 3  # the confirmation, then one email a status, each telling its own
    assert "préparation" in subjects[1].lower() and "prête" in subjects[2].lower()


def test_a_mail_server_failure_fails_the_job_which_is_retried_later_and_later(order_for, customer, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    order_for(customer)
    (job,) = deferred(SEND)

    with pytest.raises(smtplib.SMTPServerDisconnected):
        run(job)

    assert not SentEmail.objects.exists()  # so the next try sends it
    task = app.tasks[SEND]
    assert task.retry_strategy is RETRY_EMAIL
    now = timezone.now()
    waits = []
    for attempts in range(RETRY_EMAIL.max_attempts):
        retry = task.get_retry_exception(exception=smtplib.SMTPServerDisconnected(), job=_with(job, attempts))
        waits.append(round((retry.retry_decision.retry_at - now).total_seconds()))
    assert waits[:4] == [2, 4, 8, 16]  # each wait twice the one before
    assert timedelta(seconds=sum(waits)) > timedelta(hours=2)  # a mail server down for two hours
    last = task.get_retry_exception(
        exception=smtplib.SMTPServerDisconnected(), job=_with(job, RETRY_EMAIL.max_attempts)
    )
    assert last is None  # then the job stays failed, for head office to see and retry


def _with(job: ProcrastinateJob, attempts: int):
    """The procrastinate job of `job` after `attempts` tries."""
    return Job(
        id=job.pk,
        queue=job.queue_name,
        task_name=job.task_name,
        lock=None,
        queueing_lock=None,
        task_kwargs=job.args,
        attempts=attempts,
    )
