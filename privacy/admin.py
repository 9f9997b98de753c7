"""Head office in the admin: erase the personal data of a customer who asks by phone or letter (logged as
done by head office, PrivacyRequest), and read the log of the requests answered. Superusers only."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from privacy.erasure import ErasureRefused, erase_customer
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
    actions = ["erase_personal_data"]

    def get_actions(self, request):
        # The action needs no "change" permission: head office only (has_view_permission).
        actions = super().get_actions(request)
        return actions if request.user.is_superuser else {}

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
