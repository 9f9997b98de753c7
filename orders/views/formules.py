"""Composing a formule (offers.Formule): a product chosen for each component, each with its own removals and
extras, added to the cart as one group of ordinary lines (orders.cart.Cart.add_formule).

The choices are checked by orders.services.price_lines (the composition, the products, the modifiers) and
against the restaurant's stock with the rest of the cart; a refusal re-renders the page with its reason and a
400, the cart left as it was.
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from common.parsing import whole_number
from offers.formules import FormuleOffer, offer_at
from orders.cart import Cart
from orders.cart_contents import cart_contents
from orders.errors import OrderError
from orders.services import FormulePart, LineRequest, price_lines, stock_needs
from restaurants.availability import stock_at
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
        lines = _lines_asked(request.POST, offer)
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
    held = stock_needs(cart_contents(current).priced_lines) if current.lines else {}
    needs = stock_needs(priced)
    available = stock_at(restaurant, set(needs) | set(held))
    if any(
        available.get(ingredient, 0) - held.get(ingredient, 0) < quantity
        for ingredient, quantity in needs.items()
    ):
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


def _lines_asked(post: QueryDict, offer: FormuleOffer) -> list[LineRequest]:
    """A line for each choice made (`slot-<component>-<n>` names the product; its removals and extras are
    `slot-<component>-<n>-<product>-removed` / `-extras`). A choice left empty makes no line: price_lines
    then names the component missing."""
    group = secrets.token_hex(8)
    lines = []
    for choice in offer.choices:
        for number in choice.slots():
            name = f"slot-{choice.component.pk}-{number}"
            product_id = whole_number(post.get(name))
            if product_id is None:
                continue
            removed = [whole_number(value) for value in post.getlist(f"{name}-{product_id}-removed")]
            extras = [whole_number(value) for value in post.getlist(f"{name}-{product_id}-extras")]
            if None in removed or None in extras:
                raise OrderError(_("This choice is not offered on this product."), code="bad_modifier")
            lines.append(
                LineRequest(
                    product_id=product_id,
                    quantity=1,
                    removed_ids=frozenset(removed),
                    extra_ids=frozenset(extras),
                    formule=FormulePart(
                        formule_id=offer.formule.pk, component_id=choice.component.pk, group=group
                    ),
                )
            )
    if not lines:
        first = offer.choices[0].component
        raise OrderError(
            ngettext(
                "Choose %(count)d « %(component)s » for %(formule)s.",
                "Choose %(count)d « %(component)s » for %(formule)s.",
                first.quantity,
            )
            % {"count": first.quantity, "component": first.label, "formule": offer.formule.name},
            code="formule_missing_component",
        )
    return lines


def _page(
    request: HttpRequest, restaurant: Restaurant, offer: FormuleOffer, *, error: str = "", status: int = 200
) -> HttpResponse:
    return render(
        request,
        "orders/formule_compose.html",
        {"restaurant": restaurant, "offer": offer, "error": error, "chosen": request.POST},
        status=status,
    )
