"""`make faults INSTANCES=2` (bench/instances.py faults): customers ordering through the router while one
instance is killed (SIGKILL to all its processes, a crashed dyno), then started again: nothing lost (every
order complete, its stock exact, its confirmation email sent once, the dead worker's jobs taken up).
Figures under "instances" in bench/faults.json.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime

from client import Pinned, Recorder, keep_ordering, place_order, run_customers
from dynos import crash, database_connections, running_cluster
from harness import ROOT, check_consistency, log, machine
from run import placement_items

FAULTS = ROOT / "bench" / "faults.json"


def wait_for_queue(database_url: str, since: str, timeout: float = 150) -> dict:
    """Until every order since `since` has its confirmation email and no job waits or runs (the dead
    worker's jobs are taken back after TASKS_STALLED_WORKER_SECONDS, by the minute's upkeep job)."""
    started = time.monotonic()
    while True:
        found = check_consistency(database_url, since=since, emails=True)
        settled = not found["orders_without_confirmation_email"] and not found["jobs_waiting_or_running"]
        if settled or time.monotonic() - started > timeout:
            found["seconds_waited_for_the_queue"] = round(time.monotonic() - started, 1)
            return found
        time.sleep(5)


def crash_and_restart(
    cluster, victim_index: int, *, duration: int, origin: float, events: list[dict]
) -> None:
    """A third of the way in, instance `web<victim_index>` crashed mid-request; two thirds in, started again.
    Each event is appended to `events` with its time (seconds from `origin`)."""
    time.sleep(duration / 3)
    victim = cluster.instances[victim_index - 1]
    # Mid-request: wait (up to 5 s) until the router has requests in progress on it.
    name, waited = f"web{victim_index}", time.monotonic()
    while not cluster.router.stats()[name]["in_flight"] and time.monotonic() - waited < 5:
        time.sleep(0.01)
    in_flight = cluster.router.stats()[name]["in_flight"]
    killed = crash(victim)
    events.append(
        {
            "event": f"web{victim_index} killed: SIGKILL to its {len(killed)} processes at once, "
            f"{in_flight} request(s) in progress on it",
            "at_s": round(time.perf_counter() - origin, 2),
            "requests_in_progress": in_flight,
        }
    )
    log(events[-1]["event"])
    time.sleep(duration / 3)
    at = time.perf_counter() - origin
    took = cluster.restart(victim_index)
    events.append(
        {"event": f"web{victim_index} started again", "at_s": round(at, 2), "serving_after_s": took}
    )
    log(events[-1]["event"])


def faults(args) -> int:
    with running_cluster(count=args.instances, customers=args.customers, contention_portions=10) as (
        database,
        cluster,
        fixtures,
    ):
        started_at = datetime.now(UTC).isoformat()
        placement = fixtures["placement"]
        items = placement_items(fixtures)
        origin = time.perf_counter()
        events: list[dict] = []

        work = keep_ordering(placement["restaurant_id"], items)
        victim_index = cluster.count
        injector = threading.Thread(
            target=crash_and_restart,
            args=(cluster, victim_index),
            kwargs={"duration": args.duration, "origin": origin, "events": events},
        )
        before = cluster.router.served()
        injector.start()
        log(
            f"{args.customers} clients ordering through the router for {args.duration} s; one instance killed..."
        )
        recorder, outcomes, elapsed = run_customers(
            cluster.base, fixtures["customers"], work, duration=args.duration
        )
        injector.join()
        cluster.router.wait_until_up([f"web{i}" for i in range(1, cluster.count + 1)])
        after_stats = cluster.router.stats()
        served = {name: row["requests"] - before.get(name, 0) for name, row in after_stats.items()}
        # Afterwards: a new visitor orders, on the instance that was killed.
        fresh = Pinned(cluster.base, Recorder(), f"web{victim_index}")
        customer = fixtures["customers"][0]
        fresh.sign_in(customer["email"], customer["password"])
        afterwards = place_order(
            fresh, restaurant_id=placement["restaurant_id"], items=items, address=customer["address"]
        )
        log("Waiting for every confirmation email (the dead worker's jobs are taken back)...")
        checks = wait_for_queue(database.url, started_at)
        connections = database_connections(database.url)
    summary = recorder.summary(elapsed)
    confirmed = sum(1 for o in outcomes if o.placed) + (1 if afterwards.placed else 0)
    results = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "instances": args.instances,
        "clients": args.customers,
        "duration_s": round(elapsed, 1),
        "events": events,
        "requests": summary["requests"],
        "statuses": summary["statuses"],
        "requests_by_instance": served,
        "server_errors_500": summary["statuses"].get("500", 0),
        "cut_by_the_crash_502_503": summary["statuses"].get("502", 0) + summary["statuses"].get("503", 0),
        "connections_cut": summary["connection_errors"],
        "orders_confirmed_to_clients": confirmed,
        "orders_in_database": checks["orders"],
        "orders_not_confirmed_but_complete": checks["orders"] - confirmed,
        "order_after_restart_on_the_killed_instance": afterwards.placed,
        "database_connections_at_the_end": connections,
        "checks": checks,
        "client_failures": recorder.failures[:15],
    }
    results["clean"] = is_clean(results)
    everything = json.loads(FAULTS.read_text()) if FAULTS.exists() else {}
    everything["instances"] = results
    FAULTS.write_text(json.dumps(everything, indent=2) + "\n")
    report(results)
    return 0 if results["clean"] else 1


def is_clean(results: dict) -> bool:
    checks = results["checks"]
    return (
        results["server_errors_500"] == 0
        and results["order_after_restart_on_the_killed_instance"]
        and checks["orders"] >= results["orders_confirmed_to_clients"]
        and not checks["negative_stocks"]
        and not checks["stocks_not_equal_to_ledger"]
        and not checks["orders_without_lines"]
        and not checks["orders_with_wrong_subtotal"]
        and not checks["orders_without_history"]
        and not checks["orders_holding_wrong_stock"]
        and not checks["orders_without_confirmation_email"]
        and not checks["jobs_waiting_or_running"]
        and not checks["jobs_failed"]
    )


def report(results: dict) -> None:
    checks = results["checks"]
    for event in results["events"]:
        print(f"- at {event['at_s']:>5} s: {event['event']}")
    print(
        f"- {results['requests']} requests; statuses {results['statuses']}; by instance {results['requests_by_instance']}"
    )
    print(
        f"- orders: {results['orders_confirmed_to_clients']} confirmed to clients, {checks['orders']} in the database; "
        f"without their confirmation email: {checks['orders_without_confirmation_email']}; jobs failed: "
        f"{checks['jobs_failed']}, still waiting or running: {checks['jobs_waiting_or_running']} "
        f"(after {checks['seconds_waited_for_the_queue']} s)"
    )
    print(
        f"- stocks below zero: {checks['negative_stocks']}; not equal to their ledger: "
        f"{checks['stocks_not_equal_to_ledger']}; orders holding the wrong stock: {checks['orders_holding_wrong_stock']}"
    )
    print(f"\n{'Clean' if results['clean'] else 'NOT CLEAN'}: bench/faults.json (instances)")
