"""The order list's status moves: admin actions that go through orders.services.transition_order."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from orders.errors import OrderError
from orders.models import Status
from orders.services import transition_order


def move_orders(modeladmin: admin.ModelAdmin, request, queryset, *, to: str) -> None:
    """Move each selected order to `to` through transition_order, each in its own transaction, so one
    refusal leaves the others moved; reports the orders moved and each refusal's message."""
    moved, already = [], []
    for order in queryset.order_by("pk"):
        if order.status == to:
            already.append(order.number)
            continue
        try:
            transition_order(order=order, to=to, by=request.user)
        except OrderError as error:
            modeladmin.message_user(request, f"{order.number}: {error.message}", messages.ERROR)
        else:
            moved.append(order.number)
    label = Status(to).label
    if moved:
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d order is now “%(status)s”: %(numbers)s.",
                "%(count)d orders are now “%(status)s”: %(numbers)s.",
                len(moved),
            )
            % {"count": len(moved), "status": label, "numbers": ", ".join(moved)},
            messages.SUCCESS,
        )
    if already:
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d order was already “%(status)s”: %(numbers)s.",
                "%(count)d orders were already “%(status)s”: %(numbers)s.",
                len(already),
            )
            % {"count": len(already), "status": label, "numbers": ", ".join(already)},
            messages.INFO,
        )


def _status_action(to: str, name: str, description):
    def action(modeladmin, request, queryset) -> None:
        move_orders(modeladmin, request, queryset, to=to)

    action.__name__ = name
    # Managers hold "change" on their restaurants' orders (RestaurantScopedAdminMixin).
    return admin.action(description=description, permissions=["change"])(action)


STATUS_ACTIONS = [
    _status_action(Status.PREPARING, "start_preparing", _("Start preparing the selected orders")),
    _status_action(Status.READY, "mark_ready", _("Mark the selected orders ready")),
    _status_action(
        Status.OUT_FOR_DELIVERY, "mark_out_for_delivery", _("Mark the selected orders out for delivery")
    ),
    _status_action(Status.DELIVERED, "mark_delivered", _("Mark the selected orders delivered")),
    _status_action(Status.PICKED_UP, "mark_picked_up", _("Mark the selected orders picked up")),
]
