"""The catalogue, shared by every restaurant. It knows nothing of restaurants, stock or orders."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common import formats, renditions
from common.fields import price_field
from common.querysets import ActiveQuerySet
from common.validators import validate_image_file


class AllergenCode(models.TextChoices):
    """The 14 allergens that EU regulation 1169/2011 requires a menu to declare."""

    GLUTEN = "gluten", _("Cereals containing gluten")
    CRUSTACEANS = "crustaceans", _("Crustaceans")
    EGGS = "eggs", _("Eggs")
    FISH = "fish", _("Fish")
    PEANUTS = "peanuts", _("Peanuts")
    SOYBEANS = "soybeans", _("Soybeans")
    MILK = "milk", _("Milk")
    NUTS = "nuts", _("Nuts")
    CELERY = "celery", _("Celery")
    MUSTARD = "mustard", _("Mustard")
    SESAME = "sesame", _("Sesame seeds")
    SULPHITES = "sulphites", _("Sulphur dioxide and sulphites")
    LUPIN = "lupin", _("Lupin")
    MOLLUSCS = "molluscs", _("Molluscs")


class Allergen(models.Model):
    """One of the 14 regulated allergens; rows are created by a migration, names come from AllergenCode."""

    code = models.CharField(_("code"), max_length=20, choices=AllergenCode.choices, unique=True)

    class Meta:
        verbose_name = _("allergen")
        verbose_name_plural = _("allergens")
        ordering = ["code"]

    def __str__(self) -> str:
        return str(self.get_code_display())


class Unit(models.TextChoices):
    GRAM = "g", _("grams")
    MILLILITRE = "ml", _("millilitres")
    PIECE = "piece", _("pieces")


class Category(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Ingredient(models.Model):
    """Something a restaurant keeps in stock, counted in its base unit (g, ml or pieces)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices, default=Unit.GRAM)
    allergens = models.ManyToManyField(
        Allergen, blank=True, related_name="ingredients", verbose_name=_("allergens")
    )

    class Meta:
        verbose_name = _("ingredient")
        verbose_name_plural = _("ingredients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Extra(models.Model):
    """An ingredient a customer may add to a product, at a price, for a given quantity of stock."""

    ingredient = models.OneToOneField(
        Ingredient, on_delete=models.PROTECT, related_name="extra", verbose_name=_("ingredient")
    )
    price = price_field(_("price"))
    quantity = models.DecimalField(
        _("quantity added"),
        max_digits=10,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001"))],
        help_text=_("How much of the ingredient one extra adds, in its unit."),
    )
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("extra")
        verbose_name_plural = _("extras")
        ordering = ["ingredient__name"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="extra_price_non_negative"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="extra_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.ingredient.name} (+{formats.euros(self.price)})"


class Station(models.TextChoices):
    """Where a product is made in the kitchen: each station has its own screen on the kitchen display, and an
    order is ready once every station has bumped its part (orders.services.kitchen)."""

    OVEN = "oven", _("Oven")
    COLD = "cold", _("Cold station")
    DRINKS = "drinks", _("Drinks")


class Product(renditions.HasRenditions):
    """A pizza, drink or dessert. Its recipe lines say what one portion takes from stock."""

    RENDITIONS = {"image": renditions.DISH}

    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="products", verbose_name=_("category")
    )
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), unique=True)
    description = models.TextField(_("description"), blank=True)
    price = price_field(_("price"))
    vat_rate = models.DecimalField(
        _("VAT rate (%)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("10.00"),
        help_text=_("10% for food and soft drinks to take away or delivered, 20% for alcohol."),
    )
    image = models.ImageField(_("image"), upload_to="products/", blank=True, validators=[validate_image_file])
    image_renditions_of = renditions.made_of_field()
    is_active = models.BooleanField(_("on the menu"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    station = models.CharField(
        _("kitchen station"),
        max_length=10,
        choices=Station.choices,
        default=Station.OVEN,
        help_text=_("Where it is made: the kitchen display shows each station its part of an order."),
    )
    baking_minutes = models.PositiveSmallIntegerField(_("baking time (minutes)"), null=True, blank=True)
    baking_temperature = models.PositiveSmallIntegerField(_("baking temperature (°C)"), null=True, blank=True)
    extras = models.ManyToManyField(
        Extra, blank=True, related_name="products", verbose_name=_("extras offered")
    )

    objects = ActiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["category__position", "position", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="product_price_non_negative"),
            models.CheckConstraint(
                condition=Q(vat_rate__gte=0) & Q(vat_rate__lt=100), name="product_vat_rate_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def renditions_made(self) -> None:
        # The cached menus (restaurants.menu_cache) are keyed by the catalogue's version.
        CatalogueVersion.raise_version()


class RecipeLine(models.Model):
    """How much of an ingredient one portion of a product takes."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="recipe_lines", verbose_name=_("product")
    )
    ingredient = models.ForeignKey(
        Ingredient, on_delete=models.PROTECT, related_name="recipe_lines", verbose_name=_("ingredient")
    )
    quantity = models.DecimalField(
        _("quantity"), max_digits=10, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))]
    )
    removable = models.BooleanField(
        _("removable"), default=True, help_text=_("The customer may ask for the product without it.")
    )

    class Meta:
        verbose_name = _("recipe line")
        verbose_name_plural = _("recipe lines")
        ordering = ["product", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "ingredient"], name="recipe_line_unique_ingredient"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="recipe_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product.name}{formats.colon()} {formats.decimal(self.quantity)} {self.ingredient.unit} {self.ingredient.name}"


class RecipeStep(models.Model):
    """One instruction of a product's recipe. Its ingredients say what it puts on: the kitchen's card of an
    order line strikes a step whose recipe ingredients the customer all left out, names the ones left out on
    the others, and says to add an extra at the first step naming the extra's ingredient."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="recipe_steps", verbose_name=_("product")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.TextField(_("instruction"))
    ingredients = models.ManyToManyField(
        Ingredient,
        blank=True,
        related_name="recipe_steps",
        verbose_name=_("ingredients put on"),
        help_text=_(
            "The ingredients this step puts on, and the extras that go on at this step. On an order's recipe "
            "card, a step is struck when the customer left out all of its ingredients, and an extra is added "
            "at the first step naming it (else on a step of its own at the end)."
        ),
    )

    class Meta:
        verbose_name = _("recipe step")
        verbose_name_plural = _("recipe steps")
        ordering = ["product", "position", "id"]

    def __str__(self) -> str:
        return f"{self.product.name} #{self.position}{formats.colon()} {self.text[:40]}"


class CatalogueVersion(models.Model):
    """One row: the version of the whole catalogue, raised after every change of it (menu.signals).

    Part of the key of the cached restaurant pages (restaurants.menu_cache), so a price, a name, a recipe,
    an extra or an allergen changed in the admin shows on the next page view.
    """

    value = models.PositiveIntegerField(_("catalogue version"), default=0, editable=False)

    class Meta:
        verbose_name = _("catalogue version")
        verbose_name_plural = _("catalogue version")

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def current(cls) -> models.QuerySet[CatalogueVersion]:
        """The version as a one-value queryset, to read in a subquery (0 until the first change)."""
        return cls.objects.values("value")[:1]

    @classmethod
    def raise_version(cls) -> None:
        """Add one to the version (its row is created if missing: a test database emptied by a flush)."""
        if not cls.objects.update(value=models.F("value") + 1):
            cls.objects.get_or_create(defaults={"value": 1})
