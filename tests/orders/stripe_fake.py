"""Stripe without the network: a local HTTP server answering recorded JSON, and webhooks signed as Stripe does.

`FakeStripe` is a ThreadingHTTPServer on 127.0.0.1 that the real stripe-python client talks to (through
`settings.STRIPE_API_BASE`). It records every request (method, path, headers, form fields as Stripe encodes
them: `line_items[0][price_data][unit_amount]`) and answers like Stripe for the calls the project makes:
creating, reading and expiring Checkout Sessions, and creating refunds. Like Stripe, it answers a repeated
idempotency key with the first answer. `fail(...)` makes a route answer an error instead (`times=` for
only the next few calls), `hang(...)` makes it keep the connection open without answering, as a Stripe that
does not respond would; `refunds_made` counts the refunds it actually made (a replayed key makes none).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import stripe

SECRET_KEY = "sk_test_ocpizza_fake"
WEBHOOK_SECRET = "whsec_test_ocpizza_fake"


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]
    at: float = field(default_factory=time.monotonic)  # when it arrived

    def header(self, name: str) -> str:
        return {key.lower(): value for key, value in self.headers.items()}.get(name.lower(), "")


@dataclass
class FakeStripe:
    requests: list[Recorded] = field(default_factory=list)
    sessions: dict[str, dict] = field(default_factory=dict)
    refund_status: str = "succeeded"
    failures: dict[tuple[str, str], tuple[int, dict]] = field(default_factory=dict)
    failures_left: dict[tuple[str, str], int] = field(default_factory=dict)
    hangs: dict[tuple[str, str], float] = field(default_factory=dict)
    refunds_made: int = 0
    _answers_by_key: dict[str, tuple[int, dict]] = field(default_factory=dict)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    # ---- what tests use ----

    def calls(self, method: str, path: str) -> list[Recorded]:
        return [request for request in self.requests if request.method == method and request.path == path]

    def fail(
        self,
        method: str,
        path: str,
        status: int = 400,
        message: str = "Your card was declined.",
        *,
        times: int | None = None,
    ) -> None:
        kind = "api_error" if status >= 500 else "invalid_request_error"
        self.failures[(method, path)] = (status, {"error": {"type": kind, "message": message}})
        if times is not None:
            self.failures_left[(method, path)] = times

    def hang(self, method: str, path: str, seconds: float = 30) -> None:
        """Accept the calls to this route and answer nothing for `seconds`."""
        self.hangs[(method, path)] = seconds

    # ---- the server ----

    def answer(self, request: Recorded) -> tuple[int, dict]:
        route = (request.method, request.path)
        if route in self.hangs:
            time.sleep(self.hangs[route])
        failure = self.failures.get(route)
        if failure is not None:
            with self._lock:
                left = self.failures_left.get(route)
                if left is not None:
                    self.failures_left[route] = left - 1
                    if left <= 1:
                        del self.failures[route], self.failures_left[route]
            return failure
        key = request.header("Idempotency-Key")
        with self._lock:
            if request.method == "POST" and key in self._answers_by_key:
                return self._answers_by_key[key]
            status, body = self._route(request)
            if request.method == "POST" and key:
                self._answers_by_key[key] = (status, body)
        return status, body

    def _route(self, request: Recorded) -> tuple[int, dict]:
        parts = request.path.strip("/").split("/")
        if request.method == "POST" and request.path == "/v1/checkout/sessions":
            session_id = f"cs_test_{next(self._ids)}"
            session = {
                "id": session_id,
                "object": "checkout.session",
                "status": "open",
                "payment_status": "unpaid",
                "url": f"https://checkout.stripe.com/c/pay/{session_id}",
                "amount_total": sum(
                    int(request.form[f"line_items[{index}][price_data][unit_amount]"])
                    * int(request.form[f"line_items[{index}][quantity]"])
                    for index in itertools.takewhile(
                        lambda i: f"line_items[{i}][quantity]" in request.form, itertools.count()
                    )
                ),
                "currency": "eur",
                "metadata": {
                    key[len("metadata[") : -1]: value
                    for key, value in request.form.items()
                    if key.startswith("metadata[")
                },
            }
            self.sessions[session_id] = session
            return 200, session
        if parts[:3] == ["v1", "checkout", "sessions"] and len(parts) >= 4:
            session = self.sessions.get(parts[3])
            if session is None:
                return 404, {"error": {"type": "invalid_request_error", "message": "No such session"}}
            if request.method == "POST" and parts[4:] == ["expire"]:
                if session["status"] != "open":
                    return 400, {"error": {"type": "invalid_request_error", "message": "Not open"}}
                session["status"] = "expired"
            return 200, session
        if request.method == "POST" and request.path == "/v1/refunds":
            self.refunds_made += 1
            return 200, {
                "id": f"re_test_{next(self._ids)}",
                "object": "refund",
                "status": self.refund_status,
                "amount": int(request.form["amount"]),
                "currency": "eur",
                "payment_intent": request.form.get("payment_intent"),
                "metadata": {
                    key[len("metadata[") : -1]: value
                    for key, value in request.form.items()
                    if key.startswith("metadata[")
                },
            }
        return 404, {"error": {"type": "invalid_request_error", "message": f"Unknown {request.path}"}}


def _handler(fake: FakeStripe) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            parts = urlsplit(self.path)
            form = dict(parse_qsl(body or parts.query, keep_blank_values=True))
            request = Recorded(self.command, parts.path, dict(self.headers.items()), form)
            fake.requests.append(request)
            status, answer = fake.answer(request)
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Stripe-Should-Retry", "false")
            self.end_headers()
            self.wfile.write(payload)

        do_GET = _serve
        do_POST = _serve

        def log_message(self, *args) -> None:  # quiet
            pass

    return Handler


@contextmanager
def fake_stripe(settings):
    """Run a FakeStripe and point the project's Stripe client and keys at it."""
    fake = FakeStripe()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = fake.url
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def signed(payload: str, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header Stripe would send with this body."""
    return stripe.WebhookSignature.generate_signature_header(
        payload, secret, timestamp=int(time.time()) if timestamp is None else timestamp
    )


def event(kind: str, data: dict, *, event_id: str | None = None) -> dict:
    """A webhook event as Stripe sends it (API version of the installed library)."""
    return {
        "id": event_id or f"evt_test_{next(_event_ids)}",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": int(time.time()),
        "livemode": False,
        "type": kind,
        "data": {"object": data},
    }


_event_ids = itertools.count(1)


def completed_session(
    session_id: str, *, amount_cents: int, payment_intent: str = "pi_test_1", **more
) -> dict:
    return {
        "id": session_id,
        "object": "checkout.session",
        "status": "complete",
        "payment_status": "paid",
        "amount_total": amount_cents,
        "currency": "eur",
        "payment_intent": payment_intent,
        "metadata": {},
        **more,
    }


def post_event(client, payload: dict | str, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None):
    body = payload if isinstance(payload, str) else json.dumps(payload)
    return client.post(
        "/payments/stripe/webhook/",
        data=body,
        content_type="application/json",
        headers={"Stripe-Signature": signed(body, secret=secret, timestamp=timestamp)},
    )
