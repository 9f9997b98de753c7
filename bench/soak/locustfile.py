"""A Friday evening at the 5 restaurants, for Locust (run headless by bench/soak/run.py, `make soak`).

Who is on the site, each a Locust user behaving like a browser without JavaScript (real forms, CSRF tokens,
redirects followed) coming through Heroku's router (`X-Forwarded-Proto: https`):
- customers, spread over the 5 restaurants: home page, the restaurant's menu, 1 to 3 pizzas added to the
  cart (one more when the checkout says the cart is below the delivery minimum), the checkout (delivery as
  soon as possible; half pay online through the demo provider, half in cash
  on delivery), then the tracking page polled every 10 s (its HTMX fragment) until the order is delivered;
  they stop ordering SOAK_ORDERS_UNTIL (epoch seconds) so that every order can be delivered before the end;
- two kitchen tablets per restaurant polling the board every 5 s, starting each received order and marking
  each one in preparation ready;
- one driver phone per restaurant polling the delivery board every 5 s, taking each ready order and
  delivering each taken one (cash collected for the orders paid on delivery);
- a manager on the dashboard, reloaded every 30 s.

The accounts come from SOAK_FIXTURES (a JSON file written by bench/prepare.py soak). Requests are named by
kind ("menu", "tracking poll"...): bench/soak/run.py checks each kind's service levels.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import sys
import time
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path

from locust import HttpUser, between, constant, task
from locust.exception import StopUser

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import DELIVERY_ACTION, KITCHEN_ACTION, first_option, hidden_value

FIXTURES = json.loads(Path(os.environ["SOAK_FIXTURES"]).read_text())
ORDERS_UNTIL = float(os.environ.get("SOAK_ORDERS_UNTIL", "inf"))
# As Heroku's router sends them. `Connection: close`: gunicorn drops a kept-alive connection after 2 s idle,
# and requests would then post a form on a dead connection (a browser sends it again; requests does not).
ROUTER = {"X-Forwarded-Proto": "https", "Accept-Language": "fr", "Connection": "close"}
HTMX = {"HX-Request": "true"}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ORDER_PAGE = re.compile(r"/orders/([A-Z0-9-]+)/$")
# The version a live board shows (its first data-version) and the one a tracking page sends back.
BOARD_VERSION = re.compile(r'data-live-board="[^"]*"\s+data-version="([^"]*)"')
TRACKING_VERSION = re.compile(r'"X-Board-Version": "([^"]+)"')
DEMO_PAYMENT = re.compile(r"/payments/demo/[^/]+/$")
# Each visitor's own address, appended to X-Forwarded-For as the router does (TRUSTED_PROXY_COUNT=1): the
# sign-in limits per address count each visitor, not the load client (198.18.0.0/15: for benchmarks).
_visitors = itertools.count()
# Each new customer, kitchen tablet or driver takes the next account of its restaurant.
_customers = itertools.count()
_tablets = itertools.count()
_drivers = itertools.count()


def _secure_cookies_over_loopback(self, cookie, request) -> bool:
    """The site's cookies are `Secure` (TLS ends at Heroku's router); Locust speaks plain HTTP to the server
    on loopback, so they are sent back all the same, as a browser behind TLS would. Patched on the policy's
    class, in Locust's process only: requests builds a fresh cookie jar for every request."""
    return True


DefaultCookiePolicy.return_ok_secure = _secure_cookies_over_loopback


def refusals(body: str) -> list[str]:
    """The error messages a re-rendered form shows (its `role="alert"` blocks), tags removed."""
    blocks = re.findall(r'role="alert"[^>]*>(.*?)</(?:div|p)>', body, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", block).split()) for block in blocks]


def path_of(response) -> str:
    """The path the redirects ended at ("" when the request failed)."""
    if not response.url or not response.ok:
        return ""
    path = "/" + response.url.split("://", 1)[-1].split("/", 1)[-1]
    return path.split("?", 1)[0].split("#", 1)[0]


class Visitor(HttpUser):
    abstract = True

    def on_start(self) -> None:
        number = next(_visitors)
        self.client.headers.update(
            {**ROUTER, "X-Forwarded-For": f"198.18.{number // 250 % 250}.{number % 250 + 1}"}
        )
        self.origin = "https://" + self.host.split("://", 1)[1].rstrip("/")

    def token(self, body: str = "") -> str:
        found = CSRF.search(body)
        return found.group(1) if found else self.client.cookies.get("csrftoken", "")

    def post(self, path: str, data, *, name: str, body: str = "", headers: dict | None = None, **options):
        """A form posted as a browser does (its CSRF token, Origin), redirects followed."""
        fields = list(data.items()) if isinstance(data, dict) else list(data)
        return self.client.post(
            path,
            data=[("csrfmiddlewaretoken", self.token(body)), *fields],
            headers={"Origin": self.origin, "Referer": self.origin + path, **(headers or {})},
            name=name,
            **options,
        )

    def sign_in(self, account: dict) -> None:
        page = self.client.get("/accounts/login/", name="sign-in form")
        with self.post(
            "/accounts/login/",
            {"login": account["email"], "password": account["password"]},
            name="sign in",
            body=page.text,
            catch_response=True,
        ) as response:
            signed_in = "/accounts/login/" not in response.url and response.ok
            if not signed_in:
                response.failure(f"{account['email']} could not sign in ({response.status_code})")
        if not signed_in:
            # Counted as a failure of "sign in"; this user stops rather than trying again and again.
            raise StopUser()


class Customer(Visitor):
    weight = 10
    wait_time = between(5, 15)

    def on_start(self) -> None:
        super().on_start()
        number = next(_customers)
        restaurants = FIXTURES["restaurants"]
        self.restaurant = restaurants[number % len(restaurants)]
        accounts = self.restaurant["customers"]
        self.account = accounts[(number // len(restaurants)) % len(accounts)]
        self.online = number % 2 == 0
        self.sign_in(self.account)

    @task
    def evening(self) -> None:
        if time.time() > ORDERS_UNTIL:
            return
        self.client.get("/", name="home")
        time.sleep(random.uniform(1, 3))
        menu = self.client.get(f"/restaurants/{self.restaurant['slug']}/", name="menu")
        time.sleep(random.uniform(2, 6))
        body = menu.text
        for pizza in random.sample(FIXTURES["pizzas"], random.randint(1, 3)):
            added = self.post(
                "/cart/add/",
                [("restaurant", self.restaurant["id"]), ("product", pizza["id"]), ("quantity", 2)],
                name="add to cart",
                body=body,
            )
            body = added.text
            time.sleep(random.uniform(1, 3))
        checkout = self.client.get("/checkout/", name="checkout form")
        for pizza in random.sample(FIXTURES["pizzas"], 2):
            if "data-below-minimum" not in checkout.text:
                break
            # Below the delivery minimum, as the page says: one more pizza, then the checkout again.
            self.post(
                "/cart/add/",
                [("restaurant", self.restaurant["id"]), ("product", pizza["id"]), ("quantity", 1)],
                name="add to cart",
                body=checkout.text,
            )
            checkout = self.client.get("/checkout/", name="checkout form")
        form = {
            "fulfilment": "delivery",
            "address": self.account["address"],
            "delivery_time": first_option(checkout.text, "delivery_time"),
            "pickup_time": first_option(checkout.text, "pickup_time"),
            "payment_method": "online" if self.online else "cash_on_delivery",
            "cart_fingerprint": hidden_value(checkout.text, "cart_fingerprint"),
        }
        if version := hidden_value(checkout.text, "terms_version"):
            form |= {"accept_terms": "on", "terms_version": version}
        with self.post(
            "/checkout/", form, name="checkout", body=checkout.text, catch_response=True
        ) as placed:
            if placed.status_code in (400, 409):
                # A refusal the customer reads on the form: its words, so the soak says which rule refused.
                placed.failure(f"refused ({placed.status_code}): {' | '.join(refusals(placed.text)) or '?'}")
        path = path_of(placed)
        if DEMO_PAYMENT.search(path):
            time.sleep(random.uniform(2, 5))
            placed = self.post(path, {"action": "pay"}, name="online payment", body=placed.text)
            path = path_of(placed)
        found = ORDER_PAGE.search(path)
        if not found:
            # The cart is left as it is: the next visit starts from an empty one.
            self.post("/cart/clear/", {}, name="cart clear")
            return
        self.track(found.group(1))

    def track(self, number: str) -> None:
        """The tracking page's HTMX poll, every 10 s, until the order is delivered (or 15 minutes)."""
        shown = ""
        for _ in range(90):
            time.sleep(10)
            # As the page's hx-headers: the version it shows; the server answers 204 when nothing changed.
            headers = {**HTMX, "X-Board-Version": shown} if shown else HTMX
            status = self.client.get(f"/orders/{number}/status/", headers=headers, name="tracking poll")
            if status.status_code == 204:
                continue
            shown = (
                TRACKING_VERSION.search(status.text).group(1) if TRACKING_VERSION.search(status.text) else ""
            )
            if "order-status--delivered" in status.text or "order-status--cancelled" in status.text:
                return


class StaffBoard(Visitor):
    """A staff screen left open on a tablet or phone: its page once, then its HTMX board (`/staff/<screen>/board/`)
    polled every 5 s, pressing every button (`moves`, each posted with `data`) the board shows.

    As static/js/kitchen.js does: each poll sends the version of the board shown (`X-Board-Version`; 204 when
    nothing changed), and each button posts with HTMX's header, the answer being the board itself (409 when
    the other tablet did it first: the board then says so, which is the designed answer, not an error)."""

    abstract = True
    weight = 1
    wait_time = constant(5)
    screen = ""
    moves: re.Pattern
    data: dict = {}

    def account(self) -> dict:
        raise NotImplementedError

    def on_start(self) -> None:
        super().on_start()
        self.sign_in(self.account())
        self.client.get(f"/staff/{self.screen}/", name=f"{self.screen} page")

    board = ""

    def show(self, body: str) -> None:
        if BOARD_VERSION.search(body):
            self.board = body

    @task
    def poll(self) -> None:
        shown = BOARD_VERSION.search(self.board)
        headers = {**HTMX, "X-Board-Version": shown.group(1)} if shown else HTMX
        polled = self.client.get(f"/staff/{self.screen}/board/", headers=headers, name=f"{self.screen} poll")
        if polled.status_code == 200:
            self.show(polled.text)
        body = self.board
        for action in self.moves.findall(body):
            with self.post(
                action, self.data, name=f"{self.screen} move", body=body, headers=HTMX, catch_response=True
            ) as moved:
                if moved.status_code == 409:
                    moved.success()
                if moved.status_code in (200, 409):
                    self.show(moved.text)


class KitchenTablet(StaffBoard):
    # Both tablets of a restaurant may press the same order's button: the second is told it was done already.
    fixed_count = 10
    screen = "kitchen"
    moves = KITCHEN_ACTION

    def account(self) -> dict:
        number = next(_tablets)
        restaurants = FIXTURES["restaurants"]
        return restaurants[number % len(restaurants)]["pizzaiolos"][(number // len(restaurants)) % 2]


class DriverPhone(StaffBoard):
    fixed_count = 5
    screen = "delivery"
    moves = DELIVERY_ACTION
    # Cash on delivery: the cash is collected (an order paid online needs no method).
    data = {"method": "cash"}

    def account(self) -> dict:
        restaurants = FIXTURES["restaurants"]
        return restaurants[next(_drivers) % len(restaurants)]["driver"]


class Manager(Visitor):
    weight = 1
    fixed_count = 1
    wait_time = constant(30)

    def on_start(self) -> None:
        super().on_start()
        self.sign_in(FIXTURES["manager"])

    @task
    def dashboard(self) -> None:
        self.client.get("/staff/dashboard/", name="dashboard")
