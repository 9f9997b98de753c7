"""The worker as Heroku runs it: `manage.py procrastinate worker` in its own process, against this test's
database (committed data), sending to a mail server on loopback (tests/smtp.py).

It retries an email the mail server refused, later and later, until delivered once; it stops within
Heroku's budget on SIGTERM; killed with SIGKILL in the middle of a batch, the batch is still sent exactly
once after a restart (the dead worker's jobs are put back by ocpizza.tasks.retry_stalled_jobs).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from common.models import SentEmail
from common.tasks import send_email
from ocpizza.tasks import retry_stalled_jobs
from tests.smtp import FakeSmtp

ROOT = Path(__file__).resolve().parents[2]
# Heroku sends SIGKILL 30 s after SIGTERM; the worker must be gone well before.
SIGTERM_BUDGET_SECONDS = 30

pytestmark = pytest.mark.django_db(transaction=True)


def database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="") + (
        ":" + quote(db["PASSWORD"], safe="") if db["PASSWORD"] else ""
    )
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """One worker process; its output in `log`."""

    def __init__(self, smtp_port: int, log: Path) -> None:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_ALLOW", "SENTRY_"))},
            "DATABASE_URL": database_url(),
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}?tls=0",
            "EMAIL_TIMEOUT": "5",
            "TASKS_HEARTBEAT_SECONDS": "0.5",
            "TASKS_STALLED_WORKER_SECONDS": "2",
            "PYTHONUNBUFFERED": "1",
        }
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "procrastinate", "worker"],
            cwd=ROOT,
            env=env,
            stdout=log.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self, sig: int = signal.SIGTERM) -> float:
        """Send `sig`; the seconds the process took to exit."""
        started = time.monotonic()
        self.process.send_signal(sig)
        self.process.wait(timeout=SIGTERM_BUDGET_SECONDS + 5)
        return time.monotonic() - started

    def kill_if_running(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def wait_for(condition, *, timeout: float, what: str, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    pytest.fail(f"{what} did not happen within {timeout} s. Worker's output:\n{log.read_text()[-3000:]}")


def defer_emails(count: int) -> list[int]:
    return [
        send_email.defer(key=f"batch:{n}", subject=f"Commande {n}", body="Bonjour", to=["alice@example.com"])
        for n in range(count)
    ]


@pytest.fixture
def workers(tmp_path):
    started: list[Worker] = []

    def start(smtp_port: int) -> Worker:
        worker = Worker(smtp_port, tmp_path / "worker.log")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.kill_if_running()


def test_a_refused_email_is_retried_later_until_delivered_once_and_sigterm_stops_the_worker(workers):
    smtp = FakeSmtp()  # nothing listens on its port yet: every connection is refused
    (job_id,) = defer_emails(1)
    worker = workers(smtp.port)

    def retried():
        job = ProcrastinateJob.objects.get(pk=job_id)
        return job.status == "todo" and job.attempts == 1 and job.scheduled_at > timezone.now()

    wait_for(retried, timeout=20, what="The job failing and being scheduled again", log=worker.log)
    try:
        smtp.answer()
        wait_for(lambda: smtp.received, timeout=15, what="The retry delivering the email", log=worker.log)
        took = worker.stop(signal.SIGTERM)
    finally:
        smtp.stop()

    assert smtp.counts() == {("alice@example.com", "Commande 0"): 1}
    job = ProcrastinateJob.objects.get(pk=job_id)
    assert (job.status, job.attempts) == ("succeeded", 2)
    assert took < SIGTERM_BUDGET_SECONDS / 3
    assert worker.process.returncode == 0
    assert "Stopped worker" in worker.log.read_text()


def test_a_worker_killed_mid_batch_leaves_each_email_sent_exactly_once_after_a_restart(workers, settings):
    settings.TASKS_STALLED_WORKER_SECONDS = 2
    smtp = FakeSmtp(delay=0.3).answer()
    try:
        jobs = defer_emails(12)
        first = workers(smtp.port)
        wait_for(lambda: len(smtp.received) >= 3, timeout=20, what="The first emails", log=first.log)
        # Killed while its jobs wait on the mail server, each email taken so far recorded as sent: the one
        # window where a kill sends twice (between the server's "accepted" and the record's commit, one
        # database round trip, common/email.py) is not what this test is about.
        smtp.pause()
        time.sleep(0.5)  # a message past the pause when it began is taken by now
        wait_for(
            lambda: SentEmail.objects.count() == len(smtp.received),
            timeout=10,
            what="The records",
            log=first.log,
        )
        first.stop(signal.SIGKILL)
        smtp.resume()
        sent_before = len(smtp.received)
        assert sent_before < len(jobs)  # killed in the middle of the batch
        assert ProcrastinateJob.objects.filter(status="doing").exists()  # its jobs in hand are stuck

        time.sleep(2.5)  # the dead worker's heartbeat is now older than TASKS_STALLED_WORKER_SECONDS
        put_back = retry_stalled_jobs(timestamp=0)  # what a worker runs every minute
        second = workers(smtp.port)
        wait_for(
            lambda: ProcrastinateJob.objects.filter(pk__in=jobs, status="succeeded").count() == len(jobs),
            timeout=30,
            what="The whole batch being done",
            log=second.log,
        )
        second.stop(signal.SIGTERM)
    finally:
        smtp.stop()

    assert put_back >= 1
    assert smtp.counts() == {("alice@example.com", f"Commande {n}"): 1 for n in range(12)}
    assert SentEmail.objects.count() == 12
