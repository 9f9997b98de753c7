"""Where a web process's memory goes under `make soak`'s traffic, in-process (no server, no network).

    DATABASE_URL=... .venv/bin/python bench/memory_probe.py [--rounds 8] [--warmup 2] [--customers 3]
        [--top 25] [--no-tracemalloc]

Needs the demo data (`manage.py load_demo`, `createcachetable`, `collectstatic`). Readies the restaurants as
`make soak` does (bench/prepare.py: open all day, stock raised, customers, two pizzaiolos and a driver each,
a manager), then plays rounds of the soak's traffic through the site with django.test.Client, production
settings (DEBUG off, emails kept in memory as the soak's server does): in each round, at each restaurant,
`--customers` signed-in customers each browse (home, menu), add 1 to 3 pizzas, check out (half pay online
through the demo provider) and poll their order's tracking fragment; the kitchen tablets poll their board
and press every start/ready button, the driver polls the delivery board and presses every take/delivered
button; the manager's dashboard is read. Orders therefore flow from placed to delivered over the rounds.

Prints, per round, the orders placed so far, the resident memory (RSS) and the Python objects alive; then
tracemalloc's top growth between the end of warm-up round `--warmup` and the last round, grouped by the line
that allocated, and the growth of gc-tracked objects by type. A figure that grows with the rounds after
warm-up is kept per order; a leak shows up there with the line that holds it.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import re
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import inprocess

# Not a line per request; emails rendered, then kept in memory, as the soak's server does (bench/harness.py).
os.environ["LOG_LEVEL"] = "WARNING"
os.environ["EMAIL_URL"] = "locmem://"
inprocess.setup("memory-probe", DEMO_PAYMENTS="true")

from django.test import Client  # noqa: E402

from bench import prepare  # noqa: E402
from bench.inprocess import HTTPS  # noqa: E402
from bench.soak.pages import DELIVERY_ACTION, KITCHEN_ACTION, first_option, hidden_value  # noqa: E402
from restaurants.models import Restaurant  # noqa: E402

HTMX = {"HTTP_HX_REQUEST": "true"}
ORDER_PAGE = re.compile(r"/orders/([A-Z0-9-]+)/$")
DEMO_PAYMENT = re.compile(r"/payments/demo/[^/]+/$")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def signed_in(email: str) -> Client:
    """Customers and staff alike browse in French, the site's first language."""
    return inprocess.signed_in(email, HTTP_ACCEPT_LANGUAGE="fr")


def final_path(response) -> str:
    return response.request["PATH_INFO"] if response.status_code == 200 else ""


class Customer:
    def __init__(self, account: dict, restaurant: dict, pizzas: list[dict], online: bool) -> None:
        self.client = signed_in(account["email"])
        self.account = account
        self.restaurant = restaurant
        self.pizzas = pizzas
        self.online = online
        self.tracking: list[str] = []

    def order(self) -> str | None:
        client = self.client
        client.get("/", **HTTPS)
        client.get(f"/restaurants/{self.restaurant['slug']}/", **HTTPS)
        for pizza in random.sample(self.pizzas, random.randint(1, 3)):
            client.post(
                "/cart/add/",
                {"restaurant": self.restaurant["id"], "product": pizza["id"], "quantity": 2},
                follow=True,
                **HTTPS,
            )
        checkout = client.get("/checkout/", **HTTPS).content.decode()
        form = {
            "fulfilment": "delivery",
            "address": self.account["address"],
            "delivery_time": first_option(checkout, "delivery_time"),
            "pickup_time": first_option(checkout, "pickup_time"),
            "payment_method": "online" if self.online else "cash_on_delivery",
            "cart_fingerprint": hidden_value(checkout, "cart_fingerprint"),
        }
        if version := hidden_value(checkout, "terms_version"):
            form |= {"accept_terms": "on", "terms_version": version}
        placed = client.post("/checkout/", form, follow=True, **HTTPS)
        path = final_path(placed)
        if DEMO_PAYMENT.search(path):
            path = final_path(client.post(path, {"action": "pay"}, follow=True, **HTTPS))
        found = ORDER_PAGE.search(path)
        if not found:
            client.post("/cart/clear/", {}, **HTTPS)
            return None
        self.tracking.append(found.group(1))
        return found.group(1)

    def poll(self) -> None:
        for number in list(self.tracking):
            body = self.client.get(f"/orders/{number}/status/", **HTMX, **HTTPS).content.decode()
            if "order-status--delivered" in body or "order-status--cancelled" in body:
                self.tracking.remove(number)


class Board:
    def __init__(self, email: str, screen: str, moves: re.Pattern, data: dict) -> None:
        self.client = signed_in(email)
        self.screen, self.moves, self.data = screen, moves, data
        self.client.get(f"/staff/{screen}/", **HTTPS)

    def poll(self) -> None:
        board = self.client.get(f"/staff/{self.screen}/board/", **HTMX, **HTTPS).content.decode()
        for action in self.moves.findall(board):
            self.client.post(action, self.data, follow=True, **HTTPS)


def ready() -> dict:
    """The restaurants as `make soak` has them (bench/soak/run.py: prepare.py's main, then soak)."""
    for restaurant in Restaurant.objects.active():
        prepare.open_all_day(restaurant)
    return prepare.soak(12)


def process_caches() -> dict[str, tuple[int, int]]:
    """The entries and bytes held by each in-memory cache of the process (LocMemCache keeps each value
    pickled), by cache and kind of key (its first part: "menu", "ticket"...)."""
    from django.core.cache.backends.locmem import _caches

    held: dict[str, list[int]] = {}
    for name, entries in _caches.items():
        for key, value in list(entries.items()):
            kind = key.split(":")[2] if key.count(":") >= 2 else "?"
            counts = held.setdefault(f"{name} {kind}", [0, 0])
            counts[0] += 1
            counts[1] += len(value)
    return {kind: (count, size) for kind, (count, size) in sorted(held.items())}


def objects_by_type() -> Counter:
    gc.collect()
    return Counter(type(obj).__qualname__ for obj in gc.get_objects())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=2, help="rounds before the first snapshot")
    parser.add_argument("--customers", type=int, default=3, help="orders per restaurant per round")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--frames", type=int, default=1, help="traceback depth kept by tracemalloc")
    parser.add_argument("--no-tracemalloc", action="store_true", help="RSS only (tracemalloc costs memory)")
    args = parser.parse_args()
    random.seed(8)

    fixtures = ready()
    customers, boards, boards_of = [], [], {}
    for restaurant in fixtures["restaurants"]:
        for index in range(args.customers):
            account = restaurant["customers"][index % len(restaurant["customers"])]
            customers.append(Customer(account, restaurant, fixtures["pizzas"], online=index % 2 == 0))
        for pizzaiolo in restaurant["pizzaiolos"]:
            boards.append(Board(pizzaiolo["email"], "kitchen", KITCHEN_ACTION, {}))
        boards.append(Board(restaurant["driver"]["email"], "delivery", DELIVERY_ACTION, {"method": "cash"}))
        boards_of[restaurant["slug"]] = boards[-3:]
    manager = signed_in(fixtures["manager"]["email"])

    if not args.no_tracemalloc:
        tracemalloc.start(args.frames)
    first = first_objects = None
    placed = 0
    print(
        f"{'round':>5} {'orders':>6} {'RSS MB':>7} {'traced MB':>9} {'caches MB':>9} {'objects':>8} {'s':>5}"
    )
    for number in range(1, args.rounds + 1):
        started = time.monotonic()
        for customer in customers:
            placed += customer.order() is not None
            # Its restaurant's boards see the order through (the boards are polled far more than orders
            # are placed).
            for board in boards_of[customer.restaurant["slug"]]:
                board.poll()
            customer.poll()
        for board in boards:
            board.poll()
        manager.get("/staff/dashboard/", **HTTPS)
        objects = objects_by_type()
        traced = tracemalloc.get_traced_memory()[0] / 2**20 if tracemalloc.is_tracing() else 0
        cached = sum(size for _, size in process_caches().values()) / 2**20
        print(
            f"{number:>5} {placed:>6} {rss_mb():>7.1f} {traced:>9.1f} {cached:>9.1f} {sum(objects.values()):>8} "
            f"{time.monotonic() - started:>5.1f}",
            flush=True,
        )
        if number == args.warmup:
            first_objects = objects
            if tracemalloc.is_tracing():
                first = tracemalloc.take_snapshot()

    print("\nIn-memory caches at the end (entries, KiB of pickled values):")
    for kind, (count, size) in process_caches().items():
        print(f"  {kind:<28} {count:>6} {size / 1024:>9.1f}")
    if first_objects is not None:
        growth = objects - first_objects
        print(
            f"\nObjects alive, growth from round {args.warmup} to round {args.rounds} (gc-tracked, by type):"
        )
        for name, count in growth.most_common(args.top):
            print(f"  +{count:>7}  {name}")
    if first is not None:
        last = tracemalloc.take_snapshot()
        ignore = [tracemalloc.Filter(False, tracemalloc.__file__)]
        first, last = first.filter_traces(ignore), last.filter_traces(ignore)
        print(f"\ntracemalloc, growth from round {args.warmup} to round {args.rounds}, by line:")
        for stat in last.compare_to(first, "lineno")[: args.top]:
            print(f"  {stat}")
        if args.frames == 1:
            return
        print(f"\ntracemalloc, the {min(args.top, 8)} largest growths with their traceback:")
        for stat in last.compare_to(first, "traceback")[: min(args.top, 8)]:
            print(f"  {stat.size_diff / 1024:+.1f} KiB, {stat.count_diff:+} blocks")
            for line in stat.traceback.format(most_recent_first=True):
                print(f"    {line}")


if __name__ == "__main__":
    main()
