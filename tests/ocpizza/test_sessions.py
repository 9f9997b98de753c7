"""The session stores of SESSION_ENGINE (ocpizza.sessions): an existing session saved in one UPDATE, and
otherwise exactly Django's behaviour (a new session created, a session deleted meanwhile refused).

Transactional tests (`transaction=True`): a request saves its session in autocommit, not inside a test's
transaction.
"""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from ocpizza.sessions import cached_db, db

pytestmark = pytest.mark.django_db(transaction=True)

STORES = [db.SessionStore, cached_db.SessionStore]


def stored(key: str) -> dict:
    return Session.objects.get(session_key=key).get_decoded()


@pytest.mark.parametrize("store", STORES)
def test_an_existing_session_is_saved_in_one_update_of_its_data_and_expiry(store):
    session = store()
    session["cart"] = "one pizza"
    session.save()
    expiry_before = Session.objects.get(session_key=session.session_key).expire_date
    session.set_expiry(60)
    session["cart"] = "two pizzas"

    with CaptureQueriesContext(connection) as queries:
        session.save()

    assert [query["sql"].split()[0] for query in queries] == ["UPDATE"]
    assert stored(session.session_key) == {"cart": "two pizzas", "_session_expiry": 60}
    assert Session.objects.get(session_key=session.session_key).expire_date < expiry_before
    assert store(session.session_key)["cart"] == "two pizzas"


@pytest.mark.parametrize("store", STORES)
def test_a_new_session_is_created_as_django_creates_it(store):
    session = store()
    session["cart"] = "one pizza"

    session.save()

    assert Session.objects.count() == 1
    assert stored(session.session_key) == {"cart": "one pizza"}


@pytest.mark.parametrize("store", STORES)
def test_a_session_deleted_meanwhile_is_refused_and_not_written_again(store):
    session = store()
    session["cart"] = "one pizza"
    session.save()
    Session.objects.all().delete()  # signed out in another request
    session["cart"] = "two pizzas"

    with pytest.raises(UpdateError):
        session.save()

    assert not Session.objects.exists()


@pytest.mark.parametrize("store", STORES)
def test_inside_a_transaction_a_refused_save_leaves_the_transaction_usable(store):
    session = store()
    session.save()
    Session.objects.all().delete()
    session["cart"] = "one pizza"

    with transaction.atomic():
        with pytest.raises(UpdateError):
            session.save()
        assert not Session.objects.exists()


def test_a_request_whose_session_was_deleted_meanwhile_is_interrupted(settings):
    settings.SESSION_ENGINE = "ocpizza.sessions.db"
    session = db.SessionStore()
    session.save()

    def view(request):
        assert "cart" not in request.session  # read while its row was there
        Session.objects.all().delete()  # signed out in another tab while this request ran
        request.session["cart"] = "one pizza"
        return HttpResponse()

    request = RequestFactory().get("/", HTTP_COOKIE=f"sessionid={session.session_key}")
    with pytest.raises(SessionInterrupted):
        SessionMiddleware(view)(request)
    assert not Session.objects.exists()
