"""Head office in the admin: send a customer who asks by phone or letter a copy of their data (emailed link),
or erase their personal data (both logged as done by head office, PrivacyRequest), and read the log of the requests answered. Superusers only."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from privacy.erasure import ErasureRefused, erase_customer
from privacy.export import ExportRefused, request_export
from privacy.models import Customer, PrivacyRequest


class HeadOfficeReadOnly(admin.ModelAdmin):
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


@admin.register(Customer)
class CustomerAdmin(HeadOfficeReadOnly):
    list_display = ("email", "first_name", "last_name", "phone", "date_joined", "last_login")
    search_fields = ("email", "first_name", "last_name", "phone")
    fields = ("email", "first_name", "last_name", "phone", "date_joined", "last_login")
    actions = ["send_data_export", "erase_personal_data"]

    def get_actions(self, request):
        # The action needs no "change" permission: head office only (has_view_permission).
        actions = super().get_actions(request)
        return actions if request.user.is_superuser else {}

    @admin.action(description=_("Send the customer a copy of their data (RGPD)"))
    def send_data_export(self, request, queryset) -> None:
        """For a customer who asks by phone: the same export as from their account, built by the worker and
        emailed to them as a link; logged with who asked it for whom."""
        for customer in queryset:
            try:
                request_export(user=customer, by=request.user)
            except ExportRefused as error:
                self.message_user(request, f"{customer.email}: {error.message}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(email)s: the copy is being built, the customer will get the link by email.")
                    % {"email": customer.email},
                    messages.SUCCESS,
                )

    @admin.action(description=_("Erase the personal data of the selected customers (RGPD)"))
    def erase_personal_data(self, request, queryset) -> None:
        for customer in queryset:
            label = customer.email
            try:
                erase_customer(user=customer, by=request.user, by_staff=True)
            except ErasureRefused as error:
                self.message_user(request, f"{label}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, _("%(email)s: erased.") % {"email": label}, messages.SUCCESS)


@admin.register(PrivacyRequest)
class PrivacyRequestAdmin(HeadOfficeReadOnly):
    list_display = ("done_at", "kind", "account_id", "by_staff", "done_by", "orders_anonymised")
    list_select_related = ("done_by",)
    list_filter = ("kind", "by_staff")
