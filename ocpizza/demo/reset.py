"""Take the demo data out of the database again (`load_demo --reset`)."""

from __future__ import annotations

from django.db import models, transaction

from accounts.models import User
from menu.models import Category, Extra, Ingredient, Product, RecipeLine
from ocpizza.demo.data import CATEGORIES, EXTRAS, INGREDIENTS, PRODUCTS, RESTAURANTS, demo_emails
from orders.models import Order, OrderLine, OrderLineExtra, Payment, Refund
from restaurants.models import Restaurant, Stock, StockMovement


def reset_demo() -> None:
    """Delete the demo data: orders of the demo restaurants with their payments and stock movements, then
    stock, the restaurants (with hours, zones and staff), the demo menu and the demo users.

    Movements and status changes are append-only, so they go through queryset deletes (never
    `Model.delete()`), in an order that respects the PROTECT foreign keys. Menu rows still used by orders of
    other restaurants are kept. Stored pictures stay: the next load reuses them.
    """
    # Ids are read first so that every delete is a plain `IN (…)`: subqueries joined by OR get poor plans on
    # freshly loaded tables.
    with transaction.atomic():
        restaurant_ids = _ids(Restaurant.objects.filter(slug__in=[spec.slug for spec in RESTAURANTS]))
        order_ids = _ids(Order.objects.filter(restaurant_id__in=restaurant_ids))
        stock_ids = _ids(Stock.objects.filter(restaurant_id__in=restaurant_ids))
        StockMovement.objects.filter(order_id__in=order_ids).delete()
        StockMovement.objects.filter(stock_id__in=stock_ids).delete()
        payment_ids = _ids(Payment.objects.filter(order_id__in=order_ids))
        Refund.objects.filter(payment_id__in=payment_ids).delete()
        Payment.objects.filter(id__in=payment_ids).delete()
        Order.objects.filter(id__in=order_ids).delete()  # lines, their extras and status changes cascade
        Stock.objects.filter(id__in=stock_ids).delete()
        # Opening hours, delivery zones and staff memberships cascade.
        Restaurant.objects.filter(id__in=restaurant_ids).delete()

        # Menu rows that orders of other restaurants still use are kept (PROTECT, and history).
        _delete_unused(
            Product.objects.filter(slug__in=[spec.slug for spec in PRODUCTS]),
            used=set(OrderLine.objects.values_list("product_id", flat=True)),
        )
        _delete_unused(
            Extra.objects.filter(ingredient__name_fr__in=[spec.ingredient for spec in EXTRAS]),
            used=set(OrderLineExtra.objects.values_list("extra_id", flat=True)),
        )
        _delete_unused(
            Ingredient.objects.filter(name_fr__in=[spec.name for spec in INGREDIENTS]),
            used=set(RecipeLine.objects.values_list("ingredient_id", flat=True))
            | set(Stock.objects.values_list("ingredient_id", flat=True))
            | set(Extra.objects.values_list("ingredient_id", flat=True))
            | set(OrderLine.removed_ingredients.through.objects.values_list("ingredient_id", flat=True)),
        )
        _delete_unused(
            Category.objects.filter(slug__in=[spec.slug for spec in CATEGORIES]),
            used=set(Product.objects.values_list("category_id", flat=True)),
        )
        User.objects.filter(email__in=demo_emails()).delete()


def _ids(queryset: models.QuerySet) -> list[int]:
    return list(queryset.values_list("id", flat=True))


def _delete_unused(queryset: models.QuerySet, *, used: set[int]) -> None:
    queryset.exclude(id__in=used).delete()
