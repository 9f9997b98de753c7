"""Renditions of uploaded pictures: each picture at the sizes the pages show it, 1x and 2x, in WebP with a
JPEG (PNG for a PNG or GIF upload) fallback, made by the worker after the upload, never in a request.

- A model whose image fields get renditions inherits `HasRenditions`, names each field's `Kind` in
  `RENDITIONS` and has, for each field, a `<field>_renditions_of` column (`made_of_field()`): the name of
  the upload whose renditions exist. Saving it with an upload whose renditions are missing defers
  `renditions.make` in the save's transaction (the upload rolls back: no job).
- The task makes the missing files (what exists is skipped), then records the upload's name in the
  column and calls the model's `renditions_made()` (the menu's models raise the catalogue version, so the
  cached pages show the renditions at once). Run again, it finds the name recorded and does nothing.
- A page asks `picture(file, made_of, kind)`: the renditions' URLs when the column matches the upload,
  else the original. Names are computed (django-imagekit's namer: the source's path and a hash of the
  processing), so a page reads no file, no storage and no extra row: the column comes with the row.

Files go through the default storage (the local folder, or S3 through django-storages).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from types import SimpleNamespace
from typing import ClassVar

from django.apps import apps
from django.core.files.storage import Storage
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _
from imagekit.cachefiles.namers import source_name_as_path
from imagekit.specs import ImageSpec
from imagekit.utils import generate
from pilkit.processors import ResizeToFill, ResizeToFit, Transpose
from procrastinate.contrib.django import app

from common.queue import RENDITIONS, RETRY_LOCAL

logger = logging.getLogger(__name__)

WEBP, JPEG, PNG = "WEBP", "JPEG", "PNG"
MIME_TYPES = {WEBP: "image/webp", JPEG: "image/jpeg", PNG: "image/png"}
# Quality for pictures seen at their size on a phone; WebP at 75 is about a third lighter than JPEG at 80.
SAVE_OPTIONS = {
    WEBP: {"quality": 75, "method": 4},
    JPEG: {"quality": 80, "optimize": True, "progressive": True},
    PNG: {"optimize": True},
}


@dataclass(frozen=True)
class Kind:
    """How one kind of picture is shown: its box (width, height) in CSS pixels, made at 1x and 2x, cropped
    to fill; with `height=None` the picture keeps its proportions (fitted to the width)."""

    name: str
    width: int
    height: int | None
    webp: bool = True
    scales: tuple[int, ...] = (1, 2)

    def boxes(self) -> list[tuple[int, int | None]]:
        """Every rendition's size in pixels: 1x, then 2x."""
        return [(self.width * s, None if self.height is None else self.height * s) for s in self.scales]


# Measured in the pages (static/css/site.css), at 1x:
# - a dish on the menu: a 96 px square on a phone, 112 px from 640 px wide;
# - a restaurant: 16:10, the whole width of a phone (about 390 px), 350 px in the home page's grid, 482 px
#   in the hero of its page on a desktop: one box of 480 px serves them all;
# - a chef: an 88 px circle;
# - a presentation video's poster: the width of the video (the whole phone, about 640 px on a desktop),
#   one size since `poster` takes one URL, in JPEG that every browser shows.
DISH = Kind("dish", 112, 112)
RESTAURANT = Kind("restaurant", 480, 300)
CHEF = Kind("chef", 88, 88)
POSTER = Kind("poster", 960, None, webp=False, scales=(1,))
KINDS = {kind.name: kind for kind in (DISH, RESTAURANT, CHEF, POSTER)}


def fallback_format(name: str) -> str:
    """JPEG for photos; PNG for a PNG or GIF upload (it may be transparent)."""
    return PNG if PurePosixPath(name).suffix.lower() in {".png", ".gif"} else JPEG


def formats_of(kind: Kind, name: str) -> list[str]:
    return [WEBP, fallback_format(name)] if kind.webp else [fallback_format(name)]


def _spec(file: FieldFile | SimpleNamespace, box: tuple[int, int | None], image_format: str) -> ImageSpec:
    width, height = box
    spec = ImageSpec(source=file)
    resize = ResizeToFit(width=width, upscale=False) if height is None else ResizeToFill(width, height)
    # Transpose first: a phone's photo is stored sideways with an EXIF orientation that renditions drop.
    spec.processors = [Transpose(), resize]
    spec.format = image_format
    spec.options = SAVE_OPTIONS[image_format]
    return spec


def rendition_name(file: FieldFile, box: tuple[int, int | None], image_format: str) -> str:
    """Where a rendition is stored: `renditions/<upload's path>/<hash of the processing>.<ext>`
    (IMAGEKIT_CACHEFILE_DIR): a new upload or new settings give new names, never a stale file."""
    return _rendition_name(file.name, box, image_format)


@functools.lru_cache(maxsize=4096)
def _rendition_name(name: str, box: tuple[int, int | None], image_format: str) -> str:
    # Kept per process: the hash pickles the whole processing, most of a picture's cost on a page (a menu's
    # cards have five renditions each). It depends on nothing but these three and the settings.
    spec = _spec(SimpleNamespace(name=name), box, image_format)
    return source_name_as_path(spec).replace("\\", "/")


# -- Pages ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    mime_type: str
    srcset: str


@dataclass(frozen=True)
class Picture:
    """What an `<img>` (in a `<picture>` when there are renditions) needs."""

    src: str
    width: int
    height: int | None
    srcset: str = ""
    sources: tuple[Source, ...] = ()


def picture(file: FieldFile, made_of: str, kind: Kind) -> Picture | None:
    """The picture to show for an upload: its renditions once made (`made_of` is the upload's name), the
    original until then. None without an upload. Reads nothing but the names: no storage call."""
    if not file:
        return None
    if made_of != file.name:
        return Picture(src=file.url, width=kind.width, height=kind.height)
    storage = file.storage
    boxes = kind.boxes()
    srcsets = {}
    for image_format in formats_of(kind, file.name):
        srcsets[image_format] = ", ".join(
            f"{storage.url(rendition_name(file, box, image_format))} {box[0]}w" for box in boxes
        )
    fallback = fallback_format(file.name)
    return Picture(
        src=storage.url(rendition_name(file, boxes[0], fallback)),
        width=kind.width,
        height=kind.height,
        srcset=srcsets[fallback],
        sources=tuple(Source(MIME_TYPES[f], srcset) for f, srcset in srcsets.items() if f != fallback),
    )


def largest_url(file: FieldFile, made_of: str, kind: Kind) -> str:
    """One URL for the picture (a video's poster, the admin's preview): its largest JPEG/PNG rendition once
    made, the original until then; "" without a file."""
    if not file:
        return ""
    if made_of != file.name:
        return file.url
    return file.storage.url(rendition_name(file, kind.boxes()[-1], fallback_format(file.name)))


# -- Models --------------------------------------------------------------------------------------------


def made_of_field() -> models.CharField:
    """The `<field>_renditions_of` column: the name of the upload whose renditions exist ("" for none)."""
    return models.CharField(
        _("renditions made of"),
        max_length=255,
        blank=True,
        editable=False,
        help_text=_("Name of the uploaded picture whose smaller copies for the pages are made."),
    )


class HasRenditions(models.Model):
    """A model with image fields that get renditions: `RENDITIONS` maps each field to its `Kind`."""

    RENDITIONS: ClassVar[dict[str, Kind]] = {}

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        """Saves, and defers the renditions of each upload that has none, in the same transaction."""
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            super().save(*args, **kwargs)
            for field in self.RENDITIONS:
                if self.renditions_missing(field):
                    defer_renditions(self, field)

    def renditions_missing(self, field: str) -> bool:
        file = getattr(self, field)
        return bool(file) and getattr(self, f"{field}_renditions_of") != file.name

    def renditions_made(self) -> None:
        """Called once new renditions are recorded: what shows the picture must be rendered again."""


def defer_renditions(instance: HasRenditions, field: str) -> None:
    make_renditions.defer(model=instance._meta.label_lower, pk=instance.pk, field=field)


def _files_to_make(file: FieldFile, kind: Kind) -> Iterator[tuple[str, ImageSpec]]:
    for image_format in formats_of(kind, file.name):
        for box in kind.boxes():
            spec = _spec(file, box, image_format)
            yield source_name_as_path(spec).replace("\\", "/"), spec


def make_files(file: FieldFile, kind: Kind) -> None:
    """Store the renditions of `file` that are missing (one that is stored already is skipped)."""
    storage: Storage = file.storage
    for name, spec in _files_to_make(file, kind):
        if storage.exists(name):
            continue
        stored = storage.save(name, generate(spec))
        if stored != name:  # another worker stored it meanwhile: keep theirs
            storage.delete(stored)


def make(instance: HasRenditions, field: str) -> bool:
    """Make the renditions of `instance.<field>` that are missing, then record them.

    Idempotent: a file already stored is skipped; an upload whose renditions are recorded is left alone.
    Returns whether it recorded new renditions (then `instance.renditions_made()` has run). A newer
    upload saved meanwhile is not marked: its own job makes its renditions.
    """
    if not instance.renditions_missing(field):
        return False
    file = getattr(instance, field)
    make_files(file, instance.RENDITIONS[field])
    model = type(instance)
    recorded = model._default_manager.filter(pk=instance.pk, **{field: file.name}).update(
        **{f"{field}_renditions_of": file.name}
    )
    if not recorded:
        return False
    setattr(instance, f"{field}_renditions_of", file.name)
    instance.renditions_made()
    logger.info("Renditions of %s made.", file.name)
    return True


# A storage that does not answer (S3) is retried: 2, 4, 8, 16 s.
@app.task(name="renditions.make", queue=RENDITIONS, retry=RETRY_LOCAL)
def make_renditions(*, model: str, pk: int, field: str) -> None:
    """The worker's side of `HasRenditions.save`: the renditions of one upload (nothing if the row is gone)."""
    instance = apps.get_model(model)._default_manager.filter(pk=pk).first()
    if instance is not None:
        make(instance, field)


def missing_renditions() -> Iterator[tuple[HasRenditions, str]]:
    """Every upload of every model whose renditions are not recorded (after a deploy, or a lost job)."""
    for model in apps.get_models():
        if not issubclass(model, HasRenditions):
            continue
        for field in model.RENDITIONS:
            rows = model._default_manager.exclude(**{field: ""}).exclude(
                **{field: models.F(f"{field}_renditions_of")}
            )
            for instance in rows.order_by("pk").iterator():
                yield instance, field
