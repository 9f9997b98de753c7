"""The Content Security Policy, built from the configuration (read by settings.py, served by django-csp).

Pure functions of their arguments: settings.py calls them before Django is set up. docs/security.md explains
each directive.
"""

from __future__ import annotations

from urllib.parse import urlsplit

SELF = "'self'"
NONE = "'none'"
# Stripe Checkout: the checkout form's answer redirects the browser there, and Chromium applies
# `form-action` to the redirects that follow a form submission.
STRIPE_CHECKOUT = "https://checkout.stripe.com"


def origin(url: str) -> str:
    """`https://host[:port]` of a URL, or "" when it has no scheme or host."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def s3_media_origins(
    *,
    bucket: str,
    region: str | None = None,
    endpoint_url: str | None = None,
    custom_domain: str | None = None,
    addressing_style: str | None = None,
) -> list[str]:
    """Where the browser fetches media from when they are on S3: the origin of `default_storage.url()`."""
    if custom_domain:
        return [f"https://{custom_domain}"]
    if endpoint_url:
        parts = urlsplit(endpoint_url)
        path_style = f"{parts.scheme}://{parts.netloc}"
        virtual_style = f"{parts.scheme}://{bucket}.{parts.netloc}"
        if addressing_style == "path":
            return [path_style]
        if addressing_style == "virtual":
            return [virtual_style]
        return [path_style, virtual_style]
    if addressing_style == "path":
        return [f"https://s3.{region}.amazonaws.com" if region else "https://s3.amazonaws.com"]
    if region and addressing_style == "virtual":
        return [f"https://{bucket}.s3.{region}.amazonaws.com"]
    return [f"https://{bucket}.s3.amazonaws.com"]


def content_security_policy(
    *, media_origins: list[str], analytics_script_url: str = ""
) -> dict[str, list[str]]:
    """The directives of the whole site: nothing inline, scripts and styles from the site itself."""
    analytics = [origin(analytics_script_url)] if analytics_script_url else []
    return {
        "default-src": [SELF],
        "script-src": [SELF, *analytics],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *media_origins],
        "media-src": [SELF, *media_origins],
        "font-src": [SELF],
        "connect-src": [SELF, *analytics],
        "object-src": [NONE],
        "frame-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF, STRIPE_CHECKOUT],
    }
