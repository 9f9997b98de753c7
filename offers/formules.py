"""The formules a restaurant can offer now: every component with at least one product the restaurant can
make (restaurants.availability, through the menu's own reading), and the products to choose from.

The menu page and the page where a customer composes a formule ask here; the composition and the price are
checked by orders (orders.services.pricing), which is what places the order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from menu.models import CatalogueVersion
from offers.models import Formule, FormuleComponent
from restaurants.models import Restaurant
from restaurants.selectors import MenuItem, MenuSection, menu_sections


@dataclass
class ComponentChoice:
    component: FormuleComponent
    # The products of the component the restaurant can make now, with their removable ingredients and extras.
    items: list[MenuItem] = field(default_factory=list)

    def slots(self) -> list[int]:
        """One choice per portion: « 2 pizzas » are two choices."""
        return list(range(1, self.component.quantity + 1))


@dataclass
class FormuleOffer:
    formule: Formule
    choices: list[ComponentChoice] = field(default_factory=list)

    @property
    def available(self) -> bool:
        return bool(self.choices) and all(choice.items for choice in self.choices)


def offers_at(
    restaurant: Restaurant, *, only_available: bool = True, sections: list[MenuSection] | None = None
) -> list[FormuleOffer]:
    """The restaurant's active formules with, for each component, the products it can make now. A formule
    with a component it cannot make is left out (unless `only_available` is False). A few queries: the
    menu's four (none when `sections`, the menu read for this restaurant, is given) and the formules with
    their components and products."""
    formules = list(Formule.objects.offered_at(restaurant))
    if not formules:
        return []
    if sections is None:
        sections = menu_sections(restaurant)
    items = [item for section in sections for item in section.items if not item.sold_out]
    found = []
    for formule in formules:
        offer = FormuleOffer(
            formule=formule,
            choices=[
                ComponentChoice(component, [item for item in items if component.allows(item.product)])
                for component in formule.components.all()
            ],
        )
        if offer.available or not only_available:
            found.append(offer)
    return found


def offer_at(restaurant: Restaurant, formule_id: int) -> FormuleOffer | None:
    return next((offer for offer in offers_at(restaurant) if offer.formule.pk == formule_id), None)


def _formules_changed(**kwargs) -> None:
    # The cached menu pages show the formules: a change shows on the next page view (menu.signals).
    transaction.on_commit(CatalogueVersion.raise_version)


def connect() -> None:
    for model in (Formule, FormuleComponent):
        post_save.connect(_formules_changed, sender=model, dispatch_uid=f"formules-save-{model.__name__}")
        post_delete.connect(_formules_changed, sender=model, dispatch_uid=f"formules-delete-{model.__name__}")
    for through in (Formule.restaurants.through, FormuleComponent.products.through):
        m2m_changed.connect(
            _formules_changed, sender=through, dispatch_uid=f"formules-m2m-{through.__name__}"
        )
