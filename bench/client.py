"""A small concurrent HTTP client for the flows wrk cannot drive: sign-in, cart, checkout.

Each virtual customer is a thread with its own keep-alive connection and cookies, and behaves like a
browser without JavaScript: it posts the real forms with their CSRF token, follows the redirects, and comes
through the Heroku router (`X-Forwarded-Proto: https`, an `Origin` header on posts).
"""

from __future__ import annotations

import http.client
import re
import statistics
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Recorder:
    """Latency and status of every request, shared by the threads of one run."""

    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    retries: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: int, ms: float) -> None:
        with self.lock:
            self.latencies_ms.append(ms)
            self.statuses[status] = self.statuses.get(status, 0) + 1

    def retried(self) -> None:
        with self.lock:
            self.retries += 1

    def fail(self, what: str) -> None:
        with self.lock:
            self.failures.append(what)

    def summary(self, seconds: float) -> dict:
        latencies = sorted(self.latencies_ms)
        count = len(latencies)

        def percentile(p: float) -> float:
            return round(latencies[min(count - 1, int(p * count))], 2) if count else 0.0

        return {
            "requests": count,
            "rps": round(count / seconds, 1) if seconds else 0.0,
            "p50_ms": round(statistics.median(latencies), 2) if count else 0.0,
            "p99_ms": percentile(0.99),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "errors_5xx": sum(v for k, v in self.statuses.items() if k >= 500),
            "connection_errors": self.statuses.get(0, 0),
            "resent_on_a_new_connection": self.retries,
        }


class Browser:
    """One visitor: cookies, a keep-alive connection, redirects followed like a browser."""

    def __init__(self, base: str, recorder: Recorder, *, timeout: float = 30) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.origin = f"https://{self.host}:{self.port}"
        self.recorder = recorder
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self.connection

    def request(self, method: str, path: str, data: dict | list | None = None, headers: dict | None = None):
        """One request, no redirect followed: (status, location, body). Status 0 when the connection failed."""
        sent = {"Host": f"{self.host}:{self.port}", "X-Forwarded-Proto": "https", "Accept-Language": "fr"}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if method == "POST":
            body = urlencode(data or {}, doseq=True)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = self.origin
            sent["Referer"] = self.origin + path
        sent.update(headers or {})
        started = time.perf_counter()
        try:
            try:
                reused = self.connection is not None
                connection = self._connect()
                connection.request(method, path, body=body, headers=sent)
                response = connection.getresponse()
            except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
                # The server closed the kept-alive connection (a worker replaced, an idle timeout) before
                # reading this request: a browser sends it again on a new connection, and so do we.
                if not reused:
                    raise
                self.close()
                self.recorder.retried()
                connection = self._connect()
                connection.request(method, path, body=body, headers=sent)
                response = connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.recorder.add(0, (time.perf_counter() - started) * 1000)
            self.recorder.fail(f"{method} {path}: {error.__class__.__name__}: {error}")
            self.close()
            return 0, "", ""
        self.recorder.add(response.status, (time.perf_counter() - started) * 1000)
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        location = response.getheader("Location", "")
        if location.startswith(self.origin):
            location = location.removeprefix(self.origin)
        return response.status, location, content.decode("utf-8", "replace")

    def follow(self, method: str, path: str, data: dict | list | None = None):
        """The request, then its redirects with GET, as a browser does: (status, final path, body, first location)."""
        status, location, body = self.request(method, path, data)
        first = location
        hops = 0
        while status in (301, 302, 303) and location and hops < 5:
            path = location.split("#", 1)[0]
            status, location, body = self.request("GET", path)
            hops += 1
        return status, path, body, first

    def csrf(self, body: str = "") -> str:
        found = CSRF_INPUT.search(body)
        return found.group(1) if found else self.cookies.get("csrftoken", "")

    def sign_in(self, email: str, password: str) -> bool:
        status, _, body = self.request("GET", "/accounts/login/")
        status, location, _ = self.request(
            "POST",
            "/accounts/login/",
            {"login": email, "password": password, "csrfmiddlewaretoken": self.csrf(body)},
        )
        return status == 302 and "login" not in location

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class Pinned(Browser):
    """A visitor whose requests the router sends to one instance (`instance`, "web1"...), through the router
    all the same (its X-Forwarded-For, as in production). Change `instance` to move to another."""

    def __init__(self, base: str, recorder: Recorder, instance: str) -> None:
        super().__init__(base, recorder)
        self.instance = instance

    def request(self, method, path, data=None, headers=None):
        return super().request(method, path, data, {"X-Bench-Instance": self.instance, **(headers or {})})


def first_option(body: str, name: str) -> str:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', body, re.S)
    if not select:
        return ""
    option = re.search(r'<option value="([^"]*)"', select.group(1))
    return option.group(1) if option else ""


def hidden_value(body: str, name: str) -> str:
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', body)
    return found.group(1) if found else ""


def accepted_terms(body: str) -> dict:
    """The checkout's "I accept the terms of sale" box ticked, with the version the page shows (nothing when
    no terms are published)."""
    version = hidden_value(body, "terms_version")
    return {"accept_terms": "on", "terms_version": version} if version else {}


@dataclass
class OrderOutcome:
    placed: bool
    number: str = ""
    sold_out: bool = False


def add_to_cart(
    browser: Browser, restaurant_id: int, product: dict, *, quantity: int, token: str, modifiers: bool
):
    data = [
        ("csrfmiddlewaretoken", token),
        ("restaurant", restaurant_id),
        ("product", product["id"]),
        ("quantity", quantity),
    ]
    if modifiers:
        data += [("removed", i) for i in product["removable"]] + [("extras", i) for i in product["extras"]]
    status, _, body, location = browser.follow("POST", "/cart/add/", data)
    return status == 200 and "added=" in location, body


def place_order(
    browser: Browser,
    *,
    restaurant_id: int,
    items: list[tuple[dict, int, bool]],
    address: int,
    fulfilment: str = "delivery",
) -> OrderOutcome:
    """Adds each (product, quantity, with modifiers) to the cart, then checks out as soon as possible, paying
    in cash on delivery or pick-up."""
    token = browser.csrf()
    for product, quantity, modifiers in items:
        added, body = add_to_cart(
            browser, restaurant_id, product, quantity=quantity, token=token, modifiers=modifiers
        )
        if not added:
            browser.request("POST", "/cart/clear/", {"csrfmiddlewaretoken": browser.csrf()})
            return OrderOutcome(placed=False, sold_out=True)
        token = browser.csrf(body)
    status, _, body = browser.request("GET", "/checkout/")
    if status != 200:
        browser.request("POST", "/cart/clear/", {"csrfmiddlewaretoken": browser.csrf()})
        return OrderOutcome(placed=False, sold_out=status == 302)
    form = {
        "csrfmiddlewaretoken": browser.csrf(body),
        "fulfilment": fulfilment,
        "address": address,
        "delivery_time": first_option(body, "delivery_time"),
        "pickup_time": first_option(body, "pickup_time"),
        "payment_method": "cash_on_delivery",
        "cart_fingerprint": hidden_value(body, "cart_fingerprint"),
        **accepted_terms(body),
    }
    status, path, body, location = browser.follow("POST", "/checkout/", form)
    found = re.fullmatch(r"/orders/([A-Z0-9-]+)/", path)
    if status == 200 and found:
        return OrderOutcome(placed=True, number=found.group(1))
    if location.startswith("/cart/"):
        # The stock ran out between the cart and the checkout: the cart page says which product.
        browser.request("POST", "/cart/clear/", {"csrfmiddlewaretoken": browser.csrf(body)})
        return OrderOutcome(placed=False, sold_out=True)
    errors = re.findall(r'<ul class="errorlist[^"]*">(.*?)</ul>', body, re.S)
    browser.recorder.fail(f"checkout answered {status} at {path}: {' '.join(errors)[:300]}")
    return OrderOutcome(placed=False)


def keep_ordering(restaurant_id: int, items: list[tuple[dict, int, bool]], *, on_attempt=None):
    """The `work` of run_customers for the fault runs: each customer orders `items` again and again until the
    deadline, starting again from an empty cart after a failure, as a customer would after an error page.
    `on_attempt(perf_counter at its start, placed)` hears of each order before it is yielded."""

    def work(browser: Browser, customer: dict, deadline: float):
        while time.perf_counter() < deadline:
            begun = time.perf_counter()
            outcome = place_order(
                browser, restaurant_id=restaurant_id, items=items, address=customer["address"]
            )
            if on_attempt:
                on_attempt(begun, outcome.placed)
            yield outcome
            if not outcome.placed:
                browser.request("POST", "/cart/clear/", {"csrfmiddlewaretoken": browser.csrf()})
                time.sleep(0.2)

    return work


def run_customers(
    base: str, customers: list[dict], work, *, duration: float | None = None
) -> tuple[Recorder, list, float]:
    """Signs each customer in (not timed), then runs `work(browser, customer, deadline)` in one thread each.
    Returns the recorder of the timed part, the outcomes, and the elapsed seconds."""
    sign_in_recorder = Recorder()
    browsers = []
    for customer in customers:
        browser = Browser(base, sign_in_recorder)
        if not browser.sign_in(customer["email"], customer["password"]):
            raise RuntimeError(f"{customer['email']} could not sign in.")
        browsers.append(browser)
    recorder = Recorder()
    outcomes: list = []
    lock = threading.Lock()
    for browser in browsers:
        browser.recorder = recorder
    started = time.perf_counter()
    deadline = started + duration if duration else None

    def loop(browser: Browser, customer: dict) -> None:
        for outcome in work(browser, customer, deadline):
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=loop, args=(b, c)) for b, c in zip(browsers, customers, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    for browser in browsers:
        browser.close()
    return recorder, outcomes, elapsed
