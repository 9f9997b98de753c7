"""The demo's pictures put on its products, restaurants and pizzaiolos (drawn by ocpizza.demo.images)."""

from __future__ import annotations

from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db import models

from common import renditions
from ocpizza.demo import images
from ocpizza.demo.data import ProductSpec


def attach_picture(
    instance: models.Model, field_name: str, filename: str, render: Callable[[], bytes]
) -> None:
    """Fill an empty image field with a generated picture, reusing a file already stored under its name, and
    make its renditions (so the save defers no job for the worker)."""
    file = getattr(instance, field_name)
    if file:
        return
    name = instance._meta.get_field(field_name).generate_filename(instance, filename)
    if file.storage.exists(name):
        file.name = name
    else:
        file.save(filename, ContentFile(render()), save=False)
    renditions.make_files(file, instance.RENDITIONS[field_name])
    made_of = f"{field_name}_renditions_of"
    setattr(instance, made_of, file.name)
    instance.save(update_fields=[field_name, made_of])


def product_picture(spec: ProductSpec, looks: dict[str, str]) -> bytes:
    """A product's picture drawn from its `picture` options; `looks`: ingredient name → its topping look."""
    options = spec.picture
    if spec.is_pizza:
        toppings = [looks[item.ingredient] for item in spec.recipe if looks.get(item.ingredient)]
        return images.pizza_photo(spec.name, toppings, base=options["base"], folded=options["folded"])
    if "look" in options:
        return images.dessert_photo(spec.name, look=options["look"])
    return images.drink_photo(
        spec.name,
        shape=options["shape"],
        color=options["color"],
        label=options["label"],
        label_color=options.get("label_color", (255, 255, 255)),
    )
