"""Template helpers of the staff screens."""

from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def undo_ms() -> int:
    """The undo window of the staff screens' irreversible taps (settings.STAFF_UNDO_MS), read by kitchen.js."""
    return settings.STAFF_UNDO_MS
