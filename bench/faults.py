"""`make faults`: orders under load while a gunicorn worker is killed mid-request and the database is
restarted; then what the clients saw, whether the site came back on its own, and whether anything was
lost or half-written. Prints a report and writes bench/faults.json.

Clean outcomes: an answer (2xx/3xx, 4xx), a 503 "try again" while the database is away, or a connection
cut by the killed worker. Not clean: any 500, an order half-written, a stock that drifts from its ledger.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import faults_email
from client import Browser, Recorder, keep_ordering, place_order, run_customers
from faults_payments import payment_faults
from harness import ROOT, check_consistency, log, running_stack, script_arguments
from run import placement_items

RESULTS = ROOT / "bench" / "faults.json"


def first_success_after(events: list[tuple[float, bool]], moment: float) -> float | None:
    """Seconds from `moment` to the first successful order that started after it."""
    later = [at for at, placed in events if placed and at >= moment]
    return round(min(later) - moment, 2) if later else None


def inject_faults(server, database, *, duration: int, origin: float, faults: list[dict]) -> None:
    """A quarter of the way in, a gunicorn worker killed; half-way, the database restarted. Each fault is
    appended to `faults` with its time (seconds from `origin`)."""
    time.sleep(duration / 4)
    victim = server.worker_pids()[0]
    os.kill(victim, signal.SIGKILL)
    faults.append(
        {
            "fault": f"gunicorn worker {victim} killed (SIGKILL)",
            "at_s": round(time.perf_counter() - origin, 2),
        }
    )
    log(faults[-1]["fault"])
    time.sleep(duration / 4)
    at = time.perf_counter() - origin
    database.restart()
    faults.append(
        {
            "fault": "PostgreSQL restarted (fast shutdown: open transactions cut)",
            "at_s": round(at, 2),
            "took_s": round(time.perf_counter() - origin - at, 2),
        }
    )
    log(faults[-1]["fault"])


def order_after_faults(server, fixtures: dict, items) -> tuple:
    """Afterwards, with nobody restarting anything: a new visitor orders, then reads the menu.
    Returns (the order's outcome, the menu page's status)."""
    log("After the faults: a new order from a fresh session...")
    server.wait_until_serving()
    placement = fixtures["placement"]
    after = Browser(server.base, Recorder())
    customer = fixtures["customers"][0]
    after.sign_in(customer["email"], customer["password"])
    afterwards = place_order(
        after, restaurant_id=placement["restaurant_id"], items=items, address=customer["address"]
    )
    menu_status, _, _ = after.request("GET", f"/restaurants/{placement['restaurant']}/")
    return afterwards, menu_status


def run_under_faults(*, customers: int, duration: int) -> dict:
    """Clients ordering for `duration` seconds while the faults happen, an order afterwards, the checks."""
    with running_stack(customers=customers, contention_portions=10) as (database, server, fixtures):
        started_at = datetime.now(UTC).isoformat()
        placement = fixtures["placement"]
        items = placement_items(fixtures)
        events: list[tuple[float, bool]] = []
        lock = threading.Lock()
        origin = time.perf_counter()
        faults: list[dict] = []

        def record(begun: float, placed: bool) -> None:
            with lock:
                events.append((begun - origin, placed))

        work = keep_ordering(placement["restaurant_id"], items, on_attempt=record)

        injector = threading.Thread(
            target=inject_faults,
            args=(server, database),
            kwargs={"duration": duration, "origin": origin, "faults": faults},
        )
        injector.start()
        log(f"{customers} clients ordering for {duration} s while the faults happen...")
        recorder, outcomes, elapsed = run_customers(
            server.base, fixtures["customers"], work, duration=duration
        )
        injector.join()
        afterwards, menu_status = order_after_faults(server, fixtures, items)
        checks = check_consistency(database.url, since=started_at)

    confirmed = sum(1 for o in outcomes if o.placed) + (1 if afterwards.placed else 0)
    summary = recorder.summary(elapsed)
    restart_at = faults[1]["at_s"] if len(faults) > 1 else None
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "duration_s": round(elapsed, 1),
        "clients": customers,
        "faults": faults,
        "requests": summary["requests"],
        "statuses": summary["statuses"],
        "server_errors_500": summary["statuses"].get("500", 0),
        "unavailable_503": summary["statuses"].get("503", 0),
        "connections_cut": summary["connection_errors"],
        "orders_confirmed_to_clients": confirmed,
        "orders_in_database": checks["orders"],
        "orders_not_confirmed_but_complete": checks["orders"] - confirmed,
        "seconds_to_first_order_after_restart": first_success_after(events, restart_at)
        if restart_at
        else None,
        "order_after_faults": afterwards.placed,
        "menu_after_faults": menu_status,
        "checks": checks,
        "client_failures": recorder.failures[:15],
    }


def is_clean(results: dict) -> bool:
    checks = results["checks"]
    return (
        results["server_errors_500"] == 0
        and results["order_after_faults"]
        and results["menu_after_faults"] == 200
        and checks["negative_stocks"] == 0
        and checks["stocks_not_equal_to_ledger"] == 0
        and checks["orders_without_lines"] == 0
        and checks["orders_with_wrong_subtotal"] == 0
        and checks["orders_without_history"] == 0
        and checks["orders_holding_wrong_stock"] == 0
        and results["payments"]["clean"]
    )


def report(results: dict) -> None:
    checks = results["checks"]
    print()
    for fault in results["faults"]:
        print(f"- at {fault['at_s']:>5} s: {fault['fault']}")
    print(
        f"- {results['requests']} requests in {results['duration_s']} s; statuses {results['statuses']} (0 = connection cut)"
    )
    print(
        f"- 500s: {results['server_errors_500']}; 503s (database away, retry): {results['unavailable_503']}"
    )
    print(
        f"- orders: {results['orders_confirmed_to_clients']} confirmed to their clients, {checks['orders']} in the database "
        f"({results['orders_not_confirmed_but_complete']} complete but unanswered: the worker died after the commit)"
    )
    print(
        f"- first order after the database restart: {results['seconds_to_first_order_after_restart']} s later"
    )
    print(
        f"- afterwards: new order placed: {results['order_after_faults']}; menu page: {results['menu_after_faults']}"
    )
    print(
        f"- stocks below zero: {checks['negative_stocks']}; stocks not equal to their ledger: "
        f"{checks['stocks_not_equal_to_ledger']}; orders without lines: {checks['orders_without_lines']}; "
        f"with a wrong subtotal: {checks['orders_with_wrong_subtotal']}; holding the wrong stock: "
        f"{checks['orders_holding_wrong_stock']}"
    )
    print(f"- payments: {json.dumps(results['payments'])}")


def main() -> int:
    parser = script_arguments(__doc__)
    parser.add_argument("--duration", type=int, default=24)
    parser.add_argument("--customers", type=int, default=8)
    args = parser.parse_args()
    if os.environ.get("DATABASE_URL"):
        print("The fault run restarts its own throwaway database: unset DATABASE_URL.", file=sys.stderr)
        return 2
    results = run_under_faults(customers=args.customers, duration=args.duration)
    log("Payments under faults (bench/faults_payments.py): Stripe failing, the worker killed, expiry...")
    results["payments"] = payment_faults()
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    clean = is_clean(results)
    report(results)
    print(f"\n{'Clean' if clean else 'NOT CLEAN'}: {RESULTS.relative_to(ROOT)}")

    # The emails' faults (bench/faults_email.py), on a stack of their own with a mail server on loopback.
    log("The emails: a stuck mail server, then the task worker killed mid-batch...")
    email = faults_email.run(customers=args.customers)
    faults_email.record(email)
    email_clean = faults_email.report(email)
    print(f"\n{'Clean' if email_clean else 'NOT CLEAN'}: {RESULTS.relative_to(ROOT)} (email)")
    return 0 if clean and email_clean else 1


if __name__ == "__main__":
    sys.exit(main())
