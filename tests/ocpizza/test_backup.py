"""Backup and restore (scripts/backup.sh, scripts/restore.sh) and the manual's SQL files
(scripts/sql_dumps.sh), run for real against the test PostgreSQL server.

The demo database (5 restaurants, staff, menu, stock, orders in every status) is built once by
scripts/sql_dumps.sh, which migrates a fresh database and runs `load_demo` in it, and loaded into scratch
databases. The test database itself is never filled and committed: a transactional test would flush it
afterwards, taking the migrations' data (allergens, content types) away from the tests that follow.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from orders.models import Status

ROOT = Path(__file__).resolve().parents[2]
DEMO_RESTAURANTS = {
    "OC Pizza Lyon Bellecour",
    "OC Pizza Lyon Croix-Rousse",
    "OC Pizza Lyon Part-Dieu",
    "OC Pizza Paris Batignolles",
    "OC Pizza Paris Marais",
}


def server_url() -> str:
    """postgres://user:password@host:port of the test database's server."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"


@contextmanager
def cursor_on(url: str) -> Iterator:
    """A cursor in autocommit mode: CREATE and DROP DATABASE refuse to run inside a transaction."""
    db = psycopg.connect(url)
    db.autocommit = True
    try:
        with db.cursor() as cursor:
            yield cursor
    finally:
        db.close()


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("DYNO", "PRODUCTION_DATABASE_URL")}
    return subprocess.run(
        list(args),
        cwd=ROOT,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def load(url: str, *files: Path) -> None:
    for file in files:
        loaded = run("psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", str(file))
        assert loaded.returncode == 0, loaded.stderr


def fingerprint(url: str) -> dict[str, tuple]:
    """Per table: its row count and the md5 of its rows in a fixed order; per sequence: its last value."""
    result = {}
    with cursor_on(url) as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
        for (table,) in cursor.fetchall():
            rows = (
                "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM {} t"
            )
            cursor.execute(sql.SQL(rows).format(sql.Identifier(table)))
            result[table] = cursor.fetchone()
        cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
        result.update({f"sequence {name}": (value,) for name, value in cursor.fetchall()})
    return result


@pytest.fixture(scope="module")
def scratch_database() -> Iterator[Callable[[], str]]:
    """Makes empty databases on the test server; drops them at the end of the module."""
    created = []

    def make() -> str:
        name = f"scratch_{uuid.uuid4().hex[:10]}"
        with cursor_on(f"{server_url()}/postgres") as cursor:
            cursor.execute(f"CREATE DATABASE {name}")
        created.append(name)
        return f"{server_url()}/{name}"

    yield make
    with cursor_on(f"{server_url()}/postgres") as cursor:
        for name in created:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


# The script's throwaway database, named by this process: other test workers may be running the script too.
DUMPS_DATABASE = f"ocpizza_dumps_test_{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def sql_dumps(tmp_path_factory) -> Path:
    """`scripts/sql_dumps.sh`: a fresh database, migrated and filled by `load_demo`, dumped to 3 files."""
    folder = tmp_path_factory.mktemp("dumps")
    result = run(
        "scripts/sql_dumps.sh",
        str(folder),
        env={"DATABASE_URL": f"{server_url()}/postgres", "DUMPS_DATABASE": DUMPS_DATABASE},
    )
    assert result.returncode == 0, result.stderr
    return folder


@pytest.fixture(scope="module")
def demo_database(scratch_database, sql_dumps) -> str:
    url = scratch_database()
    load(url, sql_dumps / "dataAndStructure.sql")
    return url


def test_a_backup_restored_into_a_new_database_has_every_row(demo_database, scratch_database, tmp_path):
    with cursor_on(demo_database) as cursor:
        cursor.execute("SELECT DISTINCT status FROM orders_order")
        assert {status for (status,) in cursor.fetchall()} == set(Status.values)

    backup = run("scripts/backup.sh", str(tmp_path / "backups"), env={"DATABASE_URL": demo_database})
    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.strip())
    assert dump.parent == tmp_path / "backups" and dump.name.endswith(".dump") and dump.stat().st_size > 0
    target = scratch_database()
    restore = run("scripts/restore.sh", str(dump), target)

    assert restore.returncode == 0, restore.stderr
    original, restored = fingerprint(demo_database), fingerprint(target)
    assert original["restaurants_restaurant"][0] == 5 and original["orders_order"][0] > 0
    assert restored == original
    # Sequences came back too: the restored database takes new rows without a key collision.
    with cursor_on(target) as cursor:
        cursor.execute(
            "INSERT INTO menu_category (name, slug, position) VALUES ('Nouveautés', 'nouveautes', 9)"
        )


def test_restore_refuses_the_production_database_unless_forced(scratch_database, tmp_path):
    production = scratch_database()
    server, name = production.rsplit("/", 1)
    with cursor_on(production) as cursor:
        cursor.execute(
            "CREATE TABLE orders (id int PRIMARY KEY, total numeric); INSERT INTO orders VALUES (1, 9.5)"
        )
    dump = run("scripts/backup.sh", str(tmp_path), env={"DATABASE_URL": production}).stdout.strip()
    with cursor_on(production) as cursor:
        cursor.execute("INSERT INTO orders VALUES (2, 12)")  # taken after the backup: must survive a refusal
    before = fingerprint(production)
    # The same database written another way: scheme, credentials, parameters.
    spelled_otherwise = server.replace("postgres://", "postgresql://") + f"/{name}?sslmode=disable"

    refusals = [
        run("scripts/restore.sh", dump, production, env={"PRODUCTION_DATABASE_URL": spelled_otherwise}),
        run("scripts/restore.sh", dump, spelled_otherwise, env={"PRODUCTION_DATABASE_URL": production}),
        # On a Heroku dyno, DATABASE_URL is the production database.
        run("scripts/restore.sh", dump, production, env={"DYNO": "run.1", "DATABASE_URL": production}),
        # The same server by another name: the server's own answer tells, not the text of the URL.
        run(
            "scripts/restore.sh",
            dump,
            other_host_name(production),
            env={"PRODUCTION_DATABASE_URL": production},
        ),
        run(
            "scripts/restore.sh",
            dump,
            production,
            env={"DYNO": "run.1", "DATABASE_URL": other_host_name(spelled_otherwise)},
        ),
    ]

    for refusal in refusals:
        assert refusal.returncode == 3, refusal.stderr
        assert "Refused" in refusal.stderr and "production database" in refusal.stderr
    assert fingerprint(production) == before
    forced = run(
        "scripts/restore.sh", "--force", dump, production, env={"PRODUCTION_DATABASE_URL": production}
    )
    assert forced.returncode == 0, forced.stderr
    with cursor_on(production) as cursor:
        cursor.execute("SELECT id FROM orders ORDER BY id")
        assert cursor.fetchall() == [(1,)]  # what a restore over live data does: the later order is gone


def other_host_name(url: str) -> str:
    """The URL with 127.0.0.1 written localhost, or the other way round."""
    if "@127.0.0.1:" in url:
        return url.replace("@127.0.0.1:", "@localhost:")
    assert "@localhost:" in url, url
    return url.replace("@localhost:", "@127.0.0.1:")


def test_restore_goes_ahead_into_another_database_of_the_production_server(scratch_database, tmp_path):
    production, other = scratch_database(), scratch_database()
    with cursor_on(production) as cursor:
        cursor.execute("CREATE TABLE orders (id int PRIMARY KEY); INSERT INTO orders VALUES (1)")
    dump = run("scripts/backup.sh", str(tmp_path), env={"DATABASE_URL": production}).stdout.strip()

    result = run(
        "scripts/restore.sh", dump, other_host_name(other), env={"PRODUCTION_DATABASE_URL": production}
    )

    assert result.returncode == 0, result.stderr
    with cursor_on(other) as cursor:
        cursor.execute("SELECT id FROM orders")
        assert cursor.fetchall() == [(1,)]


def test_restore_refuses_a_missing_file_or_a_target_that_is_not_postgresql(tmp_path):
    missing = run("scripts/restore.sh", str(tmp_path / "nothing.dump"), "postgres://localhost/x")
    not_postgres = run("scripts/restore.sh", __file__, "sqlite:///db.sqlite3")

    assert missing.returncode == 2 and "No backup file" in missing.stderr
    assert not_postgres.returncode == 2


def test_the_manual_s_sql_files_load_into_empty_databases(sql_dumps, demo_database, scratch_database):
    assert {path.name for path in sql_dumps.iterdir()} == {
        "structure.sql",
        "data.sql",
        "dataAndStructure.sql",
    }
    assert "CREATE TABLE" in (sql_dumps / "structure.sql").read_text()
    assert "CREATE TABLE" not in (sql_dumps / "data.sql").read_text()
    # structure.sql then data.sql give the same database as dataAndStructure.sql alone.
    two_files = scratch_database()

    load(two_files, sql_dumps / "structure.sql", sql_dumps / "data.sql")

    assert fingerprint(two_files) == fingerprint(demo_database)
    with cursor_on(demo_database) as cursor:
        cursor.execute("SELECT name FROM restaurants_restaurant")
        assert {name for (name,) in cursor.fetchall()} == DEMO_RESTAURANTS
    # The script's throwaway database is gone.
    with cursor_on(f"{server_url()}/postgres") as cursor:
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [DUMPS_DATABASE])
        assert cursor.fetchone()[0] == 0


def migrate(url: str) -> subprocess.CompletedProcess[str]:
    return run(
        sys.executable,
        "manage.py",
        "migrate",
        "--noinput",
        env={"DATABASE_URL": url, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "ocpizza.settings"},
    )


@pytest.mark.parametrize(
    "files", [["structure.sql"], ["structure.sql", "data.sql"], ["dataAndStructure.sql"]], ids=" + ".join
)
def test_a_database_made_from_the_sql_files_is_one_migrate_has_nothing_to_do_for(
    sql_dumps, scratch_database, files
):
    url = scratch_database()
    load(url, *(sql_dumps / name for name in files))

    result = migrate(url)

    assert result.returncode == 0, result.stderr
    assert "No migrations to apply." in result.stdout
