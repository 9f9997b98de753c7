"""The menu's building blocks: ingredients, extras, categories, what a product is made of, and which
ingredients each preparation step puts on."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from menu.models import AllergenCode as A
from ocpizza.demo.data.files import read


@dataclass(frozen=True)
class IngredientSpec:
    name: str
    unit: str  # menu.models.Unit: "g", "ml" or "piece"
    stock: int  # what a restaurant usually holds, in the unit
    threshold: int  # the alert threshold a manager would set
    allergens: tuple[str, ...] = ()
    look: str = ""  # how it is drawn on a pizza (ocpizza.demo.images.TOPPINGS)


_TABLES = read("catalogue")

INGREDIENTS: tuple[IngredientSpec, ...] = tuple(
    IngredientSpec(**{**row, "allergens": tuple(A(code) for code in row.get("allergens", ()))})
    for row in _TABLES["ingredients"]
)


@dataclass(frozen=True)
class ExtraSpec:
    ingredient: str
    price: Decimal
    quantity: Decimal


EXTRAS: tuple[ExtraSpec, ...] = tuple(
    ExtraSpec(row["ingredient"], Decimal(row["price"]), Decimal(row["quantity"])) for row in _TABLES["extras"]
)


@dataclass(frozen=True)
class CategorySpec:
    slug: str
    name: str
    position: int


PIZZAS_TOMATO = "pizzas-tomate"
PIZZAS_CREAM = "pizzas-creme"
DRINKS = "boissons"
DESSERTS = "desserts"

CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec(PIZZAS_TOMATO, "Pizzas base tomate", 1),
    CategorySpec(PIZZAS_CREAM, "Pizzas base crème", 2),
    CategorySpec(DRINKS, "Boissons", 3),
    CategorySpec(DESSERTS, "Desserts", 4),
)


@dataclass(frozen=True)
class RecipeItem:
    ingredient: str
    quantity: Decimal
    removable: bool = True


@dataclass(frozen=True)
class ProductSpec:
    slug: str
    name: str
    category: str
    price: Decimal
    description: str
    recipe: tuple[RecipeItem, ...]
    steps: tuple[str, ...] = ()
    vat_rate: Decimal = Decimal("10.00")
    baking_minutes: int | None = None
    baking_temperature: int | None = None
    picture: dict = field(default_factory=dict)  # drawing options, see loader._product_picture

    @property
    def is_pizza(self) -> bool:
        return self.category in (PIZZAS_TOMATO, PIZZAS_CREAM)

    @property
    def station(self) -> str:
        """Where the kitchen makes it (menu.models.Station): pizzas at the oven, drinks at the drinks station,
        desserts at the cold station."""
        return {DRINKS: "drinks", DESSERTS: "cold"}.get(self.category, "oven")


# How the steps name an ingredient, when not by the first word of its name (casefolded).
STEP_WORDS: dict[str, tuple[str, ...]] = {
    "Pâte à pizza": ("pâte", "pâton"),
    "Huile d'olive vierge extra": ("huile d'olive",),
    "Huile pimentée maison": ("huile pimentée",),
    "Filets d'anchois": ("anchois",),
    "Parmigiano Reggiano": ("parmesan",),
    "Cerneaux de noix": ("noix",),
    "Poivrons": ("poivrons", "légumes grillés"),
    "Courgettes grillées": ("légumes grillés",),
    "Aubergines grillées": ("légumes grillés",),
}


def step_ingredients(spec: ProductSpec, extras: tuple[str, ...]) -> list[tuple[str, ...]]:
    """For each step of the product, the ingredients it puts on (`RecipeStep.ingredients`): the recipe's
    ingredients the step names, and on a pizza's first step naming the mozzarella, the extras that no step
    names (they go on with the cheese)."""
    linked = []
    for text in spec.steps:
        words = text.casefold()
        linked.append(
            tuple(
                item.ingredient
                for item in spec.recipe
                if any(
                    word in words
                    for word in STEP_WORDS.get(item.ingredient, (item.ingredient.split()[0].casefold(),))
                )
            )
        )
    if spec.is_pizza:
        named = {name for names in linked for name in names}
        for index, names in enumerate(linked):
            if MOZZARELLA in names:
                linked[index] = (*names, *(extra for extra in extras if extra not in named))
                break
    return linked


DOUGH = "Pâte à pizza"
SAUCE = "Sauce tomate San Marzano"
CREAM = "Crème fraîche épaisse"
MOZZARELLA = "Mozzarella fior di latte"
