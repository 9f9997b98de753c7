"""Admin of stock and its ledger: a stock is created, restocked, wasted or counted through
restaurants.services (see restaurants/forms.py), so the ledger always sums to the quantity.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import admin
from django.db.models import F
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from restaurants.admin.scoping import ReadOnlyAdminMixin, RestaurantScopedAdminMixin
from restaurants.forms import StockCreationForm, StockMovementForm
from restaurants.models import MovementReason, Stock, StockMovement
from restaurants.templatetags.stock_tags import quantity as format_quantity
from restaurants.templatetags.stock_tags import signed_quantity

STOCK_STATES = {
    "ok": (_("OK"), "#2e7d32"),
    "low": (_("Low"), "#e65100"),
    "out": (_("Out of stock"), "#c62828"),
}


class StockStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [(state, label) for state, (label, _colour) in STOCK_STATES.items()]

    def queryset(self, request, queryset):
        # The same rule as Stock.state, in SQL.
        if self.value() == "out":
            return queryset.filter(quantity__lte=0)
        if self.value() == "low":
            return queryset.filter(quantity__gt=0, quantity__lte=F("alert_threshold"))
        if self.value() == "ok":
            return queryset.filter(quantity__gt=0).filter(quantity__gt=F("alert_threshold"))
        return queryset


class StockDisplayMixin:
    @admin.display(description=Stock._meta.get_field("quantity").verbose_name, ordering="quantity")
    def quantity_with_unit(self, stock: Stock) -> str:
        return format_quantity(stock.quantity, stock.ingredient.unit)

    @admin.display(description=_("state"))
    def state(self, stock: Stock) -> str:
        label, colour = STOCK_STATES[stock.state]
        return format_html('<strong style="color: {}">{}</strong>', colour, label)


class RecordedByAdminMixin:
    """The add page's form (`add_form`) runs a stock service as the signed-in user: it is given `by`."""

    add_form: type

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        form = super().get_form(request, obj, **kwargs)
        form.by = request.user  # modelform_factory built this class for this request alone
        return form


class StockInline(StockDisplayMixin, ReadOnlyAdminMixin, RestaurantScopedAdminMixin, admin.TabularInline):
    """The restaurant's stock at a glance; it changes only through the stock and movement pages."""

    model = Stock
    fields = ("ingredient", "quantity_with_unit", "alert_threshold", "state")
    readonly_fields = fields
    show_change_link = True
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("restaurant", "ingredient")


@admin.register(Stock)
class StockAdmin(StockDisplayMixin, RecordedByAdminMixin, RestaurantScopedAdminMixin, admin.ModelAdmin):
    """Adding a stock goes through services.create_stock; a change touches only the alert threshold."""

    manager_actions = frozenset({"view", "add", "change"})
    list_display = ("ingredient", "restaurant", "quantity_with_unit", "alert_threshold", "state")
    list_select_related = ("restaurant", "ingredient")
    list_filter = (
        ("restaurant", admin.RelatedOnlyFieldListFilter),
        StockStateFilter,
        ("ingredient", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("ingredient__name_fr", "ingredient__name_en", "restaurant__name")
    ordering = ("restaurant__name", "ingredient__name")
    add_form = StockCreationForm
    add_fields = ("restaurant", "ingredient", "opening_quantity", "alert_threshold")
    change_fields = (
        "restaurant",
        "ingredient",
        "quantity_with_unit",
        "state",
        "alert_threshold",
        "low_alert_sent_at",
        "ledger",
    )

    def get_queryset(self, request):
        # A stock is named after its ingredient and restaurant (here and in the movement form's search).
        return super().get_queryset(request).select_related("restaurant", "ingredient")

    def get_fields(self, request, obj=None):
        return self.change_fields if obj else self.add_fields

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return tuple(field for field in self.change_fields if field != "alert_threshold")

    def save_model(self, request, obj, form, change):
        # A new stock was created by the form, through services.create_stock.
        if change:
            obj.save(update_fields=["alert_threshold"])

    @admin.display(description=_("ledger"))
    def ledger(self, stock: Stock) -> str:
        movements_url = reverse("admin:restaurants_stockmovement_changelist")
        add_url = reverse("admin:restaurants_stockmovement_add")
        links = [
            (f"{movements_url}?{urlencode({'stock__id__exact': stock.pk})}", _("See the movements")),
            *(
                (f"{add_url}?{urlencode({'stock': stock.pk, 'kind': kind})}", label)
                for kind, label in [
                    (MovementReason.RESTOCK, _("Record a delivery")),
                    (MovementReason.WASTE, _("Record waste")),
                    (MovementReason.INVENTORY, _("Record an inventory count")),
                ]
            ),
        ]
        return format_html_join(" · ", '<a href="{}">{}</a>', links)


@admin.register(StockMovement)
class StockMovementAdmin(RecordedByAdminMixin, RestaurantScopedAdminMixin, admin.ModelAdmin):
    """The ledger: read-only, except that adding records a delivery, waste or count through the services."""

    restaurant_field = "stock__restaurant"
    manager_actions = frozenset({"view", "add"})
    list_display = (
        "created_at",
        "ingredient",
        "restaurant",
        "signed_delta",
        "reason",
        "order_number",
        "user",
        "note",
    )
    list_select_related = ("stock__restaurant", "stock__ingredient", "order", "user")
    list_filter = (
        "reason",
        ("stock__restaurant", admin.RelatedOnlyFieldListFilter),
        ("stock__ingredient", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = (
        "stock__ingredient__name_fr",
        "stock__ingredient__name_en",
        "note",
        "order__number",
        "user__email",
    )
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    autocomplete_fields = ("stock",)
    add_form = StockMovementForm
    add_fields = ("stock", "kind", "quantity", "note")
    view_fields = ("created_at", "stock", "reason", "delta", "order", "user", "note")

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_fields(self, request, obj=None):
        return self.view_fields if obj else self.add_fields

    def get_readonly_fields(self, request, obj=None):
        return self.view_fields if obj else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "stock":
            # The chosen stock is shown by name and the service reads its restaurant.
            kwargs["queryset"] = Stock.objects.select_related("restaurant", "ingredient")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # Nothing left to write: the form recorded the movement through the matching service.
        pass

    @admin.display(
        description=Stock._meta.get_field("ingredient").verbose_name, ordering="stock__ingredient__name"
    )
    def ingredient(self, movement: StockMovement) -> str:
        return movement.stock.ingredient.name

    @admin.display(
        description=Stock._meta.get_field("restaurant").verbose_name, ordering="stock__restaurant__name"
    )
    def restaurant(self, movement: StockMovement) -> str:
        return movement.stock.restaurant.name

    @admin.display(description=StockMovement._meta.get_field("delta").verbose_name, ordering="delta")
    def signed_delta(self, movement: StockMovement) -> str:
        return signed_quantity(movement.delta, movement.stock.ingredient.unit)

    @admin.display(description=StockMovement._meta.get_field("order").verbose_name, ordering="order__number")
    def order_number(self, movement: StockMovement) -> str | None:
        return movement.order.number if movement.order else None
