"""Who sees which rows in the admin: a manager their own restaurants' rows, head office all of them;
and the read-only admins of records that only services write.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from common.admin_readonly import ReadOnlyAdminMixin
from restaurants.models import Role, StaffMember

__all__ = ["ALL_ACTIONS", "ReadOnlyAdminMixin", "RestaurantScopedAdminMixin", "managed_restaurant_ids"]

ALL_ACTIONS = frozenset({"view", "add", "change", "delete"})


# Foreign keys whose choices are limited to a manager's restaurants: related model → its restaurant lookup.
_RESTAURANT_OF = {
    "restaurants.restaurant": "pk",
    "restaurants.stock": "restaurant",
    "orders.order": "restaurant",
}


def managed_restaurant_ids(request: HttpRequest) -> frozenset[int] | None:
    """Ids of the restaurants whose rows the admin shows to this request's user; None means all of them.

    Superusers (head office) see every restaurant; anyone else only those they actively manage.
    """
    if request.user.is_superuser:
        return None
    if not hasattr(request, "_managed_restaurant_ids"):
        memberships = StaffMember.objects.active().filter(user=request.user, role=Role.MANAGER)
        request._managed_restaurant_ids = frozenset(memberships.values_list("restaurant_id", flat=True))
    return request._managed_restaurant_ids


class RestaurantScopedAdminMixin:
    """Limits an admin (or inline) to the rows of the restaurants the user manages; superusers see all.

    `restaurant_field` is the lookup from the model to its restaurant. The manager role itself grants
    `manager_actions` on the model, on top of the user's Django permissions; an admin that overrides a
    has_<action>_permission method still has the last word. Foreign keys to a restaurant, a stock or an
    order offer only the manager's own, and another restaurant's object is a 404.
    """

    restaurant_field = "restaurant"
    manager_actions: frozenset[str] = frozenset({"view"})

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        restaurant_ids = managed_restaurant_ids(request)
        if restaurant_ids is None:
            return queryset
        return queryset.filter(**{f"{self.restaurant_field}__in": restaurant_ids})

    def get_object(self, request: HttpRequest, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None and managed_restaurant_ids(request) is not None:
            # Another restaurant's object, or none at all: the same 404 either way.
            raise Http404
        return obj

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        restaurant_ids = managed_restaurant_ids(request)
        lookup = _RESTAURANT_OF.get(db_field.related_model._meta.label_lower)
        if restaurant_ids is not None and lookup is not None:
            queryset = kwargs.get("queryset", db_field.related_model._default_manager.all())
            kwargs["queryset"] = queryset.filter(**{f"{lookup}__in": restaurant_ids})
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _granted_by_role(self, request: HttpRequest, action: str) -> bool:
        return action in self.manager_actions and bool(managed_restaurant_ids(request))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) or self._granted_by_role(request, "view")

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_view_permission(request, obj) or self._granted_by_role(request, "view")

    # Inlines pass the parent object to has_add_permission; model admins pass nothing.
    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return super().has_add_permission(request, *args) or self._granted_by_role(request, "add")

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_change_permission(request, obj) or self._granted_by_role(request, "change")

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_delete_permission(request, obj) or self._granted_by_role(request, "delete")
