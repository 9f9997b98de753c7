"""Illustrations of the demo data, drawn with Pillow: pizzas seen from above, drinks, desserts, shop fronts
and chef portraits.

Every picture is deterministic: its random choices come from a generator seeded with its name, so a second
run draws the same bytes. Pictures are drawn at twice a small size (smooth edges), then delivered as a
camera would: a 1600x1200 JPEG of about 1 MB, with a photo's grain (noise compresses as badly as real
detail does). The pages never show them as they are: the worker makes their renditions
(common/renditions.py), and the demo's page weight is measured with them (bench/page_weight.py).
"""

from ocpizza.demo.images.chef import chef_photo
from ocpizza.demo.images.pizzas import TOPPINGS, pizza_photo
from ocpizza.demo.images.sides import dessert_photo, drink_photo
from ocpizza.demo.images.storefront import storefront_photo

__all__ = ["TOPPINGS", "chef_photo", "dessert_photo", "drink_photo", "pizza_photo", "storefront_photo"]
