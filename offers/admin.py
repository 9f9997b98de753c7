"""Head office creates and changes the promo codes (managers do not see them in the admin) and the formules
(managers see them, read-only)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from common.admin_inlines import LabelledFieldsInline
from common.admin_readonly import HeadOfficeOnlyMixin
from offers.models import Formule, FormuleComponent, PromoCode
from restaurants.admin.scoping import managed_restaurant_ids


@admin.register(PromoCode)
class PromoCodeAdmin(HeadOfficeOnlyMixin, admin.ModelAdmin):
    list_display = ("code", "label", "kind", "value", "target", "valid_from", "valid_until", "active")
    list_filter = ("active", "kind", "target")
    search_fields = ("code", "label")
    filter_horizontal = ("products", "restaurants")
    fieldsets = (
        (None, {"fields": ("code", "label", "active")}),
        (_("Discount"), {"fields": ("kind", "value", "target", "category", "products")}),
        (_("Where"), {"fields": ("restaurants", "channels", "minimum_order")}),
        (_("When"), {"fields": ("valid_from", "valid_until", "weekdays", "hours_from", "hours_until")}),
        (_("Limits"), {"fields": ("first_order_only", "max_uses", "max_uses_per_customer")}),
    )


class ManagersSeeMixin(HeadOfficeOnlyMixin):
    """Head office writes; a restaurant's manager sees the formules (to know what customers order), read-only."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) or bool(managed_restaurant_ids(request))

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_view_permission(request, obj) or bool(managed_restaurant_ids(request))


class FormuleComponentInline(ManagersSeeMixin, LabelledFieldsInline, TranslationTabularInline):
    model = FormuleComponent
    extra = 1
    fields = ("label", "category", "products", "quantity", "position")
    filter_horizontal = ("products",)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # A component is part of its formule's definition: head office removes one while editing it.
        return request.user.is_active and request.user.is_superuser


@admin.register(Formule)
class FormuleAdmin(ManagersSeeMixin, TranslationAdmin):
    list_display = ("name", "price_rule", "price", "active", "position")
    list_filter = ("active", "price_rule")
    search_fields = ("name",)
    filter_horizontal = ("restaurants",)
    fields = ("name", "description", "price_rule", "price", "restaurants", "active", "position")
    inlines = (FormuleComponentInline,)
