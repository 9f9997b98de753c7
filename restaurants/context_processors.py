"""Template context of every page that concerns the staff: whether to offer the way to the staff screens."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from restaurants.models import StaffMember

# Set on the user of a signed-in request by the authentication backends (ocpizza.auth), read in the same
# query as the user; a user from elsewhere (a test's, a view's) is asked with a query of its own.
STAFF_ACCESS_ATTRIBUTE = "has_staff_membership"


def _memberships():
    return StaffMember.objects.active().filter(restaurant__is_active=True)


def staff_access_exists() -> Exists:
    """Whether the user of the outer query has an active job at an active restaurant (an annotation)."""
    return Exists(_memberships().filter(user=OuterRef("pk")))


def _has_staff_access(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser or getattr(request, "staff", None) is not None:
        return True
    known = getattr(user, STAFF_ACCESS_ATTRIBUTE, None)
    if known is not None:
        return known
    return _memberships().filter(user=user).exists()


def staff(request: HttpRequest) -> dict[str, object]:
    # Lazy: evaluated only when a template asks (the account menu, for signed-in users), at most once.
    return {"staff_access": SimpleLazyObject(lambda: _has_staff_access(request))}
