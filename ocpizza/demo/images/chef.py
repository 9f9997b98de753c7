"""Illustrated portraits of the demo's pizzaiolos."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from PIL import Image, ImageDraw

from ocpizza.demo.images.canvas import _SS, PORTRAIT, Color, _circle, _photo, _rng, _shade

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
