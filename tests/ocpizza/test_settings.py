"""Settings come from the environment: sensible for development with nothing set, strict in production."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from ocpizza.env import env_bool, env_email, env_int, env_list, env_url

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 20 + "-production-like-key-used-only-by-this-test-" + "y" * 20,
    "ALLOWED_HOSTS": "ocpizza.herokuapp.com",
    "CSRF_TRUSTED_ORIGINS": "https://ocpizza.herokuapp.com",
    "EMAIL_URL": "smtp://mailer:hunter2@smtp.example.com:587",
    "AWS_STORAGE_BUCKET_NAME": "ocpizza-media",
    "AWS_S3_REGION_NAME": "eu-west-3",
    "STRIPE_SECRET_KEY": "sk_test_not_a_real_key",
    "STRIPE_WEBHOOK_SECRET": "whsec_not_a_real_secret",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # The browser tests allow async-unsafe ORM calls in this process; a deployment must not inherit that.
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in PRODUCTION and not k.startswith("AWS_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "ocpizza.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_check_deploy_without_any_warning():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION, "SECRET_KEY": ""}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_an_email_url_and_accepts_an_explicit_console():
    without = manage("check", env={**PRODUCTION, "EMAIL_URL": ""})
    console = manage("check", env={**PRODUCTION, "EMAIL_URL": "console://"})

    assert without.returncode != 0
    assert "ImproperlyConfigured: EMAIL_URL must be set when DEBUG is off" in without.stderr
    assert console.returncode == 0, console.stderr


def test_a_malformed_variable_stops_the_start_with_its_name():
    result = manage("check", env={"DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_development_defaults_need_nothing_set(settings):
    # The test process itself runs with DATABASE_URL; the defaults are read in a clean environment.

    script = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.EMAIL_BACKEND, s.STORAGES['default']['BACKEND'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        cwd=ROOT,
        env={
            **{
                k: v
                for k, v in os.environ.items()
                if k not in ("DATABASE_URL", "DEBUG") and not k.startswith("AWS_")
            },
            "DJANGO_SETTINGS_MODULE": "ocpizza.settings",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "django.db.backends.postgresql",
        "django.core.mail.backends.console.EmailBackend",
        "django.core.files.storage.FileSystemStorage",
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), ("Yes", True), ("0", False), ("off", False), ("", False)],
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG") is expected


def test_env_readers_fail_loudly_on_bad_values(monkeypatch):
    monkeypatch.setenv("FLAG", "perhaps")
    monkeypatch.setenv("COUNT", "twelve")
    monkeypatch.setenv("CACHE", "memcached://x")
    monkeypatch.setenv("MAIL", "pigeon://coop")
    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        env_bool("FLAG")
    with pytest.raises(ImproperlyConfigured, match="COUNT"):
        env_int("COUNT", 1)
    with pytest.raises(ImproperlyConfigured, match="CACHE"):
        env_url("CACHE", schemes=("redis",))
    with pytest.raises(ImproperlyConfigured, match="MAIL"):
        env_email("MAIL")


def test_env_list_and_email_url(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example.com, b.example.com ,,")
    monkeypatch.setenv("MAIL", "smtp://user%40x:p%40ss@smtp.example.com:2525")
    assert env_list("HOSTS") == ["a.example.com", "b.example.com"]
    mail = env_email("MAIL")
    assert mail["EMAIL_HOST"] == "smtp.example.com"
    assert mail["EMAIL_PORT"] == 2525
    assert mail["EMAIL_HOST_USER"] == "user@x"
    assert mail["EMAIL_HOST_PASSWORD"] == "p@ss"
    assert mail["EMAIL_USE_TLS"] is True


def test_migrations_are_up_to_date():
    result = manage("makemigrations", "--check", "--dry-run", env={})
    assert result.returncode == 0, result.stdout + result.stderr


def test_collectstatic_builds_the_compressed_manifest(tmp_path):
    result = manage("collectstatic", "--noinput", env={**PRODUCTION, "STATIC_ROOT": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert '"css/site.css": "css/site.' in manifest
    assert list(tmp_path.glob("css/site.*.css.gz")), "WhiteNoise compresses the fingerprinted files"
    assert list(tmp_path.glob("css/site.*.css.br")), "and with Brotli too (the brotli package)"
    assert (tmp_path / "django_htmx" / "htmx-2.min.js").exists()


def media_storage(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    script = "import json, django; django.setup(); from django.conf import settings as s; "
    script += "print(json.dumps(s.STORAGES['default']))"
    base = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "ocpizza.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_media_on_s3_are_private_objects_read_through_signed_urls():
    result = media_storage({"AWS_STORAGE_BUCKET_NAME": "ocpizza-media", "AWS_S3_REGION_NAME": "eu-west-3"})

    options = json.loads(result.stdout)["OPTIONS"]
    assert options["querystring_auth"] is True
    assert options["default_acl"] is None
    assert options["addressing_style"] == "virtual"  # the regional endpoint: signed URLs of a new bucket work
    assert options["object_parameters"] == {"CacheControl": "private, max-age=86400"}
    assert options["file_overwrite"] is False


def test_public_media_are_unsigned_and_cached_for_long():
    result = media_storage(
        {
            "AWS_STORAGE_BUCKET_NAME": "ocpizza-media",
            "AWS_S3_PUBLIC": "true",
            "AWS_S3_CUSTOM_DOMAIN": "media.ocpizza.fr",
        }
    )

    options = json.loads(result.stdout)["OPTIONS"]
    assert options["querystring_auth"] is False
    assert options["custom_domain"] == "media.ocpizza.fr"
    assert options["object_parameters"] == {"CacheControl": "public, max-age=31536000, immutable"}


def test_a_custom_domain_in_front_of_private_media_stops_the_start():
    # django-storages would build unsigned URLs for it: every picture would answer 403.
    result = media_storage(
        {"AWS_STORAGE_BUCKET_NAME": "ocpizza-media", "AWS_S3_CUSTOM_DOMAIN": "media.ocpizza.fr"}
    )

    assert result.returncode != 0
    assert "AWS_S3_CUSTOM_DOMAIN needs AWS_S3_PUBLIC=true" in result.stderr


def test_production_caches_in_the_database_unless_redis_is_configured():
    script = "import django; django.setup(); from django.conf import settings as s; "
    script += "print(s.CACHES['default']['BACKEND'])"

    def backend(env):
        base = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k != "REDIS_URL"}
        return subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env={**base, "DJANGO_SETTINGS_MODULE": "ocpizza.settings", **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout.strip()

    assert backend(PRODUCTION) == "django.core.cache.backends.db.DatabaseCache"
    assert backend({**PRODUCTION, "REDIS_URL": "rediss://h:p@redis.example.com:6380"}).endswith("RedisCache")
    assert backend({"DEBUG": "true"}) == "django.core.cache.backends.locmem.LocMemCache"


def test_sessions_are_read_from_redis_when_there_is_one_and_from_the_database_otherwise():
    script = "import django; django.setup(); from django.conf import settings as s; print(s.SESSION_ENGINE)"

    def engine(env):
        base = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k != "REDIS_URL"}
        return subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env={**base, "DJANGO_SETTINGS_MODULE": "ocpizza.settings", **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout.strip()

    assert engine(PRODUCTION) == "ocpizza.sessions.db"
    redis = {**PRODUCTION, "REDIS_URL": "rediss://h:p@redis.example.com:6380"}
    assert engine(redis) == "ocpizza.sessions.cached_db"


def test_behind_a_transaction_pooler_the_database_and_worker_settings_come_from_the_environment():
    """PgBouncer in transaction mode (docs/operations.md § 9.1): no persistent connection, no server-side
    cursor, no prepared statement, and a worker that polls instead of LISTEN; the defaults otherwise."""
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "from django.db import connection; d = s.DATABASES['default']; w = s.PROCRASTINATE_WORKER_DEFAULTS; "
        "print(json.dumps([d['CONN_MAX_AGE'], d['DISABLE_SERVER_SIDE_CURSORS'], "
        "connection.get_connection_params().get('prepare_threshold', 'unset'), w.get('listen_notify', True), "
        "w['fetch_job_polling_interval']]))"
    )
    pooled_names = (
        "CONN_MAX_AGE",
        "DISABLE_SERVER_SIDE_CURSORS",
        "TASKS_LISTEN_NOTIFY",
        "TASKS_POLLING_SECONDS",
    )

    def read(env):
        base = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k not in pooled_names}
        return json.loads(
            subprocess.run(
                [sys.executable, "-c", script],
                cwd=ROOT,
                env={**base, "DJANGO_SETTINGS_MODULE": "ocpizza.settings", **env},
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            ).stdout
        )

    assert read(PRODUCTION) == [600, False, None, True, 5.0]
    pooled = {
        "CONN_MAX_AGE": "0",
        "DISABLE_SERVER_SIDE_CURSORS": "true",
        "TASKS_LISTEN_NOTIFY": "false",
        "TASKS_POLLING_SECONDS": "1",
    }
    assert read({**PRODUCTION, **pooled}) == [0, True, None, False, 1.0]
    broken = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={
            **os.environ,
            **PRODUCTION,
            "DJANGO_SETTINGS_MODULE": "ocpizza.settings",
            "DISABLE_SERVER_SIDE_CURSORS": "sometimes",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert broken.returncode != 0
    assert "DISABLE_SERVER_SIDE_CURSORS must be a boolean" in broken.stderr
