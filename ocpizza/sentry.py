"""Error reports to Sentry, only when SENTRY_DSN is set (called from settings.py).

The SDK is imported only then, so the app runs without it. Reports carry no personal data and no query
string: the tracking link's `?t=` token and the like stay out of a third party's hands.
"""

from __future__ import annotations

import logging
from typing import Any

from ocpizza.logs import loggable_path

logger = logging.getLogger(__name__)

_FILTERED = "[Filtered]"


def scrub_event(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """`before_send`: drop query strings, cookies and the body of the request from an event."""
    request = event.get("request")
    if isinstance(request, dict):
        if request.get("query_string"):
            request["query_string"] = _FILTERED
        if isinstance(request.get("url"), str):
            base, _, path = request["url"].split("?", 1)[0].partition("://")
            host, slash, path = path.partition("/")
            request["url"] = (
                f"{base}://{host}{loggable_path(slash + path)}" if base and slash else request["url"]
            )
        request.pop("cookies", None)
        request.pop("data", None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            for name in list(headers):
                if name.lower() in ("cookie", "authorization", "referer", "stripe-signature"):
                    headers[name] = _FILTERED
    for crumb in (event.get("breadcrumbs") or {}).get("values", []):
        data = crumb.get("data")
        if isinstance(data, dict) and isinstance(data.get("url"), str):
            data["url"] = data["url"].split("?", 1)[0]
    return event


def init_sentry(dsn: str, *, environment: str, release: str | None, traces_sample_rate: float) -> bool:
    """Start the Sentry SDK; False (with a warning) when the package is not installed."""
    if not dsn:
        return False
    try:
        import sentry_sdk
        from sentry_sdk.integrations.django import DjangoIntegration
    except ImportError:
        logger.warning("SENTRY_DSN is set but sentry-sdk is not installed: errors are not reported.")
        return False
    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration()],
        environment=environment,
        release=release or None,
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,
        before_send=scrub_event,
        before_send_transaction=scrub_event,
    )
    return True
