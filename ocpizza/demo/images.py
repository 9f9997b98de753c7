"""Illustrations of the demo data, drawn with Pillow: pizzas seen from above, drinks, desserts, shop fronts
and chef portraits.

Every picture is deterministic: its random choices come from a generator seeded with its name, so a second
run draws the same bytes. Pictures are drawn at twice a small size (smooth edges), then delivered as a
camera would: a 1600x1200 JPEG of about 1 MB, with a photo's grain (noise compresses as badly as real
detail does). The pages never show them as they are: the worker makes their renditions
(common/renditions.py), and the demo's page weight is measured with them (bench/page_weight.py).
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable, Sequence
from functools import cache

from PIL import Image, ImageChops, ImageDraw, ImageFont, ImageOps

Color = tuple[int, int, int]
Point = tuple[float, float]

SQUARE = 480
STOREFRONT = (640, 400)
PORTRAIT = 320
PHOTO = (1600, 1200)  # a 2-megapixel photo in 4:3, as a phone or a camera delivers it
_GRAIN = 40  # amplitude of the noise, out of 255
_QUALITY = 95
_SS = 2  # supersampling factor

_SAUCE: Color = (190, 45, 30)
_CREAM: Color = (246, 236, 205)
_CRUST: Color = (222, 168, 92)
_CRUST_EDGE: Color = (196, 132, 62)
_CHAR: Color = (92, 58, 30)
_CHEESE: Color = (250, 241, 210)


def _rng(*parts: object) -> random.Random:
    return random.Random(":".join(str(part) for part in parts))


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # Pillow's bundled font: the same on every machine, no system font needed.
    return ImageFont.load_default(size=size)


@cache
def _grain() -> Image.Image:
    """The same noise over every picture: random per channel, centred on zero by the offset in _photo."""
    noise = _rng("grain").randbytes(PHOTO[0] * PHOTO[1] * 3)
    return Image.frombytes("RGB", PHOTO, noise).point(lambda value: value * _GRAIN // 255)


def _photo(image: Image.Image) -> bytes:
    """The drawing as a camera's JPEG: 4:3 (a square padded with its background, a wide one cropped),
    PHOTO's size, with grain."""
    width, height = image.size
    if width * 3 <= height * 4:
        framed = ImageOps.pad(image, (height * 4 // 3, height), color=image.getpixel((0, 0)))
    else:
        framed = ImageOps.fit(image, (height * 4 // 3, height))
    photo = ImageChops.add(framed.resize(PHOTO, Image.Resampling.BICUBIC), _grain(), offset=-_GRAIN // 2)
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", quality=_QUALITY)
    return buffer.getvalue()


def _shade(color: Color, factor: float) -> Color:
    return tuple(max(0, min(255, round(channel * factor))) for channel in color)  # type: ignore[return-value]


def _ellipse_points(cx: float, cy: float, rx: float, ry: float, angle: float, steps: int = 24) -> list[Point]:
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    points = []
    for i in range(steps):
        t = 2 * math.pi * i / steps
        x, y = rx * math.cos(t), ry * math.sin(t)
        points.append((cx + x * cos_a - y * sin_a, cy + x * sin_a + y * cos_a))
    return points


def _rect_points(cx: float, cy: float, w: float, h: float, angle: float) -> list[Point]:
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    corners = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
    return [(cx + x * cos_a - y * sin_a, cy + x * sin_a + y * cos_a) for x, y in corners]


def _blob(rng: random.Random, cx: float, cy: float, r: float, wobble: float = 0.25) -> list[Point]:
    steps = 14
    radii = [r * (1 + rng.uniform(-wobble, wobble)) for _ in range(steps)]
    return [
        (cx + radii[i] * math.cos(2 * math.pi * i / steps), cy + radii[i] * math.sin(2 * math.pi * i / steps))
        for i in range(steps)
    ]


def _circle(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, **kwargs) -> None:
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), **kwargs)


def _scatter(rng: random.Random, count: int, radius: float, cx: float, cy: float) -> list[Point]:
    """Points spread evenly over a disc: a jittered sunflower pattern looks hand-placed but never clumps."""
    points = []
    offset = rng.uniform(0, 2 * math.pi)
    for i in range(count):
        r = radius * math.sqrt((i + 0.5) / count) * rng.uniform(0.9, 1.0)
        theta = offset + i * 2.39996 + rng.uniform(-0.25, 0.25)
        points.append((cx + r * math.cos(theta), cy + r * math.sin(theta)))
    rng.shuffle(points)
    return points


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


# --- Drinks and desserts -------------------------------------------------------------------------------------


def drink_photo(
    name: str, *, shape: str, color: Color, label: str, label_color: Color = (255, 255, 255)
) -> bytes:
    """A can or a bottle on a pastel background, with a short label."""
    return _drink_photo(name, shape, color, label, label_color)


@cache
def _drink_photo(name: str, shape: str, color: Color, label: str, label_color: Color) -> bytes:
    size = SQUARE * _SS
    background = _shade(color, 0.35) if sum(color) > 600 else tuple(min(255, 200 + ch // 5) for ch in color)
    image = Image.new("RGB", (size, size), background)  # type: ignore[arg-type]
    draw = ImageDraw.Draw(image)
    c = size / 2
    draw.ellipse((c - 230, size - 150, c + 230, size - 90), fill=_shade(background, 0.85))  # type: ignore[arg-type]
    if shape == "can":
        top, bottom, half = 170, size - 120, 170
        draw.rectangle((c - half, top, c + half, bottom), fill=color)
        draw.ellipse((c - half, bottom - 40, c + half, bottom + 40), fill=color)
        draw.ellipse(
            (c - half, top - 40, c + half, top + 40), fill=(200, 200, 206), outline=(150, 150, 158), width=6
        )
        draw.ellipse((c - 60, top - 20, c + 60, top + 10), outline=(140, 140, 148), width=6)
        draw.rectangle((c - half + 30, top + 60, c - half + 60, bottom - 40), fill=_shade(color, 1.35))
        band_top, band_bottom = top + 250, top + 420
    else:
        neck_top, shoulder, bottom, half = 110, 400, size - 110, 150
        draw.rectangle((c - 42, neck_top, c + 42, shoulder), fill=color)
        draw.polygon(
            [
                (c - 42, shoulder - 40),
                (c + 42, shoulder - 40),
                (c + half, shoulder + 110),
                (c - half, shoulder + 110),
            ],
            fill=color,
        )
        draw.rounded_rectangle((c - half, shoulder + 100, c + half, bottom), radius=40, fill=color)
        draw.rounded_rectangle(
            (c - 52, neck_top - 40, c + 52, neck_top + 10),
            radius=8,
            fill=(230, 190, 40) if shape == "beer" else (40, 40, 44),
        )
        draw.rectangle((c - half + 24, shoulder + 140, c - half + 50, bottom - 40), fill=_shade(color, 1.3))
        band_top, band_bottom = shoulder + 220, shoulder + 400
    band_half = 170 if shape == "can" else 150
    draw.rectangle((c - band_half, band_top, c + band_half, band_bottom), fill=label_color)
    font = _font(68 if len(label) <= 6 else 48)
    text_color = color if sum(label_color) > 600 else (255, 255, 255)
    draw.text((c, (band_top + band_bottom) / 2), label, font=font, fill=text_color, anchor="mm")
    return _photo(image)


def dessert_photo(name: str, *, look: str) -> bytes:
    """A dessert on a plate: tiramisu, panna cotta, chocolate fondant or cookie."""
    return _dessert_photo(name, look)


@cache
def _dessert_photo(name: str, look: str) -> bytes:
    rng = _rng("dessert", name)
    size = SQUARE * _SS
    image = Image.new("RGB", (size, size), (236, 226, 214))
    draw = ImageDraw.Draw(image)
    c = size / 2
    draw.rectangle((0, size * 0.62, size, size), fill=(190, 150, 110))  # the table
    draw.ellipse((c - 380, c + 90, c + 380, c + 330), fill=(250, 250, 250), outline=(214, 214, 214), width=6)
    draw.ellipse((c - 280, c + 140, c + 280, c + 280), fill=(240, 240, 240))
    if look == "tiramisu":
        left, right, top, bottom = c - 200, c + 200, c - 200, c + 210
        draw.rectangle(
            (left - 14, top - 30, right + 14, bottom + 10),
            fill=(226, 236, 240),
            outline=(190, 204, 212),
            width=6,
        )
        layers = [(150, 96, 52), (250, 240, 214), (150, 96, 52), (250, 240, 214)]
        height = (bottom - top) / len(layers)
        for i, color in enumerate(reversed(layers)):
            y0 = bottom - (i + 1) * height
            draw.rectangle((left, y0, right, y0 + height), fill=color)
        draw.rectangle((left, top - 14, right, top + 8), fill=(98, 56, 30))
        for _ in range(70):
            _circle(draw, rng.uniform(left, right), rng.uniform(top - 12, top + 6), 3, fill=(70, 40, 20))
    elif look == "panna_cotta":
        draw.polygon(
            [(c - 170, c + 200), (c + 170, c + 200), (c + 120, c - 80), (c - 120, c - 80)],
            fill=(252, 248, 234),
        )
        draw.ellipse((c - 120, c - 120, c + 120, c - 40), fill=(252, 248, 234))
        draw.polygon(_blob(rng, c, c - 90, 110, 0.12), fill=(176, 20, 50))
        for k in range(5):
            x = c - 100 + k * 50
            draw.rounded_rectangle(
                (x - 12, c - 90, x + 12, c - 10 + rng.uniform(0, 120)), radius=12, fill=(176, 20, 50)
            )
        _leaf((60, 150, 70), 28)(draw, rng, c + 30, c - 130)
        _circle(draw, c - 40, c - 120, 20, fill=(120, 20, 60))
    elif look == "fondant":
        draw.rectangle((c - 160, c - 60, c + 160, c + 190), fill=(78, 40, 22))
        draw.ellipse((c - 160, c + 140, c + 160, c + 240), fill=(78, 40, 22))
        draw.ellipse((c - 160, c - 110, c + 160, c - 10), fill=(98, 54, 30))
        draw.polygon(_blob(rng, c + 10, c - 60, 60, 0.3), fill=(52, 24, 12))  # molten centre
        for _ in range(90):
            _circle(draw, c + rng.uniform(-150, 150), c - 60 + rng.uniform(-45, 45), 3, fill=(250, 250, 250))
        _circle(draw, c + 200, c + 200, 26, fill=(150, 20, 50))
        _circle(draw, c + 240, c + 180, 22, fill=(70, 30, 100))
    else:  # cookie
        draw.polygon(_blob(rng, c, c + 40, 230, 0.05), fill=(214, 160, 90))
        for _ in range(20):
            x, y = c + rng.uniform(-170, 170), c + 40 + rng.uniform(-170, 170)
            if (x - c) ** 2 + (y - c - 40) ** 2 < 190**2:
                draw.polygon(_blob(rng, x, y, rng.uniform(12, 20), 0.3), fill=(70, 38, 20))
        for _ in range(6):
            x, y = c + rng.uniform(-140, 140), c + 40 + rng.uniform(-140, 140)
            draw.line(
                (x, y, x + rng.uniform(-40, 40), y + rng.uniform(-40, 40)), fill=(184, 128, 64), width=5
            )
    return _photo(image)


# --- Restaurants and staff -----------------------------------------------------------------------------------


def storefront_photo(name: str, *, facade: Color, awning: Color) -> bytes:
    """A shop front: stone facade with windows above, an awning, the restaurant's name on its sign."""
    return _storefront_photo(name, facade, awning)


@cache
def _storefront_photo(name: str, facade: Color, awning: Color) -> bytes:
    rng = _rng("storefront", name)
    width, height = STOREFRONT[0] * _SS, STOREFRONT[1] * _SS
    image = Image.new("RGB", (width, height), (150, 196, 230))
    draw = ImageDraw.Draw(image)
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
    # Ground floor: dark wood shop front, sign, awning, windows with the oven's glow, door.
    shop_top, shop_bottom = 290, height - 70
    draw.rectangle((70, shop_top, width - 70, shop_bottom), fill=(34, 64, 50))
    draw.rectangle(
        (90, shop_top + 14, width - 90, shop_top + 96), fill=(24, 40, 32), outline=(196, 160, 80), width=4
    )
    draw.text((width / 2, shop_top + 56), name.upper(), font=_font(44), fill=(240, 214, 140), anchor="mm")
    stripes = 14
    stripe_width = (width - 140) / stripes
    awning_top, awning_bottom = shop_top + 108, shop_top + 180
    for i in range(stripes):
        x0 = 70 + i * stripe_width
        color = awning if i % 2 == 0 else (246, 242, 232)
        draw.polygon(
            [
                (x0, awning_top),
                (x0 + stripe_width, awning_top),
                (x0 + stripe_width + 6, awning_bottom),
                (x0 - 6, awning_bottom),
            ],
            fill=color,
        )
        draw.pieslice(
            (x0 - 6, awning_bottom - 20, x0 + stripe_width + 6, awning_bottom + 22), 0, 180, fill=color
        )
    windows_top, windows_bottom = awning_bottom + 50, shop_bottom - 30
    door_left = width / 2 - 70
    for left, right in ((100, door_left - 30), (door_left + 170, width - 100)):
        draw.rectangle(
            (left, windows_top, right, windows_bottom), fill=(250, 206, 120), outline=(196, 160, 80), width=5
        )
        # The wood oven at the back of the room, its mouth glowing.
        ox, oy, r = (left + right) / 2, windows_bottom - 6, (windows_bottom - windows_top) * 0.62
        draw.pieslice((ox - r * 1.3, oy - r, ox + r * 1.3, oy + r), 180, 360, fill=(150, 90, 60))
        draw.pieslice(
            (ox - r * 0.5, oy - r * 0.45, ox + r * 0.5, oy + r * 0.45), 180, 360, fill=(255, 140, 40)
        )
        draw.rectangle((left + 3, windows_bottom - 14, right - 3, windows_bottom - 3), fill=(120, 80, 50))
        for k in range(3):
            lx = left + (k + 1) * (right - left) / 4
            draw.line((lx, windows_top, lx, windows_top + 30), fill=(60, 60, 60), width=3)
            _circle(draw, lx, windows_top + 40, 10, fill=(255, 240, 190))
    draw.rectangle(
        (door_left, windows_top - 20, door_left + 140, shop_bottom),
        fill=(20, 36, 28),
        outline=(196, 160, 80),
        width=5,
    )
    draw.rectangle((door_left + 20, windows_top, door_left + 120, windows_top + 170), fill=(250, 206, 120))
    _circle(draw, door_left + 116, windows_top + 220, 7, fill=(196, 160, 80))
    draw.rectangle((0, height - 70, width, height), fill=(170, 166, 160))  # pavement
    for x in range(0, width, 120):
        draw.line((x, height - 70, x - 40, height), fill=(150, 146, 140), width=3)
    return _photo(image)


_SKIN: Sequence[Color] = [(247, 214, 186), (232, 188, 150), (198, 142, 104), (150, 100, 70), (110, 72, 50)]
_HAIR: Sequence[Color] = [(40, 30, 26), (90, 60, 36), (150, 110, 60), (200, 170, 110), (120, 120, 120)]
_BACKDROPS: Sequence[Color] = [
    (190, 220, 200),
    (246, 210, 170),
    (200, 210, 240),
    (240, 200, 200),
    (230, 226, 180),
]


def chef_photo(seed: str, *, style: str = "short") -> bytes:
    """An illustrated chef's portrait: face, toque and white jacket; `style` is short, long or moustache,
    skin, hair colour and backdrop vary with `seed`."""
    return _chef_photo(seed, style)


@cache
def _chef_photo(seed: str, style: str) -> bytes:
    rng = _rng("chef", seed)
    size = PORTRAIT * _SS
    backdrop = rng.choice(_BACKDROPS)
    image = Image.new("RGB", (size, size), backdrop)
    draw = ImageDraw.Draw(image)
    c = size / 2
    skin, hair = rng.choice(_SKIN), rng.choice(_HAIR)
    long_hair = style == "long"
    # Jacket with its double row of buttons and a red neckerchief.
    draw.ellipse(
        (c - 250, size - 190, c + 250, size + 250), fill=(250, 250, 250), outline=(214, 214, 214), width=4
    )
    draw.rectangle((c - 40, size - 230, c + 40, size - 160), fill=_shade(skin, 0.92))
    draw.polygon([(c - 60, size - 175), (c + 60, size - 175), (c, size - 120)], fill=(200, 40, 40))
    for dy in (0, 50):
        for dx in (-50, 50):
            _circle(draw, c + dx, size - 80 + dy, 9, fill=(60, 60, 60))
    if long_hair:
        draw.rounded_rectangle((c - 130, c - 70, c + 130, c + 170), radius=70, fill=hair)
    draw.ellipse((c - 110, c - 90, c + 110, c + 150), fill=skin)  # face
    _circle(draw, c - 110, c + 30, 22, fill=_shade(skin, 0.95))  # ears
    _circle(draw, c + 110, c + 30, 22, fill=_shade(skin, 0.95))
    draw.chord((c - 112, c - 100, c + 112, c + 40), 180, 360, fill=hair)  # hair under the toque
    # Toque: a puffed top over a band.
    for dx, r in ((-70, 70), (70, 70), (0, 86)):
        _circle(draw, c + dx, c - 190, r, fill=(252, 252, 252), outline=(220, 220, 220), width=4)
    draw.rectangle(
        (c - 120, c - 160, c + 120, c - 70), fill=(252, 252, 252), outline=(220, 220, 220), width=4
    )
    for dx in (-60, 0, 60):
        draw.line((c + dx, c - 150, c + dx, c - 80), fill=(228, 228, 228), width=4)
    # Face: eyebrows, eyes, cheeks, nose, smile and maybe a moustache.
    for dx in (-42, 42):
        draw.line(
            (c + dx - 20, c - 2, c + dx + 20, c - 8 if dx < 0 else c - 2), fill=_shade(hair, 0.9), width=8
        )
        _circle(draw, c + dx, c + 24, 11, fill=(40, 34, 30))
        _circle(draw, c + dx + 4, c + 20, 3, fill=(255, 255, 255))
        _circle(draw, c + dx * 1.3, c + 74, 18, fill=_shade(skin, 0.9))
    draw.line((c, c + 36, c - 8, c + 70, c + 6, c + 72), fill=_shade(skin, 0.75), width=5, joint="curve")
    draw.arc((c - 44, c + 60, c + 44, c + 116), 20, 160, fill=(150, 60, 60), width=7)
    if style == "moustache":
        draw.chord((c - 56, c + 68, c + 56, c + 110), 180, 360, fill=_shade(hair, 0.9))
    return _photo(image)
