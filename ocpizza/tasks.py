"""The queue's own upkeep and the site's timers, run by the worker (procrastinate's periodic tasks).

- every minute: jobs left `doing` by a worker that died (SIGKILL, a dyno lost) go back to `todo`;
- every night: finished jobs older than TASKS_KEEP_FINISHED_DAYS are deleted, and expired sessions.

A periodic task is deferred once per tick whatever the number of workers (procrastinate records each
tick). Other apps add theirs in their own tasks.py; the operations guide lists them all (§ 8).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core import management
from django.db import connection
from django.utils import timezone
from procrastinate import sql
from procrastinate.contrib.django import app

from common.queue import MAINTENANCE

logger = logging.getLogger(__name__)


@app.periodic(cron="* * * * *")
@app.task(name="ocpizza.retry_stalled_jobs", queue=MAINTENANCE, queueing_lock="ocpizza.retry_stalled_jobs")
def retry_stalled_jobs(timestamp: int) -> int:
    """Put back in the queue the jobs of workers silent for TASKS_STALLED_WORKER_SECONDS; returns how many.

    A worker writes a heartbeat every few seconds; one killed mid-job leaves its job `doing` forever
    otherwise. Every task being idempotent, running such a job again is safe. These are procrastinate's own
    queries (those of `job_manager.get_stalled_jobs` and `retry_job`), run through Django's connection so
    the function works outside the worker's event loop too.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            sql.queries["select_stalled_jobs_by_heartbeat"],
            {
                "queue": None,
                "task_name": None,
                "seconds_since_heartbeat": settings.TASKS_STALLED_WORKER_SECONDS,
            },
        )
        stalled = [(row[0], row[2]) for row in cursor.fetchall()]
        for job_id, task_name in stalled:
            logger.warning(
                "Job %s (%s) of a worker that stopped answering goes back to the queue.", job_id, task_name
            )
            cursor.execute(
                sql.queries["retry_job"],
                {
                    "job_id": job_id,
                    "retry_at": timezone.now(),
                    "new_priority": None,
                    "new_queue_name": None,
                    "new_lock": None,
                },
            )
    return len(stalled)


@app.periodic(cron="15 4 * * *")
@app.task(name="ocpizza.delete_old_jobs", queue=MAINTENANCE, queueing_lock="ocpizza.delete_old_jobs")
async def delete_old_jobs(timestamp: int) -> None:
    """Succeeded and cancelled jobs older than TASKS_KEEP_FINISHED_DAYS; failed ones stay until handled."""
    await app.job_manager.delete_old_jobs(
        nb_hours=settings.TASKS_KEEP_FINISHED_DAYS * 24, include_cancelled=True
    )


@app.periodic(cron="0 5 * * *")
@app.task(name="ocpizza.clear_sessions", queue=MAINTENANCE, queueing_lock="ocpizza.clear_sessions")
def clear_sessions(timestamp: int) -> None:
    """Django's `clearsessions`: expired sessions out of the database (was a Heroku Scheduler job)."""
    management.call_command("clearsessions")
