"""The CSRF token in HTML kept for several readers (the menu's cached page, the kitchen display's tickets and
boards): it is rendered with CSRF_PLACEHOLDER as its token, and each reader's own token goes in on the way out
(`with_csrf_token`).

The placeholder is derived from SECRET_KEY: the same in every process and every dyno (kept HTML may one day
come from a shared cache), and unguessable by whoever types a note or a name that is rendered beside it, so
only the token's own fields hold it."""

from __future__ import annotations

from django.utils.crypto import salted_hmac
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

CSRF_PLACEHOLDER = "csrf" + salted_hmac("common.csrf.placeholder", "").hexdigest()[:32]


def with_csrf_token(html: str, token: str) -> SafeString:
    """`html`, rendered by our templates (autoescaped) with CSRF_PLACEHOLDER as its token, with `token` in its
    place."""
    return mark_safe(html.replace(CSRF_PLACEHOLDER, conditional_escape(token)))  # noqa: S308 - see above
