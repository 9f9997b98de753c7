"""`{% picture %}`: an uploaded picture in a page, with its renditions once they are made (common/renditions.py)."""

from __future__ import annotations

from django import template
from django.db.models.fields.files import FieldFile

from common import renditions

register = template.Library()


@register.inclusion_tag("includes/picture.html")
def picture(
    file: FieldFile,
    made_of: str,
    kind: str,
    *,
    sizes: str,
    alt: str = "",
    css_class: str = "",
    first: bool = False,
) -> dict:
    """`<picture>` with a WebP `<source>` and the JPEG/PNG `<img>` (srcset, sizes, width and height) when the
    renditions of `file` are made (`made_of` is its `<field>_renditions_of`), the original `<img>` until then.

    `sizes` says how wide the picture is shown (the CSS of its box); `first` for the one picture above the
    fold (loaded at once, first), every other one is loaded lazily.
    """
    return {
        "picture": renditions.picture(file, made_of, renditions.KINDS[kind]),
        "sizes": sizes,
        "alt": alt,
        "css_class": css_class,
        "first": first,
    }


@register.simple_tag
def poster_url(file: FieldFile, made_of: str, kind: str) -> str:
    """The poster of a video: `file`'s largest rendition once made, the original until then."""
    return renditions.largest_url(file, made_of, renditions.KINDS[kind])
