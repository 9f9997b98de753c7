"""Head office manages the rewards; the ledger is read-only in the admin (it is append-only)."""

from __future__ import annotations

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from common.admin_readonly import HeadOfficeOnlyMixin, ReadOnlyAdminMixin
from loyalty.models import Entry, Reward


@admin.register(Reward)
class RewardAdmin(HeadOfficeOnlyMixin, TranslationAdmin):
    list_display = ("name", "points", "product", "category", "active")
    list_filter = ("active",)
    search_fields = ("name",)


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdminMixin, HeadOfficeOnlyMixin, admin.ModelAdmin):
    list_display = ("created_at", "customer", "kind", "points", "order")
    list_filter = ("kind",)
