"""Promo codes, created by head office in the admin.

A code's uses are not stored here: an order names the code it used (orders.Order.promo_code, reverse name
`orders`), and a use is an order that is not cancelled, so a cancellation gives the use back by itself.
Offers never imports orders: orders counts the uses and passes them to offers.rules.check.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.fields import optional_link


class Kind(models.TextChoices):
    PERCENT = "percent", _("Percentage")
    AMOUNT = "amount", _("Fixed amount")
    FREE_DELIVERY = "free_delivery", _("Free delivery")


class Target(models.TextChoices):
    ORDER = "order", _("Whole order")
    CATEGORY = "category", _("A category")
    PRODUCTS = "products", _("Given products")


class Channel(models.TextChoices):
    # The same values as orders.Channel (offers does not import orders).
    WEB = "web", _("Website")
    COUNTER = "counter", _("Counter")


class Weekday(models.IntegerChoices):
    MONDAY = 1, pgettext_lazy("day of the week", "Monday")
    TUESDAY = 2, pgettext_lazy("day of the week", "Tuesday")
    WEDNESDAY = 3, pgettext_lazy("day of the week", "Wednesday")
    THURSDAY = 4, pgettext_lazy("day of the week", "Thursday")
    FRIDAY = 5, pgettext_lazy("day of the week", "Friday")
    SATURDAY = 6, pgettext_lazy("day of the week", "Saturday")
    SUNDAY = 7, pgettext_lazy("day of the week", "Sunday")


def default_channels() -> list[str]:
    return [Channel.WEB]


def offered_in() -> models.ManyToManyField:
    """The restaurants where a promo code or a formule is offered; none named: every restaurant."""
    return models.ManyToManyField(
        "restaurants.Restaurant",
        blank=True,
        related_name="+",
        verbose_name=_("restaurants"),
        help_text=_("None: every restaurant."),
    )


class PromoCodeQuerySet(models.QuerySet["PromoCode"]):
    def named(self, text: str) -> PromoCodeQuerySet:
        """The code typed, whatever its case and surrounding spaces."""
        return self.filter(code__iexact=text.strip())


class PromoCode(models.Model):
    code = models.CharField(
        _("code"), max_length=32, help_text=_("What the customer types; capitals and small letters alike.")
    )
    label = models.CharField(
        _("label"), max_length=120, help_text=_("Shown to the customer and on receipts.")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PERCENT)
    value = models.DecimalField(
        _("value"),
        max_digits=7,
        decimal_places=2,
        default=0,
        help_text=_("A percentage (10 for 10 %) or an amount in euros; ignored for free delivery."),
    )
    target = models.CharField(_("applies to"), max_length=16, choices=Target.choices, default=Target.ORDER)
    category = optional_link("menu.Category", _("category"), on_delete=models.PROTECT)
    products = models.ManyToManyField(
        "menu.Product", blank=True, related_name="+", verbose_name=_("products")
    )
    restaurants = offered_in()
    minimum_order = models.DecimalField(_("minimum order"), max_digits=7, decimal_places=2, default=0)
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    weekdays = ArrayField(
        models.PositiveSmallIntegerField(choices=Weekday.choices),
        blank=True,
        default=list,
        verbose_name=_("weekdays"),
        help_text=_("1 = Monday … 7 = Sunday, separated by commas; empty: every day."),
    )
    hours_from = models.TimeField(_("from (time of day)"), null=True, blank=True)
    hours_until = models.TimeField(
        _("until (time of day)"),
        null=True,
        blank=True,
        help_text=_("Before 'from': the window crosses midnight."),
    )
    first_order_only = models.BooleanField(_("first order only"), default=False)
    max_uses = models.PositiveIntegerField(
        _("total uses"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    max_uses_per_customer = models.PositiveIntegerField(
        _("uses per customer"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    channels = ArrayField(
        models.CharField(max_length=16, choices=Channel.choices),
        default=default_channels,
        verbose_name=_("channels"),
        help_text=_("web, counter"),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = PromoCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("promo code")
        verbose_name_plural = _("promo codes")
        ordering = ("code",)
        constraints = [
            models.UniqueConstraint(Upper("code"), name="promo_code_unique_whatever_the_case"),
            models.CheckConstraint(condition=Q(value__gte=0), name="promo_code_value_non_negative"),
            models.CheckConstraint(
                condition=~Q(kind="percent") | Q(value__lte=100), name="promo_code_percent_at_most_100"
            ),
            models.CheckConstraint(condition=Q(minimum_order__gte=0), name="promo_code_minimum_non_negative"),
            models.CheckConstraint(
                condition=~Q(target="category") | Q(category__isnull=False), name="promo_code_category_named"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.label})"

    def save(self, *args, **kwargs) -> None:
        self.code = self.code.strip().upper()
        super().save(*args, **kwargs)


# ---------- Formules (combo deals) ----------


class PriceRule(models.TextChoices):
    FIXED = "fixed", _("A fixed price")
    CHEAPEST_FREE = "cheapest_free", _("The cheapest component free")


class FormuleQuerySet(models.QuerySet["Formule"]):
    def offered_at(self, restaurant) -> FormuleQuerySet:
        """The active formules of this restaurant (none named: every restaurant), with their components."""
        return (
            self.filter(active=True)
            .filter(Q(restaurants=restaurant) | Q(restaurants__isnull=True))
            .distinct()
            .prefetch_related("components__products")
        )


class Formule(models.Model):
    """A combo deal: components the customer chooses (each from a category or from given products), at a
    price rule. « Menu Midi : 1 pizza + 1 boisson + 1 dessert — 19,90 € » is a fixed price; « 2 pizzas
    achetées, la 3e offerte » is a pizza component of quantity 3 with the cheapest one free. Extras are
    charged on top. The saving (list prices minus the formule's price) is shared across the component lines
    by orders (orders.services.pricing), so the VAT by rate stays exact."""

    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=200, blank=True)
    price_rule = models.CharField(
        _("price rule"), max_length=16, choices=PriceRule.choices, default=PriceRule.FIXED
    )
    price = models.DecimalField(
        _("price"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The formule's price (a fixed price); extras are charged on top."),
    )
    restaurants = offered_in()
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = FormuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("formule")
        verbose_name_plural = _("formules")
        ordering = ("position", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0), name="formule_price_non_negative"
            ),
            models.CheckConstraint(
                condition=~Q(price_rule="fixed") | Q(price__isnull=False), name="formule_fixed_price_named"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def saving(self, list_prices: list) -> Decimal:
        """What the formule takes off the components' list prices (extras excluded), never negative: a
        fixed price above the list prices costs the list prices."""
        if not list_prices:
            return Decimal("0")
        if self.price_rule == PriceRule.CHEAPEST_FREE:
            return min(list_prices)
        return max(sum(list_prices, Decimal("0")) - (self.price or Decimal("0")), Decimal("0"))


class FormuleComponent(models.Model):
    """One choice of a formule: `quantity` products from a category or from given products."""

    formule = models.ForeignKey(
        Formule, on_delete=models.CASCADE, related_name="components", verbose_name=_("formule")
    )
    label = models.CharField(_("label"), max_length=60, help_text=_("« Pizza », « Boisson »…"))
    category = optional_link("menu.Category", _("category"), on_delete=models.PROTECT)
    products = models.ManyToManyField(
        "menu.Product",
        blank=True,
        related_name="+",
        verbose_name=_("products"),
        help_text=_("Given products; a category named too adds its products."),
    )
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("component")
        verbose_name_plural = _("components")
        ordering = ("position", "pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=10), name="formule_component_quantity_1_to_10"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def allows(self, product) -> bool:
        """Whether the customer may choose `product` here (the products must be prefetched)."""
        return (self.category_id is not None and product.category_id == self.category_id) or any(
            allowed.pk == product.pk for allowed in self.products.all()
        )
