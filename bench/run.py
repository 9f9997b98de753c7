"""`make bench`: the load benchmark. Prints a table, writes bench/results.json and the table of
bench/README.md. A benchmark, not a test: it fails only when the system loses or corrupts something
(a 5xx, a contention run that is not exact, a stock that drifts from its ledger), never on speed.

Stock Django (bench/stock/) is measured in the same run, on the same database server with the same
gunicorn settings, and each of the project's figures is given as a share of its stock counterpart.

Options: `--duration SECONDS` per wrk run (10), `--customers N` placement clients (8),
`--portions K` for the contention run (60), `--no-readme` to leave bench/README.md alone.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from client import Browser, Recorder, place_order, run_customers
from harness import (
    ROOT,
    WARM_UP_SECONDS,
    check_consistency,
    log,
    machine,
    running_stack,
    script_arguments,
    stock_django,
    wrk,
)

RESULTS = ROOT / "bench" / "results.json"
README = ROOT / "bench" / "README.md"
TABLE_START, TABLE_END = "<!-- results:start -->", "<!-- results:end -->"

PROXY_HEADERS = {"X-Forwarded-Proto": "https", "Accept-Language": "fr"}
# Each of the project's runs and the stock Django page doing the same kind of work.
COUNTERPARTS = {
    "floor": "stock_trivial",
    "menu_anonymous": "stock_list",
    "menu_signed_in": "stock_signed_in",
    "tracking_fragment": "stock_poll",
    "kitchen_fragment": "stock_poll",
}
READ_RUNS = ("floor", "menu_anonymous", "menu_signed_in", "tracking_fragment", "kitchen_fragment")
# The targets of issue 18, each against stock Django in the same run: (run, stock run, share at least).
SHARE_TARGETS = {
    "floor_vs_stock_trivial": ("floor", "stock_trivial", 0.80),
    "menu_signed_in_vs_stock_signed_in": ("menu_signed_in", "stock_signed_in", 0.80),
    "tracking_vs_stock_poll": ("tracking_fragment", "stock_poll", 0.80),
    "menu_anonymous_vs_stock_trivial": ("menu_anonymous", "stock_trivial", 0.30),
}
ORDERS_PER_SECOND_TARGET = 30
ORDER_P99_TARGET_MS = 250
READ_P99_TARGET_MS = 50


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


def measure(base: str, plan: list[tuple[str, str, str, dict]], duration: int) -> dict:
    """One wrk run per (key, label, path, headers), one after the other; `headers` may be a function called
    just before its run (a version that must be current when the run starts)."""
    results = {}
    for key, label, path, headers in plan:
        log(f"wrk: {label}")
        headers = headers() if callable(headers) else headers
        results[key] = {
            "label": label,
            "url": path,
            **wrk(f"{base}{path}", duration=duration, headers={**PROXY_HEADERS, **headers}),
        }
    return results


def stock_runs(database_url: str, duration: int) -> dict:
    """Stock Django's four pages (bench/stock/): the figures the project's are compared with."""
    with stock_django(database_url) as (server, fixtures):
        signed_in = {"Cookie": fixtures["cookie"]}
        plan = [
            ("stock_trivial", "Stock Django: trivial view (default middleware)", "/", {}),
            ("stock_signed_in", "Stock Django: signed-in page (DB session + user, tiny template)", "/signed-in/",
             signed_in),
            ("stock_poll", "Stock Django: signed-in page reading one object with 5 lines (a poll)",
             f"/polls/{fixtures['poll']}/", signed_in),
            ("stock_list", "Stock Django: 26 rows as cards with a CSRF form each, no cache", "/items/", {}),
        ]  # fmt: skip
        return measure(server.base, plan, duration)


def wrk_runs(base: str, fixtures: dict, duration: int) -> dict:
    menu = f"/restaurants/{fixtures['placement']['restaurant']}/"
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
    kitchen_board = "/staff/kitchen/board/"

    def unchanged() -> dict[str, str]:
        """A tablet between two changes: it sends the version it shows, the board answers 204 without
        rendering. The version holds the minute (a ready ticket leaves the board by time: orders.staff.board),
        so it is read at the start of a minute's first seconds, and the run (warm-up and all) ends within it."""
        while datetime.now(UTC).second > 60 - (duration + WARM_UP_SECONDS + 5):
            time.sleep(0.5)
        shown = board_version(base + kitchen_board, {**PROXY_HEADERS, "Cookie": kitchen_cookie, **htmx})
        return {"Cookie": kitchen_cookie, **htmx, "X-Board-Version": shown}

    plan = [
        ("floor", "Floor: /robots.txt (full middleware stack, no database)", "/robots.txt", {}),
        ("menu_anonymous", "Menu page, anonymous", menu, {}),
        ("menu_signed_in", "Menu page, signed in", menu, {"Cookie": customer_cookie}),
        (
            "tracking_fragment",
            "Tracking fragment (customer's poll)",
            f"/orders/{outcome.number}/status/",
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
            unchanged,
        ),
    ]
    return measure(base, plan, duration)


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


def share(part: float, whole: float) -> float:
    return round(part / whole, 3) if whole else 0.0


def compare(runs: dict, stock: dict) -> None:
    """Each run's share of the floor and of its stock-Django counterpart (stock runs: of the stock trivial
    view, as the floor is for the project's), written into the runs."""
    floor = runs["floor"]["rps"]
    for key, run in runs.items():
        run["ratio_to_floor"] = share(run["rps"], floor)
        counterpart = COUNTERPARTS.get(key)
        if counterpart in stock:
            run["stock_django_counterpart"] = counterpart
            run["share_of_stock_django"] = share(run["rps"], stock[counterpart]["rps"])
    for run in stock.values():
        run["share_of_stock_trivial"] = share(run["rps"], stock["stock_trivial"]["rps"])


def targets(runs: dict, stock: dict) -> dict:
    """Every target of issue 18 with its figure from this run and whether it is met."""
    found = {}
    for name, (key, stock_key, at_least) in SHARE_TARGETS.items():
        figure = share(runs[key]["rps"], stock[stock_key]["rps"])
        found[name] = {
            "what": f"{runs[key]['label']} ÷ {stock[stock_key]['label']}",
            "target": f">= {at_least:.0%}",
            "figure": figure,
            "met": figure >= at_least,
        }
    placement = runs["placement"]
    found["order_placement"] = {
        "what": "complete orders per second through the forms, and the p99 of their requests",
        "target": f">= {ORDERS_PER_SECOND_TARGET} orders/s with p99 < {ORDER_P99_TARGET_MS} ms",
        "figure": {"orders_per_s": placement["orders_per_s"], "p99_ms": placement["p99_ms"]},
        "met": placement["orders_per_s"] >= ORDERS_PER_SECOND_TARGET
        and placement["p99_ms"] < ORDER_P99_TARGET_MS,
    }
    slowest = max(READ_RUNS, key=lambda key: runs[key]["p99_ms"])
    found["read_pages_p99"] = {
        "what": "p99 of every read page at 8 connections (the slowest named)",
        "target": f"< {READ_P99_TARGET_MS} ms",
        "figure": {key: runs[key]["p99_ms"] for key in READ_RUNS},
        "slowest": slowest,
        "met": runs[slowest]["p99_ms"] < READ_P99_TARGET_MS,
    }
    pinned = checkout_queries_pinned()
    found["checkout_post_queries"] = {
        "what": "queries of the checkout POST",
        "target": "<= 25",
        "figure": pinned,
        "measured_by": f"the test suite, not a load run: {CHECKOUT_QUERIES_TEST.relative_to(ROOT)} pins each "
        "path's exact count (django_assert_num_queries)",
        "met": max(pinned.values()) <= 25,
    }
    return found


CHECKOUT_QUERIES_TEST = ROOT / "tests" / "orders" / "test_checkout_queries.py"


def checkout_queries_pinned() -> dict[str, int]:
    """The checkout POST's query counts the test pins (its module constants), by path."""
    text = CHECKOUT_QUERIES_TEST.read_text()
    return {
        name.lower(): int(count)
        for name, count in re.findall(r"^(PLACED_[A-Z_]+) = (\d+)$", text, re.MULTILINE)
    }


def table(results: dict) -> str:
    rows = [
        "| run | requests/s | p50 ms | p99 ms | errors | vs floor | share of stock Django |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for run in results["stock_django"].values():
        rows.append(
            f"| {run['label']} | {run['rps']:.0f} | {run['p50_ms']:.1f} | {run['p99_ms']:.1f} | {run['errors']} | "
            f"— | {run['share_of_stock_trivial']:.0%} of its trivial view |"
        )
    stock = results["stock_django"]
    for run in results["runs"].values():
        errors = run.get("errors", run.get("errors_5xx", 0) + run.get("connection_errors", 0))
        counterpart = run.get("stock_django_counterpart")
        of_stock = (
            f'{run["share_of_stock_django"]:.0%} of "{stock[counterpart]["label"].removeprefix("Stock Django: ")}"'
            if counterpart
            else "—"
        )
        rows.append(
            f"| {run['label']} | {run['rps']:.0f} | {run['p50_ms']:.1f} | {run['p99_ms']:.1f} | {errors} | "
            f"{run['ratio_to_floor']:.0%} | {of_stock} |"
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
        "",
        "Targets (issue 18), this run: "
        + "; ".join(
            f"{name} {'met' if target['met'] else 'not met' if target['met'] is False else 'see tests'}"
            for name, target in results["targets"].items()
        )
        + ".",
    ]
    return "\n".join(rows)


def write_readme(results: dict) -> None:
    text = README.read_text()
    head, rest = text.split(TABLE_START, 1)
    _, tail = rest.split(TABLE_END, 1)
    m = results["machine"]
    block = (
        f"{TABLE_START}\nMeasured {results['date']} on {m['cpus']} cores ({m['cpu']}), {m['memory']}, "
        f"Python {m['python']}, PostgreSQL {results['postgresql']}; {m['note']}; load average "
        f"{' / '.join(str(n) for n in m.get('load_average', []))} (1 / 5 / 15 min) at the end.\n\n"
        f"{table(results)}\n{TABLE_END}"
    )
    README.write_text(head + block + tail)


def run_all(args: argparse.Namespace) -> dict:
    """Every run of `make bench` against one stack: the stock Django site, the site's pages, order placement
    and the contention run, then the consistency checks; the stack is stopped before this returns."""
    with running_stack(customers=args.customers, contention_portions=args.portions) as (
        database,
        server,
        fixtures,
    ):
        started = datetime.now(UTC).isoformat()
        log("Stock Django, same database server, same gunicorn settings...")
        stock = stock_runs(database.url, args.duration)
        runs = wrk_runs(server.base, fixtures, args.duration)
        log("Order placement...")
        runs["placement"] = placement_run(server.base, fixtures, args.duration)
        log("Contention run...")
        runs["contention"] = contention_run(server.base, fixtures)
        checks = check_consistency(database.url, since=started, contention=fixtures["contention"])
        postgresql = database.version()
    compare(runs, stock)
    checks["contention_exact"] = checks["contention_portions_ordered"] == fixtures["contention"]["portions"]
    # wrk's timeouts (2 s) and cut connections are the load client giving up on a busy machine, not the site
    # answering wrong: counted apart from the server errors (server_errors).
    every_run = [*runs.values(), *stock.values()]
    checks["wrk_timeouts_and_cut_connections"] = sum(
        r.get("socket_errors", 0) + r.get("connection_errors", 0) for r in every_run
    )
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "postgresql": postgresql,
        "stock_django": stock,
        "runs": runs,
        "checks": checks,
        "targets": targets(runs, stock),
    }


def server_errors(results: dict) -> int:
    """Answers other than 2xx/3xx (wrk) or 5xx (the clients), over every run."""
    every_run = [*results["runs"].values(), *results["stock_django"].values()]
    return sum(r.get("non_2xx_3xx", 0) + r.get("errors_5xx", 0) for r in every_run)


def save(results: dict, *, readme: bool) -> None:
    """results.json (keeping the figures other commands wrote there) and, unless told not to, the README's
    table."""
    # The page weight (bench/page_weight.py, run after this by `make bench`) keeps its figures, "before" included.
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    # So do the runs of several instances (`make bench INSTANCES=2`, bench/instances.py).
    for kept in ("page_weight", "instances"):
        if kept in previous:
            results[kept] = previous[kept]
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    if readme:
        write_readme(results)


def main() -> int:
    parser = script_arguments(__doc__)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--customers", type=int, default=8)
    parser.add_argument("--portions", type=int, default=60)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    results = run_all(args)
    save(results, readme=not args.no_readme)
    print()
    print(table(results))
    print(f"\nResults: {RESULTS.relative_to(ROOT)}")
    checks = results["checks"]
    lost = (
        server_errors(results)
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
