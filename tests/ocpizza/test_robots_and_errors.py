"""/robots.txt (also the benchmark's floor) and the error pages: 503 when the database is away."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import RequestFactory

from ocpizza.views import RETRY_AFTER_SECONDS, server_error


@pytest.mark.django_db
def test_robots_txt_keeps_crawlers_to_the_menus(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    body = response.content.decode()
    assert "Disallow: /staff/" in body
    assert "Disallow: /restaurants/" not in body


def test_robots_txt_refuses_posts(client):
    assert client.post("/robots.txt").status_code == 405


def test_a_lost_database_is_a_503_to_retry_not_a_500():
    request = RequestFactory().get("/")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "Error 503" in response.content.decode() or "Erreur 503" in response.content.decode()


def test_any_other_error_is_a_500():
    request = RequestFactory().get("/")
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500


@pytest.mark.django_db
def test_a_view_losing_the_database_answers_503(client, monkeypatch):
    from restaurants import views

    def lost(*args, **kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(views.selectors, "restaurants_for_home", lost)
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
