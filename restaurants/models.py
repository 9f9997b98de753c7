"""Restaurants, their hours, zones and staff, and the stock each one holds with its ledger."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import connection, models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common import formats, renditions
from common.fields import done_by, moment, optional_link, price_field
from common.models import AppendOnly

# AppendOnlyError is raised by AppendOnly's save() and delete(); its callers import it from here.
from common.models import AppendOnlyError as AppendOnlyError
from common.querysets import ActiveQuerySet
from common.validators import validate_document_file, validate_image_file, validate_video_file
from menu.models import CatalogueVersion, Ingredient


class RestaurantQuerySet(ActiveQuerySet):
    def delivering_to(self, postal_code: str) -> RestaurantQuerySet:
        return self.filter(delivery_zones__postal_code=postal_code.strip()).distinct()


class Restaurant(renditions.HasRenditions):
    RENDITIONS = {"photo": renditions.RESTAURANT, "video_poster": renditions.POSTER}

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), unique=True)
    street = models.CharField(_("street"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    phone = models.CharField(_("phone"), max_length=30)
    email = models.EmailField(_("email"), blank=True)
    description = models.TextField(_("presentation"), blank=True)
    photo = models.ImageField(
        _("photo"), upload_to="restaurants/photos/", blank=True, validators=[validate_image_file]
    )
    photo_renditions_of = renditions.made_of_field()
    video = models.FileField(
        _("presentation video"), upload_to="restaurants/videos/", blank=True, validators=[validate_video_file]
    )
    video_poster = models.ImageField(
        _("poster of the video"),
        upload_to="restaurants/posters/",
        blank=True,
        validators=[validate_image_file],
        help_text=_("Shown before the video plays; the restaurant's photo when empty."),
    )
    video_poster_renditions_of = renditions.made_of_field()
    menu_card = models.FileField(
        _("menu card"),
        upload_to="restaurants/menus/",
        blank=True,
        validators=[validate_document_file],
        help_text=_("PDF or image of the printed menu."),
    )
    is_active = models.BooleanField(_("open for orders"), default=True)
    delivery_fee = price_field(_("delivery fee"), default=Decimal("2.50"))
    minimum_order = price_field(_("minimum order for delivery"), default=Decimal("15.00"))
    preparation_minutes = models.PositiveSmallIntegerField(
        _("average preparation time (minutes)"), default=15
    )
    delivery_minutes = models.PositiveSmallIntegerField(_("average delivery time (minutes)"), default=20)
    pizzas_per_slot = models.PositiveSmallIntegerField(
        _("capacity (pizzas per 15 minutes)"), default=12, validators=[MinValueValidator(1)]
    )
    # Raised by every order write that changes what its kitchen display shows (raise_board_version): a
    # tablet's poll compares it instead of reading the orders (orders.staff.board.board_version).
    board_version = models.PositiveBigIntegerField(
        _("kitchen display version"), default=0, db_default=0, editable=False
    )

    objects = RestaurantQuerySet.as_manager()

    class Meta:
        verbose_name = _("restaurant")
        verbose_name_plural = _("restaurants")
        ordering = ["city", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(delivery_fee__gte=0), name="restaurant_delivery_fee_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(minimum_order__gte=0), name="restaurant_minimum_order_non_negative"
            ),
            models.CheckConstraint(condition=Q(pizzas_per_slot__gte=1), name="restaurant_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        """Saves, never writing `board_version` back: a restaurant read before an order changed and saved whole
        afterwards (the admin's form) would put the counter back, and a tablet showing a version from before
        could then be told that nothing changed. Only raise_board_version writes it."""
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "board_version"
            ]
        super().save(*args, **kwargs)

    @classmethod
    def raise_board_version(cls, pk: int) -> None:
        """What the kitchen display of restaurant `pk` shows has changed: add one to its `board_version`.

        The one place that raises it; called by the order services wherever they change an order the display
        may show (a new confirmed order, a status change, a bump, an unbump, a recall, a modification), in
        their transaction. They hold the restaurant's row lock already (orders.services.locking), so this
        UPDATE waits for no one and commits (or rolls back) with the change."""
        cls.objects.filter(pk=pk).update(board_version=F("board_version") + 1)

    @classmethod
    def locked_raising_board_version(cls, pk: int) -> Restaurant:
        """The restaurant read under its row lock, its `board_version` raised, in one statement (an UPDATE
        locks the row it writes until the transaction ends, as SELECT ... FOR UPDATE does): for a service
        that takes the restaurant's lock first and knows already that it changes what the kitchen display
        shows (an order confirmed at once, orders.services.placement), one query instead of two. Raises
        Restaurant.DoesNotExist when there is no such restaurant."""
        quote = connection.ops.quote_name
        table, key, version = quote(cls._meta.db_table), quote(cls._meta.pk.column), quote("board_version")
        columns = ", ".join(quote(field.column) for field in cls._meta.concrete_fields)
        # Only the model's own table and column names go in the text; the restaurant's id is a parameter.
        sql = f"UPDATE {table} SET {version} = {version} + 1 WHERE {key} = %s RETURNING {columns}"  # noqa: S608
        for restaurant in cls.objects.raw(sql, [pk]):
            return restaurant
        raise cls.DoesNotExist(f"No restaurant {pk}.")

    def renditions_made(self) -> None:
        # Its page is cached (restaurants.menu_cache) under the catalogue's version.
        CatalogueVersion.raise_version()

    @property
    def address(self) -> str:
        return f"{self.street}, {self.postal_code} {self.city}"

    # Delivery zones: the one rule "does this restaurant deliver there", by postal code (DeliveryZone).
    # `RestaurantQuerySet.delivering_to` asks it of many restaurants at once.

    def delivers_to(self, postal_code: str) -> bool:
        """Whether the restaurant delivers to `postal_code` (surrounding spaces ignored); one query, none when
        `delivery_zones` is prefetched (a restaurant has a handful of zones: reading them all costs no more)."""
        return postal_code.strip() in self.served_postal_codes()

    def served_postal_codes(self) -> set[str]:
        """The postal codes it delivers to, for forms that offer only those (prefetch `delivery_zones`)."""
        return {zone.postal_code for zone in self.delivery_zones.all()}


class Weekday(models.IntegerChoices):
    MONDAY = 0, pgettext_lazy("day of the week", "Monday")
    TUESDAY = 1, pgettext_lazy("day of the week", "Tuesday")
    WEDNESDAY = 2, pgettext_lazy("day of the week", "Wednesday")
    THURSDAY = 3, pgettext_lazy("day of the week", "Thursday")
    FRIDAY = 4, pgettext_lazy("day of the week", "Friday")
    SATURDAY = 5, pgettext_lazy("day of the week", "Saturday")
    SUNDAY = 6, pgettext_lazy("day of the week", "Sunday")


class OpeningHours(models.Model):
    """One opening period of a day; a day may have several (lunch and evening)."""

    restaurant = models.ForeignKey(
        Restaurant, on_delete=models.CASCADE, related_name="opening_hours", verbose_name=_("restaurant")
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["restaurant", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens__lt=F("closes")), name="opening_hours_opens_before_closes"
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="opening_hours_weekday_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class DeliveryZone(models.Model):
    """A postal code a restaurant delivers to."""

    restaurant = models.ForeignKey(
        Restaurant, on_delete=models.CASCADE, related_name="delivery_zones", verbose_name=_("restaurant")
    )
    postal_code = models.CharField(_("postal code"), max_length=10, db_index=True)

    class Meta:
        verbose_name = _("delivery zone")
        verbose_name_plural = _("delivery zones")
        ordering = ["restaurant", "postal_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["restaurant", "postal_code"], name="delivery_zone_unique_postal_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.restaurant.name}{formats.colon()} {self.postal_code}"


class Role(models.TextChoices):
    MANAGER = "manager", _("Manager")
    PIZZAIOLO = "pizzaiolo", _("Pizzaiolo")
    DRIVER = "driver", _("Delivery driver")
    COUNTER = "counter", _("Counter")


class StaffMember(renditions.HasRenditions):
    """A user's job at one restaurant. Pizzaiolos with a photo are shown as the restaurant's chefs."""

    RENDITIONS = {"photo": renditions.CHEF}

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    restaurant = models.ForeignKey(
        Restaurant, on_delete=models.CASCADE, related_name="staff", verbose_name=_("restaurant")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    photo = models.ImageField(_("photo"), upload_to="staff/", blank=True, validators=[validate_image_file])
    photo_renditions_of = renditions.made_of_field()
    bio = models.CharField(_("short presentation"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        ordering = ["restaurant", "role", "user__last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "restaurant"], name="staff_member_one_role_per_restaurant"
            ),
        ]

    def __str__(self) -> str:
        name = self.user.display_name
        return f"{name}, {self.get_role_display()} ({self.restaurant.name})"

    def renditions_made(self) -> None:
        # A chef is shown on the restaurant's cached page, keyed by the catalogue's version.
        CatalogueVersion.raise_version()


class StockQuerySet(models.QuerySet["Stock"]):
    def low(self) -> StockQuerySet:
        return self.filter(quantity__lte=F("alert_threshold"))


class Stock(models.Model):
    """How much of an ingredient a restaurant holds. Changed only through StockMovement (services.py)."""

    restaurant = models.ForeignKey(
        Restaurant, on_delete=models.CASCADE, related_name="stocks", verbose_name=_("restaurant")
    )
    ingredient = models.ForeignKey(
        Ingredient, on_delete=models.PROTECT, related_name="stocks", verbose_name=_("ingredient")
    )
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3, default=Decimal("0"))
    alert_threshold = models.DecimalField(
        _("alert threshold"),
        max_digits=12,
        decimal_places=3,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Managers are warned when the quantity falls to this level."),
    )
    low_alert_sent_at = moment(_("low-stock alert sent at"))

    objects = StockQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock")
        verbose_name_plural = _("stocks")
        ordering = ["restaurant", "ingredient__name"]
        constraints = [
            models.UniqueConstraint(fields=["restaurant", "ingredient"], name="stock_unique_ingredient"),
            # The last portion can never be sold twice: the database refuses a negative quantity.
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stock_quantity_non_negative"),
            models.CheckConstraint(
                condition=Q(alert_threshold__gte=0), name="stock_alert_threshold_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ingredient.name} @ {self.restaurant.name}{formats.colon()} {formats.decimal(self.quantity)} {self.ingredient.unit}"

    @property
    def state(self) -> str:
        if self.quantity <= 0:
            return "out"
        if self.quantity <= self.alert_threshold:
            return "low"
        return "ok"


class MovementReason(models.TextChoices):
    ORDER = "order", _("Order")
    ORDER_CANCELLED = "order_cancelled", _("Order cancelled")
    ORDER_MODIFIED = "order_modified", _("Order modified")
    RESTOCK = "restock", _("Delivery received")
    WASTE = "waste", _("Waste")
    INVENTORY = "inventory", _("Inventory count")


class StockMovement(AppendOnly):
    """One change of a stock, append-only: the quantity of a stock is always the sum of its movements."""

    stock = models.ForeignKey(
        Stock, on_delete=models.PROTECT, related_name="movements", verbose_name=_("stock")
    )
    delta = models.DecimalField(_("change"), max_digits=12, decimal_places=3)
    reason = models.CharField(_("reason"), max_length=20, choices=MovementReason.choices)
    order = optional_link(
        "orders.Order", _("order"), on_delete=models.PROTECT, related_name="stock_movements"
    )
    user = done_by(_("by"), related_name="stock_movements")
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["stock", "created_at"], name="stock_movement_stock_time")]
        constraints = [
            models.CheckConstraint(condition=~Q(delta=0), name="stock_movement_delta_non_zero"),
        ]

    def __str__(self) -> str:
        sign = "+" if self.delta > 0 else ""
        return (
            f"{self.stock.ingredient.name} {sign}{formats.decimal(self.delta)} ({self.get_reason_display()})"
        )
