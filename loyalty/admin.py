"""Head office manages the rewards; the ledger is read-only in the admin (it is append-only)."""

from __future__ import annotations

from django.contrib import admin

from loyalty.models import Entry, Reward


@admin.register(Reward)
class RewardAdmin(admin.ModelAdmin):
    list_display = ("name", "points", "product", "category", "active")
    list_filter = ("active",)
    search_fields = ("name",)

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "customer", "kind", "points", "order")
    list_filter = ("kind",)

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
