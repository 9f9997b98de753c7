"""What the demo holds: the menu, the five restaurants, their staff and two customers.

Plain data only; `ocpizza.demo.loader` writes it to the database. Natural keys (slugs, ingredient names,
emails, order numbers) let a second load recognise what the first one created.

Phone numbers come from the ranges ARCEP reserves for fiction (01 99 00 and 04 65 71), so no real
line is ever called (the mobile one, 06 39 98, is not a valid number for the phone checks); emails use the
reserved `.example` domain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from decimal import Decimal

from menu.models import AllergenCode as A

EMAIL_DOMAIN = "ocpizza.example"


# --- Catalogue -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IngredientSpec:
    name: str
    unit: str  # menu.models.Unit: "g", "ml" or "piece"
    stock: int  # what a restaurant usually holds, in the unit
    threshold: int  # the alert threshold a manager would set
    allergens: tuple[str, ...] = ()
    look: str = ""  # how it is drawn on a pizza (ocpizza.demo.images.TOPPINGS)


INGREDIENTS: tuple[IngredientSpec, ...] = (
    # Bases
    IngredientSpec("Pâte à pizza", "g", 15000, 5000, (A.GLUTEN,)),
    IngredientSpec("Sauce tomate San Marzano", "g", 8000, 2000),
    IngredientSpec("Crème fraîche épaisse", "g", 3000, 1000, (A.MILK,)),
    IngredientSpec("Huile d'olive vierge extra", "ml", 3000, 500),
    # Cheeses
    IngredientSpec("Mozzarella fior di latte", "g", 10000, 3000, (A.MILK,)),
    IngredientSpec("Burrata des Pouilles", "g", 2000, 500, (A.MILK,), "burrata"),
    IngredientSpec("Gorgonzola", "g", 1500, 400, (A.MILK,), "gorgonzola"),
    IngredientSpec("Chèvre (bûche)", "g", 2500, 600, (A.MILK,), "goat"),
    IngredientSpec("Parmigiano Reggiano", "g", 1200, 300, (A.MILK,), "parmesan"),
    IngredientSpec("Reblochon de Savoie", "g", 2500, 600, (A.MILK,), "reblochon"),
    # Meat and fish
    IngredientSpec("Jambon blanc", "g", 4000, 1000, (), "ham"),
    IngredientSpec("Jambon cru de Parme", "g", 1500, 400, (), "prosciutto"),
    IngredientSpec("Lardons fumés", "g", 3000, 800, (), "lardon"),
    IngredientSpec("Merguez", "g", 3000, 800, (A.SULPHITES,), "merguez"),
    IngredientSpec("Chorizo", "g", 1500, 400, (), "chorizo"),
    IngredientSpec("Salami piquant (spianata)", "g", 2000, 500, (), "salami"),
    IngredientSpec("Pepperoni", "g", 2500, 600, (), "pepperoni"),
    IngredientSpec("Filets d'anchois", "g", 800, 200, (A.FISH,), "anchovy"),
    IngredientSpec("Saumon fumé", "g", 2000, 500, (A.FISH,), "salmon"),
    IngredientSpec("Œuf", "piece", 60, 18, (A.EGGS,), "egg"),
    # Vegetables, herbs, the rest
    IngredientSpec("Champignons de Paris", "g", 3000, 800, (), "mushroom"),
    IngredientSpec("Olives noires", "g", 1500, 300, (), "olive"),
    IngredientSpec("Câpres", "g", 400, 100, (), "caper"),
    IngredientSpec("Oignons rouges", "g", 2000, 500, (), "onion"),
    IngredientSpec("Poivrons", "g", 2500, 600, (), "pepper"),
    IngredientSpec("Courgettes grillées", "g", 2500, 600, (), "zucchini"),
    IngredientSpec("Aubergines grillées", "g", 2500, 600, (), "aubergine"),
    IngredientSpec("Tomates cerises", "g", 2000, 500, (), "cherry_tomato"),
    IngredientSpec("Pommes de terre", "g", 5000, 1500, (), "potato"),
    IngredientSpec("Ananas", "g", 2500, 600, (), "pineapple"),
    IngredientSpec("Roquette", "g", 800, 200, (), "rocket"),
    IngredientSpec("Basilic frais", "g", 300, 80, (), "basil"),
    IngredientSpec("Aneth", "g", 100, 20, (), "dill"),
    IngredientSpec("Origan", "g", 500, 100, (), "oregano"),
    IngredientSpec("Miel de lavande", "g", 1000, 250, (), "honey"),
    IngredientSpec("Cerneaux de noix", "g", 600, 150, (A.NUTS,), "walnut"),
    IngredientSpec("Huile pimentée maison", "ml", 500, 100, (), "chili_oil"),
    # Drinks and desserts are sold as they are kept: one piece each.
    IngredientSpec("Canette Coca-Cola 33 cl", "piece", 96, 24),
    IngredientSpec("Canette Coca-Cola Zero 33 cl", "piece", 72, 24),
    IngredientSpec("Limonade artisanale 33 cl", "piece", 36, 12),
    IngredientSpec("Eau minérale 50 cl", "piece", 60, 24),
    IngredientSpec("Eau gazeuse 50 cl", "piece", 48, 12),
    IngredientSpec("Bière Peroni 33 cl", "piece", 48, 12, (A.GLUTEN,)),
    IngredientSpec("Chianti DOCG 75 cl", "piece", 12, 4, (A.SULPHITES,)),
    IngredientSpec("Tiramisu (pot)", "piece", 20, 6, (A.EGGS, A.MILK, A.GLUTEN)),
    IngredientSpec("Panna cotta (pot)", "piece", 20, 6, (A.MILK,)),
    IngredientSpec("Fondant au chocolat", "piece", 16, 5, (A.EGGS, A.MILK, A.GLUTEN, A.SOYBEANS)),
    IngredientSpec("Cookie géant", "piece", 30, 8, (A.GLUTEN, A.EGGS, A.MILK, A.SOYBEANS)),
)


@dataclass(frozen=True)
class ExtraSpec:
    ingredient: str
    price: Decimal
    quantity: Decimal


EXTRAS: tuple[ExtraSpec, ...] = (
    ExtraSpec("Mozzarella fior di latte", Decimal("1.50"), Decimal("60")),
    ExtraSpec("Jambon blanc", Decimal("2.00"), Decimal("50")),
    ExtraSpec("Champignons de Paris", Decimal("1.00"), Decimal("40")),
    ExtraSpec("Œuf", Decimal("1.00"), Decimal("1")),
    ExtraSpec("Chorizo", Decimal("2.00"), Decimal("40")),
    ExtraSpec("Burrata des Pouilles", Decimal("4.50"), Decimal("125")),
    ExtraSpec("Olives noires", Decimal("0.80"), Decimal("15")),
    ExtraSpec("Lardons fumés", Decimal("1.80"), Decimal("40")),
    ExtraSpec("Chèvre (bûche)", Decimal("1.80"), Decimal("40")),
    ExtraSpec("Roquette", Decimal("1.00"), Decimal("15")),
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

_STRETCH = (
    "Étaler le pâton de 250 g à la main en un disque de 30 cm, en gardant un bord de 2 cm pour la croûte."
)
_SAUCE_STEP = (
    "Napper de {grams} g de sauce tomate en spirale, du centre vers le bord, sans toucher la croûte."
)
_CREAM_STEP = "Étaler {grams} g de crème fraîche au dos de la louche, en laissant le bord libre."


def _pizza(
    slug: str,
    name: str,
    price: str,
    description: str,
    base: tuple[str, int],
    toppings: tuple[tuple[str, int], ...],
    steps: tuple[str, ...],
    *,
    minutes: int = 7,
    temperature: int = 300,
    folded: bool = False,
) -> ProductSpec:
    """A pizza: the dough (never removable), its base, its toppings; steps start with stretching the dough."""
    base_name, base_quantity = base
    recipe = (
        RecipeItem(DOUGH, Decimal("250"), removable=False),
        RecipeItem(base_name, Decimal(base_quantity)),
        *(RecipeItem(ingredient, Decimal(quantity)) for ingredient, quantity in toppings),
    )
    base_step = (_SAUCE_STEP if base_name == SAUCE else _CREAM_STEP).format(grams=base_quantity)
    return ProductSpec(
        slug=slug,
        name=name,
        category=PIZZAS_TOMATO if base_name == SAUCE else PIZZAS_CREAM,
        price=Decimal(price),
        description=description,
        recipe=recipe,
        steps=(_STRETCH, base_step, *steps) if not folded else steps,
        baking_minutes=minutes,
        baking_temperature=temperature,
        picture={"base": "tomato" if base_name == SAUCE else "cream", "folded": folded},
    )


PIZZAS: tuple[ProductSpec, ...] = (
    _pizza(
        "margherita",
        "Margherita",
        "9.50",
        "La reine des pizzas napolitaines : sauce tomate San Marzano, mozzarella fior di latte, basilic frais "
        "et un filet d'huile d'olive vierge extra.",
        (SAUCE, 80),
        ((MOZZARELLA, 120), ("Basilic frais", 3), ("Huile d'olive vierge extra", 5)),
        (
            "Répartir 120 g de mozzarella égouttée et coupée en dés.",
            "Enfourner 6 minutes à 300 °C sur la sole, en tournant la pizza à mi-cuisson.",
            "À la sortie du four, déposer les feuilles de basilic et un filet d'huile d'olive (5 ml).",
        ),
        minutes=6,
    ),
    _pizza(
        "regina",
        "Regina",
        "12.00",
        "La classique des pizzerias françaises : jambon blanc supérieur, champignons de Paris émincés, "
        "olives noires et une pincée d'origan.",
        (SAUCE, 80),
        (
            (MOZZARELLA, 120),
            ("Jambon blanc", 60),
            ("Champignons de Paris", 50),
            ("Olives noires", 15),
            ("Origan", 1),
        ),
        (
            "Répartir 120 g de mozzarella, puis le jambon coupé en lanières et les champignons émincés.",
            "Enfourner 7 minutes à 300 °C.",
            "Parsemer d'olives noires et d'origan à la sortie du four.",
        ),
    ),
    _pizza(
        "napolitaine",
        "Napolitaine",
        "11.00",
        "La pizza du Sud, franche et iodée : tomate, mozzarella, filets d'anchois, câpres, olives noires "
        "et origan.",
        (SAUCE, 80),
        (
            (MOZZARELLA, 100),
            ("Filets d'anchois", 20),
            ("Câpres", 5),
            ("Olives noires", 15),
            ("Origan", 1),
        ),
        (
            "Répartir 100 g de mozzarella, puis les filets d'anchois en étoile.",
            "Parsemer de câpres égouttées et d'olives noires.",
            "Enfourner 6 minutes à 300 °C ; saupoudrer d'origan à la sortie.",
        ),
        minutes=6,
    ),
    _pizza(
        "calzone",
        "Calzone",
        "13.50",
        "Le chausson de pâte refermé sur la sauce tomate, la mozzarella, le jambon, les champignons et un "
        "œuf coulant.",
        (SAUCE, 60),
        ((MOZZARELLA, 120), ("Jambon blanc", 60), ("Champignons de Paris", 40), ("Œuf", 1)),
        (
            "Étaler le pâton de 250 g en un disque de 28 cm, un peu plus fin que pour une pizza.",
            "Sur une moitié seulement : 60 g de sauce tomate, 120 g de mozzarella, le jambon et les champignons.",
            "Casser l'œuf au centre de la garniture.",
            "Replier la pâte et souder le bord en le pinçant tout du long.",
            "Enfourner 9 minutes à 280 °C : le chausson doit être doré et bien gonflé.",
        ),
        minutes=9,
        temperature=280,
        folded=True,
    ),
    _pizza(
        "quatre-fromages",
        "4 Fromages",
        "13.50",
        "Mozzarella, gorgonzola, chèvre et parmesan fondus ensemble sur une sauce tomate légère.",
        (SAUCE, 70),
        (
            (MOZZARELLA, 80),
            ("Gorgonzola", 40),
            ("Chèvre (bûche)", 40),
            ("Parmigiano Reggiano", 15),
        ),
        (
            "Répartir 80 g de mozzarella, puis le gorgonzola en petits morceaux et le chèvre en rondelles.",
            "Enfourner 7 minutes à 300 °C.",
            "Râper 15 g de parmesan sur la pizza à la sortie du four.",
        ),
    ),
    _pizza(
        "orientale",
        "Orientale",
        "13.00",
        "Généreuse et épicée : merguez grillées, poivrons, oignons rouges et mozzarella.",
        (SAUCE, 80),
        ((MOZZARELLA, 100), ("Merguez", 80), ("Poivrons", 40), ("Oignons rouges", 30)),
        (
            "Couper les merguez précuites en tronçons de 2 cm.",
            "Répartir la mozzarella, les merguez, les poivrons en lanières et les oignons émincés.",
            "Enfourner 7 minutes à 300 °C.",
        ),
    ),
    _pizza(
        "vegetarienne",
        "Végétarienne",
        "12.50",
        "Les légumes du marché : poivrons, courgettes et aubergines grillées, champignons, tomates cerises "
        "et olives.",
        (SAUCE, 80),
        (
            (MOZZARELLA, 100),
            ("Poivrons", 40),
            ("Courgettes grillées", 40),
            ("Aubergines grillées", 40),
            ("Champignons de Paris", 40),
            ("Tomates cerises", 40),
            ("Olives noires", 10),
        ),
        (
            "Répartir 100 g de mozzarella.",
            "Disposer les légumes grillés, les champignons émincés et les tomates cerises coupées en deux.",
            "Enfourner 7 minutes à 300 °C ; ajouter les olives à la sortie.",
        ),
    ),
    _pizza(
        "diavola",
        "Diavola",
        "12.50",
        "Pour les amateurs de piquant : salami piquant de Calabre, olives noires et huile pimentée maison.",
        (SAUCE, 80),
        (
            (MOZZARELLA, 120),
            ("Salami piquant (spianata)", 60),
            ("Olives noires", 10),
            ("Huile pimentée maison", 5),
        ),
        (
            "Répartir 120 g de mozzarella, puis les tranches de salami piquant.",
            "Enfourner 6 minutes à 300 °C.",
            "Ajouter les olives et 5 ml d'huile pimentée en filet à la sortie du four.",
        ),
        minutes=6,
    ),
    _pizza(
        "hawaienne",
        "Hawaïenne",
        "12.50",
        "Le sucré-salé qui divise et que l'on adore : jambon blanc et ananas rôti.",
        (SAUCE, 80),
        ((MOZZARELLA, 120), ("Jambon blanc", 60), ("Ananas", 70)),
        (
            "Répartir 120 g de mozzarella et le jambon en lanières.",
            "Égoutter l'ananas et le disposer en morceaux de 2 cm.",
            "Enfourner 7 minutes à 300 °C.",
        ),
    ),
    _pizza(
        "pepperoni",
        "Pepperoni",
        "12.50",
        "Sauce tomate, mozzarella et de fines rondelles de pepperoni qui grillent au four.",
        (SAUCE, 80),
        ((MOZZARELLA, 120), ("Pepperoni", 60), ("Origan", 1)),
        (
            "Répartir 120 g de mozzarella.",
            "Couvrir de rondelles de pepperoni en les chevauchant à peine.",
            "Enfourner 6 minutes à 300 °C ; saupoudrer d'origan.",
        ),
        minutes=6,
    ),
    _pizza(
        "burrata",
        "Burrata",
        "15.50",
        "Une burrata entière posée à la sortie du four sur tomates cerises, roquette et jambon cru de Parme.",
        (SAUCE, 80),
        (
            (MOZZARELLA, 60),
            ("Tomates cerises", 50),
            ("Burrata des Pouilles", 125),
            ("Roquette", 15),
            ("Jambon cru de Parme", 40),
            ("Basilic frais", 2),
            ("Huile d'olive vierge extra", 5),
        ),
        (
            "Répartir 60 g de mozzarella et les tomates cerises coupées en deux.",
            "Enfourner 6 minutes à 300 °C.",
            "Disposer la roquette et le jambon cru en rosaces.",
            "Poser la burrata au centre, l'ouvrir d'un coup de couteau, arroser d'huile d'olive et de basilic.",
        ),
        minutes=6,
    ),
    _pizza(
        "savoyarde",
        "Savoyarde",
        "14.50",
        "L'hiver en montagne : crème, pommes de terre fondantes, lardons fumés, oignons et reblochon de "
        "Savoie.",
        (CREAM, 70),
        (
            (MOZZARELLA, 80),
            ("Pommes de terre", 100),
            ("Lardons fumés", 60),
            ("Oignons rouges", 30),
            ("Reblochon de Savoie", 80),
        ),
        (
            "Répartir la mozzarella, les pommes de terre cuites en rondelles, les lardons et les oignons.",
            "Couper le reblochon en deux dans l'épaisseur et le poser, croûte vers le haut.",
            "Enfourner 8 minutes à 280 °C, jusqu'à ce que le reblochon coule.",
        ),
        minutes=8,
        temperature=280,
    ),
    _pizza(
        "chevre-miel",
        "Chèvre-Miel",
        "13.50",
        "Bûche de chèvre, miel de lavande et cerneaux de noix sur une base crème.",
        (CREAM, 70),
        ((MOZZARELLA, 80), ("Chèvre (bûche)", 70), ("Miel de lavande", 15), ("Cerneaux de noix", 10)),
        (
            "Répartir la mozzarella et le chèvre coupé en rondelles d'un centimètre.",
            "Enfourner 7 minutes à 300 °C.",
            "Arroser de 15 g de miel et parsemer de noix concassées à la sortie du four.",
        ),
    ),
    _pizza(
        "saumon",
        "Saumon",
        "15.00",
        "Crème, mozzarella, saumon fumé ajouté à la sortie du four, oignons rouges et aneth frais.",
        (CREAM, 70),
        ((MOZZARELLA, 80), ("Oignons rouges", 20), ("Saumon fumé", 70), ("Aneth", 1)),
        (
            "Répartir la mozzarella et les oignons rouges émincés finement.",
            "Enfourner 6 minutes à 300 °C.",
            "Disposer le saumon fumé en lanières sur la pizza chaude, jamais avant cuisson.",
            "Parsemer d'aneth ciselé.",
        ),
        minutes=6,
    ),
    _pizza(
        "carbonara",
        "Carbonara",
        "13.00",
        "La pâte à l'italienne version pizza : crème, lardons fumés, parmesan et un jaune d'œuf coulant.",
        (CREAM, 70),
        ((MOZZARELLA, 100), ("Lardons fumés", 60), ("Œuf", 1), ("Parmigiano Reggiano", 15)),
        (
            "Répartir la mozzarella et les lardons.",
            "Enfourner 5 minutes à 300 °C, casser l'œuf au centre, puis remettre 2 minutes.",
            "Râper le parmesan sur la pizza à la sortie du four.",
        ),
    ),
)


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


_SERVE_COLD = ("Sortir du réfrigérateur au moment de préparer la commande.",)

DRINKS_AND_DESSERTS: tuple[ProductSpec, ...] = (
    _single(
        "coca-cola-33cl",
        "Coca-Cola 33 cl",
        DRINKS,
        "2.50",
        "La canette bien fraîche.",
        "Canette Coca-Cola 33 cl",
        {"shape": "can", "color": (200, 16, 32), "label": "COLA"},
        steps=_SERVE_COLD,
    ),
    _single(
        "coca-cola-zero-33cl",
        "Coca-Cola Zero 33 cl",
        DRINKS,
        "2.50",
        "Le goût du Coca-Cola, sans sucres.",
        "Canette Coca-Cola Zero 33 cl",
        {"shape": "can", "color": (30, 30, 32), "label": "ZERO", "label_color": (200, 16, 32)},
        steps=_SERVE_COLD,
    ),
    _single(
        "limonade-artisanale-33cl",
        "Limonade artisanale 33 cl",
        DRINKS,
        "3.00",
        "Limonade au citron de Menton, brassée en Ardèche.",
        "Limonade artisanale 33 cl",
        {"shape": "bottle", "color": (210, 226, 140), "label": "LIMONADE", "label_color": (40, 110, 60)},
        steps=_SERVE_COLD,
    ),
    _single(
        "eau-minerale-50cl",
        "Eau minérale 50 cl",
        DRINKS,
        "2.00",
        "Eau minérale naturelle plate.",
        "Eau minérale 50 cl",
        {"shape": "bottle", "color": (110, 166, 222), "label": "EAU"},
        steps=_SERVE_COLD,
    ),
    _single(
        "eau-gazeuse-50cl",
        "Eau gazeuse 50 cl",
        DRINKS,
        "2.50",
        "Eau minérale finement pétillante.",
        "Eau gazeuse 50 cl",
        {"shape": "bottle", "color": (40, 120, 80), "label": "FRIZZANTE"},
        steps=_SERVE_COLD,
    ),
    _single(
        "biere-peroni-33cl",
        "Bière Peroni 33 cl",
        DRINKS,
        "3.50",
        "Bière blonde italienne, 5,1 % vol. L'abus d'alcool est dangereux pour la santé ; vente interdite aux "
        "mineurs.",
        "Bière Peroni 33 cl",
        {"shape": "beer", "color": (40, 96, 56), "label": "BIRRA", "label_color": (240, 232, 204)},
        vat="20.00",
        steps=_SERVE_COLD,
    ),
    _single(
        "chianti-75cl",
        "Chianti DOCG 75 cl",
        DRINKS,
        "16.00",
        "Vin rouge de Toscane, souple et fruité, 13 % vol. L'abus d'alcool est dangereux pour la santé ; "
        "vente interdite aux mineurs.",
        "Chianti DOCG 75 cl",
        {"shape": "bottle", "color": (90, 20, 36), "label": "CHIANTI", "label_color": (240, 232, 204)},
        vat="20.00",
    ),
    _single(
        "tiramisu",
        "Tiramisu maison",
        DESSERTS,
        "5.00",
        "Mascarpone, biscuits imbibés de café et cacao amer, monté chaque matin dans nos cuisines.",
        "Tiramisu (pot)",
        {"look": "tiramisu"},
        steps=(*_SERVE_COLD, "Saupoudrer de cacao au dernier moment."),
    ),
    _single(
        "panna-cotta",
        "Panna cotta aux fruits rouges",
        DESSERTS,
        "4.50",
        "Crème vanillée prise au froid, coulis de framboises et fraises.",
        "Panna cotta (pot)",
        {"look": "panna_cotta"},
        steps=_SERVE_COLD,
    ),
    _single(
        "fondant-chocolat",
        "Fondant au chocolat",
        DESSERTS,
        "5.00",
        "Chocolat noir 70 %, cœur coulant : à réchauffer 20 secondes au micro-ondes.",
        "Fondant au chocolat",
        {"look": "fondant"},
        steps=("Glisser une cuillère et une serviette dans le sac.",),
    ),
    _single(
        "cookie-geant",
        "Cookie géant",
        DESSERTS,
        "3.00",
        "Un cookie de 15 cm aux pépites de chocolat, croustillant dehors et moelleux dedans.",
        "Cookie géant",
        {"look": "cookie"},
    ),
)

PRODUCTS: tuple[ProductSpec, ...] = PIZZAS + DRINKS_AND_DESSERTS


# --- People --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AddressSpec:
    label: str
    street: str
    postal_code: str
    city: str
    complement: str = ""
    instructions: str = ""


@dataclass(frozen=True)
class PersonSpec:
    email: str
    first_name: str
    last_name: str
    phone: str
    addresses: tuple[AddressSpec, ...] = ()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


HEAD_OFFICE = PersonSpec(f"siege@{EMAIL_DOMAIN}", "Hélène", "Marchand", "01 99 00 10 00")

CUSTOMERS: tuple[PersonSpec, ...] = (
    PersonSpec(
        "camille.lefevre@example.com",
        "Camille",
        "Lefèvre",
        "01 99 00 41 12",
        (
            AddressSpec(
                "Domicile",
                "8 rue Mercière",
                "69002",
                "Lyon",
                complement="3e étage, porte gauche, code 4592B",
                instructions="Sonner à l'interphone « Lefèvre ».",
            ),
            AddressSpec("Bureau", "52 cours Lafayette", "69003", "Lyon", complement="Accueil, 1er étage"),
        ),
    ),
    PersonSpec(
        "thomas.garnier@example.com",
        "Thomas",
        "Garnier",
        "01 99 00 57 30",
        (
            AddressSpec(
                "Domicile",
                "60 rue Oberkampf",
                "75011",
                "Paris",
                complement="Bâtiment B, 5e étage",
                instructions="Code porte 71A34, ascenseur au fond de la cour.",
            ),
            AddressSpec("Bureau", "14 rue Legendre", "75017", "Paris", complement="Société Lumen, 2e étage"),
        ),
    ),
)

# Who calls or walks in: phone and counter orders carry a name and a number, not an account.
GUESTS: tuple[tuple[str, str], ...] = (
    ("Julien Moreau", "01 99 00 02 17"),
    ("Sophie Bernard", "01 99 00 11 45"),
    ("Nicolas Petit", "01 99 00 23 08"),
    ("Léa Girard", "01 99 00 34 96"),
    ("Antoine Roux", "01 99 00 45 51"),
    ("Manon Fournier", "01 99 00 52 63"),
    ("Hugo Lambert", "01 99 00 60 72"),
    ("Chloé Bonnet", "01 99 00 68 19"),
    ("Maxime François", "01 99 00 74 27"),
    ("Inès Mercier", "01 99 00 81 30"),
    ("Lucas Faure", "01 99 00 88 44"),
    ("Emma Rousseau", "01 99 00 93 05"),
)


# --- Restaurants ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffSpec:
    role: str  # restaurants.models.Role
    first_name: str
    last_name: str
    phone: str
    bio: str = ""
    portrait: str = "short"  # how a pizzaiolo's portrait is drawn: short, long (hair) or moustache


@dataclass(frozen=True)
class RestaurantSpec:
    slug: str
    code: str  # two letters in the demo order numbers: DEM-LB-001
    short: str  # the part of the staff emails after the role: manager.bellecour@…
    name: str
    street: str
    postal_code: str
    city: str
    phone: str
    description: str
    zones: tuple[str, ...]
    hours: tuple[tuple[int, time, time], ...]
    delivery_fee: Decimal
    minimum_order: Decimal
    preparation_minutes: int
    delivery_minutes: int
    pizzas_per_slot: int
    staff: tuple[StaffSpec, ...]
    # Streets in the delivery zones, for phone orders.
    streets: tuple[tuple[str, str], ...]
    facade: tuple[int, int, int]
    awning: tuple[int, int, int]
    stock_factor: float = 1.0
    # Stock at the end of the load, overriding the usual quantity: low items, a sold-out ingredient.
    stock_overrides: dict[str, int] = field(default_factory=dict)

    @property
    def email(self) -> str:
        return f"{self.slug}@{EMAIL_DOMAIN}"


def _hours(
    *, closed: tuple[int, ...] = (), late: tuple[int, ...] = (4, 5)
) -> tuple[tuple[int, time, time], ...]:
    """Lunch and evening every day but `closed`; evenings last an hour longer on `late` days (Fri, Sat)."""
    periods = []
    for weekday in range(7):
        if weekday in closed:
            continue
        periods.append((weekday, time(11, 30), time(14, 30)))
        periods.append((weekday, time(18, 30), time(23, 30) if weekday in late else time(22, 30)))
    return tuple(periods)


def _crew(
    manager: tuple[str, str],
    pizzaiolos: tuple[tuple[str, str, str, str], tuple[str, str, str, str]],
    drivers: tuple[tuple[str, str], tuple[str, str]],
    counter: tuple[str, str],
    phones: int,
) -> tuple[StaffSpec, ...]:
    """A restaurant's team: a manager, two pizzaiolos (with their bio), two drivers and a counter employee."""
    numbers = iter(f"01 99 00 {phones + i:02d} {(phones * 7 + i * 13) % 100:02d}" for i in range(6))
    return (
        StaffSpec("manager", *manager, next(numbers)),
        *(
            StaffSpec("pizzaiolo", first, last, next(numbers), bio, portrait)
            for first, last, bio, portrait in pizzaiolos
        ),
        *(StaffSpec("driver", first, last, next(numbers)) for first, last in drivers),
        StaffSpec("counter", *counter, next(numbers)),
    )


RESTAURANTS: tuple[RestaurantSpec, ...] = (
    RestaurantSpec(
        slug="lyon-bellecour",
        code="LB",
        short="bellecour",
        name="OC Pizza Lyon Bellecour",
        street="12 rue des Marronniers",
        postal_code="69002",
        city="Lyon",
        phone="04 65 71 20 12",
        description=(
            "À deux pas de la place Bellecour, notre premier restaurant : un four à sole en pierre, une pâte "
            "maturée 48 heures et une petite salle pour attendre sa pizza à emporter."
        ),
        zones=("69001", "69002", "69005", "69007"),
        hours=_hours(),
        delivery_fee=Decimal("2.50"),
        minimum_order=Decimal("15.00"),
        preparation_minutes=15,
        delivery_minutes=20,
        pizzas_per_slot=12,
        staff=_crew(
            ("Claire", "Dumas"),
            (
                (
                    "Giuseppe",
                    "Russo",
                    "Né à Naples, il a appris la pâte chez son oncle avant de rejoindre Lyon.",
                    "moustache",
                ),
                (
                    "Sarah",
                    "Benali",
                    "Championne de France de pizza acrobatique 2023, reine de la Margherita.",
                    "long",
                ),
            ),
            (("Karim", "Haddad"), ("Lucas", "Perrin")),
            ("Élodie", "Marchal"),
            phones=10,
        ),
        streets=(
            ("21 rue de la Charité", "69002"),
            ("14 rue Saint-Jean", "69005"),
            ("30 rue d'Algérie", "69001"),
            ("5 quai Romain Rolland", "69005"),
            ("2 avenue Jean Jaurès", "69007"),
            ("17 rue Victor Hugo", "69002"),
        ),
        facade=(226, 206, 170),
        awning=(28, 110, 60),
        stock_overrides={"Basilic frais": 60},
    ),
    RestaurantSpec(
        slug="lyon-croix-rousse",
        code="LC",
        short="croix-rousse",
        name="OC Pizza Lyon Croix-Rousse",
        street="25 boulevard de la Croix-Rousse",
        postal_code="69004",
        city="Lyon",
        phone="04 65 71 20 48",
        description=(
            "Sur le plateau, face au marché du boulevard : des pizzas généreuses, des produits de nos "
            "voisins maraîchers et la livraison jusqu'aux pentes. Fermé le lundi."
        ),
        zones=("69001", "69002", "69004", "69009"),
        hours=_hours(closed=(0,)),
        delivery_fee=Decimal("2.90"),
        minimum_order=Decimal("18.00"),
        preparation_minutes=18,
        delivery_minutes=25,
        pizzas_per_slot=10,
        staff=_crew(
            ("Bruno", "Chevalier"),
            (
                (
                    "Matteo",
                    "Esposito",
                    "Quinze ans de four à bois entre Salerne et Lyon ; il ne jure que par la farine tipo 00.",
                    "short",
                ),
                (
                    "Amandine",
                    "Rey",
                    "Ancienne boulangère, elle prépare chaque matin les pâtons du restaurant.",
                    "long",
                ),
            ),
            (("Yanis", "Belkacem"), ("Thomas", "Vidal")),
            ("Nadia", "Ferreira"),
            phones=20,
        ),
        streets=(
            ("12 rue d'Austerlitz", "69004"),
            ("3 place de la Croix-Rousse", "69004"),
            ("27 rue Burdeau", "69001"),
            ("9 montée de la Grande-Côte", "69001"),
            ("40 rue de Bourgogne", "69009"),
            ("6 quai Arloing", "69009"),
        ),
        facade=(214, 190, 150),
        awning=(176, 30, 40),
        stock_factor=0.8,
        stock_overrides={"Burrata des Pouilles": 375, "Tiramisu (pot)": 4},
    ),
    RestaurantSpec(
        slug="lyon-part-dieu",
        code="LP",
        short="part-dieu",
        name="OC Pizza Lyon Part-Dieu",
        street="62 rue Paul Bert",
        postal_code="69003",
        city="Lyon",
        phone="04 65 71 20 77",
        description=(
            "Le plus grand de nos restaurants, tout près de la gare : deux fours, une équipe de livreurs à "
            "vélo et des pizzas prêtes en un quart d'heure, midi et soir."
        ),
        zones=("69003", "69006", "69007", "69008"),
        hours=_hours(),
        delivery_fee=Decimal("2.00"),
        minimum_order=Decimal("15.00"),
        preparation_minutes=12,
        delivery_minutes=20,
        pizzas_per_slot=16,
        staff=_crew(
            ("Sébastien", "Lopez"),
            (
                (
                    "Francesca",
                    "Romano",
                    "Formée à l'Associazione Verace Pizza Napoletana, elle veille sur les "
                    "deux fours de la maison.",
                    "long",
                ),
                (
                    "Mehdi",
                    "Saïdi",
                    "Le plus rapide du réseau : quarante pizzas à l'heure sans jamais rater une croûte.",
                    "short",
                ),
            ),
            (("Kevin", "Morel"), ("Inès", "Barbier")),
            ("Pauline", "Gauthier"),
            phones=30,
        ),
        streets=(
            ("15 rue Garibaldi", "69003"),
            ("7 rue Vendôme", "69006"),
            ("19 boulevard des Belges", "69006"),
            ("33 avenue des Frères Lumière", "69008"),
            ("11 rue de Marseille", "69007"),
            ("88 cours Gambetta", "69003"),
        ),
        facade=(232, 220, 196),
        awning=(200, 120, 30),
        stock_factor=1.3,
        stock_overrides={MOZZARELLA: 2400},
    ),
    RestaurantSpec(
        slug="paris-marais",
        code="PM",
        short="marais",
        name="OC Pizza Paris Marais",
        street="34 rue de Bretagne",
        postal_code="75003",
        city="Paris",
        phone="01 99 00 30 34",
        description=(
            "Face au marché des Enfants-Rouges, notre adresse parisienne historique : pizzas au feu vif, "
            "burrata des Pouilles et livraison dans tout le Marais et jusqu'à Oberkampf."
        ),
        zones=("75003", "75004", "75011"),
        hours=_hours(),
        delivery_fee=Decimal("3.50"),
        minimum_order=Decimal("20.00"),
        preparation_minutes=15,
        delivery_minutes=25,
        pizzas_per_slot=14,
        staff=_crew(
            ("Isabelle", "Roche"),
            (
                (
                    "Alessandro",
                    "Bianchi",
                    "Arrivé de Rome en 2015, il signe la Diavola et l'huile pimentée maison.",
                    "moustache",
                ),
                (
                    "Julie",
                    "Nguyen",
                    "Passée par les cuisines d'un palace, elle a choisi la pizza « pour le feu "
                    "et pour le rythme ».",
                    "long",
                ),
            ),
            (("Samir", "Ouali"), ("Baptiste", "Leroy")),
            ("Camille", "Duval"),
            phones=40,
        ),
        streets=(
            ("5 rue des Rosiers", "75004"),
            ("41 rue de Saintonge", "75003"),
            ("9 rue Charlot", "75003"),
            ("22 rue de la Roquette", "75011"),
            ("18 rue de Turenne", "75004"),
            ("3 rue Saint-Sébastien", "75011"),
        ),
        facade=(238, 228, 206),
        awning=(20, 70, 120),
        stock_factor=1.1,
        stock_overrides={"Canette Coca-Cola 33 cl": 18},
    ),
    RestaurantSpec(
        slug="paris-batignolles",
        code="PB",
        short="batignolles",
        name="OC Pizza Paris Batignolles",
        street="21 rue des Batignolles",
        postal_code="75017",
        city="Paris",
        phone="01 99 00 30 71",
        description=(
            "Le petit dernier, au cœur du village des Batignolles : une carte courte, des produits frais "
            "chaque matin, et des livraisons jusqu'à Montmartre."
        ),
        zones=("75008", "75017", "75018"),
        hours=_hours(late=(4, 5, 6)),
        delivery_fee=Decimal("3.00"),
        minimum_order=Decimal("18.00"),
        preparation_minutes=15,
        delivery_minutes=25,
        pizzas_per_slot=12,
        staff=_crew(
            ("Olivier", "Fabre"),
            (
                (
                    "Lorenzo",
                    "Ricci",
                    "Fils de pizzaiolo, il a grandi entre les sacs de farine à Bari.",
                    "short",
                ),
                (
                    "Margaux",
                    "Colin",
                    "Reconvertie après dix ans de finance ; sa Chèvre-Miel a fait la réputation du quartier.",
                    "long",
                ),
            ),
            (("Moussa", "Diallo"), ("Quentin", "Henry")),
            ("Laura", "Masson"),
            phones=50,
        ),
        streets=(
            ("3 rue Brochant", "75017"),
            ("28 rue de Lévis", "75017"),
            ("10 rue des Abbesses", "75018"),
            ("45 rue Caulaincourt", "75018"),
            ("7 rue de Rome", "75008"),
            ("16 rue Lemercier", "75017"),
        ),
        facade=(236, 226, 204),
        awning=(120, 30, 60),
        stock_factor=0.9,
        # The last smoked salmon went out with yesterday's orders: "Saumon" cannot be made here today.
        stock_overrides={"Saumon fumé": 0, "Roquette": 120},
    ),
)


def staff_email(restaurant: RestaurantSpec, staff: StaffSpec) -> str:
    """manager.bellecour@…, pizzaiolo1.bellecour@…, driver2.bellecour@…, counter.bellecour@…"""
    same_role = [member for member in restaurant.staff if member.role == staff.role]
    suffix = str(same_role.index(staff) + 1) if len(same_role) > 1 else ""
    return f"{staff.role}{suffix}.{restaurant.short}@{EMAIL_DOMAIN}"


def demo_emails() -> list[str]:
    emails = [HEAD_OFFICE.email, *(customer.email for customer in CUSTOMERS)]
    for restaurant in RESTAURANTS:
        emails += [staff_email(restaurant, member) for member in restaurant.staff]
    return emails


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
