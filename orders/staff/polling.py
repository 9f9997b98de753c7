"""The answer to a live board's poll (the kitchen display, the pass, the counter's list), in one place.

kitchen.js sends the version the screen shows in `X-Board-Version`; when it is still the board's, nothing is
rendered: 204, and HTMX swaps nothing. Otherwise the fragment. Never cached by a proxy (`private, no-cache`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import render


def polled_part(
    request: HttpRequest, *, version: str, template: str, context: Callable[[], dict], etag: bool = False
) -> HttpResponse:
    """`context` is only called when the fragment is rendered. With `etag`, the version is also the
    fragment's ETag, and a browser's `If-None-Match` with it gets a 304."""
    tag = f'"{version}"'
    if etag and request.headers.get("If-None-Match") == tag:
        response = HttpResponseNotModified()
    elif request.headers.get("X-Board-Version") == version:
        response = HttpResponse(status=204)
    else:
        response = render(request, template, context())
    if etag:
        response["ETag"] = tag
    response["Cache-Control"] = "private, no-cache"
    return response
