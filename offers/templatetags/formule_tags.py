"""The formules block of a restaurant's menu page."""

from __future__ import annotations

from django import template

from offers.formules import offers_at
from restaurants.models import Restaurant
from restaurants.selectors import MenuSection

register = template.Library()


@register.inclusion_tag("offers/formules_menu.html")
def formules_menu(restaurant: Restaurant, sections: list[MenuSection]) -> dict:
    """The formules the restaurant can make now (every component with a product left), with links to
    compose them; `sections` is the menu already read for the restaurant."""
    return {"restaurant": restaurant, "offers": offers_at(restaurant, sections=sections)}
