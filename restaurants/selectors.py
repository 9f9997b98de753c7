"""Reads of the restaurant pages: what the home page and a restaurant's page show, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from itertools import groupby

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR

from menu.models import Allergen, AllergenCode, Category, Extra, Ingredient, Product, RecipeLine
from restaurants import schedule
from restaurants.availability import FEW_LEFT, with_portions_left
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
    # The product carries `portions_left` (restaurants.availability) when the menu is read for a restaurant.
    product: Product
    # Union of the allergens of the product's recipe ingredients, in the order of the EU list.
    allergens: list[Allergen]
    # Recipe ingredients the customer may leave out, and the extras offered on the product.
    removable: list[Ingredient] = field(default_factory=list)
    extras: list[Extra] = field(default_factory=list)

    @property
    def portions_left(self) -> int | None:
        return getattr(self.product, "portions_left", None)

    @property
    def sold_out(self) -> bool:
        return self.portions_left is not None and self.portions_left <= 0

    @property
    def few_left(self) -> bool:
        return self.portions_left is not None and 0 < self.portions_left <= FEW_LEFT

    @property
    def customisable(self) -> bool:
        return bool(self.removable or self.extras)


@dataclass(frozen=True)
class MenuSection:
    category: Category
    items: list[MenuItem] = field(default_factory=list)


_ALLERGEN_ORDER = {code: position for position, code in enumerate(AllergenCode.values)}


def menu_sections(
    restaurant: Restaurant | None = None, *, only: Iterable[int] | None = None
) -> list[MenuSection]:
    """The active products grouped by category, each with its allergens, removable ingredients and extras;
    with the portions the restaurant can make of each (`product.portions_left`) when it is given; only the
    products whose ids are in `only` when it is given.

    Four queries whatever the size of the menu: products with their category (and their portions left,
    computed by the database), recipe lines with their ingredient, the allergens of those ingredients, and
    the offered extras with their ingredient.
    """
    products = (
        Product.objects.active()
        .select_related("category")
        .prefetch_related(
            Prefetch(
                "recipe_lines",
                queryset=RecipeLine.objects.select_related("ingredient")
                .prefetch_related("ingredient__allergens")
                .order_by("id"),
            ),
            Prefetch(
                "extras",
                queryset=Extra.objects.filter(is_active=True)
                .select_related("ingredient")
                .order_by("ingredient__name"),
            ),
        )
        .order_by("category__position", "category__name", "category_id", "position", "name")
    )
    if only is not None:
        products = products.filter(pk__in=only)
    if restaurant is not None:
        products = with_portions_left(products, restaurant)
    sections = []
    for category, category_products in groupby(products, key=lambda product: product.category):
        items = [
            MenuItem(
                product=p,
                allergens=_allergens_of(p),
                removable=[line.ingredient for line in p.recipe_lines.all() if line.removable],
                extras=list(p.extras.all()),
            )
            for p in category_products
        ]
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


@dataclass(frozen=True)
class OpeningStatus:
    """Whether a restaurant is open at a moment: until when, or when it opens next."""

    is_open: bool
    until: datetime | None = None
    opens: datetime | None = None
    # 0 when `opens` is today, 1 tomorrow, and so on.
    days_ahead: int | None = None


def opening_status(restaurant: Restaurant, *, now: datetime | None = None) -> OpeningStatus:
    """From the prefetched opening hours, no query: open now (until when) or the next opening."""
    now = now or timezone.now()
    period = schedule.current_or_next_period(restaurant, now)
    if period is None:
        return OpeningStatus(is_open=False)
    if period.opens <= now:
        return OpeningStatus(is_open=True, until=period.closes)
    days = (timezone.localtime(period.opens).date() - timezone.localtime(now).date()) // timedelta(days=1)
    return OpeningStatus(is_open=False, opens=period.opens, days_ahead=days)
