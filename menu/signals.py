"""Any change of the catalogue raises the `CatalogueVersion`, which keys the cached menus
(restaurants.menu_cache): a price, a name, a recipe, an extra or an allergen changed in the admin shows on
the next page view.

The raise runs after the commit, so a page rendered before it is stored under the old version and never
served again. Queryset `update()` and `bulk_create()` send no signal: code that changes the catalogue that
way calls `catalogue_changed()` itself.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from menu.models import Allergen, CatalogueVersion, Category, Extra, Ingredient, Product, RecipeLine


def catalogue_changed(**kwargs) -> None:
    transaction.on_commit(CatalogueVersion.raise_version)


def connect() -> None:
    for model in (Allergen, Category, Extra, Ingredient, Product, RecipeLine):
        post_save.connect(catalogue_changed, sender=model, dispatch_uid=f"catalogue-save-{model.__name__}")
        post_delete.connect(
            catalogue_changed, sender=model, dispatch_uid=f"catalogue-delete-{model.__name__}"
        )
    for through in (Ingredient.allergens.through, Product.extras.through):
        m2m_changed.connect(
            catalogue_changed, sender=through, dispatch_uid=f"catalogue-m2m-{through.__name__}"
        )
