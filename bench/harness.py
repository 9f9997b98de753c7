"""What every benchmark script needs: a database, the demo data prepared for load, and the web server
started exactly as the Procfile starts it, with production settings.

Nothing here is imported by the application; the scripts run with the project's virtualenv.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import shlex
import signal
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager, suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
WORK = ROOT / ".tmp" / "bench"


def log(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Database:
    """DATABASE_URL when given, else a throwaway PostgreSQL cluster with the server's default durability
    (fsync on: figures for order placement include the cost of committing for real)."""

    def __init__(self) -> None:
        self.url = os.environ.get("DATABASE_URL", "")
        self.folder = WORK / "pg"
        self.throwaway = not self.url

    def start(self) -> None:
        if not self.throwaway:
            log("Using the database of DATABASE_URL.")
            return
        env = {**os.environ, "PG_SETTINGS": ""}
        out = subprocess.run(
            [str(ROOT / "scripts" / "pg.sh"), "start", str(self.folder), str(free_port())],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        )
        self.url = out.stdout.strip().splitlines()[-1]
        log(f"Throwaway PostgreSQL at {self.url}")

    def restart(self) -> None:
        if not self.throwaway:
            raise RuntimeError("Only the throwaway database is restarted by the benchmark.")
        subprocess.run([str(ROOT / "scripts" / "pg.sh"), "restart", str(self.folder)], check=True)

    def stop(self) -> None:
        if self.throwaway and self.url:
            subprocess.run([str(ROOT / "scripts" / "pg.sh"), "stop", str(self.folder)], check=False)

    def version(self) -> str:
        out = subprocess.run(
            [PYTHON, "-c", "import django; django.setup(); from django.db import connection; "
             "connection.ensure_connection(); print(connection.pg_version)"],
            capture_output=True, text=True, env=server_env(self.url, debug=True), cwd=ROOT,
        )  # fmt: skip
        number = int(out.stdout.strip() or 0)
        return f"{number // 10000}.{number % 10000}" if number else "unknown"


def server_env(database_url: str, *, debug: bool = False, port: int = 0) -> dict[str, str]:
    """Production settings (DEBUG off, database cache, whitenoise manifest) on loopback, no secret kept."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ocpizza.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "true" if debug else "false",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"https://127.0.0.1:{port}" if port else "https://127.0.0.1",
        "STATIC_ROOT": str(WORK / "static"),
        "MEDIA_ROOT": str(WORK / "media"),
        # Emails are rendered as in production, then kept in the worker's memory instead of sent.
        "EMAIL_URL": "locmem://",
        "DEMO_PAYMENTS": "true",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        # As on Heroku, the virtualenv's commands (gunicorn) come first on the PATH.
        "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ.get('PATH', '')}",
    }
    for name in ("REDIS_URL", "SENTRY_DSN", "AWS_STORAGE_BUCKET_NAME", "STRIPE_SECRET_KEY"):
        env.pop(name, None)
    return env


def manage(database_url: str, *args: str, debug: bool = False) -> None:
    subprocess.run(
        [PYTHON, "manage.py", *args],
        check=True,
        cwd=ROOT,
        env=server_env(database_url, debug=debug),
        stdout=subprocess.DEVNULL,
    )


def prepare(database_url: str, *, customers: int, contention_portions: int) -> dict:
    """Migrate, load the demo, then bench/prepare.py: stock raised, restaurants open, bench customers."""
    log("Migrating and loading the demo data...")
    manage(database_url, "migrate", "--noinput", "-v", "0")
    manage(database_url, "createcachetable")
    manage(database_url, "load_demo", "--reset", debug=True)
    manage(database_url, "collectstatic", "--noinput", "-v", "0")
    out = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "prepare.py"), str(customers), str(contention_portions)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=server_env(database_url, debug=True),
    )
    return json.loads(out.stdout)


def procfile_web_command() -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            return line.removeprefix("web:").strip()
    raise RuntimeError("The Procfile has no web process.")


class Server:
    """The Procfile's web command, run by bash with PORT set (so ${WEB_CONCURRENCY:-3} means the same).
    Another command (stock Django's gunicorn) with `command`, `env` and `health`, the path answered once
    it serves; `name` names its log file under .tmp/bench/."""

    def __init__(
        self,
        database_url: str,
        port: int | None = None,
        env: dict[str, str] | None = None,
        *,
        command: str | None = None,
        health: str = "/healthz",
        name: str = "gunicorn",
    ) -> None:
        self.port = port or free_port()
        self.database_url = database_url
        self.extra_env = env or {}
        self.command = command or procfile_web_command()
        self.health = health
        self.name = name
        self.process: subprocess.Popen | None = None
        self.base = f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**server_env(self.database_url, port=self.port), "PORT": str(self.port), **self.extra_env}
        self.log_file = open(WORK / f"{self.name}.log", "a")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            ["bash", "-c", f"exec {self.command}"],
            cwd=ROOT,
            env=env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_until_serving()

    def wait_until_serving(self, timeout: float = 30) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            try:
                request = urllib.request.Request(
                    f"{self.base}{self.health}", headers={"X-Forwarded-Proto": "https"}
                )
                with urllib.request.urlopen(request, timeout=2) as response:
                    if response.status == 200:
                        return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"The server did not answer within {timeout} s (see {WORK / self.name}.log).")

    def worker_pids(self) -> list[int]:
        """gunicorn's worker processes: children of its master, which supervisord runs beside the task
        worker (or the web process itself, when the Procfile runs gunicorn alone)."""
        masters = [pid for pid in _children(self.process.pid) if "gunicorn" in _command(pid)]
        if not masters and "gunicorn" in _command(self.process.pid):
            masters = [self.process.pid]
        return [pid for master in masters for pid in _children(master)]

    def task_worker_pid(self) -> int | None:
        """The task worker (`manage.py procrastinate worker`) that supervisord runs beside gunicorn."""
        found = [pid for pid in _children(self.process.pid) if "procrastinate" in _command(pid)]
        return found[0] if found else None

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        if getattr(self, "log_file", None):
            self.log_file.close()


STOCK = ROOT / "bench" / "stock"
STOCK_DATABASE = "stock_django"


def sibling_database(database_url: str, name: str) -> str:
    """The URL of database `name` on the server of `database_url`, created when missing."""
    import psycopg

    base, _, _ = database_url.rpartition("/")
    with psycopg.connect(database_url, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


@contextmanager
def stock_django(database_url: str, *, items: int = 26):
    """Stock Django (bench/stock/) on the same PostgreSQL server, in a database of its own, served by
    gunicorn with OC Pizza's gunicorn.conf.py (3 workers × 4 threads, --preload): yields the server and
    what its pages need (session cookie, poll id)."""
    url = sibling_database(database_url, STOCK_DATABASE)
    # One secret for the setup and the server: the session it stores is signed with it.
    env = {
        "STOCK_DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "stocksite.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
    }
    out = subprocess.run(
        [PYTHON, str(STOCK / "setup.py"), str(items)],
        check=True,
        capture_output=True,
        text=True,
        cwd=STOCK,
        env={**server_env(database_url), **env},
    )
    fixtures = json.loads(out.stdout)
    server = Server(
        database_url,
        env=env,
        command=f"gunicorn -c {shlex.quote(str(ROOT / 'gunicorn.conf.py'))} --chdir {shlex.quote(str(STOCK))} "
        "stocksite.wsgi",
        health="/",
        name="stock-gunicorn",
    )
    try:
        log(f"Starting stock Django: {server.command}")
        server.start()
        yield server, fixtures
    finally:
        server.stop()


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(child) for child in out.stdout.split()]


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def script_arguments(doc: str) -> argparse.ArgumentParser:
    """The command line of a benchmark script: its --help prints the script's docstring as written."""
    return argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)


@contextmanager
def prepared_database(*, customers: int, contention_portions: int):
    """A database started and its data prepared (directly, as the release phase): (database, fixtures);
    stopped on the way out, errors included."""
    WORK.mkdir(parents=True, exist_ok=True)
    database = Database()
    try:
        database.start()
        yield database, prepare(database.url, customers=customers, contention_portions=contention_portions)
    finally:
        database.stop()


@contextmanager
def running_stack(*, customers: int, contention_portions: int, env: dict[str, str] | None = None):
    """Database, prepared data and server; everything stopped on the way out, errors included."""
    with prepared_database(customers=customers, contention_portions=contention_portions) as (
        database,
        fixtures,
    ):
        server = Server(database.url, env=env)
        log(f"Starting the Procfile's web process: {server.command}")
        try:
            server.start()
            yield database, server, fixtures
        finally:
            server.stop()


def check_consistency(
    database_url: str, *, since: str = "", contention: dict | None = None, emails: bool = False
) -> dict:
    """bench/checks.py in a separate process (Django set up with the same settings)."""
    args = [PYTHON, str(ROOT / "bench" / "checks.py")]
    if since:
        args += ["--since", since]
    if contention:
        args += ["--contention", contention["restaurant"], str(contention["product_id"])]
    if emails:
        args.append("--emails")
    out = subprocess.run(
        args, check=True, capture_output=True, text=True, cwd=ROOT, env=server_env(database_url, debug=True)
    )
    return json.loads(out.stdout)


def machine() -> dict:
    cpu = ""
    with suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    memory = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, AttributeError):
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "server": procfile_web_command(),
        "note": "load client, web server and PostgreSQL on the same machine, sharing its cores",
        # Other work on the machine when the run ended (1, 5 and 15 minutes): figures of a busy machine are low.
        "load_average": [round(n, 2) for n in os.getloadavg()],
    }


def wrk(url: str, *, connections: int = 8, duration: int = 10, headers: dict[str, str] | None = None) -> dict:
    """One wrk run: requests/s, latency percentiles (ms), errors (socket errors and non-2xx/3xx)."""
    options = []
    for name, value in (headers or {}).items():
        options += ["-H", f"{name}: {value}"]
    # Warm-up, not counted: every worker and thread fills its caches (first renders, connections).
    subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{WARM_UP_SECONDS}s", *options, url],
        check=True,
        capture_output=True,
    )
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", *options, url]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    (WORK / "wrk.log").open("a").write(f"$ {shlex.join(command)}\n{out}\n")
    return {"tool": "wrk", "connections": connections, "duration_s": duration, **parse_wrk(out)}


WARM_UP_SECONDS = 3

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return round(float(number) * _UNITS[unit], 2)


def parse_wrk(output: str) -> dict:
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", output, re.M))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    socket_errors = sum(
        int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output.split("Socket errors:")[-1])
    ) if "Socket errors:" in output else 0  # fmt: skip
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests": requests,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": _ms(latency["50"]),
        "p99_ms": _ms(latency["99"]),
        "errors": socket_errors + (int(non_2xx.group(1)) if non_2xx else 0),
        # The two kinds apart: answers not 2xx/3xx, and connections that failed or gave up (wrk's 2 s timeout).
        "non_2xx_3xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": socket_errors,
    }
