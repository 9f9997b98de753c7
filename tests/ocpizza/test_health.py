"""/healthz: the database always; the shared cache and the S3 bucket when they are configured."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.management import call_command
from django.db.utils import OperationalError

from ocpizza import views

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
    assert response.json() == {"status": "ok", "database": "ok"}
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
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_a_broken_cache_degrades_the_status_without_failing_the_check(client, db, settings):
    settings.CACHES = DATABASE_CACHE  # its table was never created

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "error"}


def test_healthz_checks_the_media_bucket_when_media_are_on_s3(client, db, media_on_s3):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "storage": "ok"}


def test_a_missing_bucket_degrades_the_status(client, db, media_on_s3, s3):
    s3.delete_bucket(Bucket=media_on_s3)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "storage": "error"}


def test_the_bucket_is_asked_at_most_every_thirty_seconds(client, db, media_on_s3, s3, monkeypatch):
    assert client.get("/healthz").json()["storage"] == "ok"
    s3.delete_bucket(Bucket=media_on_s3)

    # Monitors calling every few seconds are answered from the last check...
    assert client.get("/healthz").json()["storage"] == "ok"
    # ...until it is older than STORAGE_CHECK_SECONDS.
    monkeypatch.setattr(views, "STORAGE_CHECK_SECONDS", 0)
    assert client.get("/healthz").json()["storage"] == "error"
