"""What each gunicorn worker would otherwise do at its first requests, done once in the master before it forks
(`preload_app`, gunicorn.conf.py): the URL patterns resolved, the project's templates compiled (Django's cached
loader keeps them) and the translation catalogues read. The workers inherit all of it, the ones gunicorn forks
again after `max_requests` too, so after a deploy or a restart the first customers do not wait for it.

Only the project's own templates (templates/): they are the pages the site serves; the admin's compile at
their first use. No database is touched: a connection opened here would be shared by the forked workers. A template that
does not compile is logged and left to fail at its own page, as without the warm-up, rather than keeping the
whole site from starting (tests/ocpizza/test_warmup.py compiles them all, so the suite stops it first).
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.template import engines
from django.urls import get_resolver
from django.utils import translation

logger = logging.getLogger(__name__)


def project_templates() -> list[str]:
    """The names of the templates under the project's templates/ folder."""
    folder = Path(settings.BASE_DIR) / "templates"
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*.html"))


def warm_up() -> int:
    """Resolves the URLs, compiles the project's templates and reads the catalogues; the number of templates
    compiled."""
    get_resolver().url_patterns  # noqa: B018 (resolving the patterns is the point)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Menu")
    engine = engines["django"]
    compiled = 0
    for name in project_templates():
        try:
            engine.get_template(name)
        except Exception:  # any error is the page's, at its first request, as without the warm-up
            logger.exception("Template %s does not compile", name)
        else:
            compiled += 1
    return compiled
