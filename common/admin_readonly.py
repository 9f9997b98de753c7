"""The admin's read-only pages, for every app: one mixin, so "shown, never written here" reads the same way."""

from __future__ import annotations

from django.http import HttpRequest


class ReadOnlyAdminMixin:
    """Mix into a ModelAdmin or an inline: shown, never added, changed or deleted here (append-only records,
    rows written by services, or fixed by a migration)."""

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class HeadOfficeOnlyMixin:
    """Mix into a ModelAdmin: head office (active superusers) sees, adds and changes; nobody deletes here (a
    row that other records point to is retired, not removed). Put it before ReadOnlyAdminMixin for a
    head-office-only record that is never written in the admin."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
