"""An order's lines as cart lines again ("order again" in My orders, "repeat" at the counter): what can still be
had at the restaurant now, a formule as the formule while it is offered, and a sentence for everything left
out or changed. Checkout checks it all again."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace

from django.db.models import Prefetch, prefetch_related_objects
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from menu.models import Extra, Product
from offers.models import Formule
from orders.models import Order, OrderLine
from orders.services import MAX_QUANTITY_PER_LINE, FormulePart, LineRequest
from restaurants.availability import with_portions_left


@dataclass(frozen=True)
class Reorder:
    lines: list[LineRequest]  # the ordinary lines
    formules: list[list[LineRequest]]  # each formule's lines, a new group each (orders.cart.Cart.add_formule)
    left_out: list[str]  # sentences naming what could not be put back in the cart, or not as it was

    @property
    def empty(self) -> bool:
        return not self.lines and not self.formules


def reorder_lines(order: Order) -> Reorder:
    """An order's lines as cart lines, for ordering them again at the same restaurant.

    Leaves out, and names, what can no longer be had: products off the menu or sold out (portions left from
    the restaurant's stock, shared by the lines of one product), extras no longer offered, ingredients that
    may no longer be removed; a quantity above the portions left is lowered. A formule comes back as a
    formule (a new group, at the formule's price) while the restaurant still offers it with the same
    components and can make every one of its products; otherwise its products come back at their own price,
    and the sentence says so. Checkout (or the counter's placement) checks it all again."""
    # A no-op when the order comes from order_with_details().
    prefetch_related_objects([order], "lines__extras", "lines__removed_ingredients")
    order_lines = list(order.lines.all())
    products = _products_to_reorder(order, order_lines)
    left = {product_id: product.portions_left for product_id, product in products.items()}
    components = _formule_components_offered(order, order_lines)
    lines: list[LineRequest] = []
    groups: list[list[LineRequest]] = []
    left_out: list[str] = []
    for unit in _formules_apart(order_lines):
        if unit[0].formule_group:
            again = _formule_again(unit, products, left, components, left_out)
            if again is not None:
                groups.append(again)
                continue
        for line in unit:
            plain = _plain_line_again(line, products, left, left_out)
            if plain is not None:
                _merge_into(lines, plain)
    return Reorder(lines=lines, formules=groups, left_out=left_out)


def _formules_apart(order_lines: list[OrderLine]) -> list[list[OrderLine]]:
    """The lines in their order, an ordinary line alone and a formule's lines together."""
    units: list[list[OrderLine]] = []
    groups: dict[str, list[OrderLine]] = {}
    for line in order_lines:
        if not line.formule_group:
            units.append([line])
        elif line.formule_group in groups:
            groups[line.formule_group].append(line)
        else:
            groups[line.formule_group] = [line]
            units.append(groups[line.formule_group])
    return units


def _formule_components_offered(order: Order, order_lines: list[OrderLine]) -> dict[int, dict]:
    """formule id -> {component id: component}, for the order's formules the restaurant still offers."""
    ids = {line.formule_id for line in order_lines if line.formule_id}
    if not ids:
        return {}
    return {
        formule.pk: {component.pk: component for component in formule.components.all()}
        for formule in Formule.objects.offered_at(order.restaurant).filter(pk__in=ids)
    }


def _formule_again(
    unit: list[OrderLine],
    products: dict[int, Product],
    left: dict[int, int],
    components: dict,
    left_out: list[str],
) -> list[LineRequest] | None:
    """A formule's lines as a new group of the same formule, its portions taken from `left`; None (and a
    sentence) when it can no longer be made as it was."""
    name = unit[0].formule_name
    offered = components.get(unit[0].formule_id, {})
    still_offered = all(
        line.formule_component_id in offered
        and line.product_id in products
        and offered[line.formule_component_id].allows(products[line.product_id])
        for line in unit
    )
    if not still_offered:
        left_out.append(
            _("« %(formule)s » is not offered as it was any more: its products are back at their own price.")
            % {"formule": name}
        )
        return None
    needed: dict[int, int] = {}
    for line in unit:
        needed[line.product_id] = needed.get(line.product_id, 0) + line.quantity
    if any(left[product_id] < count for product_id, count in needed.items()):
        left_out.append(
            _("« %(formule)s » cannot be made again for now: what is left of it is back at its own price.")
            % {"formule": name}
        )
        return None
    for product_id, count in needed.items():
        left[product_id] -= count
    group = secrets.token_hex(8)
    return [
        replace(
            _line_again(line, products[line.product_id], line.quantity, left_out),
            formule=FormulePart(
                formule_id=line.formule_id, component_id=line.formule_component_id, group=group
            ),
        )
        for line in unit
    ]


def _plain_line_again(
    line: OrderLine, products: dict[int, Product], left: dict[int, int], left_out: list[str]
) -> LineRequest | None:
    """The line at its own price, its quantity lowered to the portions left in `left` (and taken from it);
    None (and a sentence) when its product is off the menu or sold out."""
    product = products.get(line.product_id)
    if product is None:
        left_out.append(_("%(product)s is no longer on the menu.") % {"product": line.product_name})
        return None
    if left[product.id] <= 0:
        left_out.append(_("%(product)s is sold out for now.") % {"product": product.name})
        return None
    quantity = min(line.quantity, left[product.id])
    if quantity < line.quantity:
        left_out.append(
            ngettext(
                "%(product)s: only %(count)d left, so the quantity is lowered.",
                "%(product)s: only %(count)d left, so the quantity is lowered.",
                quantity,
            )
            % {"product": product.name, "count": quantity}
        )
    left[product.id] -= quantity
    return _line_again(line, product, quantity, left_out)


def _merge_into(lines: list[LineRequest], line: LineRequest) -> None:
    """Add `line`, or its quantity to the line of the same product and modifiers (a formule's products back
    at their own price may meet the same choice ordered apart)."""
    for index, existing in enumerate(lines):
        if (existing.product_id, existing.removed_ids, existing.extra_ids) == (
            line.product_id,
            line.removed_ids,
            line.extra_ids,
        ):
            lines[index] = replace(
                existing, quantity=min(existing.quantity + line.quantity, MAX_QUANTITY_PER_LINE)
            )
            return
    lines.append(line)


def _products_to_reorder(order: Order, order_lines: list[OrderLine]) -> dict[int, Product]:
    """The order's products still on the menu, with their portions left, recipe and offered extras."""
    return {
        product.id: product
        for product in with_portions_left(
            Product.objects.active().filter(id__in={line.product_id for line in order_lines}),
            order.restaurant,
        ).prefetch_related(
            "recipe_lines",
            Prefetch("extras", queryset=Extra.objects.filter(is_active=True)),
        )
    }


def _line_again(line: OrderLine, product: Product, quantity: int, left_out: list[str]) -> LineRequest:
    """The line as a cart line, keeping the extras still offered and the removals still allowed; what is
    dropped is named in `left_out`."""
    offered = {extra.id for extra in product.extras.all()}
    dropped_extras = [extra.name for extra in line.extras.all() if extra.extra_id not in offered]
    if dropped_extras:
        left_out.append(
            _("%(extras)s is no longer offered on %(product)s.")
            % {"extras": ", ".join(dropped_extras), "product": product.name}
        )
    recipe = {recipe_line.ingredient_id: recipe_line for recipe_line in product.recipe_lines.all()}
    removed = set()
    for ingredient in line.removed_ingredients.all():
        recipe_line = recipe.get(ingredient.id)
        if recipe_line is None:
            continue  # no longer in the recipe: nothing to leave out
        if not recipe_line.removable:
            left_out.append(
                _("%(product)s can no longer be made without %(ingredient)s.")
                % {"product": product.name, "ingredient": ingredient.name}
            )
            continue
        removed.add(ingredient.id)
    return LineRequest(
        product_id=product.id,
        quantity=quantity,
        removed_ids=frozenset(removed),
        extra_ids=frozenset(extra.extra_id for extra in line.extras.all() if extra.extra_id in offered),
    )
