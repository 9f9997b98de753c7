"""What every demo picture is drawn with: sizes, a seeded generator, shapes, and the PNG it ends as."""

from __future__ import annotations

import io
import math
import random

from PIL import Image, ImageDraw, ImageFont

Color = tuple[int, int, int]
Point = tuple[float, float]

SQUARE = 480
STOREFRONT = (640, 400)
PORTRAIT = 320
_SS = 2  # supersampling factor


def _rng(*parts: object) -> random.Random:
    return random.Random(":".join(str(part) for part in parts))


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # Pillow's bundled font: the same on every machine, no system font needed.
    return ImageFont.load_default(size=size)


def _png(image: Image.Image, size: tuple[int, int], colors: int = 96) -> bytes:
    small = image.resize(size, Image.Resampling.LANCZOS)
    paletted = small.quantize(colors=colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    paletted.save(buffer, format="PNG", optimize=True)
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
