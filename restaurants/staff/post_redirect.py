"""Where a staff screen's form POST ends: on a GET of a screen (Post/Redirect/Get), whatever the outcome.

The staff screens post plain forms (their HTMX only polls). When an action is refused (the order moved on
meanwhile, someone else was first, the stock is short), the message travels with django.contrib.messages
and the browser is sent back with a 303 See Other: a reload then shows the screen again, it never re-sends
the POST.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import resolve_url


class HttpResponseSeeOther(HttpResponseRedirect):
    status_code = 303


def refuse(
    request: HttpRequest, message: str, to: str, *args, level: int = messages.ERROR
) -> HttpResponseSeeOther:
    """Say why the action was refused, and send the browser back to `to` (a URL name, with `args`, or a path)."""
    messages.add_message(request, level, message)
    return HttpResponseSeeOther(resolve_url(to, *args))
