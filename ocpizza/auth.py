"""Sign-in policy that needs to know the restaurants' staff: lives here, as `accounts` imports no other app.
And allauth's emails (sign-up confirmation, password reset...), rendered in the request and sent by the
worker. And the authentication backends (settings.AUTHENTICATION_BACKENDS): Django's and allauth's, whose
user of each signed-in request comes with whether they may open the staff screens, in the same query."""

from __future__ import annotations

import uuid

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from allauth.core import context as allauth_context
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.sites.shortcuts import get_current_site
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest

from common.prepared import Prepared
from common.tasks import send_email
from ocpizza.middleware import mark_staff_session
from restaurants.context_processors import STAFF_ACCESS_ATTRIBUTE, staff_access_exists
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

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render the email here, where its links are built from the request (as allauth does), then defer
        its sending: the request never waits for the mail server, and a failure is retried by the queue.

        Each email gets its own key: the task sends it once however often it runs.
        """
        request = allauth_context.request
        message = self.render_mail(
            template_prefix,
            email,
            {"request": request, "email": email, "current_site": get_current_site(request), **context},
        )
        html = ""
        if isinstance(message, EmailMultiAlternatives):
            html = next((content for content, kind in message.alternatives if kind == "text/html"), "")
        elif message.content_subtype == "html":
            html = message.body
        send_email.defer(
            key=f"account:{template_prefix.rsplit('/', 1)[-1]}:{uuid.uuid4().hex}",
            subject=message.subject,
            body=message.body,
            html=html,
            to=list(message.to),
            from_email=message.from_email,
        )


def _user_with_staff_access(pk: int):
    return (
        get_user_model()
        ._default_manager.annotate(**{STAFF_ACCESS_ATTRIBUTE: staff_access_exists()})
        .filter(pk=pk)
    )


_USER_WITH_STAFF_ACCESS = Prepared(_user_with_staff_access, pk=int)


class _UserWithStaffAccess:
    """`get_user` (the user of every signed-in request, from the session) reads in the same query whether the
    user has an active job at an active restaurant: the account menu's "Staff screens" link
    (restaurants.context_processors.staff) then needs no query of its own, for customers or staff. The read
    is compiled once per process (common.prepared): through the ORM it cost four times the plain user's."""

    def get_user(self, user_id):
        try:
            user = _USER_WITH_STAFF_ACCESS.first(pk=int(user_id))
        except (TypeError, ValueError):  # not a user's id
            return None
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(_UserWithStaffAccess, DjangoModelBackend):
    pass


class AuthenticationBackend(_UserWithStaffAccess, AllauthBackend):
    pass
