"""Payments, refunds, pending changes and Stripe events, read-only."""

from __future__ import annotations

from django.contrib import admin

from orders.admin.display import RecordInline, order_number_column
from orders.models import Payment, PendingChange, Refund, StripeEvent
from restaurants.admin import ReadOnlyAdminMixin, RestaurantScopedAdminMixin


class PaymentInline(RecordInline):
    model = Payment
    restaurant_field = "order__restaurant"
    fields = (
        "created_at",
        "provider",
        "amount",
        "currency",
        "status",
        "provider_reference",
        "recorded_by",
        "succeeded_at",
    )
    show_change_link = True
    related = ("order", "recorded_by")


class RefundInline(RecordInline):
    model = Refund
    restaurant_field = "payment__order__restaurant"
    fields = ("created_at", "amount", "status", "attempts", "reason", "provider_reference", "failure_message")
    related = ("payment__order",)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdminMixin, RestaurantScopedAdminMixin, admin.ModelAdmin):
    restaurant_field = "order__restaurant"
    list_display = ("created_at", "order_number", "provider", "amount", "currency", "status", "succeeded_at")
    list_select_related = ("order",)
    list_filter = ("provider", "status", ("order__restaurant", admin.RelatedOnlyFieldListFilter))
    search_fields = ("order__number", "provider_reference", "provider_payment_id")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    inlines = [RefundInline]

    order_number = order_number_column("order")


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdminMixin, RestaurantScopedAdminMixin, admin.ModelAdmin):
    restaurant_field = "payment__order__restaurant"
    list_display = ("created_at", "order_number", "amount", "status", "attempts", "reason")
    list_select_related = ("payment__order",)
    list_filter = ("status", ("payment__order__restaurant", admin.RelatedOnlyFieldListFilter))
    search_fields = ("payment__order__number", "provider_reference", "idempotency_key")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")

    order_number = order_number_column("payment__order")


@admin.register(PendingChange)
class PendingChangeAdmin(ReadOnlyAdminMixin, RestaurantScopedAdminMixin, admin.ModelAdmin):
    restaurant_field = "order__restaurant"
    list_display = ("created_at", "order", "total", "applied_at", "cancelled_at")
    list_select_related = ("order__restaurant",)
    search_fields = ("order__number",)
    ordering = ("-created_at", "-id")


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Head office only: the webhook record, not tied to a restaurant."""

    list_display = ("received_at", "type", "event_id", "processed_at", "outcome")
    list_filter = ("type", ("processed_at", admin.EmptyFieldListFilter))
    search_fields = ("event_id", "type")
    date_hierarchy = "received_at"
    ordering = ("-received_at",)
