"""The task queue in tests: the jobs deferred in this test's transaction, and running them here.

`deferred()` reads procrastinate's job table through the ORM, so it sees what the code under test deferred
before its transaction ends (the proof that a job and its cause commit or roll back together).
`run_deferred()` calls each waiting job's task in this process, oldest first, with its arguments, as the
worker would, and marks it succeeded; the jobs those tasks defer run too. The worker itself (its process,
retries, signals) is tested against a real database in tests/ocpizza/test_worker.py.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Q
from django.utils import timezone
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob


def deferred(task_name: str | None = None) -> list[ProcrastinateJob]:
    """The jobs waiting to run now (not those scheduled later), oldest first; only `task_name`'s if given."""
    jobs = ProcrastinateJob.objects.filter(status="todo").filter(
        Q(scheduled_at__isnull=True) | Q(scheduled_at__lte=timezone.now())
    )
    if task_name is not None:
        jobs = jobs.filter(task_name=task_name)
    return list(jobs.order_by("id"))


def run_deferred(task_name: str | None = None, *, limit: int = 200) -> int:
    """Runs the waiting jobs (only `task_name`'s if given) until none is left; returns how many ran."""
    ran = 0
    while jobs := deferred(task_name):
        for job in jobs:
            app.tasks[job.task_name](**job.args)
            with connection.cursor() as cursor:
                cursor.execute("UPDATE procrastinate_jobs SET status = 'succeeded' WHERE id = %s", [job.id])
            ran += 1
        if ran > limit:
            raise AssertionError(f"more than {limit} jobs: tasks keep deferring tasks")
    return ran


def empty_queue() -> None:
    """Every job, event and worker of the queue deleted: for data committed by a test (Django's flush
    leaves procrastinate's tables alone, its models being unmanaged)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE procrastinate_jobs, procrastinate_events, procrastinate_periodic_defers,"
            " procrastinate_workers RESTART IDENTITY CASCADE"
        )


class WorkerOutbox:
    """mail.outbox as the worker leaves it: each read first runs the jobs deferred so far (run_deferred),
    so a test reads the emails an action caused right after the action, as a customer would a moment later."""

    def _sent(self) -> list:
        from django.core import mail

        run_deferred()
        return mail.outbox

    def clear(self) -> None:
        self._sent().clear()

    def __len__(self) -> int:
        return len(self._sent())

    def __getitem__(self, index):
        return self._sent()[index]

    def __iter__(self):
        return iter(list(self._sent()))

    def __eq__(self, other) -> bool:
        return self._sent() == other

    __hash__ = None
