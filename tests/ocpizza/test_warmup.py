"""The warm-up gunicorn's master runs before it forks (ocpizza.warmup, called by ocpizza.wsgi)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.template import engines

from ocpizza.warmup import project_templates, warm_up


def cached_templates() -> set[str]:
    loader = engines["django"].engine.template_loaders[0]
    return {template.origin.template_name for template in loader.get_template_cache.values()}


def test_every_project_template_is_compiled_and_kept_by_the_cached_loader():
    engines["django"].engine.template_loaders[0].reset()

    compiled = warm_up()

    names = project_templates()
    assert compiled == len(names) > 100
    assert {"base.html", "staff/includes/kitchen_board.html", "orders/checkout.html"} <= set(names)
    assert set(names) <= cached_templates()


@pytest.mark.django_db(transaction=True)
def test_the_warm_up_opens_no_database_connection():
    # A connection opened in gunicorn's master would be shared by every worker it forks.
    connection.close()

    warm_up()

    assert connection.connection is None


def test_a_template_that_does_not_compile_is_logged_and_the_others_still_are(tmp_path, settings, caplog):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "broken.html").write_text("{% if %}")
    (tmp_path / "templates" / "fine.html").write_text("<p>{{ name }}</p>")
    settings.BASE_DIR = tmp_path
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates"]}]

    assert warm_up() == 1

    assert "Template broken.html does not compile" in caplog.text
