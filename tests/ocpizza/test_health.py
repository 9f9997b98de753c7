"""/healthz: the database and the task queue always; the shared cache and the S3 bucket when they are configured."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.utils import OperationalError

from common.tasks import send_email
from ocpizza import views

# No job waiting: the task queue is fine.
QUEUE_OK = {"queue": "ok", "queue_oldest_waiting_seconds": 0}
DATABASE_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "django_cache"}
}


@pytest.fixture(autouse=True)
def _forget_the_last_storage_check():
    views._storage_check.update(at=0.0, status="")


@pytest.fixture
def media_on_s3(settings, s3_endpoint, bucket):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
            },
        },
    }
    return bucket


def test_healthz_reports_the_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", **QUEUE_OK}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_is_down(client, db):
    with mock.patch("ocpizza.views.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error"


def test_healthz_checks_a_shared_cache_when_there_is_one(client, db, settings):
    settings.CACHES = DATABASE_CACHE
    call_command("createcachetable")

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", **QUEUE_OK}


def test_a_broken_cache_degrades_the_status_without_failing_the_check(client, db, settings):
    settings.CACHES = DATABASE_CACHE  # its table was never created

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "error", **QUEUE_OK}


def test_healthz_checks_the_media_bucket_when_media_are_on_s3(client, db, media_on_s3):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "storage": "ok", **QUEUE_OK}


def test_a_missing_bucket_degrades_the_status(client, db, media_on_s3, s3):
    s3.delete_bucket(Bucket=media_on_s3)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "storage": "error", **QUEUE_OK}


def test_the_bucket_is_asked_at_most_every_thirty_seconds(client, db, media_on_s3, s3, monkeypatch):
    assert client.get("/healthz").json()["storage"] == "ok"
    s3.delete_bucket(Bucket=media_on_s3)

    # Monitors calling every few seconds are answered from the last check...
    assert client.get("/healthz").json()["storage"] == "ok"
    # ...until it is older than STORAGE_CHECK_SECONDS.
    monkeypatch.setattr(views, "STORAGE_CHECK_SECONDS", 0)
    assert client.get("/healthz").json()["storage"] == "error"


def wait_in_queue(seconds: int, *, scheduled_in: int | None = None) -> None:
    """A job deferred `seconds` ago by the database's clock; due then, or `scheduled_in` seconds from now."""
    job_id = send_email.defer(key=f"wait-{seconds}", subject="", body="", to=["a@example.com"])
    with connection.cursor() as cursor:
        if scheduled_in is not None:
            cursor.execute(
                "UPDATE procrastinate_jobs SET scheduled_at = now() + %s * interval '1 second' WHERE id = %s",
                [scheduled_in, job_id],
            )
        cursor.execute(
            "UPDATE procrastinate_events SET at = now() - %s * interval '1 second' WHERE job_id = %s",
            [seconds, job_id],
        )


def test_healthz_reports_how_long_the_oldest_job_has_waited(client, db):
    wait_in_queue(30)
    wait_in_queue(5)
    wait_in_queue(900, scheduled_in=60)  # a retry not due yet is not waiting

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["queue"] == "ok"
    assert 30 <= response.json()["queue_oldest_waiting_seconds"] < 40


def test_a_queue_waiting_past_the_threshold_degrades_the_status(client, db, settings):
    settings.HEALTHZ_QUEUE_DELAY_SECONDS = 120
    wait_in_queue(121)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["queue"] == "late"
