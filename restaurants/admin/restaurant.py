"""Admin of restaurants, their opening hours, delivery zones and staff. A restaurant's presentation and a
chef's short presentation are edited in French and in English (restaurants/translation.py)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from common.admin_inlines import LabelledFieldsInline
from restaurants.admin.scoping import ALL_ACTIONS, RestaurantScopedAdminMixin
from restaurants.admin.stock import StockInline
from restaurants.models import DeliveryZone, OpeningHours, Restaurant, StaffMember


class OpeningHoursInline(LabelledFieldsInline, RestaurantScopedAdminMixin, admin.TabularInline):
    model = OpeningHours
    manager_actions = ALL_ACTIONS
    fields = ("weekday", "opens", "closes")
    extra = 0


class DeliveryZoneInline(LabelledFieldsInline, RestaurantScopedAdminMixin, admin.TabularInline):
    model = DeliveryZone
    manager_actions = ALL_ACTIONS
    fields = ("postal_code",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("restaurant")


class StaffMemberInline(LabelledFieldsInline, RestaurantScopedAdminMixin, TranslationTabularInline):
    model = StaffMember
    manager_actions = frozenset({"view", "change"})
    fields = ("user", "role", "is_active", "photo", "bio")
    autocomplete_fields = ("user",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "restaurant")

    def get_readonly_fields(self, request, obj=None):
        # Picking a user means searching every account: head office's job, not a manager's.
        return () if request.user.is_superuser else ("user",)


@admin.register(Restaurant)
class RestaurantAdmin(RestaurantScopedAdminMixin, TranslationAdmin):
    restaurant_field = "pk"
    manager_actions = frozenset({"view", "change"})
    list_display = (
        "name",
        "city",
        "postal_code",
        "phone",
        "is_active",
        "delivery_fee",
        "minimum_order",
        "pizzas_per_slot",
    )
    list_filter = ("is_active", "city")
    search_fields = ("name", "slug", "city", "postal_code")
    ordering = ("city", "name")
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = (
        (None, {"fields": ("name", "slug", "is_active")}),
        (_("Contact"), {"fields": ("street", ("postal_code", "city"), "phone", "email")}),
        (_("Presentation"), {"fields": ("description", "photo", "video", "video_poster", "menu_card")}),
        (
            _("Service"),
            {
                "fields": (
                    ("delivery_fee", "minimum_order"),
                    ("preparation_minutes", "delivery_minutes"),
                    "pizzas_per_slot",
                )
            },
        ),
    )
    inlines = [OpeningHoursInline, DeliveryZoneInline, StaffMemberInline, StockInline]


@admin.register(OpeningHours)
class OpeningHoursAdmin(RestaurantScopedAdminMixin, admin.ModelAdmin):
    manager_actions = ALL_ACTIONS
    list_display = ("restaurant", "weekday", "opens", "closes")
    list_select_related = ("restaurant",)
    list_filter = (("restaurant", admin.RelatedOnlyFieldListFilter), "weekday")
    search_fields = ("restaurant__name",)
    ordering = ("restaurant__name", "weekday", "opens")


@admin.register(DeliveryZone)
class DeliveryZoneAdmin(RestaurantScopedAdminMixin, admin.ModelAdmin):
    manager_actions = ALL_ACTIONS
    list_display = ("postal_code", "restaurant")
    list_select_related = ("restaurant",)
    list_filter = (("restaurant", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("postal_code", "restaurant__name")
    ordering = ("restaurant__name", "postal_code")


@admin.register(StaffMember)
class StaffMemberAdmin(RestaurantScopedAdminMixin, TranslationAdmin):
    manager_actions = frozenset({"view", "change"})
    list_display = ("user", "restaurant", "role", "is_active", "created_at")
    list_select_related = ("user", "restaurant")
    list_filter = (("restaurant", admin.RelatedOnlyFieldListFilter), "role", "is_active")
    search_fields = ("user__email", "user__first_name", "user__last_name", "restaurant__name")
    ordering = ("restaurant__name", "role", "user__last_name")
    autocomplete_fields = ("user",)
    fields = ("user", "restaurant", "role", "is_active", "photo", "bio", "created_at")

    def get_readonly_fields(self, request, obj=None):
        # A membership stays the same person's; picking a user (searching every account) is head office's.
        if obj is None:
            return ("created_at",)
        return ("user", "created_at")
