"""Line pricing: a line as asked for (LineRequest), checked against the menu and priced (PricedLine)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from menu.models import Extra, Ingredient, Product, RecipeLine
from orders.errors import OrderError
from restaurants.availability import MAX_QUANTITY_PER_LINE

MAX_LINES = 30


@dataclass(frozen=True)
class LineRequest:
    """One line as asked for: a product, a quantity, ingredients to leave out and extras to add."""

    product_id: int
    quantity: int
    removed_ids: frozenset[int] = frozenset()
    extra_ids: frozenset[int] = frozenset()

    def to_dict(self) -> dict:
        """The JSON form kept in the session cart and in a PendingChange."""
        return {
            "product_id": self.product_id,
            "quantity": self.quantity,
            "removed": sorted(self.removed_ids),
            "extras": sorted(self.extra_ids),
        }

    @classmethod
    def from_dict(cls, raw: dict) -> LineRequest:
        """Raises KeyError, TypeError or ValueError on data it does not understand."""
        return cls(
            product_id=int(raw["product_id"]),
            quantity=int(raw["quantity"]),
            removed_ids=frozenset(int(i) for i in raw.get("removed", [])),
            extra_ids=frozenset(int(i) for i in raw.get("extras", [])),
        )


@dataclass
class PricedLine:
    """A checked line: the product, its modifiers, its price and what it takes from stock."""

    product: Product
    quantity: int
    removed: list[Ingredient] = field(default_factory=list)
    extras: list[Extra] = field(default_factory=list)

    @property
    def unit_price(self) -> Decimal:
        return self.product.price + sum((extra.price for extra in self.extras), Decimal("0"))

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity

    @property
    def is_oven_item(self) -> bool:
        return self.product.baking_minutes is not None

    def stock_needs(self) -> dict[int, Decimal]:
        removed = {ingredient.id for ingredient in self.removed}
        needs: dict[int, Decimal] = defaultdict(Decimal)
        for recipe_line in self.product.recipe_lines.all():
            if recipe_line.ingredient_id not in removed:
                needs[recipe_line.ingredient_id] += recipe_line.quantity * self.quantity
        for extra in self.extras:
            needs[extra.ingredient_id] += extra.quantity * self.quantity
        return needs


def products_for_pricing(product_ids: Sequence[int]) -> dict[int, Product]:
    """Active products with their recipe and offered extras, in three queries."""
    products = (
        Product.objects.active()
        .filter(id__in=set(product_ids))
        .prefetch_related(
            Prefetch("recipe_lines", queryset=RecipeLine.objects.select_related("ingredient")),
            Prefetch("extras", queryset=Extra.objects.filter(is_active=True).select_related("ingredient")),
        )
    )
    return {product.id: product for product in products}


def price_lines(lines: Sequence[LineRequest]) -> list[PricedLine]:
    """Check every requested line against the menu. Raises OrderError naming the first problem."""
    if not lines:
        raise OrderError(_("The order is empty."), code="empty_order")
    if len(lines) > MAX_LINES:
        raise OrderError(_("Too many lines in one order."), code="too_many_lines")
    products = products_for_pricing([line.product_id for line in lines])
    return [_price_line(line, products) for line in lines]


def _price_line(line: LineRequest, products: dict[int, Product]) -> PricedLine:
    """One line checked: a quantity within bounds, a product on the menu, removable ingredients and offered
    extras. Raises OrderError naming the first problem."""
    if not isinstance(line.quantity, int) or not 1 <= line.quantity <= MAX_QUANTITY_PER_LINE:
        raise OrderError(
            _("A quantity must be between 1 and %(max)d.") % {"max": MAX_QUANTITY_PER_LINE},
            code="invalid_quantity",
        )
    product = products.get(line.product_id)
    if product is None:
        raise OrderError(_("This product is not on the menu."), code="unknown_product")
    recipe = {recipe_line.ingredient_id: recipe_line for recipe_line in product.recipe_lines.all()}
    removed = []
    for ingredient_id in sorted(line.removed_ids):
        recipe_line = recipe.get(ingredient_id)
        if recipe_line is None or not recipe_line.removable:
            raise OrderError(
                _("This ingredient cannot be removed from %(product)s.") % {"product": product.name},
                code="ingredient_not_removable",
            )
        removed.append(recipe_line.ingredient)
    offered = {extra.id: extra for extra in product.extras.all()}
    extras = []
    for extra_id in sorted(line.extra_ids):
        if extra_id not in offered:
            raise OrderError(
                _("This extra is not offered on %(product)s.") % {"product": product.name},
                code="extra_not_offered",
            )
        extras.append(offered[extra_id])
    return PricedLine(product=product, quantity=line.quantity, removed=removed, extras=extras)


def subtotal_of(lines: Sequence[PricedLine]) -> Decimal:
    return sum((line.line_total for line in lines), Decimal("0"))


def oven_items(lines: Sequence[PricedLine]) -> int:
    """How many of the lines' items go through the oven (pizzas): what an oven slot counts."""
    return sum(line.quantity for line in lines if line.is_oven_item)


CENT = Decimal("0.01")


def allocate_discount(amounts: Sequence[Decimal], discount: Decimal) -> list[Decimal]:
    """Share a discount across line amounts in proportion to them, to the cent, so the parts sum exactly.

    The discount is capped at the amounts' sum (a total is never negative) and no part exceeds its line.
    Each part is first rounded down; the cents left over go one by one to the largest lines (the earlier
    line on a tie), so the result does not depend on how the rounding fell."""
    total = sum(amounts, Decimal("0"))
    if any(amount < 0 for amount in amounts):
        raise ValueError("A line amount cannot be negative.")
    discount = min(max(discount, Decimal("0")), total).quantize(CENT, rounding=ROUND_DOWN)
    if not amounts or discount == 0:
        return [Decimal("0.00") for _amount in amounts]
    parts = [(amount * discount / total).quantize(CENT, rounding=ROUND_DOWN) for amount in amounts]
    left_cents = int((discount - sum(parts, Decimal("0"))) / CENT)
    by_size = sorted(range(len(amounts)), key=lambda index: (-amounts[index], index))
    while left_cents > 0:
        for index in by_size:
            if left_cents == 0:
                break
            if parts[index] + CENT <= amounts[index]:
                parts[index] += CENT
                left_cents -= 1
    return parts
