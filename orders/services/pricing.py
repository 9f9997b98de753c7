"""Line pricing: a line as asked for (LineRequest), checked against the menu and priced (PricedLine)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from menu.models import Extra, Ingredient, Product, RecipeLine
from offers.models import Formule
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
    # A component of a formule (offers.Formule): the lines of one formule share a `group` (a random id),
    # each names the component it fills; its quantity is 1.
    formule: FormulePart | None = None

    def to_dict(self) -> dict:
        """The JSON form kept in the session cart and in a PendingChange."""
        data = {
            "product_id": self.product_id,
            "quantity": self.quantity,
            "removed": sorted(self.removed_ids),
            "extras": sorted(self.extra_ids),
        }
        if self.formule is not None:
            data["formule"] = [self.formule.formule_id, self.formule.component_id, self.formule.group]
        return data

    @classmethod
    def from_dict(cls, raw: dict) -> LineRequest:
        """Raises KeyError, TypeError or ValueError on data it does not understand."""
        return cls(
            product_id=int(raw["product_id"]),
            quantity=int(raw["quantity"]),
            removed_ids=frozenset(int(i) for i in raw.get("removed", [])),
            extra_ids=frozenset(int(i) for i in raw.get("extras", [])),
            formule=FormulePart.from_list(raw["formule"]) if raw.get("formule") else None,
        )


@dataclass(frozen=True)
class FormulePart:
    """Which formule a line belongs to: the formule, the component it fills, the group of its lines."""

    formule_id: int
    component_id: int
    group: str

    @classmethod
    def from_list(cls, raw: list) -> FormulePart:
        formule_id, component_id, group = raw
        if not isinstance(group, str) or not 1 <= len(group) <= 32:
            raise ValueError("bad formule group")
        return cls(formule_id=int(formule_id), component_id=int(component_id), group=group)


@dataclass
class PricedLine:
    """A checked line: the product, its modifiers, its price and what it takes from stock."""

    product: Product
    quantity: int
    removed: list[Ingredient] = field(default_factory=list)
    extras: list[Extra] = field(default_factory=list)
    # A formule's component: the formule, its group and this line's share of the formule's saving.
    formule: Formule | None = None
    formule_component_id: int | None = None
    formule_group: str = ""
    formule_saving: Decimal = Decimal("0")

    @property
    def unit_price(self) -> Decimal:
        return self.product.price + sum((extra.price for extra in self.extras), Decimal("0"))

    @property
    def line_total(self) -> Decimal:
        """The list price of the line, less its share of a formule's saving (extras stay charged)."""
        return self.unit_price * self.quantity - self.formule_saving

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
    priced = [_price_line(line, products) for line in lines]
    if any(line.formule is not None for line in lines):
        _price_formules(lines, priced)
    return priced


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


# ---------- Formules: the components checked against their formule, the saving shared across them ----------


def _price_formules(lines: Sequence[LineRequest], priced: list[PricedLine]) -> None:
    """Check each formule's group of lines (every component filled with its quantity, each product one the
    component offers, one portion a line) and share the formule's saving across the group's lines in
    proportion to their list prices without extras (allocate_discount, to the cent), so each line keeps
    its own VAT rate. Raises OrderError (code "formule_…") naming the first problem."""
    groups: dict[str, list[int]] = defaultdict(list)
    for index, line in enumerate(lines):
        if line.formule is not None:
            groups[line.formule.group].append(index)
    formule_ids = {lines[indexes[0]].formule.formule_id for indexes in groups.values()}
    formules = {
        formule.pk: formule
        for formule in Formule.objects.filter(pk__in=formule_ids, active=True).prefetch_related(
            "components__products"
        )
    }
    for group, indexes in groups.items():
        formule = formules.get(lines[indexes[0]].formule.formule_id)
        if formule is None or any(lines[i].formule.formule_id != formule.pk for i in indexes):
            raise OrderError(_("This formule is no longer offered."), code="formule_unknown")
        _check_composition(formule, [lines[i] for i in indexes], [priced[i] for i in indexes])
        list_prices = [priced[i].product.price for i in indexes]
        shares = allocate_discount(list_prices, formule.saving(list_prices))
        for i, share in zip(indexes, shares, strict=True):
            priced[i].formule = formule
            priced[i].formule_component_id = lines[i].formule.component_id
            priced[i].formule_group = group
            priced[i].formule_saving = share


def _check_composition(formule: Formule, lines: list[LineRequest], priced: list[PricedLine]) -> None:
    components = {component.pk: component for component in formule.components.all()}
    filled: dict[int, int] = defaultdict(int)
    for line, priced_line in zip(lines, priced, strict=True):
        component = components.get(line.formule.component_id)
        if component is None:
            raise OrderError(_("This formule is no longer offered."), code="formule_unknown")
        if line.quantity != 1:
            raise OrderError(_("Each choice of a formule is one portion."), code="formule_quantity")
        if not component.allows(priced_line.product):
            raise OrderError(
                _("%(product)s cannot be chosen as « %(component)s » in %(formule)s.")
                % {
                    "product": priced_line.product.name,
                    "component": component.label,
                    "formule": formule.name,
                },
                code="formule_product_not_offered",
            )
        filled[component.pk] += 1
    for component in components.values():
        if filled[component.pk] != component.quantity:
            raise OrderError(
                ngettext(
                    "Choose %(count)d « %(component)s » for %(formule)s.",
                    "Choose %(count)d « %(component)s » for %(formule)s.",
                    component.quantity,
                )
                % {"count": component.quantity, "component": component.label, "formule": formule.name},
                code="formule_missing_component",
            )
