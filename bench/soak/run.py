"""`make soak`: a Friday evening compressed, on the production stack (the Procfile's web process: gunicorn
and the task worker), driven by Locust headless (bench/soak/locustfile.py) for `--minutes` (20).

Checked, and written to bench/soak.json: per kind of request p95 < 200 ms and p99 < 500 ms and no error;
every order placed delivered by the end (customers stop ordering for the last part of the run, the drain,
so the kitchens and drivers can finish); every confirmation email sent; the ledger checks of `make bench`;
the web process's memory flat and the database connections bounded by the threads that hold one (sampled every 30 s,
plotted in bench/soak.svg). A measurement, not a test: exits non-zero when a level or a check is missed.

`--minutes M` (20), `--customers N` simultaneous customers (10: about 1,000 orders an hour for the chain, four
times what its five ovens bake; the rate the two cores of this machine hold within the service levels,
docs/scaling.md), `--sample-seconds S` (30).
"""

from __future__ import annotations

import csv
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent.parent))  # tests.smtp: the SMTP server on loopback

from dynos import database_connections  # noqa: E402
from harness import (  # noqa: E402
    PYTHON,
    ROOT,
    WORK,
    check_consistency,
    log,
    machine,
    running_stack,
    script_arguments,
    server_env,
)

from tests.smtp import FakeSmtp  # noqa: E402

RESULTS = ROOT / "bench" / "soak.json"
PLOT = ROOT / "bench" / "soak.svg"
P95_MS, P99_MS = 200, 500
# Kitchen tablets (2 per restaurant), driver phones (1 per restaurant) and the manager: fixed_count in the
# locustfile.
STAFF_USERS = 10 + 5 + 1
# Memory "flat": the second half of the run stays within this of the first half's median.
FLAT_TOLERANCE = 0.15
CUSTOMERS = 10


def _tree(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    children = [int(child) for child in out.stdout.split()]
    return [pid, *(grandchild for child in children for grandchild in _tree(child))]


def resident_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (supervisord, gunicorn, workers, task worker)."""
    total_kb = 0
    for process in _tree(pid):
        try:
            for line in Path(f"/proc/{process}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except OSError:
            continue
    return round(total_kb / 1024, 1)


class Sampler(threading.Thread):
    """Every `every` seconds: memory of the web process's tree, connections to PostgreSQL, load average."""

    def __init__(self, pid: int, database_url: str, every: float) -> None:
        super().__init__(daemon=True)
        self.pid, self.database_url, self.every = pid, database_url, every
        self.samples: list[dict] = []
        self.stopping = threading.Event()
        self.started_at = time.monotonic()

    def sample(self) -> None:
        connections = database_connections(self.database_url)
        self.samples.append(
            {
                "minute": round((time.monotonic() - self.started_at) / 60, 2),
                "memory_mb": resident_mb(self.pid),
                "database_connections": sum(connections.values()),
                "by_program": connections,
                "load_average_1m": round(os.getloadavg()[0], 2),
            }
        )

    def run(self) -> None:
        while not self.stopping.is_set():
            self.sample()
            self.stopping.wait(self.every)

    def stop(self) -> None:
        self.stopping.set()
        self.join()
        self.sample()


def flat(values: list[float]) -> dict:
    """Whether the second half stays within FLAT_TOLERANCE of the first half's median (the first sample,
    before any request warmed the workers, left out)."""
    values = values[1:] if len(values) > 2 else values
    half = len(values) // 2
    baseline = statistics.median(values[: max(half, 1)])
    worst = max(values[half:]) if values[half:] else baseline
    return {
        "first_half_median": baseline,
        "second_half_max": worst,
        "flat": worst <= baseline * (1 + FLAT_TOLERANCE) + 1,
    }


def within_the_pool(values: list[int]) -> dict:
    """Database connections: bounded by the threads that hold one, not growing with the requests. Each web
    thread and each of the task worker's opens its connection at its first query and keeps it (CONN_MAX_AGE),
    and gunicorn starts a worker's threads as concurrent requests first reach it: at a light load the count
    climbs for minutes (21 at mid-run, 23 at minute 16 in session 10's soak) while at a heavy one it is there
    within the first. A leak opens one per request or per job, thousands over the run. Held when the count
    never passes what was open before the load (the first sample: the task worker's, the sampler's) plus one
    per web thread and per task worker slot."""
    threads = int(os.environ.get("WEB_CONCURRENCY", "3")) * int(os.environ.get("GUNICORN_THREADS", "4"))
    ceiling = values[0] + threads + int(os.environ.get("TASKS_WORKER_CONCURRENCY", "4"))
    half = len(values) // 2
    return {
        "before_the_load": values[0],
        "ceiling": ceiling,
        "first_half_max": max(values[: max(half, 1)]),
        "second_half_max": max(values[half:]) if values[half:] else values[0],
        "flat": max(values) <= ceiling,
    }


def service_levels(stats_csv: Path) -> dict:
    """Locust's figures per kind of request, each with its levels met or not."""
    kinds = {}
    with stats_csv.open() as handle:
        for row in csv.DictReader(handle):
            count = int(row["Request Count"])
            p95, p99 = float(row["95%"] or 0), float(row["99%"] or 0)
            kinds[row["Name"]] = {
                "requests": count,
                "failures": int(row["Failure Count"]),
                "p50_ms": float(row["50%"] or 0),
                "p95_ms": p95,
                "p99_ms": p99,
                "max_ms": float(row["100%"] or 0),
                "rps": round(float(row["Requests/s"]), 2),
                "met": int(row["Failure Count"]) == 0 and p95 < P95_MS and p99 < P99_MS,
            }
    return kinds


def plot(samples: list[dict], path: Path, title: str) -> None:
    """Memory (MB) and database connections over the run, as two line charts in one SVG."""
    width, height, left, top, panel = 720, 420, 60, 40, 150
    minutes = [s["minute"] for s in samples] or [0]
    span = max(max(minutes), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="22" font-size="14" font-weight="bold">{title}</text>',
    ]
    for index, (key, label, colour) in enumerate(
        (("memory_mb", "Memory of the web process (MB, RSS)", "#c0392b"),
         ("database_connections", "Connections to PostgreSQL", "#2471a3"))
    ):  # fmt: skip
        y0 = top + index * (panel + 40)
        values = [s[key] for s in samples] or [0]
        high = max(max(values) * 1.2, 1)
        plot_width = width - left - 20
        parts += [
            f'<text x="{left}" y="{y0 + 12}">{label}</text>',
            f'<line x1="{left}" y1="{y0 + panel}" x2="{left + plot_width}" y2="{y0 + panel}" stroke="#999"/>',
            f'<line x1="{left}" y1="{y0 + 20}" x2="{left}" y2="{y0 + panel}" stroke="#999"/>',
            f'<text x="{left - 6}" y="{y0 + 24}" text-anchor="end">{high:.0f}</text>',
            f'<text x="{left - 6}" y="{y0 + panel}" text-anchor="end">0</text>',
            f'<text x="{left + plot_width}" y="{y0 + panel + 16}" text-anchor="end">{span:.0f} min</text>',
        ]
        points = " ".join(
            f"{left + plot_width * m / span:.1f},{y0 + panel - (panel - 20) * v / high:.1f}"
            for m, v in zip(minutes, values, strict=False)
        )
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
        for m, v in zip(minutes, values, strict=False):
            x, y = left + plot_width * m / span, y0 + panel - (panel - 20) * v / high
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"/>')
    parts.append("</svg>")
    path.write_text("\n".join(parts) + "\n")


def soak(*, customers: int, minutes: float, sample_seconds: float, drain: int) -> tuple:
    """The stack, its soak data, Locust for `minutes` with the machine sampled, then the task queue waited for
    and the checks. Returns (checks, sampler, Locust's finished process, the prefix of its CSV files)."""
    seconds = int(minutes * 60)
    # The worker sends its emails over SMTP to a server on loopback, as in production: `locmem://` (the other
    # runs' backend) would keep every email in the worker's memory, which the memory check counts.
    smtp = FakeSmtp().answer()
    try:
        return _soak(smtp, customers=customers, seconds=seconds, sample_seconds=sample_seconds, drain=drain)
    finally:
        smtp.stop()


def _soak(smtp: FakeSmtp, *, customers: int, seconds: int, sample_seconds: float, drain: int) -> tuple:
    minutes = seconds / 60
    env = {"EMAIL_URL": smtp.url}
    with running_stack(customers=1, contention_portions=10, env=env) as (database, server, _):
        out = subprocess.run(
            [PYTHON, str(ROOT / "bench" / "prepare.py"), "soak", "12"],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**server_env(database.url, debug=True), **env},
        )
        fixtures_path = WORK / "soak-fixtures.json"
        fixtures_path.write_text(out.stdout)
        started_at = datetime.now(UTC).isoformat()
        sampler = Sampler(server.process.pid, database.url, sample_seconds)
        sampler.start()
        prefix = WORK / "soak"
        users = customers + STAFF_USERS
        env = {
            **os.environ,
            "SOAK_FIXTURES": str(fixtures_path),
            "SOAK_ORDERS_UNTIL": str(time.time() + seconds - drain),
        }
        log(
            f"Locust: {customers} customers, 10 kitchen tablets, 5 drivers, a manager, for {minutes} min "
            f"(no new order in the last {drain} s)..."
        )
        locust = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "locust"), "-f", str(HERE / "locustfile.py"), "--headless",
             "--host", server.base, "-u", str(users), "-r", "1", "-t", f"{seconds}s", "--stop-timeout", "15",
             "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"],
            cwd=ROOT, env=env, capture_output=True, text=True,
        )  # fmt: skip
        (WORK / "locust.log").write_text(locust.stdout + locust.stderr)
        sampler.stop()
        log("Waiting for the task queue, then the checks...")
        checks = {}
        waited = time.monotonic()
        while time.monotonic() - waited < 120:
            checks = check_consistency(database.url, since=started_at, emails=True)
            if not checks["jobs_waiting_or_running"] and not checks["orders_without_confirmation_email"]:
                break
            time.sleep(5)
    checks["emails_received_by_smtp"] = len(smtp.counts())
    return checks, sampler, locust, prefix


def levels_met(results: dict) -> bool:
    checks = results["checks"]
    return bool(
        not results["kinds_missing_their_levels"]
        and checks["orders"] > 0
        and not results["orders_not_delivered"]
        and not checks["orders_without_confirmation_email"]
        and not checks["jobs_failed"]
        and not checks["negative_stocks"]
        and not checks["stocks_not_equal_to_ledger"]
        and not checks["orders_without_lines"]
        and not checks["orders_with_wrong_subtotal"]
        and not checks["orders_holding_wrong_stock"]
        and results["memory"]["flat"]
        and results["database_connections"]["flat"]
    )


def report(results: dict, ok: bool) -> None:
    aggregated, checks, memory = results["requests"], results["checks"], results["memory"]
    print(f"\n{aggregated.get('requests', 0)} requests, {aggregated.get('failures', 0)} failures; "
          f"{checks['orders']} orders: {results['orders_by_status']}")  # fmt: skip
    for name, kind in sorted(results["kinds"].items()):
        print(
            f"- {name:<16} {kind['requests']:>6} req  p50 {kind['p50_ms']:>5.0f}  p95 {kind['p95_ms']:>5.0f}  "
            f"p99 {kind['p99_ms']:>5.0f} ms  failures {kind['failures']}{'' if kind['met'] else '  <- missed'}"
        )
    print(f"- memory {memory}; connections {results['database_connections']}")
    print(f"\n{'Service levels met' if ok else 'NOT MET'}: bench/soak.json, bench/soak.svg")


def main() -> int:
    parser = script_arguments(__doc__)
    parser.add_argument("--minutes", type=float, default=20)
    parser.add_argument("--customers", type=int, default=CUSTOMERS)
    parser.add_argument("--sample-seconds", type=float, default=30)
    args = parser.parse_args()
    # The last part of the run without new orders: long enough for kitchen, driver and polls to finish.
    drain = min(150, max(45, int(args.minutes * 60) // 5))
    checks, sampler, locust, prefix = soak(
        customers=args.customers, minutes=args.minutes, sample_seconds=args.sample_seconds, drain=drain
    )
    kinds = service_levels(Path(f"{prefix}_stats.csv"))
    aggregated = kinds.pop("Aggregated", {})
    statuses = checks["orders_by_status"]
    results = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "minutes": args.minutes,
        "users": {"customers": args.customers, "kitchen_tablets": 10, "driver_phones": 5, "managers": 1},
        "drain_seconds": drain,
        "levels": {"p95_ms_below": P95_MS, "p99_ms_below": P99_MS, "errors": 0},
        "requests": aggregated,
        "kinds": kinds,
        "kinds_missing_their_levels": sorted(name for name, kind in kinds.items() if not kind["met"]),
        "orders": checks["orders"],
        "orders_by_status": statuses,
        "orders_not_delivered": {status: n for status, n in statuses.items() if status != "delivered"},
        "checks": checks,
        "memory": flat([s["memory_mb"] for s in sampler.samples]),
        "database_connections": within_the_pool([s["database_connections"] for s in sampler.samples]),
        "samples": sampler.samples,
        "locust_exit_code": locust.returncode,
    }
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    plot(
        sampler.samples,
        PLOT,
        f"make soak, {args.minutes:g} min, {results['date']}: {checks['orders']} orders, "
        f"{aggregated.get('requests', 0)} requests",
    )
    ok = levels_met(results)
    report(results, ok)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
