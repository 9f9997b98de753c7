"""A restaurant's shop front: its facade, its sign with the name, its awning and windows."""

from __future__ import annotations

import random
from functools import cache

from PIL import Image, ImageDraw

from ocpizza.demo.images.canvas import _SS, STOREFRONT, Color, _circle, _font, _photo, _rng, _shade


def storefront_photo(name: str, *, facade: Color, awning: Color) -> bytes:
    """A shop front: stone facade with windows above, an awning, the restaurant's name on its sign."""
    return _storefront_photo(name, facade, awning)


@cache
def _storefront_photo(name: str, facade: Color, awning: Color) -> bytes:
    rng = _rng("storefront", name)
    width, height = STOREFRONT[0] * _SS, STOREFRONT[1] * _SS
    image = Image.new("RGB", (width, height), (150, 196, 230))
    draw = ImageDraw.Draw(image)
    _sky_and_upper_floor(draw, rng, width, height, facade)
    # Ground floor: dark wood shop front, sign, awning, windows with the oven's glow, door.
    shop_top, shop_bottom = 290, height - 70
    draw.rectangle((70, shop_top, width - 70, shop_bottom), fill=(34, 64, 50))
    draw.rectangle(
        (90, shop_top + 14, width - 90, shop_top + 96), fill=(24, 40, 32), outline=(196, 160, 80), width=4
    )
    draw.text((width / 2, shop_top + 56), name.upper(), font=_font(44), fill=(240, 214, 140), anchor="mm")
    awning_bottom = shop_top + 180
    _awning(draw, width, awning, top=shop_top + 108, bottom=awning_bottom)
    _windows_and_door(draw, width, top=awning_bottom + 50, bottom=shop_bottom - 30, shop_bottom=shop_bottom)
    draw.rectangle((0, height - 70, width, height), fill=(170, 166, 160))  # pavement
    for x in range(0, width, 120):
        draw.line((x, height - 70, x - 40, height), fill=(150, 146, 140), width=3)
    return _photo(image)


def _sky_and_upper_floor(
    draw: ImageDraw.ImageDraw, rng: random.Random, width: int, height: int, facade: Color
) -> None:
    for _ in range(3):  # clouds
        x, y = rng.uniform(80, width - 80), rng.uniform(20, 90)
        for dx in (-40, 0, 40):
            _circle(draw, x + dx, y + (10 if dx else 0), 34, fill=(236, 244, 250))
    draw.rectangle((40, 60, width - 40, height), fill=facade)
    draw.rectangle((30, 50, width - 30, 74), fill=_shade(facade, 0.85))  # cornice
    # Upper floor: tall French windows with balconies.
    for i in range(5):
        x = 110 + i * (width - 220) / 4
        draw.rectangle((x - 44, 110, x + 44, 250), fill=(70, 90, 110), outline=_shade(facade, 0.7), width=8)
        draw.line((x, 110, x, 250), fill=_shade(facade, 0.7), width=6)
        draw.rectangle((x - 60, 94, x + 60, 108), fill=_shade(facade, 0.8))
        draw.rectangle((x - 56, 222, x + 56, 250), outline=(40, 40, 44), width=5)
        for k in range(7):
            draw.line((x - 48 + k * 16, 224, x - 48 + k * 16, 248), fill=(40, 40, 44), width=3)


def _awning(draw: ImageDraw.ImageDraw, width: int, color: Color, *, top: float, bottom: float) -> None:
    """Stripes of the awning's colour and off-white, each with a scalloped edge."""
    stripes = 14
    stripe_width = (width - 140) / stripes
    for i in range(stripes):
        x0 = 70 + i * stripe_width
        fill = color if i % 2 == 0 else (246, 242, 232)
        draw.polygon(
            [(x0, top), (x0 + stripe_width, top), (x0 + stripe_width + 6, bottom), (x0 - 6, bottom)],
            fill=fill,
        )
        draw.pieslice((x0 - 6, bottom - 20, x0 + stripe_width + 6, bottom + 22), 0, 180, fill=fill)


def _windows_and_door(
    draw: ImageDraw.ImageDraw, width: int, *, top: float, bottom: float, shop_bottom: float
) -> None:
    door_left = width / 2 - 70
    for left, right in ((100, door_left - 30), (door_left + 170, width - 100)):
        draw.rectangle((left, top, right, bottom), fill=(250, 206, 120), outline=(196, 160, 80), width=5)
        # The wood oven at the back of the room, its mouth glowing.
        ox, oy, r = (left + right) / 2, bottom - 6, (bottom - top) * 0.62
        draw.pieslice((ox - r * 1.3, oy - r, ox + r * 1.3, oy + r), 180, 360, fill=(150, 90, 60))
        draw.pieslice(
            (ox - r * 0.5, oy - r * 0.45, ox + r * 0.5, oy + r * 0.45), 180, 360, fill=(255, 140, 40)
        )
        draw.rectangle((left + 3, bottom - 14, right - 3, bottom - 3), fill=(120, 80, 50))
        for k in range(3):
            lx = left + (k + 1) * (right - left) / 4
            draw.line((lx, top, lx, top + 30), fill=(60, 60, 60), width=3)
            _circle(draw, lx, top + 40, 10, fill=(255, 240, 190))
    draw.rectangle(
        (door_left, top - 20, door_left + 140, shop_bottom),
        fill=(20, 36, 28),
        outline=(196, 160, 80),
        width=5,
    )
    draw.rectangle((door_left + 20, top, door_left + 120, top + 170), fill=(250, 206, 120))
    _circle(draw, door_left + 116, top + 220, 7, fill=(196, 160, 80))
