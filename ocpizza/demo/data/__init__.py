"""What the demo holds: the menu, the five restaurants, their staff, the customers and the offers.

Plain data only, one module a subject: `catalogue` (ingredients, extras, categories, what a product is made
of), `pizzas`, `drinks_desserts`, `people` (head office, customers, guests), `restaurants` (with their crews
and the staff's emails) and `offers` (promo codes, formules). `ocpizza.demo.loader` writes it to the
database; the names it and the scenario use are gathered here. Natural keys (slugs, ingredient names,
emails, order numbers) let a second load recognise what the first one created.

Phone numbers come from the ranges ARCEP reserves for fiction (01 99 00 and 04 65 71), so no real
line is ever called (the mobile one, 06 39 98, is not a valid number for the phone checks); emails use the
reserved `.example` domain.
"""

from __future__ import annotations

from ocpizza.demo.data.catalogue import (
    CATEGORIES,
    EXTRAS,
    INGREDIENTS,
    ProductSpec,
    step_ingredients,
)
from ocpizza.demo.data.drinks_desserts import DRINKS_AND_DESSERTS
from ocpizza.demo.data.offers import FORMULES, PROMO_CODES, REWARDS
from ocpizza.demo.data.people import CUSTOMERS, EMAIL_DOMAIN, GUESTS, HEAD_OFFICE, AddressSpec, PersonSpec
from ocpizza.demo.data.pizzas import PIZZAS
from ocpizza.demo.data.restaurants import RESTAURANTS, RestaurantSpec, demo_emails, staff_email

PRODUCTS: tuple[ProductSpec, ...] = PIZZAS + DRINKS_AND_DESSERTS

__all__ = [
    "CATEGORIES",
    "CUSTOMERS",
    "DRINKS_AND_DESSERTS",
    "EMAIL_DOMAIN",
    "EXTRAS",
    "FORMULES",
    "GUESTS",
    "HEAD_OFFICE",
    "INGREDIENTS",
    "PIZZAS",
    "PRODUCTS",
    "PROMO_CODES",
    "RESTAURANTS",
    "REWARDS",
    "AddressSpec",
    "PersonSpec",
    "ProductSpec",
    "RestaurantSpec",
    "demo_emails",
    "staff_email",
    "step_ingredients",
]
