"""CPU per request of the requests one order takes, in-process (no server, no network), as bench/client.py
sends them: the menu, two additions to the cart (one with an ingredient left out and an extra), the cart, the
checkout form, the checkout, the order page.

    DATABASE_URL=... .venv/bin/python bench/order_profile.py [--orders 60] [--cprofile KIND]

Then the tracking poll of the last order placed (the customer's page asks every 10 s), signed in and with the
tracking link's token (a guest): unchanged (the version the page shows, sent as the staff boards send theirs
and as X-Status-Version, so the figure compares with earlier code), and changed (a version of another
state): the median of batches of 50 polls, each batch sent just after reading the current version (the
estimate moves with the minute).

Needs the demo data and bench/prepare.py's customers and stock (`manage.py load_demo`, then
`bench/prepare.py 4 60`). Each order is placed by the first bench customer at the placement restaurant; the
figure of each kind is the median over the orders of the CPU time of the thread (time.process_time), and the
queries of its last request. `--cprofile KIND` (a kind's name, or its start) prints where that kind's time
goes instead (cProfile, sorted by own time then cumulative).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import inprocess

inprocess.setup("order-profile", EMAIL_URL="locmem://", DEMO_PAYMENTS="true", LOG_LEVEL="WARNING")

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.soak.pages import first_option, hidden_value  # noqa: E402

CUSTOMER = "bench.customer0@ocpizza.example"
RESTAURANT = "lyon-bellecour"
KINDS = (
    "menu",
    "add to cart (modifiers)",
    "add to cart",
    "cart",
    "checkout GET",
    "checkout POST",
    "order page",
)


def order_steps(client: Client, setup: dict):
    """The requests of one order, each a (kind, callable) in the order a customer sends them."""
    regina, fromages = setup["pizzas"]
    state: dict = {}

    def add(product: dict, quantity: int, modifiers: bool):
        data = {"restaurant": setup["restaurant_id"], "product": product["id"], "quantity": quantity}
        if modifiers:
            data |= {"removed": product["removable"], "extras": product["extras"]}
        response = client.post("/cart/add/", data)
        assert response.status_code == 302, response.status_code

    def checkout_get():
        response = client.get("/checkout/")
        assert response.status_code == 200, response.status_code
        state["body"] = response.content.decode()

    def checkout_post():
        body = state["body"]
        response = client.post(
            "/checkout/",
            {
                "fulfilment": "delivery",
                "address": setup["address"],
                "delivery_time": first_option(body, "delivery_time"),
                "pickup_time": first_option(body, "pickup_time"),
                "payment_method": "cash_on_delivery",
                "cart_fingerprint": hidden_value(body, "cart_fingerprint"),
                "accept_terms": "on",
                "terms_version": hidden_value(body, "terms_version"),
            },
        )
        assert response.status_code == 302 and response["Location"].startswith("/orders/"), response
        state["order"] = response["Location"]

    def order_page():
        assert client.get(state["order"]).status_code == 200

    return [
        ("menu", lambda: client.get(f"/restaurants/{RESTAURANT}/")),
        ("add to cart (modifiers)", lambda: add(regina, 1, True)),
        ("add to cart", lambda: add(fromages, 2, False)),
        ("cart", lambda: client.get("/cart/")),
        ("checkout GET", checkout_get),
        ("checkout POST", checkout_post),
        ("order page", order_page),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=60)
    parser.add_argument("--cprofile", default="")
    args = parser.parse_args()
    report = inprocess.figures_apart_from_the_log()

    from accounts.models import Address
    from restaurants.models import Restaurant

    restaurant = Restaurant.objects.get(slug=RESTAURANT)
    setup = {
        "restaurant_id": restaurant.pk,
        "address": Address.objects.filter(user__email=CUSTOMER).values_list("pk", flat=True).first(),
        "pizzas": _pizzas(restaurant),
    }
    client = inprocess.signed_in(CUSTOMER, **inprocess.HTTPS)
    for _ in range(3):  # warm: the menu's caches filled, as in production
        for _kind, step in order_steps(client, setup):
            step()
    samples: dict[str, list[float]] = {kind: [] for kind in KINDS}
    queries: dict[str, int] = {}
    profiler = cProfile.Profile() if args.cprofile else None
    for _ in range(args.orders):
        for kind, step in order_steps(client, setup):
            profiled = profiler is not None and kind.startswith(args.cprofile)
            with CaptureQueriesContext(connection) as captured:
                if profiled:
                    profiler.enable()
                started = time.process_time()
                step()
                samples[kind].append((time.process_time() - started) * 1e6)
                if profiled:
                    profiler.disable()
            queries[kind] = len(captured)
    if profiler is not None:
        pstats.Stats(profiler, stream=report).sort_stats("tottime").print_stats(35)
        pstats.Stats(profiler, stream=report).sort_stats("cumulative").print_stats(60)
        report.flush()
        return
    print(f"CPU microseconds per request, median of {args.orders} orders (min-max), queries", file=report)
    total = 0.0
    for kind in KINDS:
        values = samples[kind]
        total += statistics.median(values)
        print(
            f"{kind:<26} {statistics.median(values):8.0f}  ({min(values):.0f}-{max(values):.0f})"
            f"  {queries[kind]} queries",
            file=report,
        )
    print(f"{'one order (sum of medians)':<26} {total:8.0f}", file=report)
    for kind, (median, low, high, statuses, queries_of) in tracking_polls(client, setup).items():
        print(
            f"{kind:<34} {median:8.0f}  ({low:.0f}-{high:.0f})  status {statuses}, {queries_of} queries",
            file=report,
        )
    report.flush()


def tracking_polls(client: Client, setup: dict, *, batches: int = 15, polls: int = 50) -> dict:
    """CPU microseconds of the tracking poll of the last order placed, per kind: (median, min, max of the
    batches, the statuses answered, the queries of one poll)."""
    from orders.models import Order

    order = Order.objects.filter(customer__email=CUSTOMER).latest("id")
    url = f"/orders/{order.number}/status/"
    guest = Client(**inprocess.HTTPS)
    assert guest.get(f"/orders/{order.number}/", {"t": order.tracking_token}).status_code == 200
    results = {}
    for who, browser in (("signed in", client), ("tracking link", guest)):
        for state in ("unchanged", "changed"):
            samples, statuses = [], set()
            for _ in range(batches):
                version = browser.get(url, HTTP_HX_REQUEST="true").headers["ETag"].strip('"')
                sent = version if state == "unchanged" else "0"
                headers = {
                    "HTTP_HX_REQUEST": "true",
                    "HTTP_X_BOARD_VERSION": sent,
                    "HTTP_X_STATUS_VERSION": sent,
                }
                started = time.process_time()
                for _ in range(polls):
                    statuses.add(browser.get(url, **headers).status_code)
                samples.append((time.process_time() - started) / polls * 1e6)
            with CaptureQueriesContext(connection) as captured:
                browser.get(url, **headers)
            results[f"tracking poll, {who}, {state}"] = (
                statistics.median(samples),
                min(samples),
                max(samples),
                "/".join(str(status) for status in sorted(statuses)),
                len(captured),
            )
    return results


def _pizzas(restaurant) -> list[dict]:
    """Two pizzas of the menu, the first with an ingredient to leave out and an extra."""
    from menu.models import Product

    pizzas = []
    for slug in ("regina", "quatre-fromages"):
        product = Product.objects.prefetch_related("recipe_lines", "extras").get(slug=slug)
        pizzas.append(
            {
                "id": product.pk,
                "removable": [line.ingredient_id for line in product.recipe_lines.all() if line.removable][
                    :1
                ],
                "extras": [extra.pk for extra in product.extras.all()][:1],
            }
        )
    return pizzas


if __name__ == "__main__":
    main()
