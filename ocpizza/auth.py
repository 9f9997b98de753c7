"""Sign-in policy that needs to know the restaurants' staff: lives here, as `accounts` imports no other app."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from ocpizza.middleware import mark_staff_session
from restaurants.models import StaffMember


def is_staff_user(user) -> bool:
    """Head office (admin access) or anyone with an active job at a restaurant."""
    return user.is_staff or StaffMember.objects.active().filter(user=user).exists()


class AccountAdapter(DefaultAccountAdapter):
    def login(self, request: HttpRequest, user) -> None:
        super().login(request, user)
        # Every interactive sign-in goes through allauth (the admin's login page redirects to it).
        if is_staff_user(user):
            mark_staff_session(request.session)
