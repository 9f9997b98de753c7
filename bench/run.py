"""`make bench`: the load benchmark. Prints a table, writes bench/results.json and the table of
bench/README.md. A benchmark, not a test: it fails only when the system loses or corrupts something
(a 5xx, a contention run that is not exact, a stock that drifts from its ledger), never on speed.

Options: `--duration SECONDS` per wrk run (10), `--customers N` placement clients (8),
`--portions K` for the contention run (60), `--no-readme` to leave bench/README.md alone.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from client import Browser, Recorder, place_order, run_customers
from harness import ROOT, check_consistency, log, machine, running_stack, wrk

RESULTS = ROOT / "bench" / "results.json"
README = ROOT / "bench" / "README.md"
TABLE_START, TABLE_END = "<!-- results:start -->", "<!-- results:end -->"

# Targets of the issue, on a 2-core machine with the load client on the same cores.
MENU_RATIO_TARGET = 0.25
MENU_P99_TARGET_MS = 50
ORDERS_PER_SECOND_TARGET = 60


def signed_in_cookie(base: str, email: str, password: str) -> str:
    browser = Browser(base, Recorder())
    if not browser.sign_in(email, password):
        raise RuntimeError(f"{email} could not sign in.")
    browser.close()
    return "; ".join(f"{k}={v}" for k, v in browser.cookies.items())


def board_version(url: str, headers: dict[str, str]) -> str:
    """The version of the kitchen board a tablet would show now (its ETag, orders.staff.board.board_version)."""
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
        return response.headers["ETag"].strip('"')


def placement_items(fixtures: dict) -> list[tuple[dict, int, bool]]:
    """Two pizzas: one with an ingredient left out and an extra, one ×2 as it is (above the delivery minimum)."""
    first, second = fixtures["placement"]["pizzas"]
    return [(first, 1, True), (second, 2, False)]


def wrk_runs(base: str, fixtures: dict, duration: int) -> dict:
    proxy = {"X-Forwarded-Proto": "https", "Accept-Language": "fr"}
    menu = f"{base}/restaurants/{fixtures['placement']['restaurant']}/"
    customer = fixtures["customers"][0]
    customer_cookie = signed_in_cookie(base, customer["email"], customer["password"])
    # The customer's order, placed through the forms, for the tracking fragment.
    browser = Browser(base, Recorder())
    browser.sign_in(customer["email"], customer["password"])
    outcome = place_order(
        browser,
        restaurant_id=fixtures["placement"]["restaurant_id"],
        items=placement_items(fixtures),
        address=customer["address"],
    )
    if not outcome.placed:
        raise RuntimeError(f"The tracking order could not be placed: {browser.recorder.failures}")
    tracking_cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    kitchen_cookie = signed_in_cookie(base, fixtures["pizzaiolo"]["email"], fixtures["pizzaiolo"]["password"])
    htmx = {"HX-Request": "true"}
    kitchen_board = f"{base}/staff/kitchen/board/"
    # A tablet between two changes: it sends the version it shows, the board answers 204 without rendering.
    shown = board_version(kitchen_board, {**proxy, "Cookie": kitchen_cookie, **htmx})
    plan = [
        ("floor", "Floor: /robots.txt (full middleware stack, no database)", f"{base}/robots.txt", {}),
        ("menu_anonymous", "Menu page, anonymous", menu, {}),
        ("menu_signed_in", "Menu page, signed in", menu, {"Cookie": customer_cookie}),
        (
            "tracking_fragment",
            "Tracking fragment (customer's poll)",
            f"{base}/orders/{outcome.number}/status/",
            {"Cookie": tracking_cookie, **htmx},
        ),
        (
            "kitchen_fragment",
            "Kitchen board fragment (pizzaiolo's poll)",
            kitchen_board,
            {"Cookie": kitchen_cookie, **htmx},
        ),
        (
            "kitchen_fragment_unchanged",
            "Kitchen board fragment, nothing changed since the last poll (204)",
            kitchen_board,
            {"Cookie": kitchen_cookie, **htmx, "X-Board-Version": shown},
        ),
    ]
    results = {}
    for key, label, url, headers in plan:
        log(f"wrk: {label}")
        results[key] = {
            "label": label,
            "url": url.removeprefix(base),
            **wrk(url, duration=duration, headers={**proxy, **headers}),
        }
    return results


def placement_run(base: str, fixtures: dict, duration: int) -> dict:
    """Each client orders again and again (placement_items), delivered and paid in cash. Counts every
    request an order needs."""
    placement = fixtures["placement"]
    items = placement_items(fixtures)

    def work(browser, customer, deadline):
        while time.perf_counter() < deadline:
            yield place_order(
                browser, restaurant_id=placement["restaurant_id"], items=items, address=customer["address"]
            )

    recorder, outcomes, elapsed = run_customers(base, fixtures["customers"], work, duration=duration)
    placed = sum(1 for o in outcomes if o.placed)
    return {
        "label": f"Order placement, {len(fixtures['customers'])} signed-in clients",
        "clients": len(fixtures["customers"]),
        "duration_s": round(elapsed, 1),
        "orders": placed,
        "orders_refused": len(outcomes) - placed,
        "orders_per_s": round(placed / elapsed, 1),
        "requests_per_order": round(sum(recorder.statuses.values()) / placed, 1) if placed else None,
        **recorder.summary(elapsed),
        "failures": recorder.failures[:10],
    }


def contention_run(base: str, fixtures: dict) -> dict:
    """Every client orders the same pizza, one at a time and to take away (one pizza is below the delivery
    minimum), until it is told the pizza is sold out."""
    contention = fixtures["contention"]
    product = {"id": contention["product_id"], "removable": [], "extras": []}

    def work(browser, customer, deadline):
        while True:
            outcome = place_order(
                browser,
                restaurant_id=contention["restaurant_id"],
                items=[(product, 1, False)],
                address=customer["address"],
                fulfilment="pickup",
            )
            yield outcome
            if not outcome.placed:
                return

    recorder, outcomes, elapsed = run_customers(base, fixtures["customers"], work)
    placed = sum(1 for o in outcomes if o.placed)
    return {
        "label": f"Contention: {len(fixtures['customers'])} clients, one pizza, {contention['portions']} portions",
        "clients": len(fixtures["customers"]),
        "portions": contention["portions"],
        "duration_s": round(elapsed, 1),
        "orders": placed,
        "refused_sold_out": sum(1 for o in outcomes if o.sold_out),
        **recorder.summary(elapsed),
        "failures": recorder.failures[:10],
    }


def table(results: dict) -> str:
    floor = results["runs"]["floor"]["rps"]
    rows = ["| run | requests/s | p50 ms | p99 ms | errors | vs floor |", "|---|---:|---:|---:|---:|---:|"]
    for run in results["runs"].values():
        errors = run.get("errors", run.get("errors_5xx", 0) + run.get("connection_errors", 0))
        rows.append(
            f"| {run['label']} | {run['rps']:.0f} | {run['p50_ms']:.1f} | {run['p99_ms']:.1f} | {errors} | "
            f"{run['rps'] / floor:.0%} |"
        )
    placement, contention = results["runs"]["placement"], results["runs"]["contention"]
    checks = results["checks"]
    rows += [
        "",
        f"- Order placement: **{placement['orders_per_s']} complete orders/s** ({placement['orders']} orders, "
        f"{placement['requests_per_order']} requests each: 2 × add to cart + menu, checkout form, checkout, "
        f"order page), {placement['errors_5xx']} server errors.",
        f"- Contention: {contention['orders']} orders for {contention['portions']} portions "
        f"({contention['refused_sold_out']} clients told it was sold out), exact: {checks['contention_exact']}.",
        f"- Stocks: {checks['negative_stocks']} below zero, {checks['stocks_not_equal_to_ledger']} different from "
        f"their ledger; orders: {checks['orders_without_lines']} without lines, "
        f"{checks['orders_holding_wrong_stock']} holding the wrong stock.",
    ]
    return "\n".join(rows)


def write_readme(results: dict) -> None:
    text = README.read_text()
    head, rest = text.split(TABLE_START, 1)
    _, tail = rest.split(TABLE_END, 1)
    m = results["machine"]
    block = (
        f"{TABLE_START}\nMeasured {results['date']} on {m['cpus']} cores ({m['cpu']}), {m['memory']}, "
        f"Python {m['python']}, PostgreSQL {results['postgresql']}; {m['note']}.\n\n{table(results)}\n{TABLE_END}"
    )
    README.write_text(head + block + tail)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--customers", type=int, default=8)
    parser.add_argument("--portions", type=int, default=60)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    with running_stack(customers=args.customers, contention_portions=args.portions) as (
        database,
        server,
        fixtures,
    ):
        started = datetime.now(UTC).isoformat()
        runs = wrk_runs(server.base, fixtures, args.duration)
        log("Order placement...")
        runs["placement"] = placement_run(server.base, fixtures, args.duration)
        log("Contention run...")
        runs["contention"] = contention_run(server.base, fixtures)
        checks = check_consistency(database.url, since=started, contention=fixtures["contention"])
        postgresql = database.version()
    floor = runs["floor"]["rps"]
    for run in runs.values():
        run["ratio_to_floor"] = round(run["rps"] / floor, 3)
    checks["contention_exact"] = checks["contention_portions_ordered"] == fixtures["contention"]["portions"]
    server_errors = sum(r.get("errors", 0) for r in runs.values()) + sum(
        r.get("errors_5xx", 0) for r in runs.values()
    )
    results = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "postgresql": postgresql,
        "runs": runs,
        "checks": checks,
        "targets": {
            "menu_ratio_to_floor": MENU_RATIO_TARGET,
            "menu_p99_ms": MENU_P99_TARGET_MS,
            "orders_per_s": ORDERS_PER_SECOND_TARGET,
            "menu_anonymous_met": runs["menu_anonymous"]["ratio_to_floor"] >= MENU_RATIO_TARGET
            and runs["menu_anonymous"]["p99_ms"] < MENU_P99_TARGET_MS,
            "orders_per_s_met": runs["placement"]["orders_per_s"] >= ORDERS_PER_SECOND_TARGET,
        },
    }
    # The page weight (bench/page_weight.py, run after this by `make bench`) keeps its figures, "before" included.
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    if "page_weight" in previous:
        results["page_weight"] = previous["page_weight"]
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    if not args.no_readme:
        write_readme(results)
    print()
    print(table(results))
    print(f"\nResults: {RESULTS.relative_to(ROOT)}")
    lost = (
        server_errors
        or not checks["contention_exact"]
        or checks["negative_stocks"]
        or checks["stocks_not_equal_to_ledger"]
        or checks["orders_without_lines"]
        or checks["orders_with_wrong_subtotal"]
        or checks["orders_holding_wrong_stock"]
    )
    if lost:
        print("Something was lost or refused with a server error: see results.json.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
