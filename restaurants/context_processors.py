"""Template context of every page that concerns the staff: whether to offer the way to the staff screens."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from restaurants.models import StaffMember


def _has_staff_access(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser or getattr(request, "staff", None) is not None:
        return True
    return StaffMember.objects.active().filter(user=user, restaurant__is_active=True).exists()


def staff(request: HttpRequest) -> dict[str, object]:
    # Lazy: the query runs only when a template asks (the account menu, for signed-in users), at most once.
    return {"staff_access": SimpleLazyObject(lambda: _has_staff_access(request))}
