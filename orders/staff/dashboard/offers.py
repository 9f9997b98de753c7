"""The manager dashboard's view per offer: for each promo code and each loyalty reward used in the range and
the restaurants in scope, its uses, the discount it gave and the revenue of the orders that used it. Two
queries, whatever the number of orders or offers.

A use is an order placed in the range that is not cancelled (a cancellation gives the use and the points
back). The discount given is `Order.discount`; for a free-delivery code, it is the fees waived
(`Order.delivery_fee_waived`, each order's fee as it was when placed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Sum

from loyalty.models import Kind as LoyaltyKind
from offers.models import Kind as PromoKind
from orders.models import Order, Status
from orders.staff.dashboard.forms import local_bounds
from restaurants.models import Restaurant


@dataclass(frozen=True)
class OfferFigures:
    """One offer's figures: `kind` is "code" or "reward"; `name` the code (or the reward's name)."""

    kind: str
    name: str
    label: str
    uses: int
    discount: Decimal
    revenue: Decimal
    free_delivery: bool = False


def offer_figures(*, restaurants: Sequence[Restaurant], start: date, end: date) -> list[OfferFigures]:
    """The promo codes then the rewards used in the range at `restaurants`, most used first. Two queries."""
    since, until = local_bounds(start, end)
    used = Order.objects.filter(
        restaurant_id__in=[restaurant.pk for restaurant in restaurants],
        created_at__gte=since,
        created_at__lt=until,
    ).exclude(status=Status.CANCELLED)
    codes = (
        used.filter(promo_code__isnull=False)
        .values("promo_code__code", "promo_code__label", "promo_code__kind")
        .annotate(
            uses=Count("id"),
            discount=Sum("discount"),
            waived=Sum("delivery_fee_waived"),
            revenue=Sum("total"),
        )
        .order_by("-uses", "promo_code__code")
    )
    # One spent entry per order (placement spends once), so the join counts each order once.
    rewards = (
        used.filter(loyalty_entries__kind=LoyaltyKind.SPENT)
        .values("loyalty_entries__reward__name")
        .annotate(uses=Count("id"), discount=Sum("discount"), revenue=Sum("total"))
        .order_by("-uses", "loyalty_entries__reward__name")
    )
    figures = []
    for row in codes:
        free_delivery = row["promo_code__kind"] == PromoKind.FREE_DELIVERY
        discount = (row["waived"] if free_delivery else row["discount"]) or Decimal("0")
        figures.append(
            OfferFigures(
                kind="code",
                name=row["promo_code__code"],
                label=row["promo_code__label"],
                uses=row["uses"],
                discount=discount,
                revenue=row["revenue"] or Decimal("0"),
                free_delivery=free_delivery,
            )
        )
    for row in rewards:
        figures.append(
            OfferFigures(
                kind="reward",
                name=row["loyalty_entries__reward__name"] or "",
                label="",
                uses=row["uses"],
                discount=row["discount"] or Decimal("0"),
                revenue=row["revenue"] or Decimal("0"),
            )
        )
    return figures
