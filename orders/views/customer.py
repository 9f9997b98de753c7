"""The customer's own orders: live tracking, history, re-order, modify and cancel.

Who may do what: following an order needs its customer signed in, or its tracking token (the link of the
emails, for orders taken by phone for someone without an account). Changing it (modify, cancel, re-order)
needs its customer signed in: a token can be forwarded, and a phone order without an account is changed by
calling the restaurant. Anyone else gets a 404 that reveals nothing.
"""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orders import selectors
from orders.cart import Cart
from orders.errors import OrderError
from orders.forms_customer import CancelOrderForm, ModifyOrderForm, same_lines
from orders.models import Order, PaymentStatus, Status
from orders.reorder import reorder_lines
from orders.services import (
    cancel_order,
    checkout_url,
    modify_order,
    open_pending_change,
    products_for_pricing,
)
from orders.staff.polling import polled_part
from restaurants.models import Restaurant
from restaurants.templatetags.restaurant_extras import euros

ORDERS_PER_PAGE = 10


def _url_or_none(name: str, *args) -> str | None:
    """The URL of a page another part of the site provides, or None while it does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _status_context(request: HttpRequest, order: Order, *, timeline: bool = True) -> dict:
    """What the live part of the tracking page needs; no query beyond the estimate's. Without `timeline`, all
    but the timeline (which reads the status history), for the poll to tell whether anything changed."""
    is_customer = selectors.is_customer_of(request.user, order)
    # Money is owed online: the order awaits its payment, or a change raised its total.
    owes = order.is_paid_online and (
        order.status == Status.AWAITING_PAYMENT
        or (order.payment_status == PaymentStatus.PENDING and order.status != Status.CANCELLED)
        # A change of a paid order waiting for its difference (one query, only for such orders).
        or (order.can_be_changed_by_customer() and open_pending_change(order) is not None)
    )
    return {
        "order": order,
        "estimate": selectors.estimate(order),
        "timeline": selectors.order_timeline(order) if timeline else None,
        "live": selectors.is_active(order),
        "is_customer": is_customer,
        "can_change": is_customer and order.can_be_changed_by_customer(),
        "owes": owes,
        "pay_url": _url_or_none("order_pay", order.number) if is_customer and owes else None,
    }


@require_GET
def order_tracking(request: HttpRequest, number: str) -> HttpResponse:
    order = selectors.get_order_for_user(request, number)
    context = _status_context(request, order)
    context["refunds"] = selectors.order_refunds(order) if order.is_paid_online else []
    context["status_version"] = _status_version(context)
    return render(request, "orders/order_tracking.html", context)


def _status_version(context: dict) -> str:
    """A digest of what the live fragment shows: the same digest, the same fragment. The estimate counts to the
    minute it is shown at, and the language and today's date (times of another day show their date) count."""
    order = context["order"]
    estimate = context["estimate"]
    shown = (
        get_language(),
        timezone.localdate().isoformat(),
        order.status,
        order.payment_status,
        order.updated_at,
        order.payment_expires_at,
        order.confirmed_at,
        order.preparing_at,
        order.ready_at,
        order.out_for_delivery_at,
        order.completed_at,
        order.cancelled_at,
        *(at and at.replace(second=0, microsecond=0) for at in (estimate.ready_at, estimate.arrives_at)),
        context["is_customer"],
        context["can_change"],
        context["owes"],
    )
    return hashlib.blake2b(repr(shown).encode(), digest_size=12).hexdigest()


@require_GET
def order_status_fragment(request: HttpRequest, number: str) -> HttpResponse:
    """The part of the tracking page that HTMX polls; it stops polling once the order is finished.

    Nothing changed since the version the page shows (its `X-Board-Version` header, sent by each poll, as the
    staff boards send theirs): 204, which htmx leaves unswapped; a plain GET whose `If-None-Match` holds that
    version: 304. Either way from one query (the order's row, its restaurant's and the estimate's queue
    count), without its status history nor a render."""
    order = selectors.get_order_for_user(request, number, details=False)
    context = _status_context(request, order, timeline=False)
    version = _status_version(context)

    def rendered() -> dict:
        context["timeline"] = selectors.order_timeline(order, selectors.status_changes(order))
        context["status_version"] = version
        return context

    # The live boards' answer (orders.staff.polling): 204 to the version the page sends, 304 to a browser's
    # If-None-Match with it, else the fragment, rendered once per version (the version covers who asks: the
    # customer or a tracking link's holder); private, no-cache.
    response = polled_part(
        request,
        version=version,
        template="orders/includes/order_status.html",
        context=rendered,
        etag=True,
        shared=f"tracking:{order.pk}",
    )
    # The fragment depends on who asks and in which language.
    patch_vary_headers(response, ["Cookie", "Accept-Language", "X-Board-Version"])
    return response


@login_required
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    """The customer's orders, ORDERS_PER_PAGE a page, those under way first. A `page` that is not a number
    shows the first page; a number past the last page (or below 1) is a 404."""
    paginator = Paginator(selectors.customer_orders(request.user), ORDERS_PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except PageNotAnInteger:
        page = paginator.page(1)
    except EmptyPage as error:
        raise Http404 from error
    orders = list(page.object_list)
    return render(
        request,
        "orders/order_list.html",
        {
            "page": page,
            "live_orders": [order for order in orders if selectors.is_active(order)],
            "past_orders": [order for order in orders if not selectors.is_active(order)],
        },
    )


def _tracking(order: Order) -> HttpResponse:
    return redirect("order_tracking", order.number)


@login_required
@require_http_methods(["GET", "POST"])
def order_modify(request: HttpRequest, number: str) -> HttpResponse:
    order = selectors.get_customer_order(request.user, number, details=True)
    if request.method == "GET" and not order.can_be_changed_by_customer():
        messages.warning(request, _("This order can no longer be changed."))
        return _tracking(order)
    lines = list(order.lines.all())
    form = ModifyOrderForm(
        request.POST if request.method == "POST" else None,
        lines=lines,
        products=products_for_pricing([line.product_id for line in lines]),
        menu=selectors.menu_for_adding(order.restaurant),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if not form.is_valid():
            messages.error(request, _("Your order was not changed: please correct the errors below."))
        elif same_lines(lines, requests := form.line_requests()):
            messages.info(request, _("You changed nothing: your order stays as it was."))
            return _tracking(order)
        else:
            try:
                order = modify_order(order=order, lines=requests, by=request.user)
            except OrderError as error:
                messages.error(request, error.message)
                order.refresh_from_db(fields=["status"])
            else:
                change = open_pending_change(order)
                if change is not None:
                    # A paid order whose total rose: the change waits for the difference, paid now.
                    messages.info(
                        request,
                        _("Pay the difference of %(amount)s to confirm your change.")
                        % {"amount": euros(change.payment.amount)},
                    )
                    return redirect(checkout_url(payment=change.payment, request=request))
                messages.success(
                    request,
                    _("Your order is changed. Its new total is %(total)s.") % {"total": euros(order.total)},
                )
                return _tracking(order)
    return render(request, "orders/order_modify.html", {"order": order, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def order_cancel(request: HttpRequest, number: str) -> HttpResponse:
    order = selectors.get_customer_order(request.user, number, details=True)
    if order.status == Status.CANCELLED:
        messages.info(request, _("This order is already cancelled."))
        return _tracking(order)
    if request.method == "GET" and not order.can_be_changed_by_customer():
        messages.warning(request, _("This order is being prepared and can no longer be cancelled."))
        return _tracking(order)
    form = CancelOrderForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            was_paid = order.is_paid
            try:
                order = cancel_order(
                    order=order, by=request.user, reason=form.cleaned_data["reason"], by_customer=True
                )
            except OrderError as error:
                # Refused (too late: the kitchen started meanwhile): the page says so, with a 400.
                messages.error(request, error.message)
                order.refresh_from_db(fields=["status"])
            else:
                messages.success(request, _("Your order %(number)s is cancelled.") % {"number": order.number})
                if was_paid:
                    messages.info(request, _("The amount you paid is refunded to your card."))
                return _tracking(order)
    return render(request, "orders/order_cancel.html", {"order": order, "form": form}, status=status)


@login_required
@require_POST
def order_reorder(request: HttpRequest, number: str) -> HttpResponse:
    """Put an order's lines in the cart again, saying what can no longer be had; asks first when the cart
    holds another restaurant's products."""
    order = selectors.get_customer_order(request.user, number, details=True)
    restaurant = order.restaurant
    if not restaurant.is_active:
        messages.error(
            request,
            _("%(restaurant)s does not take orders at the moment.") % {"restaurant": restaurant.name},
        )
        return redirect("order_list")
    cart = Cart.load(request.session)
    if cart.lines and not cart.is_for(restaurant.pk) and request.POST.get("replace") != "yes":
        other = Restaurant.objects.filter(pk=cart.restaurant_id).first()
        return render(request, "orders/order_reorder.html", {"order": order, "cart_restaurant": other})
    reorder = reorder_lines(order)
    for sentence in reorder.left_out:
        messages.warning(request, sentence)
    if reorder.empty:
        messages.error(request, _("Nothing from this order can be ordered again at the moment."))
        return redirect("order_list")
    if not (cart.lines and cart.is_for(restaurant.pk)):
        cart.replace(restaurant.pk, [])
    try:
        for line in reorder.lines:
            cart.add(line)
        for formule_lines in reorder.formules:
            cart.add_formule(formule_lines)
    except ValueError:
        messages.warning(request, _("Your cart is full: some products were not added."))
    cart.save(request.session)
    messages.success(
        request,
        _("The products of order %(number)s are in your cart.") % {"number": order.number},
    )
    return redirect(_url_or_none("cart") or reverse("restaurant_detail", args=[restaurant.slug]))
