"""Head office creates and changes the promo codes; managers do not see them in the admin."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from common.admin_readonly import HeadOfficeOnlyMixin
from offers.models import PromoCode


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
