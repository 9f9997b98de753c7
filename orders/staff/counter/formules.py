"""A formule taken by phone or at the counter: the same choices as on the website (a product for each
component, each with its removals and extras), added to the order being taken as one group of lines.

The choices are read by orders.forms_cart.formule_lines and checked by orders.services.price_lines and
against the stock with the rest of the order (orders.cart_contents.stock_can_make); a refusal shows the page
again with its reason and a 400, the order being taken left as it was.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from offers.formules import FormuleOffer, offer_at
from orders.cart_contents import cart_contents, stock_can_make
from orders.errors import OrderError
from orders.forms_cart import formule_lines
from orders.services import price_lines
from orders.staff.counter.taken import back_to_new, counter_cart
from orders.staff.counter.views import COUNTER_STAFF
from restaurants.staff.access import staff_required


@staff_required(*COUNTER_STAFF)
@require_http_methods(["GET", "POST"])
def counter_formule(request: HttpRequest, formule_id: int) -> HttpResponse:
    """The formule's choices (GET), added to the order being taken (POST). A formule the current restaurant
    does not offer now (inactive, or a component with nothing left) is a 404."""
    restaurant = request.staff.restaurant
    offer = offer_at(restaurant, formule_id)
    if offer is None:
        raise Http404("No such formule offered here now.")
    if request.method == "GET":
        return _page(request, offer)
    try:
        priced = price_lines(lines := formule_lines(request.POST, offer))
    except OrderError as error:
        return _page(request, offer, error=error.message)
    cart = counter_cart(request)
    in_order = cart_contents(cart, check_stock=False).priced_lines if cart.lines else []
    if not stock_can_make(restaurant=restaurant, cart_lines=in_order, lines=priced):
        return _page(request, offer, error=_("Not enough left to make these choices: choose other products."))
    try:
        cart.add_formule(lines)
    except ValueError:
        return _page(request, offer, error=_("Too many lines in one order."))
    cart.save(request.session)
    messages.success(
        request, _("Added: %(line)s.") % {"line": _("Formule %(name)s") % {"name": offer.formule.name}}
    )
    return back_to_new()


def _page(request: HttpRequest, offer: FormuleOffer, *, error: str = "") -> HttpResponse:
    return render(
        request,
        "staff/counter_formule.html",
        {"restaurant": request.staff.restaurant, "offer": offer, "error": error},
        status=400 if error else 200,
    )
