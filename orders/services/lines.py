"""An order's lines written as priced: the lines with their share of the discount, their removed
ingredients and their extras, names copied in every language (placement and modification)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from common.languages import copied
from orders.models import Order, OrderLine, OrderLineExtra
from orders.services.pricing import PricedLine


def _formule_fields(line: PricedLine) -> dict:
    """The formule a line is a component of (nothing for an ordinary line)."""
    if line.formule is None:
        return {}
    return {
        "formule": line.formule,
        "formule_component_id": line.formule_component_id,
        "formule_group": line.formule_group,
        **copied("formule_name", line.formule, "name"),
        "formule_saving": line.formule_saving,
    }


def write_lines(
    order: Order, priced: Sequence[PricedLine], *, discounts: Sequence[Decimal] | None = None
) -> list[OrderLine]:
    """The order's lines as priced, each with its share of the discount (`discounts`, in the lines' order),
    with their removed ingredients and extras, in three inserts; returns the lines written. Names are copied
    in every language (common.languages.copied)."""
    discounts = list(discounts) if discounts is not None else [Decimal("0")] * len(priced)
    order_lines = OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                product=line.product,
                **copied("product_name", line.product, "name"),
                unit_price=line.product.price,
                vat_rate=line.product.vat_rate,
                quantity=line.quantity,
                line_total=line.line_total,
                discount=discount,
                **_formule_fields(line),
            )
            for line, discount in zip(priced, discounts, strict=True)
        ]
    )
    removals = []
    extras = []
    for order_line, line in zip(order_lines, priced, strict=True):
        removals += [
            OrderLine.removed_ingredients.through(orderline_id=order_line.pk, ingredient_id=ingredient.pk)
            for ingredient in line.removed
        ]
        extras += [
            OrderLineExtra(
                line=order_line,
                extra=extra,
                unit_price=extra.price,
                **copied("name", extra.ingredient, "name"),
            )
            for extra in line.extras
        ]
    OrderLine.removed_ingredients.through.objects.bulk_create(removals)
    OrderLineExtra.objects.bulk_create(extras)
    return order_lines
