"""The parts of a page that differ per visitor, kept apart so the rest of the page can be kept and shared.

Every page marks what it shows of its visitor with `{% personal "template" name=value %}` (base.html: the
header's cart link and count, the staff's administration link, the account menus, the messages, the footer's
account links; a page may add its own, as the restaurant page's cart bar). Rendered as usual, the tag is an
`{% include … with name=value %}`. A page rendered by `render_shell` instead gets a mark in each of those
places and the list of what goes there: what is left is the same for every visitor, and can be kept
(restaurants.menu_cache keeps the restaurant page's this way, for signed-in visitors and carts). `fill` then
renders the parts for one request, with the context processors run once, and puts them in.

A page kept as a shell must show nothing of its visitor outside these parts, nor of the request's query:
the caller gives the language switch's `next` (`LANGUAGE_NEXT`, which keeps the query) as the page's path.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import caches
from django.http import HttpRequest
from django.template import Context, engines
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from common.csrf import CSRF_PLACEHOLDER

SLOTS = "personal_slots"  # in a shell's context: the list the tag appends each part to
_MARK = "<!--personal:{}-->"


@dataclass(frozen=True)
class Shell:
    """A page with a mark for each personal part, and the parts: (template, the values the tag passed)."""

    html: str
    parts: tuple[tuple[str, dict], ...]


def render_part(context: Context, template_name: str, values: dict) -> SafeString:
    """The tag: the part rendered in place, or, in a shell, its mark."""
    parts = context.get(SLOTS)
    if parts is None:
        with context.push(**values):
            return context.template.engine.get_template(template_name).render(context)
    parts.append((template_name, values))
    return mark_safe(_MARK.format(len(parts) - 1))  # noqa: S308 - a constant and a number


def render_shell(request: HttpRequest, template_name: str, context: dict) -> Shell:
    """The page `template_name` with a mark for each personal part."""
    parts: list[tuple[str, dict]] = []
    html = render_to_string(template_name, {**context, SLOTS: parts}, request=request)
    return Shell(html, tuple(parts))


def fill(shell: Shell, request: HttpRequest) -> str:
    """The shell with this request's personal parts, their forms with common.csrf's placeholder (the caller
    puts the request's token in). The context processors run once for all the parts, and the parts are kept
    per visitor (`_visitor_key`) in CACHES["personal"]: a signed-in customer browsing the menus renders their
    header once, not on every page."""
    engine = engines["django"].engine
    values: dict = {}
    for processor in engine.template_context_processors:
        values.update(processor(request))
    values["csrf_token"] = CSRF_PLACEHOLDER
    key = _visitor_key(shell, values)
    parts = caches["personal"].get(key) if key else None
    if parts is None:
        context = Context(values, autoescape=engine.autoescape)
        parts = []
        for template_name, part_values in shell.parts:
            with context.push(**part_values):
                parts.append(engine.get_template(template_name).render(context))
        if key:
            caches["personal"].set(key, parts)
    html = shell.html
    for index, part in enumerate(parts):
        html = html.replace(_MARK.format(index), part, 1)
    return html


def _visitor_key(shell: Shell, values: dict) -> str | None:
    """Everything the personal parts show of their visitor (base.html's: the language, who is signed in, their
    name, whether they may open the administration and the staff screens, what their cart holds), or None
    while messages wait for them (shown once, never kept). A part that shows more of the visitor adds it
    here."""
    if len(values["messages"]):
        return None
    user = values["user"]
    shown = (
        get_language(),
        shell.parts,
        user.pk,
        getattr(user, "first_name", ""),
        getattr(user, "email", ""),
        user.is_staff,
        bool(values.get("staff_access")),
        values.get("cart_count"),
    )
    return "visitor:" + hashlib.blake2b(repr(shown).encode(), digest_size=16).hexdigest()
