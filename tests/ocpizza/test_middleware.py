"""The site's own middlewares that trim Django's per-request work (docs/scaling.md, "The stack per kind of
request"): what they leave out must not change what a visitor gets."""

from __future__ import annotations

import pytest
from django.contrib import messages
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.urls import reverse

from ocpizza.middleware import MessageMiddleware


def _through_messages(rf, view, cookies=None):
    request = rf.get("/")
    request.COOKIES.update(cookies or {})
    SessionMiddleware(lambda request: None).process_request(request)
    return request, MessageMiddleware(view)(request)


def test_a_message_added_in_one_answer_is_shown_by_the_next_and_a_request_without_one_stores_nothing(rf):
    def quiet(request):
        return HttpResponse("ok")

    def adds(request):
        messages.success(request, "Order placed")
        return HttpResponse("ok")

    _request, response = _through_messages(rf, quiet)
    assert "messages" not in response.cookies

    _request, response = _through_messages(rf, adds)
    stored = response.cookies["messages"].value

    shown = []

    def reads(request):
        shown.extend(str(message) for message in messages.get_messages(request))
        return HttpResponse("ok")

    _request, response = _through_messages(rf, reads, {"messages": stored})
    assert shown == ["Order placed"]
    assert response.cookies["messages"].value == ""  # read once: the cookie is cleared


@pytest.mark.django_db
def test_a_page_says_its_language_and_varies_on_the_browser_s(client):
    response = client.get(reverse("home"), headers={"accept-language": "en"})
    assert response["Content-Language"] == "en"
    assert "Accept-Language" in response["Vary"]
    assert client.get("/robots.txt", headers={"accept-language": "en"})["Content-Language"] == "en"


@pytest.mark.django_db
def test_the_language_in_the_query_string_wins_over_the_browser_s_and_is_remembered(client):
    response = client.get(reverse("home") + "?page=1&lang=en", headers={"accept-language": "fr"})
    assert response["Content-Language"] == "en"
    assert response.cookies["django_language"].value == "en"
    assert client.get(reverse("home"), headers={"accept-language": "fr"})["Content-Language"] == "en"
