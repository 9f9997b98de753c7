"""Payments under faults, with the real worker (`manage.py procrastinate worker`) and a fake Stripe on
loopback (tests/orders/stripe_fake.py), on a throwaway PostgreSQL with the demo data prepared for load:

- Stripe answers 500 to three refund calls in a row, then 200: one refund, made by the fourth try, after
  the queue's backoff;
- the worker is killed (SIGKILL) in the middle of a batch of refunds, then started again: each refund is
  made exactly once (counted on the fake Stripe: refunds it made, idempotency keys it saw);
- unpaid online orders whose payment window closes at different seconds of the minute: how long after
  its window each gives its stock back (the periodic expiry runs every minute in the worker).

`payment_faults()` runs this file in a process of its own (Django set up there, on its own database) and
returns its results for bench/faults.json; `python bench/faults_payments.py` prints them.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]

from harness import PYTHON, WORK, Database, log, prepare, server_env  # noqa: E402

from tests.orders.stripe_fake import SECRET_KEY, WEBHOOK_SECRET, fake_stripe  # noqa: E402

REFUND_BATCH = 20
KILL_AFTER_REFUNDS = 8
EXPIRY_OFFSETS_S = (5, 25, 45)  # seconds into the minute at which each window closes, roughly


def payment_faults() -> dict:
    """Run the payment scenarios in their own process; their results (the last line it prints)."""
    out = subprocess.run(
        [PYTHON, str(Path(__file__).resolve())], cwd=ROOT, capture_output=True, text=True, check=False
    )
    sys.stderr.write(out.stderr[-4000:])
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode or not lines:
        return {"error": f"bench/faults_payments.py exited {out.returncode}", "clean": False}
    return json.loads(lines[-1])


class Worker:
    """`manage.py procrastinate worker`, all queues, with the fake Stripe's address."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.log = open(WORK / "worker-payments.log", "a")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [PYTHON, "manage.py", "procrastinate", "worker"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log(f"worker started (pid {self.process.pid})")

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()
        log(f"worker {self.process.pid} killed (SIGKILL)")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def wait_until(condition, *, timeout: float, step: float = 0.25) -> float | None:
    """Seconds until `condition()` held, or None after `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return round(time.monotonic() - started, 2)
        time.sleep(step)
    return None


@contextmanager
def worker_running(env):
    worker = Worker(env)
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()


def main() -> dict:
    database = Database()
    database.folder = WORK / "pg-payments"
    database.start()
    try:
        prepare(database.url, customers=1, contention_portions=10)
        env = {
            **server_env(database.url, debug=True),
            "STRIPE_SECRET_KEY": SECRET_KEY,
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "LOG_LEVEL": "WARNING",
        }
        with fake_stripe(SimpleNamespace()) as stripe_api:
            env["STRIPE_API_BASE"] = stripe_api.url
            os.environ.update(env)
            import django

            django.setup()
            return {
                "refund_after_three_500s": refund_after_three_500s(stripe_api, env),
                "refunds_with_worker_killed": refunds_with_worker_killed(stripe_api, env),
                "expiry_of_unpaid_orders": expiry_of_unpaid_orders(env),
            }
    finally:
        database.stop()


# ---------- The Django side (after django.setup()) ----------


def place_online_pickup(restaurant, product, customer):
    """One `product` to pick up at `restaurant`, to be paid online by `customer`: its payment is pending."""
    from orders.services import Contact, LineRequest, place_order

    return place_order(
        restaurant=restaurant,
        lines=[LineRequest(product_id=product.pk, quantity=1)],
        fulfilment="pickup",
        payment_method="online",
        contact=Contact(name="Bench", phone=customer.phone, email=customer.email),
        customer=customer,
    )


def cancelled_paid_orders(count: int) -> list[int]:
    """`count` orders paid through (fake) Stripe then cancelled by their customer: one refund job each."""
    from accounts.models import User
    from menu.models import Product
    from orders.models import Payment, Refund
    from orders.services import cancel_order, confirm_payment
    from restaurants.models import Restaurant

    restaurant = Restaurant.objects.get(slug="lyon-bellecour")
    customer = User.objects.get(email="bench.customer0@ocpizza.example")
    product = Product.objects.get(slug="regina")
    refunds = []
    for _ in range(count):
        order = place_online_pickup(restaurant, product, customer)
        payment = order.payments.get()
        Payment.objects.filter(pk=payment.pk).update(provider_reference=f"cs_bench_{order.pk}")
        confirm_payment(payment=payment, provider_payment_id=f"pi_bench_{order.pk}")
        cancel_order(order=order, by=customer, reason="Benchmark")
        refunds.append(Refund.objects.get(payment__order=order).pk)
    return refunds


def refund_states(refund_ids: list[int]) -> dict[str, int]:
    from django.db.models import Count

    from orders.models import Refund

    rows = Refund.objects.filter(pk__in=refund_ids).values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def refund_after_three_500s(stripe_api, env) -> dict:
    from orders.models import Refund

    log("Stripe answers 500 to three refund calls, then 200...")
    stripe_api.requests.clear()
    stripe_api.refunds_made = 0
    stripe_api.fail("POST", "/v1/refunds", status=500, message="Stripe is down", times=3)
    [refund_id] = cancelled_paid_orders(1)
    with worker_running(env):
        took = wait_until(lambda: refund_states([refund_id]).get("succeeded") == 1, timeout=120)
    calls = stripe_api.calls("POST", "/v1/refunds")
    refund = Refund.objects.get(pk=refund_id)
    result = {
        "refund_calls": len(calls),
        "refunds_made_at_stripe": stripe_api.refunds_made,
        "refund_status": refund.status,
        "made_by_try": refund.attempts,
        "seconds_between_tries": [round(b.at - a.at, 1) for a, b in itertools.pairwise(calls)],
        "seconds_to_refund": took,
        "same_idempotency_key": len({call.header("Idempotency-Key") for call in calls}) == 1,
    }
    result["clean"] = (
        result["refunds_made_at_stripe"] == 1
        and result["made_by_try"] == 4
        and refund.status == "succeeded"
        and result["same_idempotency_key"]
    )
    log(f"  {result}")
    return result


def refunds_with_worker_killed(stripe_api, env) -> dict:
    log(f"{REFUND_BATCH} refunds; the worker is killed after Stripe made {KILL_AFTER_REFUNDS}...")
    stripe_api.requests.clear()
    stripe_api.refunds_made = 0
    stripe_api.hang("POST", "/v1/refunds", seconds=0.3)  # a slow Stripe: the kill lands mid-call
    refund_ids = cancelled_paid_orders(REFUND_BATCH)
    worker = Worker(env)
    worker.start()
    wait_until(lambda: stripe_api.refunds_made >= KILL_AFTER_REFUNDS, timeout=60, step=0.05)
    worker.kill()
    killed_at = time.monotonic()
    at_kill = {"made_at_stripe": stripe_api.refunds_made, "in_database": refund_states(refund_ids)}
    time.sleep(1)  # a call in flight when the worker died finishes at Stripe
    at_kill["made_at_stripe_after_the_call_in_flight"] = stripe_api.refunds_made
    with worker_running(env):
        took = wait_until(
            lambda: refund_states(refund_ids).get("succeeded") == REFUND_BATCH, timeout=240, step=0.5
        )
    calls = stripe_api.calls("POST", "/v1/refunds")
    keys = [call.header("Idempotency-Key") for call in calls]
    result = {
        "refunds": REFUND_BATCH,
        "at_kill": at_kill,
        "refunds_made_at_stripe": stripe_api.refunds_made,
        "refund_calls": len(calls),
        "distinct_idempotency_keys": len(set(keys)),
        "calls_repeated_with_the_same_key": len(keys) - len(set(keys)),
        "in_database": refund_states(refund_ids),
        "seconds_from_kill_to_all_refunded": round(time.monotonic() - killed_at, 1) if took else None,
    }
    result["clean"] = (
        result["refunds_made_at_stripe"] == REFUND_BATCH
        and result["distinct_idempotency_keys"] == REFUND_BATCH
        and result["in_database"] == {"succeeded": REFUND_BATCH}
    )
    stripe_api.hangs.clear()
    log(f"  {result}")
    return result


def expiry_of_unpaid_orders(env) -> dict:
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import User
    from menu.models import Product
    from orders.models import Order
    from restaurants.models import MovementReason, Restaurant

    log("Unpaid online orders whose payment window closes within the next minute...")
    restaurant = Restaurant.objects.get(slug="lyon-bellecour")
    customer = User.objects.get(email="bench.customer0@ocpizza.example")
    product = Product.objects.get(slug="regina")
    with worker_running(env):
        now = timezone.now()
        minute = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
        orders = []
        for offset in EXPIRY_OFFSETS_S:
            order = place_online_pickup(restaurant, product, customer)
            deadline = minute + timedelta(seconds=offset)
            Order.objects.filter(pk=order.pk).update(payment_expires_at=deadline)
            orders.append((order.pk, deadline))
        ids = [pk for pk, _ in orders]
        wait_until(
            lambda: Order.objects.filter(pk__in=ids, status="cancelled").count() == len(ids),
            timeout=200,
            step=0.5,
        )
    lags = []
    for pk, deadline in orders:
        order = Order.objects.get(pk=pk)
        stock_back = order.stock_movements.filter(reason=MovementReason.ORDER_CANCELLED).exists()
        lags.append(
            {
                "window_closed_at_second": deadline.second,
                "stock_back_after_s": round((order.cancelled_at - deadline).total_seconds(), 1)
                if order.cancelled_at
                else None,
                "stock_movements_back": stock_back,
            }
        )
    worst = max((lag["stock_back_after_s"] or 999) for lag in lags)
    result = {"orders": lags, "worst_s": worst, "limit_s": 70}
    result["clean"] = worst < 70 and all(lag["stock_movements_back"] for lag in lags)
    log(f"  {result}")
    return result


if __name__ == "__main__":
    WORK.mkdir(parents=True, exist_ok=True)
    results = main()
    results["clean"] = all(part["clean"] for part in results.values())
    print(json.dumps(results))
