"""Illustrations of the demo data, drawn with Pillow: pizzas seen from above, drinks, desserts, shop fronts
and chef portraits.

Every picture is deterministic: its random choices come from a generator seeded with its name, so a second
run draws the same bytes. Pictures are drawn at twice their size and scaled down (smooth edges), then reduced
to a small palette so that each PNG stays well under 60 KB.
"""

from ocpizza.demo.images.chef import chef_png
from ocpizza.demo.images.pizzas import TOPPINGS, pizza_png
from ocpizza.demo.images.sides import dessert_png, drink_png
from ocpizza.demo.images.storefront import storefront_png

__all__ = ["TOPPINGS", "chef_png", "dessert_png", "drink_png", "pizza_png", "storefront_png"]
