"""Admin of orders and payments: a window on them, not a way to run them.

Orders are placed, moved between statuses, paid and refunded by orders.services, so nothing here adds,
deletes or edits their status or money; only notes, contact details and the attention flag are editable.
The order list's actions move orders between statuses through orders.services.transition_order; the order
page's "Retry this refund" asks the provider again for a failed refund (orders.services.retry_refund).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common import formats
from menu.models import Extra
from orders.errors import OrderError
from orders.models import (
    Order,
    OrderLine,
    OrderLineExtra,
    OrderStatusChange,
    Payment,
    PendingChange,
    Refund,
    RefundState,
    Status,
    StripeEvent,
)
from orders.services import retry_refund, transition_order
from restaurants.admin import ReadOnlyAdminMixin, RestaurantScopedAdminMixin


def _label(model, field_name: str):
    return model._meta.get_field(field_name).verbose_name


class OrderLineDisplayMixin:
    """Shows a line's modifiers; the queryset must prefetch `extras` and `removed_ingredients`."""

    @admin.display(description=Extra._meta.verbose_name_plural)
    def extras_list(self, line: OrderLine) -> str:
        return ", ".join(f"+ {extra.name} ({formats.euros(extra.unit_price)})" for extra in line.extras.all())

    @admin.display(description=_label(OrderLine, "removed_ingredients"))
    def removed_list(self, line: OrderLine) -> str:
        return ", ".join(ingredient.name for ingredient in line.removed_ingredients.all())


class OrderLineInline(
    OrderLineDisplayMixin, ReadOnlyAdminMixin, RestaurantScopedAdminMixin, admin.TabularInline
):
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
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("extras", "removed_ingredients")


class OrderStatusChangeInline(ReadOnlyAdminMixin, RestaurantScopedAdminMixin, admin.TabularInline):
    model = OrderStatusChange
    restaurant_field = "order__restaurant"
    fields = ("created_at", "from_status", "to_status", "actor", "reason")
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order", "actor")


class PaymentInline(ReadOnlyAdminMixin, RestaurantScopedAdminMixin, admin.TabularInline):
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
    readonly_fields = fields
    show_change_link = True
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order", "recorded_by")


# -- Status moves: admin actions that go through orders.services.transition_order -----------------------


def move_orders(modeladmin: admin.ModelAdmin, request, queryset, *, to: str) -> None:
    """Move each selected order to `to` through transition_order, each in its own transaction, so one
    refusal leaves the others moved; reports the orders moved and each refusal's message."""
    moved, already = [], []
    for order in queryset.order_by("pk"):
        if order.status == to:
            already.append(order.number)
            continue
        try:
            transition_order(order=order, to=to, by=request.user)
        except OrderError as error:
            modeladmin.message_user(request, f"{order.number}: {error.message}", messages.ERROR)
        else:
            moved.append(order.number)
    label = Status(to).label
    if moved:
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d order is now “%(status)s”: %(numbers)s.",
                "%(count)d orders are now “%(status)s”: %(numbers)s.",
                len(moved),
            )
            % {"count": len(moved), "status": label, "numbers": ", ".join(moved)},
            messages.SUCCESS,
        )
    if already:
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d order was already “%(status)s”: %(numbers)s.",
                "%(count)d orders were already “%(status)s”: %(numbers)s.",
                len(already),
            )
            % {"count": len(already), "status": label, "numbers": ", ".join(already)},
            messages.INFO,
        )


def _status_action(to: str, name: str, description):
    def action(modeladmin, request, queryset) -> None:
        move_orders(modeladmin, request, queryset, to=to)

    action.__name__ = name
    # Managers hold "change" on their restaurants' orders (RestaurantScopedAdminMixin).
    return admin.action(description=description, permissions=["change"])(action)


STATUS_ACTIONS = [
    _status_action(Status.PREPARING, "start_preparing", _("Start preparing the selected orders")),
    _status_action(Status.READY, "mark_ready", _("Mark the selected orders ready")),
    _status_action(
        Status.OUT_FOR_DELIVERY, "mark_out_for_delivery", _("Mark the selected orders out for delivery")
    ),
    _status_action(Status.DELIVERED, "mark_delivered", _("Mark the selected orders delivered")),
    _status_action(Status.PICKED_UP, "mark_picked_up", _("Mark the selected orders picked up")),
]


@admin.register(Order)
class OrderAdmin(RestaurantScopedAdminMixin, admin.ModelAdmin):
    manager_actions = frozenset({"view", "change"})
    # Status moves only through the lifecycle's one door; cancelling (refunds, reasons) is staff screens' job.
    actions = STATUS_ACTIONS
    list_display = (
        "number",
        "restaurant",
        "customer_name",
        "status",
        "payment_status",
        "needs_attention",
        "total",
        "created_at",
    )
    list_select_related = ("restaurant",)
    list_filter = (
        ("restaurant", admin.RelatedOnlyFieldListFilter),
        "status",
        "channel",
        "fulfilment",
        "payment_method",
        "payment_status",
        "needs_attention",
    )
    search_fields = ("number", "customer_name", "customer_email", "customer_phone")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    editable_fields = ("needs_attention", "note", "customer_phone", "customer_email")
    fieldsets = (
        (None, {"fields": ("number", "restaurant", "status", "needs_attention", "note")}),
        (
            _("Customer"),
            {"fields": ("customer", "customer_name", "customer_phone", "customer_email", "language")},
        ),
        (
            _("Fulfilment"),
            {
                "fields": (
                    ("channel", "fulfilment"),
                    "address",
                    "delivery_street",
                    "delivery_complement",
                    ("delivery_postal_code", "delivery_city"),
                    "delivery_instructions",
                    ("requested_time", "due_at"),
                )
            },
        ),
        (
            _("Payment"),
            {
                "fields": (
                    ("payment_method", "payment_status"),
                    "payment_expires_at",
                    ("subtotal", "delivery_fee", "total"),
                    "refunds_list",
                )
            },
        ),
        (
            _("Timeline"),
            {
                "fields": (
                    ("created_at", "updated_at"),
                    ("confirmed_at", "preparing_at", "ready_at"),
                    ("out_for_delivery_at", "completed_at", "cancelled_at"),
                    ("taken_by", "prepared_by", "delivered_by"),
                )
            },
        ),
    )
    inlines = [OrderLineInline, OrderStatusChangeInline, PaymentInline]
    # Its own template only to hold the form the refunds' "Retry" buttons submit (no form inside the form).
    change_form_template = "admin/orders/order/change_form.html"

    def get_urls(self):
        retry = path(
            "<path:object_id>/refunds/<int:refund_id>/retry/",
            self.admin_site.admin_view(self.retry_refund_view),
            name="orders_order_retry_refund",
        )
        return [retry, *super().get_urls()]

    @admin.display(description=_("Refunds"))
    def refunds_list(self, order: Order) -> str:
        refunds = Refund.objects.filter(payment__order=order).order_by("created_at", "id")
        if not refunds:
            return "—"
        rows = []
        for refund in refunds:
            retry = ""
            if refund.status == RefundState.FAILED:
                retry = format_html(
                    '<button type="submit" class="button" form="retry-refund" formaction="{}">{}</button>',
                    reverse("admin:orders_order_retry_refund", args=[order.pk, refund.pk]),
                    _("Retry this refund"),
                )
            rows.append(
                (
                    date_format(timezone.localtime(refund.created_at), "SHORT_DATETIME_FORMAT"),
                    formats.euros(refund.amount),
                    refund.get_status_display(),
                    refund.reason,
                    refund.failure_message,
                    retry,
                )
            )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th></th></tr></thead>"
            "<tbody>{}</tbody></table>",
            _label(Refund, "created_at"),
            _label(Refund, "amount"),
            _label(Refund, "status"),
            _label(Refund, "reason"),
            _label(Refund, "failure_message"),
            format_html_join(
                "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows
            ),
        )

    def retry_refund_view(self, request: HttpRequest, object_id: str, refund_id: int) -> HttpResponse:
        """POST only: ask the provider again for a failed refund of this order (orders.services.retry_refund).
        The manager of the order's restaurant and head office may. An order the user does not see in the
        admin (another restaurant's; any order for staff who manage none) is a 404; should a role ever see
        orders without changing them, a 403."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        order = self.get_object(request, unquote(object_id))
        if order is None:
            raise Http404
        if not self.has_change_permission(request, order):
            raise PermissionDenied
        refund = get_object_or_404(Refund, pk=refund_id, payment__order=order)
        try:
            refund = retry_refund(refund=refund, by=request.user)
        except OrderError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            # The worker asks the provider (orders.execute_refund): the refunds list shows its answer.
            self.message_user(
                request,
                _("The refund of %(amount)s is asked again; the provider has not answered yet.")
                % {"amount": formats.euros(refund.amount)},
                messages.INFO,
            )
        return redirect("admin:orders_order_change", order.pk)

    def get_readonly_fields(self, request, obj=None):
        return [field for field in flatten_fieldsets(self.fieldsets) if field not in self.editable_fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        # Write only what this form edits: a status or payment change a service made meanwhile must stay.
        if form.changed_data:
            obj.save(update_fields=[*form.changed_data, "updated_at"])


@admin.register(OrderStatusChange)
class OrderStatusChangeAdmin(ReadOnlyAdminMixin, RestaurantScopedAdminMixin, admin.ModelAdmin):
    restaurant_field = "order__restaurant"
    list_display = ("created_at", "order", "from_status", "to_status", "actor", "reason")
    list_select_related = ("order__restaurant", "actor")
    list_filter = ("to_status", "from_status", ("order__restaurant", admin.RelatedOnlyFieldListFilter))
    search_fields = ("order__number", "reason")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")


class OrderLineExtraInline(ReadOnlyAdminMixin, RestaurantScopedAdminMixin, admin.TabularInline):
    model = OrderLineExtra
    restaurant_field = "line__order__restaurant"
    fields = ("extra", "name", "unit_price")
    readonly_fields = fields
    extra = 0


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
    search_fields = ("order__number", "product_name")
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

    @admin.display(description=_label(OrderLine, "order"), ordering="order__number")
    def order_number(self, line: OrderLine) -> str:
        return line.order.number


@admin.register(OrderLineExtra)
class OrderLineExtraAdmin(ReadOnlyAdminMixin, RestaurantScopedAdminMixin, admin.ModelAdmin):
    restaurant_field = "line__order__restaurant"
    list_display = ("order_number", "line", "name", "unit_price")
    list_select_related = ("line__order",)
    search_fields = ("line__order__number", "name")
    ordering = ("-line__order__created_at", "id")

    @admin.display(description=_label(OrderLine, "order"), ordering="line__order__number")
    def order_number(self, extra: OrderLineExtra) -> str:
        return extra.line.order.number


class RefundInline(ReadOnlyAdminMixin, RestaurantScopedAdminMixin, admin.TabularInline):
    model = Refund
    restaurant_field = "payment__order__restaurant"
    fields = ("created_at", "amount", "status", "attempts", "reason", "provider_reference", "failure_message")
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("payment__order")


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

    @admin.display(description=_label(Payment, "order"), ordering="order__number")
    def order_number(self, payment: Payment) -> str:
        return payment.order.number


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdminMixin, RestaurantScopedAdminMixin, admin.ModelAdmin):
    restaurant_field = "payment__order__restaurant"
    list_display = ("created_at", "order_number", "amount", "status", "attempts", "reason")
    list_select_related = ("payment__order",)
    list_filter = ("status", ("payment__order__restaurant", admin.RelatedOnlyFieldListFilter))
    search_fields = ("payment__order__number", "provider_reference", "idempotency_key")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")

    @admin.display(description=_label(Payment, "order"), ordering="payment__order__number")
    def order_number(self, refund: Refund) -> str:
        return refund.payment.order.number


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
