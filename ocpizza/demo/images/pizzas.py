"""Pizzas seen from above on a wooden peel, each topping drawn by its own drawer (TOPPINGS)."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from functools import cache

from PIL import Image, ImageDraw

from ocpizza.demo.images.canvas import (
    _SS,
    SQUARE,
    Color,
    _blob,
    _circle,
    _ellipse_points,
    _photo,
    _rect_points,
    _rng,
    _scatter,
    _shade,
)

_SAUCE: Color = (190, 45, 30)
_CREAM: Color = (246, 236, 205)
_CRUST: Color = (222, 168, 92)
_CRUST_EDGE: Color = (196, 132, 62)
_CHAR: Color = (92, 58, 30)
_CHEESE: Color = (250, 241, 210)

# --- Pizza toppings ------------------------------------------------------------------------------------------
# Each drawer paints one piece at (x, y); sizes are in supersampled pixels.

ToppingDrawer = Callable[[ImageDraw.ImageDraw, random.Random, float, float], None]


def _leaf(color: Color, length: float) -> ToppingDrawer:
    def draw_leaf(draw, rng, x, y):
        angle = rng.uniform(0, math.pi)
        draw.polygon(_ellipse_points(x, y, length, length * 0.45, angle), fill=color)
        dx, dy = math.cos(angle) * length * 0.8, math.sin(angle) * length * 0.8
        draw.line((x - dx, y - dy, x + dx, y + dy), fill=_shade(color, 0.7), width=3)

    return draw_leaf


def _slice(color: Color, radius: float) -> ToppingDrawer:
    def draw_slice(draw, rng, x, y):
        r = radius * rng.uniform(0.9, 1.1)
        _circle(draw, x, y, r, fill=color, outline=_shade(color, 0.7), width=4)
        for _ in range(5):
            sx, sy = x + rng.uniform(-r * 0.6, r * 0.6), y + rng.uniform(-r * 0.6, r * 0.6)
            _circle(draw, sx, sy, r * 0.12, fill=_shade(color, 1.3))

    return draw_slice


def _piece(color: Color, width: float, height: float) -> ToppingDrawer:
    def draw_piece(draw, rng, x, y):
        angle = rng.uniform(0, math.pi)
        w, h = width * rng.uniform(0.8, 1.2), height * rng.uniform(0.8, 1.2)
        draw.polygon(_rect_points(x, y, w, h, angle), fill=color, outline=_shade(color, 0.8))

    return draw_piece


def _lump(color: Color, radius: float, spots: Color | None = None) -> ToppingDrawer:
    def draw_lump(draw, rng, x, y):
        r = radius * rng.uniform(0.8, 1.2)
        draw.polygon(_blob(rng, x, y, r), fill=color)
        if spots:
            for _ in range(4):
                _circle(
                    draw, x + rng.uniform(-r / 2, r / 2), y + rng.uniform(-r / 2, r / 2), r * 0.15, fill=spots
                )

    return draw_lump


def _ring(outer: Color, inner: Color, radius: float, hole: float) -> ToppingDrawer:
    def draw_ring(draw, rng, x, y):
        r = radius * rng.uniform(0.9, 1.1)
        _circle(draw, x, y, r, fill=outer)
        _circle(draw, x, y, r * hole, fill=inner)

    return draw_ring


def _arc(color: Color, radius: float, width: int) -> ToppingDrawer:
    def draw_arc(draw, rng, x, y):
        start = rng.uniform(0, 360)
        draw.arc(
            (x - radius, y - radius, x + radius, y + radius), start, start + 200, fill=color, width=width
        )

    return draw_arc


def _mushroom(draw, rng, x, y):
    r = 24 * rng.uniform(0.9, 1.1)
    angle = rng.uniform(0, 360)
    draw.pieslice(
        (x - r, y - r, x + r, y + r), angle, angle + 180, fill=(214, 190, 160), outline=(150, 118, 84)
    )
    rad = math.radians(angle + 90)
    sx, sy = x + math.cos(rad) * r * 0.5, y + math.sin(rad) * r * 0.5
    draw.polygon(_rect_points(sx, sy, r * 0.5, r * 0.9, rad + math.pi / 2), fill=(232, 214, 188))


def _egg(draw, rng, x, y):
    draw.polygon(_blob(rng, x, y, 62, 0.18), fill=(252, 252, 246))
    _circle(draw, x + 6, y - 4, 26, fill=(246, 170, 28), outline=(226, 140, 20), width=3)


def _burrata(draw, rng, x, y):
    _circle(draw, x, y, 78, fill=(250, 250, 244), outline=(226, 222, 208), width=4)
    draw.arc((x - 60, y - 60, x + 60, y + 60), 200, 320, fill=(232, 228, 214), width=8)
    _circle(draw, x - 22, y - 26, 14, fill=(255, 255, 255))


def _salmon(draw, rng, x, y):
    angle = rng.uniform(0, math.pi)
    draw.polygon(_ellipse_points(x, y, 44, 18, angle), fill=(244, 128, 86))
    for k in (-1, 0, 1):
        dx, dy = -math.sin(angle) * 8 * k, math.cos(angle) * 8 * k
        ex, ey = math.cos(angle) * 30, math.sin(angle) * 30
        draw.line((x + dx - ex, y + dy - ey, x + dx + ex, y + dy + ey), fill=(252, 196, 170), width=3)


def _pepper(draw, rng, x, y):
    color = rng.choice([(46, 140, 60), (210, 40, 36), (240, 190, 30)])
    start = rng.uniform(0, 360)
    draw.arc((x - 34, y - 34, x + 34, y + 34), start, start + 110, fill=color, width=12)


def _honey(draw, rng, x, y):
    points = [(x + i * 18, y + 22 * math.sin(i * 0.9 + rng.uniform(0, 1))) for i in range(-4, 5)]
    draw.line(points, fill=(222, 160, 40), width=7, joint="curve")


def _prosciutto(draw, rng, x, y):
    angle = rng.uniform(0, math.pi)
    draw.polygon(_ellipse_points(x, y, 52, 24, angle, steps=18), fill=(206, 86, 96))
    draw.polygon(_ellipse_points(x, y, 40, 8, angle, steps=12), fill=(244, 214, 214))


def _potato(draw, rng, x, y):
    _circle(draw, x, y, 30, fill=(240, 214, 130), outline=(206, 160, 70), width=5)


def _cherry_tomato(draw, rng, x, y):
    _circle(draw, x, y, 24, fill=(214, 38, 30))
    _circle(draw, x, y, 16, fill=(236, 92, 70))
    for k in range(3):
        angle = 2 * math.pi * k / 3 + 0.4
        _circle(draw, x + math.cos(angle) * 8, y + math.sin(angle) * 8, 3, fill=(250, 220, 150))


def _pineapple(draw, rng, x, y):
    angle = rng.uniform(0, math.pi)
    draw.polygon(_rect_points(x, y, 40, 28, angle), fill=(250, 214, 70), outline=(220, 170, 40))


def _dots(color: Color, radius: float, per_point: int = 6) -> ToppingDrawer:
    def draw_dots(draw, rng, x, y):
        for _ in range(per_point):
            _circle(draw, x + rng.uniform(-40, 40), y + rng.uniform(-40, 40), radius, fill=color)

    return draw_dots


def _rocket(draw, rng, x, y):
    angle = rng.uniform(0, math.pi)
    points = []
    for i in range(12):
        t = i / 11
        along = (t - 0.5) * 70
        side = (14 if i % 2 else 6) * math.sin(math.pi * t)
        points.append((along, side))
    points += [(along, -side) for along, side in reversed(points)]
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    draw.polygon(
        [(x + a * cos_a - s * sin_a, y + a * sin_a + s * cos_a) for a, s in points], fill=(64, 128, 40)
    )


# How each ingredient looks on a pizza: (drawer, pieces per pizza). Keys are the `look` of demo ingredients.
TOPPINGS: dict[str, tuple[ToppingDrawer, int]] = {
    "basil": (_leaf((48, 130, 52), 26), 7),
    "ham": (_piece((238, 150, 150), 64, 44), 9),
    "mushroom": (_mushroom, 11),
    "olive": (_ring((36, 30, 34), (90, 70, 78), 15, 0.4), 10),
    "anchovy": (_piece((120, 96, 80), 78, 14), 7),
    "caper": (_dots((104, 128, 56), 6, 2), 12),
    "gorgonzola": (_lump((248, 246, 232), 26, spots=(96, 130, 120)), 9),
    "goat": (_ring((252, 250, 240), (238, 232, 210), 32, 0.55), 9),
    "parmesan": (_piece((244, 224, 150), 34, 10), 16),
    "honey": (_honey, 4),
    "walnut": (_lump((150, 100, 52), 14), 11),
    "reblochon": (_lump((250, 228, 150), 34, spots=(226, 170, 90)), 8),
    "potato": (_potato, 10),
    "lardon": (_piece((232, 140, 130), 26, 16), 16),
    "onion": (_arc((150, 60, 130), 26, 7), 10),
    "merguez": (_piece((150, 54, 40), 56, 22), 10),
    "pepper": (_pepper, 12),
    "egg": (_egg, 1),
    "chorizo": (_slice((196, 60, 36), 26), 12),
    "salami": (_slice((170, 30, 40), 30), 10),
    "pepperoni": (_slice((200, 44, 34), 28), 14),
    "chili_oil": (_dots((220, 80, 20), 5, 3), 10),
    "salmon": (_salmon, 9),
    "dill": (_dots((90, 150, 70), 3, 8), 8),
    "pineapple": (_pineapple, 11),
    "burrata": (_burrata, 1),
    "rocket": (_rocket, 9),
    "cherry_tomato": (_cherry_tomato, 9),
    "prosciutto": (_prosciutto, 6),
    "zucchini": (_ring((70, 130, 50), (220, 230, 170), 24, 0.8), 9),
    "aubergine": (_ring((90, 40, 90), (236, 220, 180), 26, 0.82), 8),
    "oregano": (_dots((70, 96, 40), 3, 10), 8),
}


def pizza_photo(name: str, looks: Sequence[str], *, base: str = "tomato", folded: bool = False) -> bytes:
    """A pizza seen from above on a wooden peel; `looks` lists its toppings, `base` is tomato or cream."""
    return _pizza_photo(name, tuple(looks), base, folded)


@cache
def _pizza_photo(name: str, looks: tuple[str, ...], base: str, folded: bool) -> bytes:
    rng = _rng("pizza", name)
    size = SQUARE * _SS
    image = Image.new("RGB", (size, size), (246, 238, 224))
    draw = ImageDraw.Draw(image)
    c = size / 2
    # The peel: a wooden disc with a handle, and a few grain lines.
    draw.rectangle((c - 50, c + 300, c + 50, size), fill=(170, 118, 70))
    _circle(draw, c, c, 450, fill=(186, 132, 80))
    for k in range(-4, 5):
        draw.arc(
            (c - 420, c - 420 + k * 12, c + 420, c + 420 + k * 12),
            200 + k * 3,
            250 + k * 3,
            fill=(168, 116, 66),
            width=3,
        )
    if folded:
        _draw_calzone(draw, rng, c)
        return _photo(image)
    # Crust, with the dark blisters of a hot oven, then the base.
    _circle(draw, c, c, 400, fill=_CRUST, outline=_CRUST_EDGE, width=10)
    for _ in range(22):
        angle = rng.uniform(0, 2 * math.pi)
        r = rng.uniform(368, 392)
        draw.polygon(
            _blob(rng, c + r * math.cos(angle), c + r * math.sin(angle), rng.uniform(8, 16)), fill=_CHAR
        )
    base_color = _CREAM if base == "cream" else _SAUCE
    draw.polygon(_blob(rng, c, c, 345, 0.03), fill=base_color)
    # Melted cheese in irregular patches.
    for x, y in _scatter(rng, 26, 290, c, c):
        draw.polygon(_blob(rng, x, y, rng.uniform(44, 66), 0.3), fill=_CHEESE)
    centred = [look for look in looks if TOPPINGS.get(look, (None, 0))[1] == 1]
    for look in looks:
        drawer, count = TOPPINGS.get(look, (None, 0))
        if drawer is None or count == 1:
            continue
        for x, y in _scatter(rng, count, 300, c, c):
            drawer(draw, rng, x, y)
    for look in centred:
        TOPPINGS[look][0](draw, rng, c, c)
    return _photo(image)


def _draw_calzone(draw: ImageDraw.ImageDraw, rng: random.Random, c: float) -> None:
    box = (c - 390, c - 300, c + 390, c + 480)
    draw.pieslice(box, 180, 360, fill=_CRUST, outline=_CRUST_EDGE, width=12)
    # The folded rim, pinched, and a little sauce where it opened in the oven.
    for i in range(15):
        x = c - 370 + i * 52.8
        _circle(draw, x, c + 90, 30, fill=_shade(_CRUST, 0.92), outline=_CRUST_EDGE, width=4)
    draw.polygon(_blob(rng, c + 60, c - 110, 40, 0.4), fill=_SAUCE)
    for _ in range(18):
        x, y = c + rng.uniform(-300, 300), c + rng.uniform(-230, 40)
        if ((x - c) / 390) ** 2 + ((y - c - 90) / 390) ** 2 < 0.9:
            draw.polygon(_blob(rng, x, y, rng.uniform(8, 14)), fill=_CHAR)
    for _ in range(14):
        x, y = c + rng.uniform(-280, 280), c + rng.uniform(-200, 30)
        if ((x - c) / 390) ** 2 + ((y - c - 90) / 390) ** 2 < 0.8:
            _leaf((60, 120, 50), 12)(draw, rng, x, y)
