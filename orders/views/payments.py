"""Online payment pages: the demo provider's test payment page, and "pay again" after a declined payment.

The demo page plays the part of Stripe's hosted checkout and of its confirmed webhook: "Pay" calls
orders.payments.confirm_payment, "Decline" calls fail_payment. It exists only when settings.DEMO_PAYMENTS
is on. Only the order's customer may use these pages; anyone else gets a 404 that reveals nothing.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from orders import payments
from orders.errors import OrderError
from orders.models import Order, Payment, PaymentState, Provider
from orders.selectors import order_with_details
from orders.services import restart_online_payment


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
            payments.confirm_payment(payment=payment, provider_payment_id=f"demo_pi_{secrets.token_hex(8)}")
            messages.success(request, _("Payment accepted. Thank you!"))
            return _tracking(order)
        if action == "decline":
            payments.fail_payment(payment=payment)
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
    provider = payments.get_provider(payment.provider)
    return redirect(provider.checkout_url(payment=payment, request=request))
