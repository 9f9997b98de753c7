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
