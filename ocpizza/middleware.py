"""Request ids and the access log; idle expiry of staff sessions; the site's own headers.

- `EdgeMiddleware` (first in MIDDLEWARE), one layer for what every request needs at the edge:
  - takes Heroku's `X-Request-ID` (or makes one), returns it in the response, tags every log record of the
    request with it, and writes one line per request:
    `method=GET path=/orders/ status=200 duration_ms=12 request_id=...`. The path only: query strings may
    carry secrets (the tracking link's `?t=`), so they are never logged;
  - GET, HEAD and POST only, for every view (the admin's and allauth's included): `TRACE`, `PUT`, `DELETE`...
    get a 405. Our own views also say which of these they take (`require_GET`...);
  - the `Permissions-Policy` header (settings.PERMISSIONS_POLICY), built once per process.
  These were three middlewares; one costs a third of the calls per request (docs/scaling.md, "The stack per
  kind of request").
- `StaffSessionIdleMiddleware` (after SessionMiddleware): a staff session (marked at login by
  `ocpizza.auth.AccountAdapter`) ends after `STAFF_SESSION_IDLE_SECONDS` without a request; customers keep
  the default session length.
- `ContentSecurityPolicyMiddleware`: django-csp's, with the one exception the admin needs.
- `MessageMiddleware`: Django's, with the message storage made only when a view or template uses it.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import asdict

from csp.constants import HEADER
from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import build_policy
from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware as DjangoMessageMiddleware
from django.contrib.messages.storage import default_storage
from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponseBase, HttpResponseNotAllowed
from django.urls import reverse
from django.utils.functional import SimpleLazyObject, empty

from ocpizza.logs import loggable_path, request_id_var

REQUEST_ID_HEADER = "X-Request-ID"
# Heroku's router sends a UUID; anything else a client sends must not be able to forge log lines.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")

access_log = logging.getLogger("ocpizza.request")


def _request_id(request: HttpRequest) -> str:
    # META rather than request.headers, which builds a dict of every header; 16 random bytes as a uuid4 has.
    incoming = request.META.get("HTTP_X_REQUEST_ID", "")
    return incoming if _VALID_REQUEST_ID.match(incoming) else os.urandom(16).hex()


ALLOWED_METHODS = ("GET", "HEAD", "POST")


class EdgeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.permissions_policy = ", ".join(
            f"{feature}=({' '.join(origins)})" for feature, origins in settings.PERMISSIONS_POLICY.items()
        )
        self.sentry = bool(settings.SENTRY_DSN)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = _request_id(request)
        request.request_id = request_id
        request_id_var.set(request_id)
        if self.sentry and "sentry_sdk" in sys.modules:
            sys.modules["sentry_sdk"].set_tag("request_id", request_id)
        started = time.perf_counter()
        if request.method in ALLOWED_METHODS:
            response = self.get_response(request)
        else:
            # No page of the site takes another method: a view that forgot its decorator, or a library's
            # view that treats any method as GET, must not answer `TRACE` or `PUT` with a page.
            response = HttpResponseNotAllowed(ALLOWED_METHODS)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        response.headers[REQUEST_ID_HEADER] = request_id
        if access_log.isEnabledFor(logging.INFO):
            access_log.info(
                "method=%s path=%s status=%s duration_ms=%d request_id=%s",
                request.method,
                loggable_path(request.path),
                response.status_code,
                round((time.perf_counter() - started) * 1000),
                request_id,
            )
        return response


def _forget_request_id(**kwargs) -> None:
    request_id_var.set("-")


# Django logs 4xx/5xx answers after the middleware has returned: the id is forgotten only once the server
# has closed the response.
request_finished.connect(_forget_request_id, dispatch_uid="ocpizza.forget_request_id")


STAFF_SESSION_KEY = "_ocpizza_staff_seen"
# The session is written at most once a minute, not on every request (the kitchen board polls).
_REFRESH_SECONDS = 60


def mark_staff_session(session, *, now: float | None = None) -> None:
    """Give this session the staff idle expiry, counted from now."""
    session[STAFF_SESSION_KEY] = int(now if now is not None else time.time())
    session.set_expiry(settings.STAFF_SESSION_IDLE_SECONDS)


class StaffSessionIdleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a session the request has read already: no extra query for anyone, none at all for customers.
        if session is None or not session.accessed or not session.get(STAFF_SESSION_KEY):
            return response
        now = time.time()
        idle = settings.STAFF_SESSION_IDLE_SECONDS
        # The login form sets its own expiry ("remember me") after the login itself: put ours back.
        stale = now - session[STAFF_SESSION_KEY] >= _REFRESH_SECONDS
        if stale or session.get("_session_expiry") != idle:
            mark_staff_session(session, now=now)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """The site's policy (settings.CONTENT_SECURITY_POLICY) everywhere; under /admin/ style attributes too.

    The admin's thumbnails and stock labels carry `style="..."` attributes. Allowed there only, and only as
    attributes (`style-src-attr`): no `<style>` element, and scripts stay as strict as everywhere else.

    The two headers are built once per process: no page uses a nonce or a per-view policy (django-csp's
    decorators), so django-csp's per-response build (a reverse() and the policy's string, twice, about a
    third of a bare request's cost: bench/stack_profile.py) would rebuild the same text every time. A
    response that does carry a per-view policy, or a request that asked for a nonce, takes django-csp's way.
    """

    _PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace", "_csp_exempt")

    def __init__(self, get_response) -> None:
        super().__init__(get_response)
        self._admin_prefix: str | None = None
        self._headers: dict[bool, str] = {}

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and self._in_admin(request):
            parts.update = {**(parts.update or {}), "style-src-attr": ["'unsafe-inline'"]}
        return parts

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        per_response = any(hasattr(response, name) for name in self._PER_RESPONSE)
        if (
            per_response
            or settings.DEBUG  # django-csp leaves Django's debug pages alone
            or getattr(request, "_csp_nonce", None) is not None
            or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            or HEADER in response
        ):
            return super().process_response(request, response)
        in_admin = self._in_admin(request)
        if in_admin not in self._headers:
            self._headers[in_admin] = build_policy(**asdict(self.get_policy_parts(request, response)))
        response[HEADER] = self._headers[in_admin]
        return response

    def _in_admin(self, request: HttpRequest) -> bool:
        if self._admin_prefix is None:
            self._admin_prefix = reverse("admin:index")
        return request.path_info.startswith(self._admin_prefix)


class MessageMiddleware(DjangoMessageMiddleware):
    """Django's, but the message storage (a cookie signer and the session's) is made when something reads
    or adds a message, not for every request: /robots.txt, the polls and the 204s never use one.
    A storage never made holds nothing to save."""

    def process_request(self, request: HttpRequest) -> None:
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        messages = getattr(request, "_messages", None)
        if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:
            return response
        return super().process_response(request, response)
