"""The promo codes and the formules, offered in every restaurant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from decimal import Decimal

from ocpizza.demo.data.catalogue import DESSERTS, DRINKS, PIZZAS_CREAM, PIZZAS_TOMATO


@dataclass(frozen=True)
class PromoCodeSpec:
    code: str
    label: str
    kind: str  # offers.models.Kind
    value: Decimal
    minimum_order: Decimal = Decimal("0")
    category: str = ""  # a category slug: the code concerns it only
    weekdays: tuple[int, ...] = ()  # 1 = Monday
    hours: tuple[time, time] | None = None
    first_order_only: bool = False
    max_uses_per_customer: int | None = None
    channels: tuple[str, ...] = ("web",)


# The demo's promo codes (offers.PromoCode), every restaurant: a welcome code, a Tuesday-evening one on the
# tomato pizzas, and free delivery from 25 € of products.
PROMO_CODES = [
    PromoCodeSpec(
        "BIENVENUE10",
        "Bienvenue : 10 % sur la première commande",
        "percent",
        Decimal("10"),
        first_order_only=True,
        max_uses_per_customer=1,
    ),
    PromoCodeSpec(
        "MARDISOIR",
        "Mardi soir : 15 % sur les pizzas base tomate",
        "percent",
        Decimal("15"),
        category=PIZZAS_TOMATO,
        weekdays=(2,),
        hours=(time(18), time(23)),
        channels=("web", "counter"),
    ),
    PromoCodeSpec(
        "LIVRAISONOFFERTE",
        "Livraison offerte dès 25 €",
        "free_delivery",
        Decimal("0"),
        minimum_order=Decimal("25"),
    ),
]


@dataclass(frozen=True)
class FormuleComponentSpec:
    label: str
    label_en: str
    categories: tuple[str, ...]  # the products of these categories (category slugs)
    quantity: int = 1


@dataclass(frozen=True)
class FormuleSpec:
    name: str
    name_en: str
    description: str
    description_en: str
    price_rule: str  # offers.models.PriceRule
    price: Decimal | None
    components: tuple[FormuleComponentSpec, ...]


_PIZZA = FormuleComponentSpec("Pizza", "Pizza", (PIZZAS_TOMATO, PIZZAS_CREAM))

# The demo's formules (offers.Formule), every restaurant: a lunch menu at a fixed price and the third pizza free.
FORMULES = [
    FormuleSpec(
        "Menu Midi",
        "Lunch menu",
        "Une pizza, une boisson et un dessert",
        "A pizza, a drink and a dessert",
        "fixed",
        Decimal("19.90"),
        (
            _PIZZA,
            FormuleComponentSpec("Boisson", "Drink", (DRINKS,)),
            FormuleComponentSpec("Dessert", "Dessert", (DESSERTS,)),
        ),
    ),
    FormuleSpec(
        "3 pizzas, la 3e offerte",
        "3 pizzas, the 3rd free",
        "Deux pizzas achetées, la moins chère des trois offerte",
        "Buy two pizzas, the cheapest of the three is free",
        "cheapest_free",
        None,
        (FormuleComponentSpec("Pizza", "Pizza", (PIZZAS_TOMATO, PIZZAS_CREAM), quantity=3),),
    ),
]


@dataclass(frozen=True)
class RewardSpec:
    name: str
    name_en: str
    points: int
    category: str = ""  # the reward covers one product of this category (a category slug)...
    product: str = ""  # ...or this product (a product slug)


# The demo's loyalty rewards (loyalty.Reward). A customer earns a point a euro (LOYALTY_POINTS_PER_EURO) when an
# order is handed over: a drink after two orders or so, a pizza after five or six.
REWARDS = [
    RewardSpec("Une boisson offerte", "A free drink", 40, category=DRINKS),
    RewardSpec("Un dessert offert", "A free dessert", 60, category=DESSERTS),
    RewardSpec("Une Margherita offerte", "A free Margherita", 120, product="margherita"),
]
