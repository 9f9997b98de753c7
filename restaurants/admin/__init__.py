"""Admin of restaurants, their staff and stock, for head office and, limited to their restaurants, managers.

Stock quantities are never edited here: a stock is created, restocked, wasted or counted through
restaurants.services (see restaurants/forms.py), so the ledger always sums to the quantity.
"""

from __future__ import annotations

from restaurants.admin import restaurant, stock  # noqa: F401 (each registers its admins)
from restaurants.admin.scoping import (
    ALL_ACTIONS,
    ReadOnlyAdminMixin,
    RestaurantScopedAdminMixin,
    managed_restaurant_ids,
)

__all__ = ["ALL_ACTIONS", "ReadOnlyAdminMixin", "RestaurantScopedAdminMixin", "managed_restaurant_ids"]
