"""The fifteen pizzas, each with its recipe (grams of each ingredient) and its steps."""

from __future__ import annotations

from decimal import Decimal

from ocpizza.demo.data.catalogue import (
    DOUGH,
    PIZZAS_CREAM,
    PIZZAS_TOMATO,
    SAUCE,
    ProductSpec,
    RecipeItem,
)
from ocpizza.demo.data.files import read

_STRETCH = (
    "Étaler le pâton de 250 g à la main en un disque de 30 cm, en gardant un bord de 2 cm pour la croûte."
)
_SAUCE_STEP = (
    "Napper de {grams} g de sauce tomate en spirale, du centre vers le bord, sans toucher la croûte."
)
_CREAM_STEP = "Étaler {grams} g de crème fraîche au dos de la louche, en laissant le bord libre."


def _pizza(
    slug: str,
    name: str,
    price: str,
    description: str,
    base: tuple[str, int],
    toppings: tuple[tuple[str, int], ...],
    steps: tuple[str, ...],
    *,
    minutes: int = 7,
    temperature: int = 300,
    folded: bool = False,
) -> ProductSpec:
    """A pizza: the dough (never removable), its base, its toppings; steps start with stretching the dough."""
    base_name, base_quantity = base
    recipe = (
        RecipeItem(DOUGH, Decimal("250"), removable=False),
        RecipeItem(base_name, Decimal(base_quantity)),
        *(RecipeItem(ingredient, Decimal(quantity)) for ingredient, quantity in toppings),
    )
    base_step = (_SAUCE_STEP if base_name == SAUCE else _CREAM_STEP).format(grams=base_quantity)
    return ProductSpec(
        slug=slug,
        name=name,
        category=PIZZAS_TOMATO if base_name == SAUCE else PIZZAS_CREAM,
        price=Decimal(price),
        description=description,
        recipe=recipe,
        steps=(_STRETCH, base_step, *steps) if not folded else steps,
        baking_minutes=minutes,
        baking_temperature=temperature,
        picture={"base": "tomato" if base_name == SAUCE else "cream", "folded": folded},
    )


PIZZAS: tuple[ProductSpec, ...] = tuple(_pizza(**row) for row in read("pizzas")["pizzas"])
