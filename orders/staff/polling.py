"""The answer to a live board's poll (the kitchen display, the pass, the counter's list), in one place.

kitchen.js sends the version the screen shows in `X-Board-Version`; when it is still the board's, nothing is
rendered: 204, and HTMX swaps nothing. Otherwise the fragment. Never cached by a proxy (`private, no-cache`).

`render_part` renders a fragment with the view's context alone: a board's fragment uses none of what the
context processors add for whole pages (the header's cart, the account menu, the languages' links), and the
kitchen board, the most polled fragment, saves their cost on every changed poll.

`shared_part` goes one step further for a board that every screen of a kind shows alike (the kitchen
display: each tablet of a station polls it): the fragment is rendered once per version and kept in the
process's memory (`CACHES["boards"]`), then served to every other poll that asks for that version. What
differs per request is kept out of the stored HTML as placeholders, filled on the way out: the CSRF token
(common.csrf, as in the kitchen's tickets and the menu's cached page) and the board's clock (`data-now`).
The customer's tracking fragment is kept the same way, per order: its version covers who asks.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime

from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.context_processors import csrf
from django.template.loader import get_template
from django.utils import timezone

from common.csrf import CSRF_PLACEHOLDER, with_csrf_token

# Stands for this request's time in a kept board's `data-now` (kitchen.js sets the screen's clock by it: a
# board rendered 50 s earlier would otherwise age its tickets 50 s late on the screen that receives it).
_NOW_PLACEHOLDER = f"now{secrets.token_hex(16)}"
_CLOCK = 'data-now="{}"'


def render_part(request: HttpRequest, template: str, context: dict, *, status: int = 200) -> HttpResponse:
    """The fragment `template` with `context`, the request and its CSRF token (for the fragment's forms), and
    nothing from the context processors."""
    html = get_template(template).render({**context, "request": request, **csrf(request)})
    return HttpResponse(html, status=status)


def _clock(now: datetime) -> str:
    return _CLOCK.format(int(now.timestamp()))


def shared_part(
    request: HttpRequest,
    *,
    key: str,
    version: str,
    template: str,
    context: Callable[[], dict],
    clock: bool = False,
    status: int = 200,
) -> HttpResponse:
    """The fragment `template` of `version`, rendered once (as `render_part` does) and kept under `key`:
    every other request for the same key and version is served from memory, with its own CSRF token and
    clock. `key` names everything the fragment shows except what its version adds (the restaurant, the
    screen, the role, the language: the version itself is not part of it), so a newer version replaces the
    older one and the kept boards are at most one per key. `version` must cover the rest of what the fragment
    shows, what it shows of the user included (the template's `request` is there for the restaurant).

    `context` is only called when the fragment is rendered. With `clock`, the fragment carries its clock
    (`data-now`, the context's `now`), which is this request's time on the way out; a fragment whose clock is
    not found exactly once is not kept (it is rendered for each request, as before)."""
    boards = caches["boards"]
    kept = boards.get(key)
    if kept is not None and kept[0] == version:
        html = kept[1]
    else:
        values = context()
        html = str(
            get_template(template).render({**values, "request": request, "csrf_token": CSRF_PLACEHOLDER})
        )
        if not clock:
            boards.set(key, (version, html))
        elif html.count(_clock(values["now"])) == 1:
            html = html.replace(_clock(values["now"]), _CLOCK.format(_NOW_PLACEHOLDER))
            boards.set(key, (version, html))
    if clock:
        html = html.replace(_CLOCK.format(_NOW_PLACEHOLDER), _clock(timezone.now()))
    if CSRF_PLACEHOLDER in html:  # a board without forms (a screen that may not cook) sets no CSRF cookie
        html = with_csrf_token(html, get_token(request))
    return HttpResponse(html, status=status)


def polled_part(
    request: HttpRequest,
    *,
    version: str,
    template: str,
    context: Callable[[], dict],
    etag: bool = False,
    bare: bool = False,
    shared: str = "",
    clock: bool = False,
) -> HttpResponse:
    """`context` is only called when the fragment is rendered. With `etag`, the version is also the
    fragment's ETag, and a browser's `If-None-Match` with it gets a 304. With `bare`, the fragment is rendered
    without the context processors (`render_part`); with `shared` (a key), it is also rendered once per
    version and kept for the other screens that poll it (`shared_part`, with its `clock`)."""
    tag = f'"{version}"'
    if etag and request.headers.get("If-None-Match") == tag:
        response = HttpResponseNotModified()
    elif request.headers.get("X-Board-Version") == version:
        response = HttpResponse(status=204)
    elif shared:
        response = shared_part(
            request, key=shared, version=version, template=template, context=context, clock=clock
        )
    else:
        response = (render_part if bare else render)(request, template, context())
    if etag:
        response["ETag"] = tag
    response["Cache-Control"] = "private, no-cache"
    return response
