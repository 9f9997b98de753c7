"""What every page needs of the cart: how many items it holds, for the header. Read from the session only."""

from __future__ import annotations

from django.http import HttpRequest

from orders.cart import Cart
from orders.services import MAX_QUANTITY_PER_LINE


def cart(request: HttpRequest) -> dict[str, object]:
    # The session is loaded only when the visitor has one; the count needs no product, so no query here.
    session = getattr(request, "session", None)
    current = Cart.load(session) if session is not None else Cart(restaurant_id=None, lines=[])
    return {
        "cart_count": current.count,
        "cart_restaurant_id": current.restaurant_id,
        "cart_max_quantity": MAX_QUANTITY_PER_LINE,
    }
