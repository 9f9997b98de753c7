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
