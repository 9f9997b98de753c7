"""The sales record in the admin: read-only (entries and closings are never changed; the database refuses it),
for superusers (head office); managers read their restaurants' through the staff screens."""

from __future__ import annotations

from django.contrib import admin

from common.admin_readonly import ReadOnlyAdminMixin
from sales.models import Closing, SalesEntry


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser


@admin.register(SalesEntry)
class SalesEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "restaurant",
        "sequence",
        "recorded_at",
        "kind",
        "order_number",
        "amount",
        "payment_method",
    )
    list_filter = ("restaurant", "kind", "payment_method")
    search_fields = ("order_number",)
    list_select_related = ("restaurant",)
    show_full_result_count = False


@admin.register(Closing)
class ClosingAdmin(ReadOnlyAdmin):
    list_display = (
        "restaurant",
        "kind",
        "sequence",
        "period_start",
        "period_end",
        "entry_count",
        "sales_total",
    )
    list_filter = ("restaurant", "kind")
    list_select_related = ("restaurant",)
