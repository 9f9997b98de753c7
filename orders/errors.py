from __future__ import annotations

from common.errors import Refusal


class OrderError(Refusal):
    """An order action that cannot be done. `code` is for code and tests; `message` is shown to people."""


class ProductUnavailable(OrderError):
    """Some products can no longer be made with the restaurant's stock; `products` names them."""

    def __init__(self, message: str, *, products: list[str]) -> None:
        super().__init__(message, code="product_unavailable")
        self.products = products


class AlreadyPlaced(OrderError):
    """This checkout was already placed (the same cart sent again); `number` is the order placed."""

    def __init__(self, message: str, *, number: str) -> None:
        super().__init__(message, code="already_placed")
        self.number = number


class CheckoutExpired(OrderError):
    """The provider let a payment's checkout expire before it was paid: this attempt failed, another may
    start (orders.services.checkout_url records it)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="checkout_expired")
