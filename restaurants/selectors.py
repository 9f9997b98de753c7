"""Reads of the restaurant pages: what the home page and a restaurant's page show, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from itertools import groupby

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR

from menu.models import Allergen, AllergenCode, Category, Product, RecipeLine
from restaurants.models import OpeningHours, Restaurant, Role, StaffMember


def restaurants_for_home(*, postal_code: str = "") -> QuerySet[Restaurant]:
    """Active restaurants with their opening hours; only those delivering to `postal_code` when given."""
    restaurants = Restaurant.objects.active()
    if postal_code:
        restaurants = restaurants.delivering_to(postal_code)
    return restaurants.prefetch_related(
        Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens"))
    )


def get_restaurant_for_page(slug: str) -> Restaurant:
    """An active restaurant with its hours, delivery zones and chefs (`restaurant.chefs`), or 404."""
    chefs = (
        StaffMember.objects.active()
        .filter(role=Role.PIZZAIOLO)
        .exclude(photo="")
        .select_related("user")
        .order_by("created_at", "id")
    )
    restaurants = Restaurant.objects.active().prefetch_related(
        Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens")),
        "delivery_zones",
        Prefetch("staff", queryset=chefs, to_attr="chefs"),
    )
    return get_object_or_404(restaurants, slug=slug)


@dataclass(frozen=True)
class MenuItem:
    product: Product
    # Union of the allergens of the product's recipe ingredients, in the order of the EU list.
    allergens: list[Allergen]


@dataclass(frozen=True)
class MenuSection:
    category: Category
    items: list[MenuItem] = field(default_factory=list)


_ALLERGEN_ORDER = {code: position for position, code in enumerate(AllergenCode.values)}


def menu_sections() -> list[MenuSection]:
    """The active products grouped by category, each with its allergens.

    Three queries whatever the size of the menu: products with their category, recipe lines with their
    ingredient, and the allergens of those ingredients.
    """
    products = (
        Product.objects.active()
        .select_related("category")
        .prefetch_related(
            Prefetch(
                "recipe_lines",
                queryset=RecipeLine.objects.select_related("ingredient").prefetch_related(
                    "ingredient__allergens"
                ),
            )
        )
        .order_by("category__position", "category__name", "category_id", "position", "name")
    )
    sections = []
    for category, category_products in groupby(products, key=lambda product: product.category):
        items = [MenuItem(product=p, allergens=_allergens_of(p)) for p in category_products]
        sections.append(MenuSection(category=category, items=items))
    return sections


def _allergens_of(product: Product) -> list[Allergen]:
    found = {
        allergen.code: allergen
        for line in product.recipe_lines.all()
        for allergen in line.ingredient.allergens.all()
    }
    return sorted(
        found.values(), key=lambda allergen: _ALLERGEN_ORDER.get(allergen.code, len(_ALLERGEN_ORDER))
    )


@dataclass(frozen=True)
class DayHours:
    weekday: int
    name: str
    short_name: str
    periods: list[tuple[time, time]]


def opening_week(restaurant: Restaurant) -> list[DayHours]:
    """Monday to Sunday, each with its opening periods (empty when closed), from the prefetched hours."""
    periods: dict[int, list[tuple[time, time]]] = {day: [] for day in range(7)}
    for hours in restaurant.opening_hours.all():
        periods[hours.weekday].append((hours.opens, hours.closes))
    return [
        DayHours(weekday=day, name=WEEKDAYS[day], short_name=WEEKDAYS_ABBR[day], periods=sorted(periods[day]))
        for day in range(7)
    ]


@dataclass(frozen=True)
class DaysHours:
    """A run of consecutive days open at the same hours, for a one-line summary."""

    first: DayHours
    last: DayHours
    periods: list[tuple[time, time]]


def opening_summary(restaurant: Restaurant) -> list[DaysHours]:
    """Consecutive days with the same hours grouped together; closed days are left out."""
    runs: list[DaysHours] = []
    for day in opening_week(restaurant):
        if not day.periods:
            continue
        previous = runs[-1] if runs else None
        if previous and previous.last.weekday == day.weekday - 1 and previous.periods == day.periods:
            runs[-1] = DaysHours(first=previous.first, last=day, periods=day.periods)
        else:
            runs.append(DaysHours(first=day, last=day, periods=day.periods))
    return runs
