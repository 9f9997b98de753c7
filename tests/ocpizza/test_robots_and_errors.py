"""/robots.txt (also the benchmark's floor) and the error pages: 503 when the database is away."""

from __future__ import annotations

import html

import pytest
from django.db import OperationalError
from django.test import Client, RequestFactory

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


@pytest.mark.parametrize("charset", ["utf-16", "latin-1", "iso-8859-15"])
@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("anonymous", "/accounts/login/"),
        ("anonymous", "/cart/add/"),
        ("anonymous", "/i18n/setlang/"),
        ("customer", "/checkout/"),
        ("customer", "/accounts/profile/"),
        ("counter", "/staff/counter/new/add/"),
        ("manager_a", "/staff/stock/products/"),
    ],
)
def test_a_form_posted_in_another_charset_is_a_400_with_the_french_error_page(world, role, url, charset):
    """Django refuses a form that is not UTF-8 with BadRequest; its own 400 handler then checks the CSRF
    token, reads the POST again, raises again, and the answer was a 500."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.cookies = world.client(role).cookies
    client.get("/")
    token = client.cookies["csrftoken"].value

    response = client.post(
        url,
        data=f"csrfmiddlewaretoken={token}&quantity=1".encode(),  # the client encodes it in `charset`
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
        headers={"X-CSRFToken": token},
    )

    assert response.status_code == 400
    content = html.unescape(response.content.decode())
    assert "Erreur 400" in content and "Nous n'avons pas pu lire cette demande" in content
