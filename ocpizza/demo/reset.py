"""Take the demo data out of the database again (`load_demo --reset`)."""

from __future__ import annotations

from django.db import connection, models, transaction

from accounts.models import User
from loyalty.models import Entry, Reward
from menu.models import Category, Extra, Ingredient, Product, RecipeLine
from ocpizza.demo.data import (
    CATEGORIES,
    EXTRAS,
    FORMULES,
    INGREDIENTS,
    PRODUCTS,
    PROMO_CODES,
    RESTAURANTS,
    REWARDS,
    demo_emails,
)
from offers.models import Formule, FormuleComponent, PromoCode
from orders.models import Order, OrderLine, OrderLineExtra, Payment, Refund
from restaurants.models import Restaurant, Stock, StockMovement
from sales.models import Closing, SalesChain, SalesEntry


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
        _delete_sales_record(restaurant_ids)
        StockMovement.objects.filter(order_id__in=order_ids).delete()
        StockMovement.objects.filter(stock_id__in=stock_ids).delete()
        payment_ids = _ids(Payment.objects.filter(order_id__in=order_ids))
        Refund.objects.filter(payment_id__in=payment_ids).delete()
        Payment.objects.filter(id__in=payment_ids).delete()
        Order.objects.filter(id__in=order_ids).delete()  # lines, their extras and status changes cascade
        # The demo's promo codes, unless orders of other restaurants used them (PROTECT, and history).
        PromoCode.objects.filter(code__in=[spec.code for spec in PROMO_CODES], orders__isnull=True).delete()
        # The demo's formules, unless lines of other restaurants' orders name them (PROTECT, and history).
        Formule.objects.filter(name_fr__in=[spec.name for spec in FORMULES]).exclude(
            pk__in=OrderLine.objects.filter(formule__isnull=False).values("formule_id")
        ).delete()
        Stock.objects.filter(id__in=stock_ids).delete()
        # Opening hours, delivery zones and staff memberships cascade.
        Restaurant.objects.filter(id__in=restaurant_ids).delete()

        # The demo customers' points, then the demo's rewards nobody else spent points on (PROTECT, and history).
        Entry.objects.filter(customer__email__in=demo_emails()).delete()
        Reward.objects.filter(name_fr__in=[spec.name for spec in REWARDS], entries__isnull=True).delete()

        # Menu rows that orders of other restaurants, or rewards, still use are kept (PROTECT, and history).
        _delete_unused(
            Product.objects.filter(slug__in=[spec.slug for spec in PRODUCTS]),
            used=set(OrderLine.objects.values_list("product_id", flat=True))
            | set(Reward.objects.values_list("product_id", flat=True)),
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
            used=set(Product.objects.values_list("category_id", flat=True))
            | set(PromoCode.objects.values_list("category_id", flat=True))
            | set(FormuleComponent.objects.values_list("category_id", flat=True))
            | set(Reward.objects.values_list("category_id", flat=True)),
        )
        User.objects.filter(email__in=demo_emails()).delete()


def _ids(queryset: models.QuerySet) -> list[int]:
    return list(queryset.values_list("id", flat=True))


def _delete_unused(queryset: models.QuerySet, *, used: set[int]) -> None:
    queryset.exclude(id__in=used).delete()


SALES_RECORD_TABLES = ("sales_closing", "sales_salesentry")


def _delete_sales_record(restaurant_ids: list[int]) -> None:
    """The demo restaurants' sales record (orders passed in the demo). The database refuses to delete
    entries and closings (sales/migrations/0002): this lifts the trigger for this transaction only (ALTER
    TABLE is transactional, and only the tables' owner may run it), deletes the demo restaurants' rows and
    puts the trigger back. Never the rows of a restaurant that is not the demo's."""
    if (
        SalesEntry.objects.filter(restaurant_id__in=restaurant_ids).exists()
        or Closing.objects.filter(restaurant_id__in=restaurant_ids).exists()
    ):
        with connection.cursor() as cursor:
            # ALTER TABLE refuses to run while foreign key checks of this transaction are pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in SALES_RECORD_TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
            for table in SALES_RECORD_TABLES:
                sql = f"DELETE FROM {table} WHERE restaurant_id = ANY(%s)"  # noqa: S608 - a constant table name
                cursor.execute(sql, [list(restaurant_ids)])
            for table in SALES_RECORD_TABLES:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    SalesChain.objects.filter(restaurant_id__in=restaurant_ids).delete()
