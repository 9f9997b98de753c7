"""What each gunicorn worker would otherwise do at its first requests, done once in the master before it forks
(`preload_app`, gunicorn.conf.py): the URL patterns resolved, the project's templates compiled (Django's cached
loader keeps them), the translation catalogues read, and what a worker otherwise set up at its first sign-in
and first picture (`warm_libraries`). The workers inherit all of it, the ones gunicorn forks
again after `max_requests` too, so after a deploy or a restart the first customers do not wait for it.

Only the project's own templates (templates/): they are the pages the site serves; the admin's compile at
their first use. A template that does not compile is logged and left to fail at its own page, as without the
warm-up, rather than keeping the whole site from starting (tests/ocpizza/test_warmup.py compiles them all, so
the suite stops it first).

Then `warm_menus` renders every restaurant's menu and details (restaurants.menu_cache.warm): the first views
of each restaurant, in each worker, rendered some 70 ms each while the first customers signed in (`make
soak`'s sign-in p95). Its connection is closed before the fork: one opened in the master would be shared by
the workers. A database that does not answer is logged, and the menus are rendered at their first views.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

from django.conf import settings
from django.core.validators import validate_email
from django.db import DatabaseError, connections
from django.template import engines
from django.urls import get_resolver
from django.utils import translation
from PIL import Image

from restaurants import menu_cache

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
    warm_libraries()
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


def warm_libraries() -> None:
    """What the first requests of each worker paid in `make soak` (a sign-in took 150-220 ms, then 60):
    Django's e-mail validator compiles its domain pattern at its first use (50 ms: the sign-in, the checkout,
    the sign-up), Pillow reads its image plugins when a picture's rendition is first named (45 ms: the home
    page, the menus), and the Argon2 binding is loaded at the first password checked."""
    validate_email("warm-up@example.com")
    Image.init()
    importlib.import_module("argon2")


def warm_menus() -> int:
    """Every active restaurant's page but its header rendered and kept (restaurants.menu_cache), the database's
    connections closed after; the number of pages, 0 when the database did not answer."""
    try:
        return menu_cache.warm()
    except DatabaseError:
        logger.exception("The menus could not be warmed up: they will be rendered at their first views")
        return 0
    finally:
        connections.close_all()
