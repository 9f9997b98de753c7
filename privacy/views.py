"""The customer's own rights from their account: a copy of their data (export), and "Delete my account",
confirmed by their password."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from orders.models import Order
from privacy.erasure import FINISHED, ErasureRefused, erase_customer
from privacy.export import ExportRefused, request_export
from privacy.models import DataExport


class ConfirmWithPassword(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."), code="wrong_password")
        return password


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    """GET: what deleting the account erases and keeps, and the password field; refused while an order is in
    progress. POST: the password checked, the account erased (privacy.erasure), the customer signed out."""
    user = request.user
    in_progress = Order.objects.filter(customer=user).exclude(status__in=FINISHED).exists()
    staff = user.is_staff or user.is_superuser or user.memberships.exists()
    form = ConfirmWithPassword(request.POST or None, user=user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                erase_customer(user=user, by=user, by_staff=False)
            except ErasureRefused as error:
                form.add_error(None, error.message)
            else:
                logout(request)
                messages.success(request, _("Your account and your personal data have been erased."))
                return redirect("home")
    return render(
        request,
        "privacy/account_delete.html",
        {"form": form, "in_progress": in_progress, "staff": staff},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_export(request: HttpRequest) -> HttpResponse:
    """GET: the customer's exports (being built, ready to download until they expire). POST: ask for a new one
    (privacy.export.request_export), then back here (303)."""
    if request.method == "POST":
        try:
            request_export(user=request.user)
        except ExportRefused as error:
            messages.info(request, error.message)
        else:
            messages.success(request, _("Your export is being prepared: reload this page in a moment."))
        return redirect("account_export", permanent=False)
    exports = DataExport.objects.filter(user=request.user).filter(
        Q(ready_at__isnull=True) | Q(expires_at__gt=timezone.now())
    )
    return render(request, "privacy/account_export.html", {"exports": exports})


@login_required
@require_GET
def account_export_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The ZIP of one of the customer's own exports, while it has not expired (another's, or an expired one, is
    a 404)."""
    export = get_object_or_404(
        DataExport, pk=pk, user=request.user, ready_at__isnull=False, expires_at__gt=timezone.now()
    )
    with default_storage.open(export.file_name, "rb") as file:
        content = file.read()
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="ocpizza-my-data-{export.ready_at:%Y%m%d}.zip"'
    return response
