"""The order page: details, lines, history and payments, with its status actions and its refunds' "Retry"."""

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

from common import formats
from orders.admin.actions import STATUS_ACTIONS
from orders.admin.display import RecordInline, field_label
from orders.admin.lines import OrderLineInline
from orders.admin.payments import PaymentInline
from orders.errors import OrderError
from orders.models import Order, OrderStatusChange, Refund, RefundState
from orders.services import retry_refund
from restaurants.admin import ReadOnlyAdminMixin, RestaurantScopedAdminMixin


class OrderStatusChangeInline(RecordInline):
    model = OrderStatusChange
    restaurant_field = "order__restaurant"
    fields = ("created_at", "from_status", "to_status", "actor", "reason")
    related = ("order", "actor")


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
                    ("subtotal", "promo_code", "discount"),
                    ("delivery_fee", "total"),
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
            field_label(Refund, "created_at"),
            field_label(Refund, "amount"),
            field_label(Refund, "status"),
            field_label(Refund, "reason"),
            field_label(Refund, "failure_message"),
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
