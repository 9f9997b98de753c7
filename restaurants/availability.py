"""What a restaurant can make now, the one home of the rule: the menu, the cart, the counter and the stock
page ask here.

Portions left = min over the product's recipe lines of floor(stock / quantity per portion); an ingredient
the restaurant does not keep counts as zero. For the menu, computed by the database (`with_portions_left`:
one correlated subquery per product row, so a page runs the same number of queries whatever the number of
products); for a line of a cart or an order, whose extras and removals change what a portion needs, from
the stock read once (`stock_at`, `portions_of`). A product that cannot be made says why
(`missing_ingredients`). No line holds more than MAX_QUANTITY_PER_LINE portions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import (
    CharField,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import MD5, Cast, Coalesce, Concat, Floor
from django.utils.translation import gettext as _

from common import formats
from menu.models import Product, RecipeLine
from restaurants.models import Restaurant, Stock
from restaurants.templatetags.stock_tags import unit_symbol

# "Only N left" is shown from this many portions down.
FEW_LEFT = 5
# The most portions of one product (with the same extras and removals) a cart or an order line holds: the
# quantity fields' maximum, and what the menu shows of the portions at most (restaurants.menu_cache).
MAX_QUANTITY_PER_LINE = 20


def with_portions_left(products: QuerySet[Product], restaurant: Restaurant) -> QuerySet[Product]:
    """Annotate `portions_left` (an int, 0 when sold out) on each product for this restaurant, and the
    restaurant's `stock_state`."""
    stock_quantity = Stock.objects.filter(restaurant=restaurant, ingredient=OuterRef("ingredient")).values(
        "quantity"
    )[:1]
    per_line = (
        RecipeLine.objects.filter(product=OuterRef("pk"))
        .annotate(
            portions=Floor(
                Coalesce(Subquery(stock_quantity), Value(Decimal("0")), output_field=DecimalField())
                / F("quantity")
            )
        )
        .order_by("portions")
        .values("portions")[:1]
    )
    return products.annotate(
        portions_left=Coalesce(
            Cast(Subquery(per_line), IntegerField()), Value(0), output_field=IntegerField()
        ),
        # Read in the same statement, so from the same snapshot as the portions: the cached menu is
        # stored under the state it shows (restaurants.menu_cache).
        stock_state=stock_state(restaurant),
    )


def stock_state(restaurant: Restaurant | OuterRef) -> Subquery:
    """One value that changes whenever any stock quantity of the restaurant changes: the md5 of its
    (stock id, quantity) pairs. Everything the menu shows of availability follows from those pairs."""
    pair = Concat(
        Cast("id", CharField()), Value(":"), Cast("quantity", CharField()), output_field=CharField()
    )
    pairs = StringAgg(pair, delimiter=",", order_by="id")
    return Subquery(
        Stock.objects.filter(restaurant=restaurant)
        .order_by()
        .values("restaurant")
        .annotate(state=MD5(pairs))
        .values("state")[:1],
        output_field=CharField(),
    )


def portions_left(product: Product, restaurant: Restaurant) -> int:
    return with_portions_left(Product.objects.filter(pk=product.pk), restaurant).get().portions_left


@dataclass(frozen=True)
class MissingIngredient:
    name: str
    unit: str
    available: Decimal
    needed: Decimal

    def __str__(self) -> str:
        return _("%(name)s: %(available)s %(unit)s left, %(needed)s %(unit)s needed") % {
            "name": self.name,
            "available": formats.decimal(self.available),
            "needed": formats.decimal(self.needed),
            "unit": unit_symbol(self.unit),
        }


def missing_ingredients(
    recipe_lines: Iterable[RecipeLine], quantities: Mapping[int, Decimal]
) -> list[MissingIngredient]:
    """The ingredients of `recipe_lines` (with their `ingredient` loaded) too short for one portion, from
    `quantities` (ingredient id -> stock, a missing one counting as zero): what staff need to restock."""
    missing = []
    for line in recipe_lines:
        available = quantities.get(line.ingredient_id, Decimal("0"))
        if available < line.quantity:
            missing.append(
                MissingIngredient(line.ingredient.name, line.ingredient.unit, available, line.quantity)
            )
    return missing


def why_unavailable(product: Product, restaurant: Restaurant) -> list[MissingIngredient]:
    """The ingredients too short for one portion of `product` at `restaurant` (two queries)."""
    stocks = {
        stock.ingredient_id: stock.quantity
        for stock in Stock.objects.filter(restaurant=restaurant, ingredient__recipe_lines__product=product)
    }
    return missing_ingredients(product.recipe_lines.select_related("ingredient"), stocks)


def stock_at(restaurant: Restaurant, ingredient_ids: Iterable[int]) -> dict[int, Decimal]:
    """The restaurant's stock of these ingredients (ingredient id -> quantity; one it does not keep is
    absent), in one query."""
    return dict(
        Stock.objects.filter(restaurant=restaurant, ingredient_id__in=set(ingredient_ids)).values_list(
            "ingredient_id", "quantity"
        )
    )


def portions_of(per_portion: Mapping[int, Decimal], available: Mapping[int, Decimal]) -> int:
    """How many portions `available` (ingredient id -> quantity) makes of something needing `per_portion`
    of each ingredient: a line of a cart or an order, its extras added and its removals left out. Never
    negative; MAX_QUANTITY_PER_LINE when it needs no counted ingredient."""
    counts = [
        int(available.get(ingredient_id, Decimal("0")) // quantity)
        for ingredient_id, quantity in per_portion.items()
        if quantity > 0
    ]
    return max(min(counts), 0) if counts else MAX_QUANTITY_PER_LINE
