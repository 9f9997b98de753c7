"""Promo codes, created by head office in the admin.

A code's uses are not stored here: an order names the code it used (orders.Order.promo_code, reverse name
`orders`), and a use is an order that is not cancelled, so a cancellation gives the use back by itself.
Offers never imports orders: orders counts the uses and passes them to offers.rules.check.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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
    category = models.ForeignKey(
        "menu.Category",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    products = models.ManyToManyField(
        "menu.Product", blank=True, related_name="+", verbose_name=_("products")
    )
    restaurants = models.ManyToManyField(
        "restaurants.Restaurant",
        blank=True,
        related_name="+",
        verbose_name=_("restaurants"),
        help_text=_("None: every restaurant."),
    )
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
