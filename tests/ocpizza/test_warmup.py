"""The warm-up gunicorn's master runs before it forks (ocpizza.warmup, called by ocpizza.wsgi)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.template import engines

from ocpizza.warmup import project_templates, warm_menus, warm_up


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


@pytest.mark.django_db(transaction=True)
def test_the_menus_are_warmed_up_and_the_connection_closed_before_the_fork(
    client, restaurant_a, restaurant_b, stock_a, menu, monkeypatch
):
    from django.conf import settings
    from django.urls import reverse

    from restaurants import menu_cache

    assert warm_menus() == 2 * len(settings.LANGUAGES)
    assert connection.connection is None

    rendered = []
    real_render = menu_cache.render_to_string
    monkeypatch.setattr(
        menu_cache,
        "render_to_string",
        lambda name, context: rendered.append(name) or real_render(name, context),
    )
    for language in ("fr", "en"):
        page = client.get(
            reverse("restaurant_detail", args=[restaurant_a.slug]), HTTP_ACCEPT_LANGUAGE=language
        )
        assert page.status_code == 200 and "Margherita" in page.content.decode()
    assert rendered == [], "the menu and the details were kept by the warm-up"


def test_a_database_that_does_not_answer_leaves_the_menus_to_their_first_views(monkeypatch, caplog):
    from django.db import OperationalError

    from restaurants import menu_cache

    def refused():
        raise OperationalError("connection refused")

    monkeypatch.setattr(menu_cache, "warm", refused)

    assert warm_menus() == 0

    assert "The menus could not be warmed up" in caplog.text


def test_the_libraries_a_worker_set_up_at_its_first_requests_are_ready_before_the_fork():
    import sys

    from django.core.validators import EmailValidator
    from django.utils.functional import empty
    from PIL import Image

    warm_up()

    assert EmailValidator.domain_regex._wrapped is not empty, "compiled: 50 ms at a worker's first sign-in"
    assert Image._initialized == 2, "every plugin read: 45 ms at a worker's first picture"
    assert "argon2" in sys.modules
