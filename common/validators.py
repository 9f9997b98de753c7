"""Checks for uploaded media: type by extension and content, and size limits."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files import File
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

IMAGE_EXTENSIONS = ("jpg", "jpeg", "png", "webp")
VIDEO_EXTENSIONS = ("mp4", "webm")
DOCUMENT_EXTENSIONS = ("pdf", "jpg", "jpeg", "png")

# The first bytes of each accepted type: a renamed file is refused.
_SIGNATURES = {
    "pdf": [b"%PDF-"],
    "png": [b"\x89PNG\r\n\x1a\n"],
    "jpg": [b"\xff\xd8\xff"],
    "jpeg": [b"\xff\xd8\xff"],
    "webp": [b"RIFF"],
    "webm": [b"\x1a\x45\xdf\xa3"],
    "mp4": [],  # checked at offset 4 below
}


@deconstructible
class MediaFileValidator:
    def __init__(self, extensions: tuple[str, ...], max_bytes: int) -> None:
        self.extensions = tuple(extensions)
        self.max_bytes = max_bytes

    def __call__(self, file: File) -> None:
        name = (getattr(file, "name", "") or "").lower()
        extension = name.rsplit(".", 1)[-1] if "." in name else ""
        if extension not in self.extensions:
            raise ValidationError(
                _("Unsupported file type. Allowed: %(extensions)s."),
                code="invalid_extension",
                params={"extensions": ", ".join(self.extensions)},
            )
        if file.size is not None and file.size > self.max_bytes:
            raise ValidationError(
                _("This file is too large (%(size)s); the limit is %(limit)s."),
                code="file_too_large",
                params={"size": filesizeformat(file.size), "limit": filesizeformat(self.max_bytes)},
            )
        # Files already stored are trusted; only new uploads are opened and sniffed.
        if getattr(file, "_committed", False):
            return
        head = _read_head(file)
        if not _looks_like(extension, head):
            raise ValidationError(
                _("The content of this file does not match its type."), code="invalid_content"
            )

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, MediaFileValidator)
            and self.extensions == other.extensions
            and self.max_bytes == other.max_bytes
        )


def _read_head(file: File) -> bytes:
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(16)
    file.seek(position)
    return head or b""


def _looks_like(extension: str, head: bytes) -> bool:
    if extension == "mp4":
        return head[4:8] == b"ftyp"
    return any(head.startswith(signature) for signature in _SIGNATURES[extension])


validate_image_file = MediaFileValidator(IMAGE_EXTENSIONS, 5 * 1024 * 1024)
validate_video_file = MediaFileValidator(VIDEO_EXTENSIONS, 50 * 1024 * 1024)
validate_document_file = MediaFileValidator(DOCUMENT_EXTENSIONS, 10 * 1024 * 1024)
