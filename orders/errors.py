from __future__ import annotations


class OrderError(Exception):
    """An order action that cannot be done. `code` is for code and tests; `message` is shown to people."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class ProductUnavailable(OrderError):
    """Some products can no longer be made with the restaurant's stock; `products` names them."""

    def __init__(self, message: str, *, products: list[str]) -> None:
        super().__init__(message, code="product_unavailable")
        self.products = products
