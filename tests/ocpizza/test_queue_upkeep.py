"""The site's timers are periodic tasks of the worker (no Heroku Scheduler for them)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from procrastinate.contrib.django import app

from ocpizza.tasks import clear_sessions


def test_the_worker_runs_the_queue_upkeep_and_the_session_cleanup_on_their_schedule():
    schedule = {
        periodic.task.name: periodic.cron for periodic in app.periodic_registry.periodic_tasks.values()
    }

    assert schedule["ocpizza.retry_stalled_jobs"] == "* * * * *"
    assert schedule["ocpizza.delete_old_jobs"] == "15 4 * * *"
    assert schedule["ocpizza.clear_sessions"] == "0 5 * * *"


def test_the_nightly_cleanup_deletes_expired_sessions_only(db):
    expired, current = SessionStore(), SessionStore()
    expired.create()
    current.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - timedelta(days=1)
    )

    clear_sessions(timestamp=0)

    assert list(Session.objects.values_list("session_key", flat=True)) == [current.session_key]
