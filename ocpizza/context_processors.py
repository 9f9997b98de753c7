from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from accounts.languages import alternates, path_without_choice


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "SITE_URL": settings.SITE_URL,
        "DEBUG": settings.DEBUG,
        # base.html loads the analytics script only when it is configured (the CSP allows its origin then).
        "ANALYTICS_SCRIPT_URL": settings.ANALYTICS_SCRIPT_URL,
        "ANALYTICS_DOMAIN": settings.ANALYTICS_DOMAIN,
        # The page in each language, for base.html's <link rel="alternate" hreflang>.
        "LANGUAGE_ALTERNATES": alternates(request),
        # Where the language switch brings the reader back.
        "LANGUAGE_NEXT": path_without_choice(request),
    }
