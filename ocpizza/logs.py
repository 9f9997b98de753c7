"""What every log line knows: the id of the request it belongs to, and paths that are safe to print.

No Django import here: settings.py (LOGGING) and ocpizza/sentry.py use it before Django is set up.
"""

from __future__ import annotations

import logging
import re
from contextvars import ContextVar
from urllib.parse import quote

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

# allauth's email confirmation and password reset links carry a one-time key in their path.
_SECRET_IN_PATH = re.compile(r"^(/accounts/(?:confirm-email|password/reset/key)/)(?!done/)[^/?]+")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record, so the formatter can print it (`-` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


def loggable_path(path: str) -> str:
    """The path percent-encoded (one line, no spaces), with one-time keys masked. Never a query string."""
    return _SECRET_IN_PATH.sub(r"\1[secret]", quote(path))
