from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.forms import AddressForm, ProfileForm
from accounts.languages import speak
from accounts.models import Address


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        # The account's language is the site's too: the message and the pages after it speak it.
        speak(request, user.language)
        messages.success(request, _("Your profile has been saved."))
        return redirect("profile")
    return render(request, "accounts/profile.html", {"form": form}, status=400 if form.is_bound else 200)


@login_required
def address_list(request: HttpRequest) -> HttpResponse:
    addresses = Address.objects.active().filter(user=request.user)
    return render(request, "accounts/address_list.html", {"addresses": addresses})


@login_required
def address_create(request: HttpRequest) -> HttpResponse:
    form = AddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        address = form.save(commit=False)
        address.user = request.user
        address.save()
        messages.success(request, _("Address added."))
        return redirect("address_list")
    return render(request, "accounts/address_form.html", {"form": form})


@login_required
def address_update(request: HttpRequest, pk: int) -> HttpResponse:
    # Another customer's address is a 404, not a 403: its existence is not revealed.
    address = get_object_or_404(Address.objects.active(), pk=pk, user=request.user)
    form = AddressForm(request.POST or None, instance=address)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Address saved."))
        return redirect("address_list")
    return render(request, "accounts/address_form.html", {"form": form, "address": address})


@login_required
@require_http_methods(["GET", "POST"])
def address_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation, POST deletes (softly: past orders keep the address)."""
    address = get_object_or_404(Address.objects.active(), pk=pk, user=request.user)
    if request.method == "POST":
        address.soft_delete()
        messages.success(request, _("Address deleted."))
        return redirect("address_list")
    return render(request, "accounts/address_confirm_delete.html", {"address": address})
