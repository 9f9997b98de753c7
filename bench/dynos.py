"""Several dynos on one machine, as Heroku runs them: N copies of the Procfile's `web:` process behind a
round-robin router (HAProxy, standing in for Heroku's), sharing one PostgreSQL through PgBouncer in
transaction mode (as Heroku's connection pooler) and one Redis server (REDIS_URL).

Each program is Debian's (scripts/system-deps.sh with WITH_DYNOS=1 installs them), started from a config
file written under .tmp/bench/dynos/ on a loopback port, and stopped by its process id afterwards.
"""

from __future__ import annotations

import csv
import io
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from contextlib import contextmanager, suppress

from harness import WORK, Database, Server, log, prepared_database

DYNOS = WORK / "dynos"
# What each web process is told when it sits behind PgBouncer in transaction mode (docs/operations.md § 9.1):
# a connection is lent for one transaction only, so nothing may outlive one on it.
POOLED_SETTINGS = {
    # Django closes its connection after each request: PgBouncer keeps the server connections.
    "CONN_MAX_AGE": "0",
    # A server-side cursor (a named cursor for .iterator()) lives across transactions: refused by the pooler.
    "DISABLE_SERVER_SIDE_CURSORS": "true",
    # LISTEN outlives a transaction too: the task worker polls the queue instead, every second.
    "TASKS_LISTEN_NOTIFY": "false",
    "TASKS_POLLING_SECONDS": "1",
}


def _pgbouncer_command(config: str) -> list[str]:
    """PgBouncer, like PostgreSQL, refuses to run as root: it switches to the postgres user by itself (so
    the signals to stop it reach it directly)."""
    return ["pgbouncer", "-u", "postgres", config] if os.geteuid() == 0 else ["pgbouncer", config]


def _wait_for_port(port: int, what: str, timeout: float = 15) -> None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on port {port} within {timeout} s (logs: {DYNOS}).")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Redis:
    """redis-server on loopback, nothing written to disk."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        folder = DYNOS / "redis"
        folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(folder), "--logfile", str(folder / "redis.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        _wait_for_port(self.port, "Redis")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class PgBouncer:
    """PgBouncer in transaction mode in front of the database of `database_url` (trust authentication, as
    the throwaway cluster)."""

    def __init__(self, database_url: str, *, pool_size: int = 20) -> None:
        self.target = database_url
        self.port = _free_port()
        self.pool_size = pool_size
        self.folder = DYNOS / "pgbouncer"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"postgres://app@127.0.0.1:{self.port}/app"

    def start(self) -> None:
        from urllib.parse import urlsplit

        target = urlsplit(self.target)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        (self.folder / "userlist.txt").write_text(f'"{target.username}" ""\n')
        (self.folder / "pgbouncer.ini").write_text(
            f"""[databases]
app = host={target.hostname} port={target.port} dbname={target.path.lstrip("/")} user={target.username}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.port}
unix_socket_dir =
auth_type = trust
auth_file = {self.folder / "userlist.txt"}
admin_users = {target.username}
; As Heroku's pooler: a server connection is lent for one transaction.
pool_mode = transaction
default_pool_size = {self.pool_size}
max_client_conn = 1000
; psycopg sends it at connection time; PgBouncer passes on only what it tracks.
ignore_startup_parameters = extra_float_digits
logfile = {self.folder / "pgbouncer.log"}
log_connections = 0
log_disconnections = 0
"""
        )
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
            for child in self.folder.iterdir():
                shutil.chown(child, "postgres", "postgres")
        self.process = subprocess.Popen(
            _pgbouncer_command(str(self.folder / "pgbouncer.ini")),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        _wait_for_port(self.port, "PgBouncer")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            # Its clients are gone by now: SIGTERM, the immediate shutdown.
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


class Router:
    """HAProxy, round robin over the instances as Heroku's router spreads requests over dynos: each request
    is balanced on its own, the client's address is appended to X-Forwarded-For, an instance that stops
    answering its health check (GET /healthz, every second, 3 failures) is taken out, and a request whose connection
    was refused is sent to the other instance (it never reached the dead one). The header
    `X-Bench-Instance: webN` pins a request to one instance, for the checks; each answer names its instance
    in `X-Served-By`."""

    def __init__(self, instances: list[Server]) -> None:
        self.instances = instances
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.folder = DYNOS / "haproxy"
        self.socket = self.folder / "admin.sock"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        servers = "\n".join(
            f"    server {name} 127.0.0.1:{server.port} check inter 1s fall 3 rise 2"
            for name, server in self.named().items()
        )
        pins = "\n".join(
            f"    use-server {name} if {{ req.hdr(x-bench-instance) -m str {name} }}" for name in self.named()
        )
        config = self.folder / "haproxy.cfg"
        config.write_text(
            f"""global
    maxconn 4000
    stats socket {self.socket} mode 600 level admin

defaults
    mode http
    timeout connect 2s
    # /healthz queries the database: on a machine this busy it can take a second or two.
    timeout check 5s
    timeout client 60s
    timeout server 60s
    timeout http-keep-alive 10s
    option forwardfor
    retries 3
    retry-on conn-failure
    option redispatch 1

frontend router
    bind 127.0.0.1:{self.port}
    default_backend web

backend web
    balance roundrobin
    option httpchk
    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host 127.0.0.1
    http-check expect status 200
{pins}
    http-response set-header X-Served-By %[srv_name]
{servers}
"""
        )
        check = subprocess.run(["haproxy", "-c", "-q", "-f", str(config)], capture_output=True, text=True)
        if check.returncode:
            raise RuntimeError(f"HAProxy refused its configuration: {check.stderr}")
        self.log = open(self.folder / "haproxy.log", "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            ["haproxy", "-db", "-f", str(config)], stdout=self.log, stderr=subprocess.STDOUT
        )
        _wait_for_port(self.port, "HAProxy")
        self.wait_until_up(list(self.named()))

    def named(self) -> dict[str, Server]:
        return {f"web{index}": server for index, server in enumerate(self.instances, start=1)}

    def command(self, line: str) -> str:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(self.socket))
            sock.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def stats(self) -> dict[str, dict]:
        """Per instance: its state (UP, DOWN, MAINT) and the requests it has answered, by class of status."""
        text = self.command("show stat").lstrip("# ")
        rows = csv.DictReader(io.StringIO(text))
        found = {}
        for row in rows:
            if row["pxname"] == "web" and row["svname"] in self.named():
                found[row["svname"]] = {
                    "status": row["status"],
                    "requests": sum(int(row[f"hrsp_{c}"] or 0) for c in ("1xx", "2xx", "3xx", "4xx", "5xx")),
                    "5xx": int(row["hrsp_5xx"] or 0),
                    # Requests being answered by the instance right now.
                    "in_flight": int(row["scur"] or 0),
                }
        return found

    def served(self) -> dict[str, int]:
        return {name: row["requests"] for name, row in self.stats().items()}

    def use_only(self, count: int) -> None:
        """Sends the traffic to the first `count` instances; the others are put in maintenance."""
        for index, name in enumerate(self.named()):
            self.command(f"{'enable' if index < count else 'disable'} server web/{name}")
        if count:
            self.wait_until_up(list(self.named())[:count])

    def wait_until_up(self, names: list[str], timeout: float = 30) -> None:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            stats = self.stats()
            if all(stats.get(name, {}).get("status", "").startswith("UP") for name in names):
                return
            time.sleep(0.2)
        raise RuntimeError(f"HAProxy does not see {names} up after {timeout} s: {self.stats()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        if getattr(self, "log", None):
            self.log.close()


class Cluster:
    """The instances, the router, the pooler and Redis; `base` is the router's address."""

    def __init__(self, database: Database, count: int) -> None:
        self.database = database
        self.redis = Redis()
        self.pooler = PgBouncer(database.url)
        self.instances: list[Server] = []
        self.count = count
        self.router: Router | None = None
        # Shared by every instance, as Heroku's config vars are: sessions and signed cookies made by one
        # are read by the others.
        self.secret_key = secrets.token_urlsafe(50)

    @property
    def base(self) -> str:
        return self.router.base

    def instance_env(self) -> dict[str, str]:
        return {**POOLED_SETTINGS, "REDIS_URL": self.redis.url, "SECRET_KEY": self.secret_key}

    def start(self) -> None:
        DYNOS.mkdir(parents=True, exist_ok=True)
        self.redis.start()
        log(f"Redis at {self.redis.url}")
        self.pooler.start()
        log(f"PgBouncer (transaction mode) at {self.pooler.url}")
        for index in range(1, self.count + 1):
            server = Server(self.pooler.url, env=self.instance_env(), name=f"web{index}")
            log(f"Starting instance web{index} (the Procfile's web process) on port {server.port}...")
            server.start()
            self.instances.append(server)
        self.router = Router(self.instances)
        self.router.start()
        log(f"HAProxy round robin over {self.count} instances at {self.router.base}")

    def restart(self, index: int) -> float:
        """Starts instance `index` (1-based) again on its port, as Heroku restarts a crashed dyno; returns
        the seconds until it served."""
        old = self.instances[index - 1]
        server = Server(self.pooler.url, port=old.port, env=self.instance_env(), name=old.name)
        started = time.monotonic()
        server.start()
        self.instances[index - 1] = server
        self.router.instances[index - 1] = server
        return round(time.monotonic() - started, 2)

    def stop(self) -> None:
        for part in [self.router, *self.instances]:
            if part:
                part.stop()
        self.pooler.stop()
        self.redis.stop()


def database_connections(database_url: str) -> dict[str, int]:
    """Connections open on the PostgreSQL server now, by the program that opened them."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT coalesce(nullif(application_name, ''), backend_type), count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() GROUP BY 1"
        ).fetchall()
    return dict(rows)


@contextmanager
def running_cluster(*, count: int, customers: int, contention_portions: int):
    """Database and prepared data (directly, as the release phase), then the cluster; everything stopped on
    the way out, errors included."""
    with prepared_database(customers=customers, contention_portions=contention_portions) as (
        database,
        fixtures,
    ):
        cluster = Cluster(database, count)
        try:
            cluster.start()
            yield database, cluster, fixtures
        finally:
            cluster.stop()


def _descendants(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    children = [int(child) for child in out.stdout.split()]
    return children + [grandchild for child in children for grandchild in _descendants(child)]


def crash(server: Server) -> list[int]:
    """SIGKILL to every process of the instance at once (supervisord first, so it restarts nothing; then
    gunicorn's master and workers and the task worker, each in a process group of its own): a dyno that
    dies with no time to finish anything. Returns the processes killed."""
    pids = [server.process.pid, *_descendants(server.process.pid)]
    for pid in pids:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    server.process.wait()
    return pids
