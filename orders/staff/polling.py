"""The answer to a live board's poll (the kitchen display, the pass, the counter's list), in one place.

kitchen.js sends the version the screen shows in `X-Board-Version`; when it is still the board's, nothing is
rendered: 204, and HTMX swaps nothing. Otherwise the fragment. Never cached by a proxy (`private, no-cache`).

`render_part` renders a fragment with the view's context alone: a board's fragment uses none of what the
context processors add for whole pages (the header's cart, the account menu, the languages' links), and the
kitchen board, the most polled fragment, saves their cost on every changed poll.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.template.context_processors import csrf
from django.template.loader import get_template


def render_part(request: HttpRequest, template: str, context: dict, *, status: int = 200) -> HttpResponse:
    """The fragment `template` with `context`, the request and its CSRF token (for the fragment's forms), and
    nothing from the context processors."""
    html = get_template(template).render({**context, "request": request, **csrf(request)})
    return HttpResponse(html, status=status)


def polled_part(
    request: HttpRequest,
    *,
    version: str,
    template: str,
    context: Callable[[], dict],
    etag: bool = False,
    bare: bool = False,
) -> HttpResponse:
    """`context` is only called when the fragment is rendered. With `etag`, the version is also the
    fragment's ETag, and a browser's `If-None-Match` with it gets a 304. With `bare`, the fragment is rendered
    without the context processors (`render_part`)."""
    tag = f'"{version}"'
    if etag and request.headers.get("If-None-Match") == tag:
        response = HttpResponseNotModified()
    elif request.headers.get("X-Board-Version") == version:
        response = HttpResponse(status=204)
    else:
        response = (render_part if bare else render)(request, template, context())
    if etag:
        response["ETag"] = tag
    response["Cache-Control"] = "private, no-cache"
    return response
