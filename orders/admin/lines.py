"""Order lines and their extras, read-only."""

from __future__ import annotations

from django.contrib import admin

from orders.admin.display import OrderLineDisplayMixin, RecordInline, order_number_column
from orders.models import OrderLine, OrderLineExtra
from restaurants.admin import ReadOnlyAdminMixin, RestaurantScopedAdminMixin


class OrderLineInline(OrderLineDisplayMixin, RecordInline):
    model = OrderLine
    restaurant_field = "order__restaurant"
    fields = (
        "product_name",
        "quantity",
        "unit_price",
        "extras_list",
        "removed_list",
        "vat_rate",
        "line_total",
    )
    prefetch = ("extras", "removed_ingredients")


class OrderLineExtraInline(RecordInline):
    model = OrderLineExtra
    restaurant_field = "line__order__restaurant"
    fields = ("extra", "name", "unit_price")


@admin.register(OrderLine)
class OrderLineAdmin(OrderLineDisplayMixin, ReadOnlyAdminMixin, RestaurantScopedAdminMixin, admin.ModelAdmin):
    restaurant_field = "order__restaurant"
    list_display = (
        "order_number",
        "product_name",
        "quantity",
        "unit_price",
        "extras_list",
        "removed_list",
        "line_total",
    )
    list_select_related = ("order",)
    list_filter = (
        ("order__restaurant", admin.RelatedOnlyFieldListFilter),
        ("product", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("order__number", "product_name_fr", "product_name_en")
    ordering = ("-order__created_at", "id")
    fields = (
        "order",
        "product",
        "product_name",
        "quantity",
        "unit_price",
        "vat_rate",
        "removed_list",
        "line_total",
    )
    readonly_fields = fields
    inlines = [OrderLineExtraInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("extras", "removed_ingredients")

    order_number = order_number_column("order")


@admin.register(OrderLineExtra)
class OrderLineExtraAdmin(ReadOnlyAdminMixin, RestaurantScopedAdminMixin, admin.ModelAdmin):
    restaurant_field = "line__order__restaurant"
    list_display = ("order_number", "line", "name", "unit_price")
    list_select_related = ("line__order",)
    search_fields = ("line__order__number", "name_fr", "name_en")
    ordering = ("-line__order__created_at", "id")

    order_number = order_number_column("line__order")
