"""Online payment pages: the demo provider's test payment page, "pay again" after a declined payment, and the
pages Stripe Checkout sends the customer back to.

The demo page plays the part of Stripe's hosted checkout and of its confirmed webhook: "Pay" calls
orders.services.confirm_payment, "Decline" calls fail_payment. It exists only when settings.DEMO_PAYMENTS
is on. Stripe's success page proves nothing (anyone can open its address): it says the payment is being
confirmed and polls until the webhook has confirmed it. Only the order's customer may use these pages;
anyone else gets a 404 that reveals nothing.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from orders import payments
from orders.errors import OrderError
from orders.models import Order, Payment, PaymentState, Provider, Status
from orders.selectors import get_customer_order, order_with_details
from orders.services import checkout_url, confirm_payment, fail_payment, restart_online_payment


def _tracking(order: Order) -> HttpResponse:
    return redirect("order_tracking", order.number)


@login_required
@require_http_methods(["GET", "POST"])
def demo_payment(request: HttpRequest, reference: str) -> HttpResponse:
    if not settings.DEMO_PAYMENTS:
        raise Http404
    payment = get_object_or_404(
        Payment.objects.select_related("order"),
        provider=Provider.DEMO,
        provider_reference=reference,
        order__customer=request.user,
    )
    order = payment.order
    if payment.status == PaymentState.SUCCEEDED:
        messages.info(request, _("This payment is already done."))
        return _tracking(order)
    if payment.status != PaymentState.PENDING:
        messages.warning(request, _("This payment link is no longer valid."))
        return _tracking(order)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "pay":
            confirm_payment(payment=payment, provider_payment_id=f"demo_pi_{secrets.token_hex(8)}")
            messages.success(request, _("Payment accepted. Thank you!"))
            return _tracking(order)
        if action == "decline":
            fail_payment(payment=payment)
            messages.error(
                request, _("The payment was declined. Your order waits for its payment: try again.")
            )
            return _tracking(order)
    order = order_with_details().get(pk=order.pk)
    context = {"payment": payment, "order": order}
    if request.method == "POST":
        context["error"] = _("Choose to pay or to decline.")
        return render(request, "orders/demo_payment.html", context, status=400)
    return render(request, "orders/demo_payment.html", context)


@login_required
@require_POST
def order_pay(request: HttpRequest, number: str) -> HttpResponse:
    """Pay an online order again after a declined or abandoned payment: back to the provider's page."""
    if not payments.online_payment_available():
        raise Http404
    order = get_object_or_404(Order, number=number.upper(), customer=request.user)
    try:
        payment = restart_online_payment(order=order)
    except OrderError as error:
        messages.info(request, error.message)
        return _tracking(order)
    return redirect(checkout_url(payment=payment, request=request))


def _confirmed_message(request: HttpRequest, order: Order) -> None:
    if order.status == Status.CANCELLED:
        messages.warning(request, _("This order is cancelled; any amount paid for it is refunded."))
    else:
        messages.success(request, _("Payment accepted. Thank you!"))


@login_required
@require_GET
def stripe_success(request: HttpRequest, number: str) -> HttpResponse:
    """Where Stripe Checkout sends the customer after paying. Marks nothing paid: while the webhook has not
    confirmed the payment, the page says so and polls; once it has, the customer goes to the order page."""
    order = get_customer_order(request.user, number)
    if order.status != Status.AWAITING_PAYMENT:
        _confirmed_message(request, order)
        return _tracking(order)
    return render(request, "orders/payment_confirming.html", {"order": order})


@login_required
@require_GET
def stripe_success_status(request: HttpRequest, number: str) -> HttpResponse:
    """The polled part of the success page; once the order no longer awaits its payment, HTMX is told to
    go to the order page (a plain request is redirected there)."""
    order = get_customer_order(request.user, number)
    if order.status != Status.AWAITING_PAYMENT:
        _confirmed_message(request, order)
        url = reverse("order_tracking", args=[order.number])
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    return render(request, "orders/includes/payment_confirming.html", {"order": order})


@login_required
@require_GET
def stripe_cancel(request: HttpRequest, number: str) -> HttpResponse:
    """Where Stripe Checkout sends a customer who went back without paying: the order page, which offers to
    pay again until the deadline."""
    order = get_customer_order(request.user, number)
    if order.status == Status.AWAITING_PAYMENT:
        deadline = order.payment_expires_at
        if deadline:
            messages.info(
                request,
                _("The payment was not made. Your order waits for it until %(time)s.")
                % {"time": time_format(timezone.localtime(deadline), "H:i")},
            )
        else:
            messages.info(request, _("The payment was not made. Your order waits for it."))
    return _tracking(order)
