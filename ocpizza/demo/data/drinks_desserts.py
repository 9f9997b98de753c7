"""The drinks and the desserts: one stock item each, served as it is."""

from __future__ import annotations

from decimal import Decimal

from ocpizza.demo.data.catalogue import ProductSpec, RecipeItem
from ocpizza.demo.data.files import read


def _single(
    slug: str,
    name: str,
    category: str,
    price: str,
    description: str,
    item: str,
    picture: dict,
    *,
    vat: str = "10.00",
    steps: tuple[str, ...] = (),
) -> ProductSpec:
    return ProductSpec(
        slug=slug,
        name=name,
        category=category,
        price=Decimal(price),
        description=description,
        recipe=(RecipeItem(item, Decimal("1"), removable=False),),
        steps=steps,
        vat_rate=Decimal(vat),
        picture=picture,
    )


DRINKS_AND_DESSERTS: tuple[ProductSpec, ...] = tuple(
    _single(**row) for row in read("drinks_desserts")["products"]
)
