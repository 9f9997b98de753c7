"""URL helpers every app may use."""

from __future__ import annotations

from django.urls import URLResolver, include, path


def under(prefix: str, *patterns) -> URLResolver:
    """A group of URLs under one prefix (a page's or a staff screen's), written once: `include()` of
    `patterns` without a namespace, so every URL keeps its own name."""
    return path(prefix, include(list(patterns)))
