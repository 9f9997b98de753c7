"""Drinks and desserts: a can or a bottle with its label, a dessert on a plate."""

from __future__ import annotations

from functools import cache

from PIL import Image, ImageDraw

from ocpizza.demo.images.canvas import _SS, SQUARE, Color, _blob, _circle, _font, _photo, _rng, _shade
from ocpizza.demo.images.pizzas import _leaf


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
