"""The legal pages in the admin (head office): the company's details, and the versions of each page. A draft is
edited, then published with the action; a published version is read-only (write a new version instead)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common.admin_readonly import HeadOfficeOnlyMixin
from legal.models import CompanyDetails, LegalDocument


@admin.register(CompanyDetails)
class CompanyDetailsAdmin(HeadOfficeOnlyMixin, admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not CompanyDetails.objects.exists()


@admin.register(LegalDocument)
class LegalDocumentAdmin(HeadOfficeOnlyMixin, admin.ModelAdmin):
    list_display = ("kind", "version", "created_at", "published_at")
    list_filter = ("kind",)
    fields = ("kind", "version", "body", "published_at", "published_by")
    readonly_fields = ("version", "published_at", "published_by")
    actions = ["publish"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_published:
            return ("kind", "version", "body", "published_at", "published_by")
        if obj is not None:
            return (*self.readonly_fields, "kind")
        return self.readonly_fields

    def has_change_permission(self, request, obj=None) -> bool:
        # A published version opens read-only: the terms customers accepted never change under them.
        return super().has_change_permission(request, obj) and (obj is None or not obj.is_published)

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            # The next number of its page (the unique constraint refuses a number taken at the same instant).
            last = LegalDocument.objects.filter(kind=obj.kind).aggregate(last=Max("version"))["last"]
            obj.version = (last or 0) + 1
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Publish the selected drafts (each becomes the version in force)"))
    def publish(self, request, queryset) -> None:
        now = timezone.now()
        count = queryset.filter(published_at__isnull=True).update(published_at=now, published_by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d version published.", "%(count)d versions published.", count)
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
