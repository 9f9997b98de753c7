"""Composing a formule (offers.Formule): a product chosen for each component, each with its own removals and
extras, added to the cart as one group of ordinary lines (orders.cart.Cart.add_formule).

The choices are checked by orders.services.price_lines (the composition, the products, the modifiers) and
against the restaurant's stock with the rest of the cart; a refusal re-renders the page with its reason and a
400, the cart left as it was.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from offers.formules import FormuleOffer, offer_at
from orders.cart import Cart
from orders.cart_contents import cart_contents, stock_can_make
from orders.errors import OrderError
from orders.forms_cart import formule_lines
from orders.services import price_lines
from restaurants.models import Restaurant


@require_http_methods(["GET", "POST"])
def formule_compose(request: HttpRequest, restaurant_id: int, formule_id: int) -> HttpResponse:
    """The formule's page (GET) and its choices added to the cart (POST). A formule the restaurant cannot
    make now (a component with nothing left) is a 404."""
    restaurant = Restaurant.objects.active().filter(pk=restaurant_id).first()
    offer = offer_at(restaurant, formule_id) if restaurant is not None else None
    if offer is None:
        raise Http404("No such formule offered here now.")
    if request.method == "GET":
        return _page(request, restaurant, offer)
    try:
        lines = formule_lines(request.POST, offer)
        priced = price_lines(lines)
    except OrderError as error:
        return _page(request, restaurant, offer, error=error.message, status=400)
    current = Cart.load(request.session)
    if current.lines and not current.is_for(restaurant.pk):
        return _page(
            request,
            restaurant,
            offer,
            error=_("Your cart holds another restaurant's order: order it or empty your cart first."),
            status=400,
        )
    in_cart = cart_contents(current, check_stock=False).priced_lines if current.lines else []
    if not stock_can_make(restaurant=restaurant, cart_lines=in_cart, lines=priced):
        return _page(
            request,
            restaurant,
            offer,
            error=_("Not enough left to make these choices: choose other products."),
            status=400,
        )
    try:
        current.add_formule(lines)
    except ValueError:
        return _page(
            request, restaurant, offer, error=_("Your cart is full: check out this order first."), status=400
        )
    current.restaurant_id = restaurant.pk
    current.save(request.session)
    messages.success(request, _("Added to your cart: %(name)s.") % {"name": offer.formule.name})
    return redirect("cart")


def _page(
    request: HttpRequest, restaurant: Restaurant, offer: FormuleOffer, *, error: str = "", status: int = 200
) -> HttpResponse:
    return render(
        request,
        "orders/formule_compose.html",
        {"restaurant": restaurant, "offer": offer, "error": error, "chosen": request.POST},
        status=status,
    )
