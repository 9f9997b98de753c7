from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "SITE_URL": settings.SITE_URL,
        "DEBUG": settings.DEBUG,
        # base.html loads the analytics script only when it is configured (the CSP allows its origin then).
        "ANALYTICS_SCRIPT_URL": settings.ANALYTICS_SCRIPT_URL,
        "ANALYTICS_DOMAIN": settings.ANALYTICS_DOMAIN,
    }
