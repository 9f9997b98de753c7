"""The counter screen: the restaurant's live order list, one order's page, hand-over of pick-ups and
cancellation before preparation. Taking a new order by phone or at the counter is next door:
orders.staff.counter.new_order.

Everything acts on the staff user's current restaurant (restaurants.staff.access.staff_required sets
`request.staff`): an order of another restaurant is a 404, whatever its number
(orders.staff.selectors.get_order_for_staff).
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.contrib import messages
from django.db.models import Case, Count, F, IntegerField, Max, Prefetch, Q, QuerySet, Sum, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orders.errors import OrderError
from orders.models import (
    ACTIVE_STATUSES,
    CUSTOMER_EDITABLE_STATUSES,
    Order,
    OrderLine,
    PaymentStatus,
    Provider,
    Status,
)
from orders.selectors import order_with_details
from orders.services import cancel_order, hand_over_pickup
from orders.staff.counter.forms import CancelForm
from orders.staff.polling import polled_part
from orders.staff.selectors import get_order_for_staff
from restaurants.models import Restaurant, Role
from restaurants.staff.access import staff_required
from restaurants.staff.post_redirect import refuse

COUNTER_STAFF = (Role.COUNTER,)  # managers and head office pass every role check
# Orders still to be dealt with, shown whatever the day they were placed.
OPEN_STATUSES = (Status.AWAITING_PAYMENT, *ACTIVE_STATUSES)
# The list puts first what the counter acts on: ready orders waiting for their customer.
_LIST_ORDER = [
    Status.READY,
    Status.RECEIVED,
    Status.PREPARING,
    Status.OUT_FOR_DELIVERY,
    Status.AWAITING_PAYMENT,
]
MAX_LISTED = 200
POLL_SECONDS = 5
# Orders shown late when their due time has passed.
LATE_STATUSES = (Status.RECEIVED, Status.PREPARING, Status.READY)


def _order_or_404(request: HttpRequest, number: str, *, details: bool = False) -> Order:
    """An order of the current restaurant (orders.staff.selectors.get_order_for_staff), with its lines and
    history for its page (`details`); any other is a 404, revealing nothing."""
    within = order_with_details() if details else Order.objects.select_related("restaurant")
    return get_order_for_staff(request, number, within=within)


def tracking_path(order: Order) -> str:
    return reverse("order_tracking", args=[order.number]) + f"?t={order.tracking_token}"


# ---------- The live order list ----------


def _status_filter(value: str | None) -> str:
    return value if value in Status.values else ""


def _start_of_day() -> datetime:
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


def _listed(restaurant: Restaurant) -> QuerySet[Order]:
    """Today's orders of the restaurant and its open ones, of any day."""
    return Order.objects.for_restaurant(restaurant).filter(
        Q(created_at__gte=_start_of_day()) | Q(status__in=OPEN_STATUSES)
    )


def list_version(restaurant: Restaurant, *, status: str, now: datetime | None = None) -> str:
    """A short fingerprint of what the counter's list shows: one aggregate query (how many orders, which, their
    last change, how many are late) over every listed order (the filters count them all), with the filter, the
    day and the language. A new order, a status or payment change (each moves `updated_at`), an order turning
    late or a new day changes it; the poll of an unchanged list answers 204 without rendering."""
    now = now or timezone.now()
    # Two changes within the same instant still differ: how many orders have each status, how many are paid.
    per_status = {value: Count("id", filter=Q(status=value)) for value in Status.values}
    state = _listed(restaurant).aggregate(
        count=Count("id"),
        ids=Sum("id"),
        last=Max("updated_at"),
        late=Count("id", filter=Q(status__in=LATE_STATUSES, due_at__lt=now)),
        paid=Count("id", filter=Q(payment_status=PaymentStatus.PAID)),
        **per_status,
    )
    state["last"] = state["last"].timestamp() if state["last"] else 0
    parts = (restaurant.pk, status, get_language(), _start_of_day().date(), *state.values())
    return hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).hexdigest()


def _listed_orders(
    restaurant: Restaurant, *, status: str, now: datetime | None = None
) -> tuple[list[Order], dict[str, int]]:
    """Today's orders of the restaurant and its open ones (of any day), those of `status` when given, with
    the number of each status for the filters, each marked `is_late`. Three queries: counts, orders, their
    lines."""
    now = now or timezone.now()
    listed = _listed(restaurant)
    counts = dict(listed.order_by().values_list("status").annotate(count=Count("id")))
    if status:
        listed = listed.filter(status=status)
    rank = Case(
        *[When(status=value, then=Value(position)) for position, value in enumerate(_LIST_ORDER)],
        default=Value(len(_LIST_ORDER)),
        output_field=IntegerField(),
    )
    orders = list(
        listed.annotate(rank=rank)
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))
        .order_by("rank", F("due_at").asc(nulls_last=True), "-created_at")[:MAX_LISTED]
    )
    for order in orders:
        order.is_late = order.status in LATE_STATUSES and order.due_at is not None and order.due_at < now
    return orders, counts


def _list_context(request: HttpRequest, version: str = "") -> dict:
    """The list of the screen's filter. Its version is read first: a change made while the list is read then
    shows again at the next poll, never the other way round."""
    status = _status_filter(request.GET.get("status"))
    now = timezone.now()
    version = version or list_version(request.staff.restaurant, status=status, now=now)
    orders, counts = _listed_orders(request.staff.restaurant, status=status, now=now)
    filters = [("", _("All"), sum(counts.values()))] + [
        (value, label, counts.get(value, 0))
        for value, label in Status.choices
        if counts.get(value) or value == status or value in ACTIVE_STATUSES
    ]
    return {
        "orders": orders,
        "status": status,
        "filters": filters,
        "now": now,
        "version": version,
        "poll_seconds": POLL_SECONDS,
    }


@staff_required(*COUNTER_STAFF)
@require_GET
def counter(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/counter.html", _list_context(request))


@staff_required(*COUNTER_STAFF)
@require_GET
def counter_orders(request: HttpRequest) -> HttpResponse:
    """The part of the counter screen that HTMX polls every POLL_SECONDS. When the screen already shows the
    list's version (`X-Board-Version`, sent by kitchen.js), nothing is rendered: 204, HTMX swaps nothing."""
    status = _status_filter(request.GET.get("status"))
    version = list_version(request.staff.restaurant, status=status)
    return polled_part(
        request,
        version=version,
        template="staff/includes/counter_orders.html",
        context=lambda: _list_context(request, version),
    )


@staff_required(*COUNTER_STAFF)
@require_GET
def counter_order(request: HttpRequest, number: str) -> HttpResponse:
    """One order: its lines, its customer, the tracking link to give them, and what the counter may do."""
    order = _order_or_404(request, number, details=True)
    path = tracking_path(order)
    return render(
        request,
        "staff/counter_order.html",
        {"order": order, "tracking_url": request.build_absolute_uri(path)},
    )


def _back_to_list(request: HttpRequest) -> HttpResponse:
    status = _status_filter(request.POST.get("back"))
    url = reverse("staff_counter")
    return redirect(f"{url}?status={status}" if status else url)


@staff_required(*COUNTER_STAFF)
@require_POST
def counter_hand_over(request: HttpRequest, number: str) -> HttpResponse:
    """Hand a ready pick-up over, recording cash or card when it is not paid yet (`payment`)."""
    order = _order_or_404(request, number)
    payment = request.POST.get("payment", "")
    if payment not in ("", Provider.CASH, Provider.CARD):
        return refuse(request, _("Choose cash or card."), "staff_counter_order", order.number)
    try:
        order = hand_over_pickup(order=order, by=request.user, payment=payment)
    except OrderError as error:
        return refuse(request, error.message, "staff_counter_order", order.number)
    messages.success(request, _("Order %(number)s is handed over.") % {"number": order.number})
    return _back_to_list(request)


@staff_required(*COUNTER_STAFF)
@require_http_methods(["GET", "POST"])
def counter_cancel(request: HttpRequest, number: str) -> HttpResponse:
    """Cancel an order before its preparation, with a reason; its ingredients go back to stock."""
    order = _order_or_404(request, number)
    form = CancelForm(request.POST if request.method == "POST" else None)
    status = 200
    if order.status not in CUSTOMER_EDITABLE_STATUSES:
        return refuse(
            request,
            _("This order is already being prepared and can no longer be cancelled at the counter."),
            "staff_counter_order",
            order.number,
        )
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                cancel_order(
                    order=order,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    by_customer=False,
                    before_preparation_only=True,
                )
            except OrderError as error:
                return refuse(request, error.message, "staff_counter_order", order.number)
            messages.success(request, _("Order %(number)s is cancelled.") % {"number": order.number})
            return redirect("staff_counter")
    return render(request, "staff/counter_cancel.html", {"order": order, "form": form}, status=status)
