"""What must hold after any load or fault run, read from the database; prints JSON.

`checks.py [--since ISO_TIME] [--contention RESTAURANT_SLUG PRODUCT_ID] [--emails]`

- no stock below zero, and every stock equal to the sum of its ledger (movements);
- no half-written order: each has lines, a subtotal equal to the sum of its lines, a first status change;
- what each order holds in stock is exactly what its lines need (recipe × quantity − removals + extras),
  nothing when cancelled;
Orders are those placed since --since (all when not given); with --contention, how many portions of the
product were ordered at that restaurant (cancelled orders left out) since then. With --emails, the orders
without their confirmation email (common.SentEmail, sent once by the worker) and the task queue's jobs by
status.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocpizza.settings")

import django

django.setup()

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum  # noqa: E402
from django.db.models.functions import Coalesce, Now  # noqa: E402
from django.utils.dateparse import parse_datetime  # noqa: E402

from menu.models import Extra, RecipeLine  # noqa: E402
from orders.models import Order, OrderLine, OrderLineExtra, Status  # noqa: E402
from restaurants.models import Stock, StockMovement  # noqa: E402


def stock_checks() -> dict:
    ledger = Subquery(
        StockMovement.objects.filter(stock=OuterRef("pk"))
        .values("stock")
        .annotate(total=Sum("delta"))
        .values("total")[:1]
    )
    stocks = Stock.objects.annotate(ledger=Coalesce(ledger, Decimal("0")))
    return {
        "stocks": stocks.count(),
        "negative_stocks": stocks.filter(quantity__lt=0).count(),
        "stocks_not_equal_to_ledger": stocks.exclude(quantity=F("ledger")).count(),
    }


def order_needs(order_ids: list[int]) -> dict[int, dict[int, Decimal]]:
    """What each order's lines take from stock, from the recipes (unchanged during a run)."""
    recipes: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for product_id, ingredient_id, quantity in RecipeLine.objects.values_list(
        "product_id", "ingredient_id", "quantity"
    ):
        recipes[product_id].append((ingredient_id, quantity))
    extras = {extra.pk: (extra.ingredient_id, extra.quantity) for extra in Extra.objects.all()}
    removed: dict[int, set[int]] = defaultdict(set)
    for line_id, ingredient_id in OrderLine.removed_ingredients.through.objects.filter(
        orderline__order_id__in=order_ids
    ).values_list("orderline_id", "ingredient_id"):
        removed[line_id].add(ingredient_id)
    line_extras: dict[int, list[int]] = defaultdict(list)
    for line_id, extra_id in OrderLineExtra.objects.filter(line__order_id__in=order_ids).values_list(
        "line_id", "extra_id"
    ):
        line_extras[line_id].append(extra_id)
    needs: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for line_id, order_id, product_id, quantity in OrderLine.objects.filter(
        order_id__in=order_ids
    ).values_list("id", "order_id", "product_id", "quantity"):
        for ingredient_id, per_portion in recipes[product_id]:
            if ingredient_id not in removed[line_id]:
                needs[order_id][ingredient_id] += per_portion * quantity
        for extra_id in line_extras[line_id]:
            ingredient_id, per_portion = extras[extra_id]
            needs[order_id][ingredient_id] += per_portion * quantity
    return needs


def order_checks(since) -> dict:
    orders = Order.objects.all()
    if since:
        orders = orders.filter(created_at__gte=since)
    annotated = orders.annotate(
        line_count=Count("lines", distinct=True), lines_sum=Coalesce(Sum("lines__line_total"), Decimal("0"))
    )
    without_lines = annotated.filter(line_count=0).count()
    subtotal_mismatch = annotated.exclude(subtotal=F("lines_sum")).count()
    without_history = orders.annotate(changes=Count("status_changes")).filter(changes=0).count()
    ids = list(orders.values_list("id", flat=True))
    needs = order_needs(ids)
    held: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for order_id, ingredient_id, total in (
        StockMovement.objects.filter(order_id__in=ids)
        .values_list("order_id", "stock__ingredient_id")
        .annotate(total=Sum("delta"))
    ):
        if total:
            held[order_id][ingredient_id] = -total
    cancelled = set(orders.filter(status=Status.CANCELLED).values_list("id", flat=True))
    wrong_stock = 0
    for order_id in ids:
        expected = {} if order_id in cancelled else {k: v for k, v in needs[order_id].items() if v}
        if held[order_id] != expected:
            wrong_stock += 1
    return {
        "orders": len(ids),
        "orders_by_status": dict(orders.values_list("status").annotate(n=Count("id")).order_by("status")),
        "orders_without_lines": without_lines,
        "orders_with_wrong_subtotal": subtotal_mismatch,
        "orders_without_history": without_history,
        "orders_holding_wrong_stock": wrong_stock,
    }


def contention_count(restaurant_slug: str, product_id: int, since) -> int:
    return (
        OrderLine.objects.filter(
            order__restaurant__slug=restaurant_slug, order__created_at__gte=since, product_id=product_id
        )
        .exclude(order__status=Status.CANCELLED)
        .aggregate(portions=Coalesce(Sum("quantity"), 0))["portions"]
    )


def email_checks(since) -> dict:
    from procrastinate.contrib.django.models import ProcrastinateJob

    from common.models import SentEmail

    orders = Order.objects.all()
    if since:
        orders = orders.filter(created_at__gte=since)
    sent = set(SentEmail.objects.filter(key__startswith="order-confirmed:").values_list("key", flat=True))
    jobs = dict(ProcrastinateJob.objects.values_list("status").annotate(n=Count("id")).order_by("status"))
    # Jobs due now and not done (a job scheduled for later, a retry's next try, is not late).
    due = ProcrastinateJob.objects.filter(
        Q(status="doing") | Q(status="todo") & (Q(scheduled_at__isnull=True) | Q(scheduled_at__lte=Now()))
    ).count()
    return {
        "orders_without_confirmation_email": sum(
            1 for pk in orders.values_list("pk", flat=True) if f"order-confirmed:{pk}" not in sent
        ),
        "jobs_by_status": jobs,
        "jobs_waiting_or_running": due,
        "jobs_failed": jobs.get("failed", 0),
    }


def main() -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--since", type=parse_datetime)
    parser.add_argument("--contention", nargs=2, metavar=("RESTAURANT", "PRODUCT_ID"))
    parser.add_argument("--emails", action="store_true")
    args = parser.parse_args()
    result = {**stock_checks(), **order_checks(args.since)}
    if args.emails:
        result.update(email_checks(args.since))
    if args.contention:
        slug, product_id = args.contention
        result["contention_portions_ordered"] = contention_count(slug, int(product_id), args.since)
    return result


if __name__ == "__main__":
    print(json.dumps(main()))
