"""Head office's admin of people: users (email login, no username) and their address books."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from accounts.models import Address, User


class EmailNormalisingMixin:
    """Stores emails in lower case, as UserManager does, so the unique check catches a change of case."""

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class UserCreationForm(EmailNormalisingMixin, AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserEditForm(EmailNormalisingMixin, UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class AddressInline(admin.StackedInline):
    model = Address
    extra = 0
    fields = (("label", "deleted_at"), "street", "complement", ("postal_code", "city"), "instructions")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "phone", "language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("email", "first_name", "last_name", "phone", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active", "language", "groups")
    search_fields = ("email", "first_name", "last_name", "phone")
    ordering = ("email",)
    date_hierarchy = "date_joined"
    inlines = [AddressInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Head office types the address of the person it gives an account to: no link to click to sign in.
        if not change or "email" in form.changed_data:
            obj.confirm_email()

    def get_inlines(self, request, obj):
        # Like Django's own user admin, creation asks only for the login; addresses come on the next page.
        return self.inlines if obj else []


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ("user", "label", "street", "postal_code", "city", "deleted_at")
    list_select_related = ("user",)
    list_filter = (("deleted_at", admin.EmptyFieldListFilter), "city")
    search_fields = ("user__email", "user__last_name", "street", "postal_code", "city")
    ordering = ("user__email", "label", "id")
    autocomplete_fields = ("user",)
    readonly_fields = ("created_at",)
