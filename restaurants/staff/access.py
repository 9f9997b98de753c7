"""Who may use the staff screens, and for which restaurant.

A staff user works at one or more restaurants (StaffMember: user × restaurant × role). The screens act on
the *current* restaurant, kept in the session and picked among the user's memberships; head office
(superusers) may pick any restaurant. Every staff view is wrapped in `staff_required(...)`, which checks the
role at the current restaurant on the server and puts the result on `request.staff`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django_htmx.http import HttpResponseClientRedirect

from common.prepared import Prepared
from restaurants.models import Restaurant, Role, StaffMember
from restaurants.staff.screens import registered

SESSION_KEY = "staff_restaurant_id"


@dataclass(frozen=True)
class StaffContext:
    restaurant: Restaurant
    role: str  # the role at this restaurant; "head_office" for superusers without a membership there
    restaurants: tuple[Restaurant, ...]  # every restaurant the user may switch to

    @property
    def is_head_office(self) -> bool:
        return self.role == HEAD_OFFICE

    @property
    def is_manager(self) -> bool:
        return self.role in (Role.MANAGER, HEAD_OFFICE)

    @property
    def role_label(self) -> str:
        """The role as the staff bar names it."""
        if self.is_head_office:
            return str(_("Head office"))
        return str(Role(self.role).label)

    def can(self, *roles: str) -> bool:
        """Managers and head office may do everything a role of their restaurant may do."""
        return self.is_manager or self.role in roles

    @property
    def screens(self) -> list[tuple[str, str]]:
        """(url, label) of the staff screens this role may open, for the staff navigation: those every app
        registered (restaurants.staff.screens), in their order."""
        result = []
        for screen in registered():
            if self.can(*screen.roles):
                try:
                    result.append((reverse(screen.url_name), screen.label))
                except NoReverseMatch:
                    continue
        return result


HEAD_OFFICE = "head_office"


def _memberships(user_id: int) -> QuerySet[StaffMember]:
    return (
        StaffMember.objects.active()
        .filter(restaurant__is_active=True, user=user_id)
        .select_related("restaurant")
    )


# Compiled once per process (common.prepared): building and compiling it was half of an unchanged kitchen
# poll's CPU (bench/kinds_profile.py). Still one query per request: a membership ended or a restaurant
# closed loses its access at the next request.
_MEMBERSHIPS = Prepared(_memberships, user_id=int)


def staff_context(request: HttpRequest) -> StaffContext | None:
    """The user's staff context at their current restaurant, or None for a customer. Two queries at most."""
    user = request.user
    if not user.is_authenticated:
        return None
    cached = getattr(request, "_staff_context", False)
    if cached is not False:
        return cached
    memberships = {member.restaurant_id: member for member in _MEMBERSHIPS.all(user_id=user.pk)}
    if user.is_superuser:
        restaurants = tuple(Restaurant.objects.active().order_by("city", "name"))
    else:
        restaurants = tuple(
            sorted((m.restaurant for m in memberships.values()), key=lambda r: (r.city, r.name))
        )
    context = None
    if restaurants:
        wanted = request.session.get(SESSION_KEY)
        restaurant = next((r for r in restaurants if r.pk == wanted), restaurants[0])
        member = memberships.get(restaurant.pk)
        role = member.role if member else HEAD_OFFICE
        context = StaffContext(restaurant=restaurant, role=role, restaurants=restaurants)
    request._staff_context = context
    return context


def choose_restaurant(request: HttpRequest, restaurant_id: int) -> bool:
    """Make a restaurant the current one, if the user may work there."""
    context = staff_context(request)
    if context is None or not any(r.pk == restaurant_id for r in context.restaurants):
        return False
    request.session[SESSION_KEY] = restaurant_id
    request._staff_context = False
    return True


def to_sign_in(request: HttpRequest) -> HttpResponse:
    """Where a signed-out visitor of a staff screen goes: to the sign-in page, and back afterwards.

    An HTMX request (a live board, the stock or the dashboard polling after the session ended) gets an
    HX-Redirect of the whole page to sign-in, `next` being the page the browser shows, instead of having the
    sign-in page swapped into the board; any other request a plain redirect, `next` being its own path.
    """
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(
            redirect_to_login(request.htmx.current_url_abs_path or "/")["Location"]
        )
    return redirect_to_login(request.get_full_path())


def staff_required(*roles: str) -> Callable:
    """Let through staff of the current restaurant with one of `roles` (managers and head office always).

    Signed-out visitors go to the sign-in page (`to_sign_in`, HTMX requests too); a signed-in user without
    the role gets 403.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return to_sign_in(request)
            context = staff_context(request)
            if context is None or (roles and not context.can(*roles)):
                raise PermissionDenied
            request.staff = context
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
