"""The cart: a list of line requests for one restaurant, kept in the session (no database row).

It survives sign-in because allauth keeps the session data when it rotates the session key.
orders.cart_contents reads it against today's menu and the restaurant's stock.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar

from django.contrib.sessions.backends.base import SessionBase

from orders.services import (
    MAX_LINES,
    MAX_QUANTITY_PER_LINE,
    LineRequest,
)

SESSION_KEY = "cart"


def _new_salt() -> str:
    return secrets.token_hex(8)


@dataclass
class Cart:
    restaurant_id: int | None
    lines: list[LineRequest]
    # Makes `checkout_token` differ between two carts of the same content; new when the cart is cleared.
    salt: str = field(default_factory=_new_salt)
    # The promo code typed in the cart (checked again at checkout, under its lock); "" for none.
    promo_code: str = ""
    # The loyalty reward picked in the cart (orders.services.rewards; never with a promo code); None for none.
    reward_id: int | None = None
    # Where the lines live in the session; a subclass keeps another cart apart (the counter's order).
    session_key: ClassVar[str] = SESSION_KEY

    @classmethod
    def load(cls, session: SessionBase) -> Cart:
        data = session.get(cls.session_key) or {}
        lines = []
        for raw in data.get("lines", []):
            try:
                lines.append(LineRequest.from_dict(raw))
            except (KeyError, TypeError, ValueError):
                continue  # a line the code no longer understands is dropped, not a 500
        restaurant_id = data.get("restaurant_id")
        salt = data.get("salt")
        promo_code = data.get("promo_code")
        reward_id = data.get("reward_id")
        return cls(
            restaurant_id=int(restaurant_id) if restaurant_id else None,
            lines=lines,
            salt=salt if isinstance(salt, str) and salt else _new_salt(),
            promo_code=promo_code[:32] if isinstance(promo_code, str) else "",
            reward_id=reward_id if isinstance(reward_id, int) and reward_id > 0 else None,
        )

    def save(self, session: SessionBase) -> None:
        if not self.lines:
            session.pop(self.session_key, None)
            return
        session[self.session_key] = {
            "restaurant_id": self.restaurant_id,
            "lines": [line.to_dict() for line in self.lines],
            "salt": self.salt,
            "promo_code": self.promo_code,
            "reward_id": self.reward_id,
        }

    @property
    def checkout_token(self) -> str:
        """Names this cart's content for one checkout. A checkout sent again with the same cart (its answer
        lost: a connection cut, the session not saved after the commit) finds the order already placed
        instead of placing it twice; a cart changed since is a new checkout."""
        content = json.dumps(
            [self.restaurant_id, [line.to_dict() for line in self.lines], self.promo_code, self.reward_id],
            sort_keys=True,
        )
        return hashlib.sha256(f"{self.salt}:{content}".encode()).hexdigest()[:32]

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)

    def is_for(self, restaurant_id: int) -> bool:
        return self.restaurant_id == restaurant_id

    def quantity_of(self, line: LineRequest) -> int:
        """How many of this product, with these very modifiers, the cart holds already."""
        return next((existing.quantity for existing in self.lines if _same_choice(existing, line)), 0)

    def add(self, line: LineRequest) -> LineRequest:
        """Add a line, merging with an identical one (same product and modifiers). Returns the merged line."""
        for index, existing in enumerate(self.lines):
            if _same_choice(existing, line):
                merged = LineRequest(
                    product_id=line.product_id,
                    quantity=min(existing.quantity + line.quantity, MAX_QUANTITY_PER_LINE),
                    removed_ids=line.removed_ids,
                    extra_ids=line.extra_ids,
                )
                self.lines[index] = merged
                return merged
        if len(self.lines) >= MAX_LINES:
            raise ValueError("cart is full")
        self.lines.append(line)
        return line

    def add_formule(self, lines: list[LineRequest]) -> None:
        """Add a formule's component lines as one group (never merged with other lines)."""
        if len(self.lines) + len(lines) > MAX_LINES:
            raise ValueError("cart is full")
        self.lines.extend(lines)

    def set_quantity(self, index: int, quantity: int) -> None:
        if not 0 <= index < len(self.lines):
            raise IndexError(index)
        if quantity <= 0:
            del self.lines[index]
            return
        line = self.lines[index]
        self.lines[index] = LineRequest(
            product_id=line.product_id,
            quantity=min(quantity, MAX_QUANTITY_PER_LINE),
            removed_ids=line.removed_ids,
            extra_ids=line.extra_ids,
        )

    def remove(self, index: int) -> None:
        """Remove a line; a formule's component takes its whole formule with it."""
        if not 0 <= index < len(self.lines):
            raise IndexError(index)
        part = self.lines[index].formule
        if part is None:
            del self.lines[index]
            return
        self.lines = [line for line in self.lines if line.formule is None or line.formule.group != part.group]

    def replace(self, restaurant_id: int, lines: Iterable[LineRequest]) -> None:
        self.restaurant_id = restaurant_id
        self.lines = list(lines)[:MAX_LINES]

    def clear(self) -> None:
        self.restaurant_id = None
        self.lines = []
        self.salt = _new_salt()
        self.promo_code = ""
        self.reward_id = None


def _same_choice(one: LineRequest, other: LineRequest) -> bool:
    return (one.product_id, one.removed_ids, one.extra_ids, one.formule) == (
        other.product_id,
        other.removed_ids,
        other.extra_ids,
        other.formule,
    )
