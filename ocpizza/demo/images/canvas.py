"""What every demo picture is drawn with: sizes, a seeded generator, shapes, and the camera's JPEG it ends as."""

from __future__ import annotations

import io
import math
import random
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
