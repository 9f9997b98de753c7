"""`make bench INSTANCES=2` and `make faults INSTANCES=2`: several copies of the Procfile's `web:` process
behind a round-robin router, sharing PostgreSQL through PgBouncer (transaction mode) and Redis
(bench/dynos.py), and what one process cannot prove:

bench:  throughput of 1 instance, then of all of them, through the same router and pooler; a session opened
        on one instance works on the other (signed in, the cart); a portion sold through one instance is gone
        from the other's menu on the next request; the sign-in rate limit counts failures made on both; the
        contention run, through the router, sells exactly K portions. Figures under "instances" in
        bench/results.json and the table of bench/README.md.
faults: customers ordering through the router while one instance is killed (SIGKILL to all its processes,
        a crashed dyno), then started again: nothing lost (every order complete, its stock exact, its
        confirmation email sent once, the dead worker's jobs taken up). Figures under "instances" in
        bench/faults.json.

Exits non-zero when a check fails or anything is lost, never on speed.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from client import Pinned, Recorder, add_to_cart, place_order
from dynos import database_connections, running_cluster
from harness import PYTHON, ROOT, check_consistency, log, machine, script_arguments, server_env
from instances_faults import faults
from run import contention_run, placement_run, wrk_runs

RESULTS = ROOT / "bench" / "results.json"
README = ROOT / "bench" / "README.md"
TABLE_START, TABLE_END = "<!-- instances:start -->", "<!-- instances:end -->"
# Failed sign-ins on one account before even the right password is refused (ACCOUNT_RATE_LIMITS, "5/15m/key").
SIGN_IN_FAILURES_ALLOWED = 5


def served_during(router, action):
    """Runs `action()`; returns its result and how many requests each instance answered meanwhile."""
    before = router.served()
    result = action()
    after = router.served()
    return result, {name: after[name] - before.get(name, 0) for name in after}


# --- throughput -------------------------------------------------------------------------------------------


def throughput(cluster, fixtures: dict, duration: int) -> dict:
    """The same runs with the first instance alone, then with all of them, through the same router."""
    found = {}
    for count in sorted({1, cluster.count}):
        cluster.router.use_only(count)
        log(f"Throughput with {count} instance(s)...")

        def runs():
            measured = wrk_runs(cluster.base, fixtures, duration)
            measured["placement"] = placement_run(cluster.base, fixtures, duration)
            return measured

        measured, served = served_during(cluster.router, runs)
        found[str(count)] = {"instances": count, "runs": measured, "requests_by_instance": served}
    cluster.router.use_only(cluster.count)
    return found


# --- what one process cannot prove ------------------------------------------------------------------------


def session_on_both(cluster, fixtures: dict) -> dict:
    """Signed in and a pizza added to the cart on web1; web2 knows the customer and the cart."""
    customer = fixtures["customers"][0]
    placement = fixtures["placement"]
    browser = Pinned(cluster.base, Recorder(), "web1")
    signed_in = browser.sign_in(customer["email"], customer["password"])
    added, _ = add_to_cart(
        browser,
        placement["restaurant_id"],
        placement["pizzas"][1],
        quantity=2,
        token=browser.csrf(),
        modifiers=False,
    )
    browser.instance = "web2"
    orders_status, orders_location, _ = browser.request("GET", "/orders/")
    checkout_status, _, checkout = browser.request("GET", "/checkout/")
    browser.request("POST", "/cart/clear/", {"csrfmiddlewaretoken": browser.csrf(checkout)})
    browser.close()
    ok = signed_in and added and orders_status == 200 and checkout_status == 200
    return {
        "signed_in_and_cart_filled_on": "web1",
        "my_orders_on_web2": orders_status,
        "my_orders_redirect": orders_location,
        "checkout_on_web2": checkout_status,
        "ok": ok,
    }


def is_sold_out(body: str, slug: str) -> bool | None:
    """Whether the menu shows the product as sold out; None when the product is not on the page."""
    card = re.search(rf'<article[^>]*id="product-{re.escape(slug)}"[^>]*>', body)
    return None if not card else "sold-out" in card.group(0)


def last_portion_across(cluster, fixtures: dict, database_url: str) -> dict:
    """One portion left at a third restaurant: web2's workers all show it on the menu (each caches the menu
    in its own memory), the portion is sold through web1, and web2's next answers all show it sold out."""
    out = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "prepare.py"), "last-portion"],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=server_env(database_url, debug=True),
    )
    last = json.loads(out.stdout)
    menu = f"/restaurants/{last['restaurant']}/"
    slug = last["product"]["slug"]
    # More requests than web2 has threads, so every worker renders (and caches) the menu at least once.
    looks = 12
    viewer = Pinned(cluster.base, Recorder(), "web2")
    before = [is_sold_out(viewer.request("GET", menu)[2], slug) for _ in range(looks)]
    customer = fixtures["customers"][1]
    buyer = Pinned(cluster.base, Recorder(), "web1")
    buyer.sign_in(customer["email"], customer["password"])
    outcome = place_order(
        buyer,
        restaurant_id=last["restaurant_id"],
        items=[({**last["product"], "removable": [], "extras": []}, 1, False)],
        address=customer["address"],
        fulfilment="pickup",
    )
    after = [is_sold_out(viewer.request("GET", menu)[2], slug) for _ in range(looks)]
    viewer.close()
    buyer.close()
    return {
        "restaurant": last["restaurant"],
        "product": slug,
        "web2_menu_before_sold_out": before,
        "sold_through_web1": outcome.placed,
        "order": outcome.number,
        "web2_menu_after_sold_out": after,
        "ok": outcome.placed and not any(before) and None not in before and all(after),
    }


def sign_in_limit_across(cluster, fixtures: dict) -> dict:
    """Failed sign-ins on one account, alternately on web1 and web2 (3 and 2, each instance below the
    limit), then the right password: refused only if the count is shared."""
    customer = fixtures["rate_limit_customer"]
    attempts = []
    for attempt in range(SIGN_IN_FAILURES_ALLOWED):
        instance = f"web{attempt % cluster.count + 1}"
        browser = Pinned(cluster.base, Recorder(), instance)
        signed_in = browser.sign_in(customer["email"], "not-the-password-" + str(attempt))
        browser.close()
        attempts.append({"on": instance, "signed_in": signed_in})
    browser = Pinned(cluster.base, Recorder(), "web2")
    right_password = browser.sign_in(customer["email"], customer["password"])
    browser.close()
    per_instance = {
        name: sum(1 for a in attempts if a["on"] == name) for name in sorted({a["on"] for a in attempts})
    }
    return {
        "failed_attempts": attempts,
        "failures_per_instance": per_instance,
        "right_password_then_on_web2_signed_in": right_password,
        "ok": not any(a["signed_in"] for a in attempts) and not right_password,
    }


def write_readme(results: dict) -> None:
    text = README.read_text()
    if TABLE_START not in text:
        return
    head, rest = text.split(TABLE_START, 1)
    _, tail = rest.split(TABLE_END, 1)
    runs = results["throughput"]
    counts = list(runs)
    rows = [
        "| run | "
        + " | ".join(f"{c} instance{'s' if c != '1' else ''} req/s (p99 ms)" for c in counts)
        + " |",
        "|---|" + "---:|" * len(counts),
    ]
    for key, run in runs[counts[0]]["runs"].items():
        cells = [f"{runs[c]['runs'][key]['rps']:.0f} ({runs[c]['runs'][key]['p99_ms']:.0f})" for c in counts]
        rows.append(f"| {run['label']} | " + " | ".join(cells) + " |")
    rows.append(
        "| Complete orders/s | "
        + " | ".join(f"{runs[c]['runs']['placement']['orders_per_s']}" for c in counts)
        + " |"
    )
    checks = results["checks"]
    m = results["machine"]
    lines = [
        f"Measured {results['date']} on {m['cpus']} cores, load average "
        f"{' / '.join(str(n) for n in m['load_average'])} at the end; requests answered by each instance "
        f"with {counts[-1]}: {runs[counts[-1]]['requests_by_instance']}.",
        "",
        *rows,
        "",
        f"- Session on both: {'yes' if checks['session_on_both']['ok'] else 'NO'}; last portion sold through "
        f"web1, gone from web2's menu on the next request: {'yes' if checks['last_portion']['ok'] else 'NO'}; "
        f"sign-in limit counted across instances: {'yes' if checks['sign_in_limit']['ok'] else 'NO'}.",
        f"- Contention through the router: {results['contention']['orders']} orders for "
        f"{results['contention']['portions']} portions, exact: {checks['contention_exact']}; requests by "
        f"instance {results['contention']['requests_by_instance']}.",
        f"- Stocks: {checks['ledger']['negative_stocks']} below zero, "
        f"{checks['ledger']['stocks_not_equal_to_ledger']} different from their ledger; orders: "
        f"{checks['ledger']['orders_holding_wrong_stock']} holding the wrong stock.",
    ]
    README.write_text(head + TABLE_START + "\n" + "\n".join(lines) + "\n" + TABLE_END + tail)


def all_pass(results: dict) -> bool:
    checks, ledger = results["checks"], results["checks"]["ledger"]
    return (
        checks["session_on_both"]["ok"]
        and checks["last_portion"]["ok"]
        and checks["sign_in_limit"]["ok"]
        and checks["contention_exact"]
        and not results["server_errors"]
        and not ledger["negative_stocks"]
        and not ledger["stocks_not_equal_to_ledger"]
        and not ledger["orders_without_lines"]
        and not ledger["orders_with_wrong_subtotal"]
        and not ledger["orders_holding_wrong_stock"]
    )


def report(results: dict, ok: bool) -> None:
    print(
        json.dumps(
            {k: results[k] for k in ("checks", "server_errors", "wrk_timeouts_and_cut_connections")}, indent=2
        )
    )
    for count, found in results["throughput"].items():
        rps = ", ".join(f"{key} {run['rps']:.0f}/s" for key, run in found["runs"].items())
        print(f"- {count} instance(s): {rps}; by instance {found['requests_by_instance']}")
    print(f"\n{'All checks pass' if ok else 'A CHECK FAILED'}: bench/results.json (instances)")


def bench(args) -> int:
    with running_cluster(
        count=args.instances, customers=args.customers + 1, contention_portions=args.portions
    ) as (database, cluster, fixtures):
        fixtures = {
            **fixtures,
            "customers": fixtures["customers"][:-1],
            "rate_limit_customer": fixtures["customers"][-1],
        }
        started = datetime.now(UTC).isoformat()
        measured = throughput(cluster, fixtures, args.duration)
        log("Checks across instances: session, last portion, sign-in limit...")
        checks = {
            "session_on_both": session_on_both(cluster, fixtures),
            "last_portion": last_portion_across(cluster, fixtures, database.url),
            "sign_in_limit": sign_in_limit_across(cluster, fixtures),
        }
        log("Contention run through the router...")
        contention, served = served_during(cluster.router, lambda: contention_run(cluster.base, fixtures))
        contention["requests_by_instance"] = served
        connections = database_connections(database.url)
        ledger = check_consistency(database.url, since=started, contention=fixtures["contention"])
    checks["contention_exact"] = ledger["contention_portions_ordered"] == fixtures["contention"]["portions"]
    checks["ledger"] = ledger
    # Answers other than 2xx/3xx (wrk) and 5xx (the clients); wrk's timeouts (2 s, on a busy machine) and cut
    # connections are reported apart: they are the load client giving up, not the site answering wrong.
    runs = [run for found in measured.values() for run in found["runs"].values()]
    server_errors = sum(
        run.get("non_2xx_3xx", 0) + run.get("errors_5xx", 0) for run in runs
    ) + contention.get("errors_5xx", 0)
    client_gave_up = sum(run.get("socket_errors", 0) + run.get("connection_errors", 0) for run in runs)
    results = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "instances": args.instances,
        "stack": "HAProxy round robin -> N × Procfile web (gunicorn 3×4 + task worker) -> PgBouncer "
        "(transaction mode, pool 20) -> PostgreSQL; Redis for the cache (rate limits)",
        "throughput": measured,
        "contention": contention,
        "database_connections_at_the_end": connections,
        "checks": checks,
        "server_errors": server_errors,
        "wrk_timeouts_and_cut_connections": client_gave_up,
    }
    everything = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    everything["instances"] = results
    RESULTS.write_text(json.dumps(everything, indent=2) + "\n")
    if not args.no_readme:
        write_readme(results)
    ok = all_pass(results)
    report(results, ok)
    return 0 if ok else 1


def main() -> int:
    parser = script_arguments(__doc__)
    parser.add_argument("mode", choices=("bench", "faults"))
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--duration", type=int, default=None, help="seconds per run (bench 10, faults 30)")
    parser.add_argument("--customers", type=int, default=8)
    parser.add_argument("--portions", type=int, default=60)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    if args.instances < 2:
        parser.error("--instances: at least 2 (one instance is `make bench` without INSTANCES).")
    if args.mode == "bench":
        args.duration = args.duration or 10
        return bench(args)
    args.duration = args.duration or 30
    return faults(args)


if __name__ == "__main__":
    sys.exit(main())
