"""`make faults`, the emails' part: checkout while the mail server is stuck, and the task worker killed in
the middle of a batch of emails. Writes its figures under "email" in bench/faults.json (bench/faults.py
calls `run()`; `python bench/faults_email.py` runs this part alone).

0. **Control**: the same load for 15 s with the mail server answering at once: what a checkout costs on this
   machine at that moment, to read the next figures against.
1. **SMTP stuck**: the mail server (tests/smtp.py, on loopback) accepts connections and never answers for
   30 s, while 8 customers order in a loop. Figures: the checkout POST's median and worst time, the worst
   time of any request. Then the server answers again: every order's confirmation must arrive exactly once
   (counted on the fake server, by order number in the subject).
2. **Worker killed**: the server answers slowly (0.5 s per message) while a batch of orders is placed for
   15 s; 6 s in, the task worker is killed with SIGKILL. supervisord starts a new one; the dead
   worker's jobs go back to the queue (ocpizza.retry_stalled_jobs, every minute, once its heartbeat is 30 s
   old). Every confirmation must arrive exactly once.

The stack is the Procfile's `web` process (supervisord: gunicorn and the worker) with production settings,
the mail server in this process. Nothing here is a test: the figures are measured and written down.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import client as bench_client
from client import place_order, run_customers
from harness import ROOT, log, running_stack
from run import placement_items

from tests.smtp import FakeSmtp

RESULTS = ROOT / "bench" / "faults.json"
HANG_SECONDS = 30


class CheckoutTimes:
    """The time of each checkout POST, measured by the same client as every other request."""

    def __init__(self) -> None:
        self.ms: list[float] = []
        self.lock = threading.Lock()
        self._original = bench_client.Browser.request

    def __enter__(self) -> CheckoutTimes:
        original, times = self._original, self

        def request(browser, method, path, data=None, headers=None):
            started = time.perf_counter()
            answer = original(browser, method, path, data, headers)
            if method == "POST" and path == "/checkout/":
                with times.lock:
                    times.ms.append((time.perf_counter() - started) * 1000)
            return answer

        bench_client.Browser.request = request
        return self

    def __exit__(self, *exc) -> None:
        bench_client.Browser.request = self._original


def orders_since(database_url: str, since: str) -> list[str]:
    with psycopg.connect(database_url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT number FROM orders_order WHERE created_at >= %s AND customer_email <> '' ORDER BY id",
            [since],
        )
        return [row[0] for row in cursor.fetchall()]


def confirmations(smtp: FakeSmtp, numbers: list[str]) -> Counter:
    """How many confirmations each order received (0 when none yet)."""
    counts: Counter = Counter(dict.fromkeys(numbers, 0))
    for (_, subject), count in smtp.counts().items():
        for number in numbers:
            if number in subject and "confirm" in subject.lower():
                counts[number] += count
    return counts


def wait_until_all_delivered(
    smtp: FakeSmtp, database_url: str, since: str, timeout: float
) -> tuple[Counter, float]:
    started = time.monotonic()
    while True:
        counts = confirmations(smtp, orders_since(database_url, since))
        if all(counts.values()) or time.monotonic() - started > timeout:
            return counts, round(time.monotonic() - started, 1)
        time.sleep(0.5)


def exactly_once(counts: Counter) -> dict:
    return {
        "orders": len(counts),
        "confirmations_received": sum(counts.values()),
        "orders_without_confirmation": sum(1 for count in counts.values() if count == 0),
        "orders_confirmed_more_than_once": sum(1 for count in counts.values() if count > 1),
        "exactly_once": bool(counts) and all(count == 1 for count in counts.values()),
    }


def run(customers: int = 8) -> dict:
    smtp = FakeSmtp().answer()
    env = {"EMAIL_URL": smtp.url, "LOG_LEVEL": "WARNING"}
    try:
        with running_stack(customers=customers, contention_portions=10, env=env) as (
            database,
            server,
            fixtures,
        ):
            results = {
                "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                "control_smtp_answering": _control(server, fixtures),
                "smtp_stuck": _smtp_stuck(smtp, database, server, fixtures),
                "worker_killed": _worker_killed(smtp, database, server, fixtures),
            }
    finally:
        smtp.stop()
    return results


def _ordering(server, fixtures, seconds: float, *, count: int | None = None):
    placement = fixtures["placement"]
    items = placement_items(fixtures)
    placed = []
    lock = threading.Lock()

    def work(browser, customer, deadline):
        while time.perf_counter() < deadline and (count is None or len(placed) < count):
            outcome = place_order(
                browser, restaurant_id=placement["restaurant_id"], items=items, address=customer["address"]
            )
            if outcome.placed:
                with lock:
                    placed.append(outcome.number)
            yield outcome

    recorder, _outcomes, elapsed = run_customers(server.base, fixtures["customers"], work, duration=seconds)
    return recorder, placed, elapsed


def _timings(recorder, checkout: CheckoutTimes) -> dict:
    latencies = sorted(checkout.ms)
    return {
        "checkout_p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "checkout_max_ms": round(latencies[-1], 1) if latencies else None,
        "any_request_max_ms": round(max(recorder.latencies_ms), 1) if recorder.latencies_ms else None,
        "requests_over_1s": sum(1 for ms in recorder.latencies_ms if ms > 1000),
    }


def _control(server, fixtures) -> dict:
    """The same load with the mail server answering at once: what the checkout costs on this machine."""
    log("Control: 8 customers order for 15 s, the mail server answering...")
    with CheckoutTimes() as checkout:
        recorder, placed, _ = _ordering(server, fixtures, 15)
    return {"orders_placed": len(placed), **_timings(recorder, checkout)}


def _smtp_stuck(smtp, database, server, fixtures) -> dict:
    smtp.hang()
    since = datetime.now(UTC).isoformat()
    hang_started = time.monotonic()
    log(f"The mail server accepts and never answers for {HANG_SECONDS} s; 8 customers order meanwhile...")
    with CheckoutTimes() as checkout:
        recorder, placed, elapsed = _ordering(server, fixtures, HANG_SECONDS - 5)
    time.sleep(max(0.0, HANG_SECONDS - (time.monotonic() - hang_started)))
    sent_while_stuck = len(smtp.received)
    smtp.answer()
    log("The mail server answers again; waiting for every confirmation...")
    counts, took = wait_until_all_delivered(smtp, database.url, since, timeout=180)
    summary = recorder.summary(elapsed)
    return {
        "smtp_stuck_s": HANG_SECONDS,
        "orders_placed": len(placed),
        "requests": summary["requests"],
        "statuses": summary["statuses"],
        **_timings(recorder, checkout),
        "emails_sent_while_stuck": sent_while_stuck,
        "seconds_to_deliver_all_after_smtp_back": took,
        **exactly_once(counts),
    }


def _worker_killed(smtp, database, server, fixtures) -> dict:
    since = datetime.now(UTC).isoformat()
    smtp.delay = 0.5
    killed: dict = {}

    def kill_mid_batch() -> None:
        time.sleep(6)
        victim = server.task_worker_pid()
        if victim is None:
            return
        killed.update(pid=victim, at=time.monotonic(), delivered=len(smtp.received))
        os.kill(victim, signal.SIGKILL)
        log(f"Task worker {victim} killed (SIGKILL) after {len(smtp.received)} emails of the batch.")

    log("A batch of orders, the mail server taking 0.5 s per message; the worker killed 6 s in...")
    smtp.received.clear()
    killer = threading.Thread(target=kill_mid_batch)
    killer.start()
    _, placed, _ = _ordering(server, fixtures, 15)
    killer.join()
    counts, _ = wait_until_all_delivered(smtp, database.url, since, timeout=240)
    restarted = server.task_worker_pid()
    return {
        "orders_in_batch": len(placed),
        "emails_delivered_before_the_kill": killed.get("delivered"),
        "worker_restarted_by_supervisord": restarted is not None and restarted != killed.get("pid"),
        "seconds_to_deliver_all_after_the_kill": round(time.monotonic() - killed["at"], 1)
        if killed
        else None,
        **exactly_once(counts),
    }


def record(results: dict) -> None:
    """Write `results` under "email" in bench/faults.json, keeping what bench/faults.py wrote."""
    existing = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    existing["email"] = results
    RESULTS.write_text(json.dumps(existing, indent=2) + "\n")


def report(results: dict) -> bool:
    stuck, killed, control = (
        results["smtp_stuck"],
        results["worker_killed"],
        results["control_smtp_answering"],
    )
    print()
    print(
        f"- Control, SMTP answering: checkout p50 {control['checkout_p50_ms']} ms, max "
        f"{control['checkout_max_ms']} ms; slowest request {control['any_request_max_ms']} ms"
    )
    print(
        f"- SMTP stuck {stuck['smtp_stuck_s']} s: {stuck['orders_placed']} orders; checkout p50 "
        f"{stuck['checkout_p50_ms']} ms, max {stuck['checkout_max_ms']} ms; slowest request "
        f"{stuck['any_request_max_ms']} ms ({stuck['requests_over_1s']} over 1 s); statuses {stuck['statuses']}"
    )
    print(
        f"  after the server came back: {stuck['confirmations_received']} confirmations for {stuck['orders']} "
        f"orders in {stuck['seconds_to_deliver_all_after_smtp_back']} s; exactly once: {stuck['exactly_once']}"
    )
    print(
        f"- Worker SIGKILLed after {killed['emails_delivered_before_the_kill']} emails of a batch of "
        f"{killed['orders_in_batch']} orders; restarted: {killed['worker_restarted_by_supervisord']}; all delivered "
        f"{killed['seconds_to_deliver_all_after_the_kill']} s after the kill; exactly once: {killed['exactly_once']}"
    )
    return (
        stuck["exactly_once"]
        and killed["exactly_once"]
        and stuck["requests_over_1s"] == 0
        and stuck["statuses"].get("500", 0) == 0
    )


def main() -> int:
    results = run()
    record(results)
    clean = report(results)
    print(f"\n{'Clean' if clean else 'NOT CLEAN'}: {RESULTS.relative_to(ROOT)} (email)")
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
