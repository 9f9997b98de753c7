"""The Heroku files: the release phase and the web process of the Procfile run for real (gunicorn on
loopback, production settings) and serve the site with its static files; app.json and the operations guide
describe every setting."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
HOST = "ocpizza.herokuapp.com"
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 20 + "-production-like-key-used-only-by-this-test-" + "y" * 20,
    "ALLOWED_HOSTS": HOST,
    "CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
    "EMAIL_URL": "console://",
    "WEB_CONCURRENCY": "2",
    "GUNICORN_THREADS": "2",
}


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="") + (
        ":" + quote(db["PASSWORD"], safe="") if db["PASSWORD"] else ""
    )
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"


def admin_execute(sql: str) -> None:
    admin = psycopg.connect(server_url() + "/postgres")
    try:
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(sql)
    finally:
        admin.close()


def get(url: str, **headers: str):
    request = urllib.request.Request(url, headers={"Host": HOST, **headers})  # noqa: S310 - loopback
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture(scope="module")
def heroku_like_app(tmp_path_factory):
    """A new database prepared by the release phase, then the web process on loopback, as Heroku runs them."""
    static_root = tmp_path_factory.mktemp("staticfiles")
    database = f"release_{uuid.uuid4().hex[:10]}"
    admin_execute(f"CREATE DATABASE {database}")
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SENTRY_", "DJANGO_ALLOW"))},
        **PRODUCTION,
        "DATABASE_URL": f"{server_url()}/{database}",
        "STATIC_ROOT": str(static_root),
        "PORT": str(port),
        # Heroku binds 0.0.0.0:$PORT (gunicorn's default when PORT is set); here loopback only.
        "GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{port}",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    commands = procfile()
    # Heroku's build runs collectstatic, then the release phase, then starts the web process.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    release = subprocess.run(  # noqa: S602 - the Procfile's own command line
        commands["release"],
        shell=True,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert release.returncode == 0, release.stderr
    log = (tmp_path_factory.mktemp("logs") / "web.log").open("w+")
    web = commands["web"]
    process = subprocess.Popen(  # noqa: S602 - the Procfile's own command line
        web, shell=True, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if get(base + "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            log.seek(0)
            pytest.fail("gunicorn did not answer: " + log.read())
        yield {"url": base, "log": log, "static_root": static_root, "database": env["DATABASE_URL"]}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()
        admin_execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def test_the_release_phase_migrates_and_creates_the_cache_table(heroku_like_app):
    db = psycopg.connect(heroku_like_app["database"])
    try:
        with db.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM django_migrations")
            assert cursor.fetchone()[0] > 10
            cursor.execute("SELECT to_regclass('public.django_cache') IS NOT NULL")
            assert cursor.fetchone()[0] is True
    finally:
        db.close()


def test_the_web_process_serves_the_site_over_https_behind_the_router(heroku_like_app):
    status, headers, body = get(heroku_like_app["url"] + "/", **{"X-Forwarded-Proto": "https"})

    assert status == 200
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])
    assert "Secure" in headers["Set-Cookie"]
    assert re.search(r'href="/static/css/site\.[0-9a-f]{12}\.css"', body.decode())


def test_the_web_process_runs_the_task_worker_beside_gunicorn(heroku_like_app):
    db = psycopg.connect(heroku_like_app["database"])
    try:
        for _ in range(100):
            with db.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM procrastinate_workers")
                if cursor.fetchone()[0] == 1:
                    break
            db.commit()
            time.sleep(0.2)
        else:
            pytest.fail("no worker registered in the database")
    finally:
        db.close()
    status, _, body = get(heroku_like_app["url"] + "/healthz", **{"X-Forwarded-Proto": "https"})
    assert status == 200
    assert json.loads(body)["queue"] == "ok"


def test_plain_http_is_redirected_to_https_but_the_health_check_answers(heroku_like_app):
    status, headers, _ = get(heroku_like_app["url"] + "/restaurants/")
    health_status, _, health = get(heroku_like_app["url"] + "/healthz")

    assert status == 301 and headers["Location"] == f"https://{HOST}/restaurants/"
    assert health_status == 200
    assert json.loads(health) == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "queue": "ok",
        "queue_oldest_waiting_seconds": 0,
    }


def test_fingerprinted_static_files_are_compressed_with_gzip_and_brotli_and_cached_for_a_year(
    heroku_like_app,
):
    page = get(heroku_like_app["url"] + "/", **{"X-Forwarded-Proto": "https"})[2].decode()
    css = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page).group(1)

    status, headers, gzipped = get(
        heroku_like_app["url"] + css, **{"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip"}
    )
    _, brotli_headers, brotli = get(
        heroku_like_app["url"] + css, **{"X-Forwarded-Proto": "https", "Accept-Encoding": "br, gzip"}
    )

    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Cache-Control"] == "max-age=315360000, public, immutable"
    # Browsers that accept Brotli get the smaller .br file (the brotli package).
    assert brotli_headers["Content-Encoding"] == "br"
    assert len(brotli) < len(gzipped)


def test_the_access_log_has_one_line_per_request_and_no_query_string(heroku_like_app):
    request_id = "3c0ffee0-1234-4abc-8def-0123456789ab"
    get(
        heroku_like_app["url"] + "/no-such-order/?t=secret-tracking-token",
        **{"X-Forwarded-Proto": "https", "X-Request-ID": request_id},
    )
    time.sleep(0.3)

    heroku_like_app["log"].seek(0)
    tagged = [line for line in heroku_like_app["log"].read().splitlines() if request_id in line]
    lines = [line for line in tagged if line.startswith("method=")]

    assert len(lines) == 1
    # Django's own warning about the 404 carries the same id.
    assert any("Not Found: /no-such-order/" in line for line in tagged)
    assert re.fullmatch(
        rf"method=GET path=/no-such-order/ status=404 duration_ms=\d+ request_id={request_id}", lines[0]
    )
    assert "secret-tracking-token" not in heroku_like_app["log"].read()


# -- The descriptions of the deployment ------------------------------------------------------------------


def test_app_json_describes_the_heroku_app():
    app = json.loads((ROOT / "app.json").read_text())

    assert app["buildpacks"] == [{"url": "heroku/python"}]
    assert app["formation"]["web"]["size"] == "standard-2x"
    plans = {addon["plan"].split(":")[0] for addon in app["addons"]}
    # The queue's worker runs the periodic jobs (orders.tasks, ocpizza.tasks): no Heroku Scheduler.
    assert plans == {"heroku-postgresql"}
    assert app["env"]["SECRET_KEY"]["generator"] == "secret"
    assert app["env"]["DEBUG"]["value"] == "false"
    for name in ("ALLOWED_HOSTS", "AWS_STORAGE_BUCKET_NAME", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"):
        assert app["env"][name]["required"] is True, name
    assert all(variable.get("description") for variable in app["env"].values())


# The keys of Heroku's app.json schema (devcenter.heroku.com/articles/app-json-schema): it rejects others.
APP_JSON_KEYS = {
    "name",
    "description",
    "keywords",
    "website",
    "repository",
    "logo",
    "success_url",
    "scripts",
    "env",
    "formation",
    "addons",
    "buildpacks",
    "environments",
    "stack",
    "image",
}
APP_JSON_ENV_KEYS = {"description", "value", "required", "generator"}


def test_app_json_has_only_keys_of_heroku_s_schema_and_the_guide_lists_the_scheduled_jobs():
    app = json.loads((ROOT / "app.json").read_text())
    guide = (ROOT / "docs" / "operations.md").read_text()

    assert set(app) <= APP_JSON_KEYS, set(app) - APP_JSON_KEYS
    for name, variable in app["env"].items():
        assert set(variable) <= APP_JSON_ENV_KEYS, (name, set(variable) - APP_JSON_ENV_KEYS)
    for command in ("python manage.py expire_unpaid_orders",):
        assert f"`{command}`" in guide
    # The timers that became periodic tasks of the worker are listed by their task's name.
    assert "`ocpizza.clear_sessions`" in guide and "`ocpizza.retry_stalled_jobs`" in guide


def test_heroku_reads_the_python_version_from_python_version_the_same_as_runtime_txt():
    version = (ROOT / ".python-version").read_text().strip()
    slugignore = (ROOT / ".slugignore").read_text().splitlines()

    assert version == "3.12"  # one Heroku serves and Django 5.2 supports
    assert (ROOT / "runtime.txt").read_text().strip() == f"python-{version}"
    # Heroku's buildpack would read runtime.txt first (and warn that it is deprecated): it never sees it.
    assert "runtime.txt" in slugignore


def test_the_operations_guide_and_app_json_name_every_variable_the_settings_read():
    settings_source = (ROOT / "ocpizza" / "settings.py").read_text()
    read = set(re.findall(r'env_[a-z]+\(\s*"([A-Z0-9_]+)"', settings_source))
    guide = (ROOT / "docs" / "operations.md").read_text()
    app_env = set(json.loads((ROOT / "app.json").read_text())["env"])

    assert read, "no variable found: the pattern no longer matches settings.py"
    assert sorted(name for name in read if f"`{name}`" not in guide) == []
    assert sorted(app_env - read - {"WEB_CONCURRENCY", "GUNICORN_THREADS"}) == []
