"""Logs and error reports: one access line per request with its request id, never a query string; Sentry
only when configured, and without secrets."""

from __future__ import annotations

import builtins
import logging
import re

import pytest

from ocpizza.logs import RequestIdFilter, request_id_var
from ocpizza.sentry import init_sentry, scrub_event

ACCESS_LINE = re.compile(
    r"^method=(?P<method>[A-Z]+) path=(?P<path>\S+) status=(?P<status>\d{3}) "
    r"duration_ms=(?P<duration>\d+) request_id=(?P<request_id>[A-Za-z0-9._:-]+)$"
)


def access_lines(caplog) -> list[dict[str, str]]:
    return [
        ACCESS_LINE.match(record.getMessage()).groupdict()
        for record in caplog.records
        if record.name == "ocpizza.request"
    ]


def test_each_request_writes_one_line_with_method_path_status_duration_and_id(client, db, caplog):
    caplog.set_level(logging.INFO, logger="ocpizza.request")

    response = client.get("/healthz")
    client.get("/no-such-page/")

    first, second = access_lines(caplog)
    assert (first["method"], first["path"], first["status"]) == ("GET", "/healthz", "200")
    assert first["request_id"] == response["X-Request-ID"]
    assert (second["path"], second["status"]) == ("/no-such-page/", "404")
    assert first["request_id"] != second["request_id"]


def test_the_router_s_request_id_is_kept_and_returned(client, db, caplog):
    caplog.set_level(logging.INFO, logger="ocpizza.request")
    heroku_id = "7f1c2d3e-4b5a-6978-8a9b-0c1d2e3f4a5b"

    response = client.get("/healthz", headers={"x-request-id": heroku_id})

    assert response["X-Request-ID"] == heroku_id
    assert access_lines(caplog)[0]["request_id"] == heroku_id


@pytest.mark.parametrize(
    "forged", ["abc", "x\nmethod=GET path=/admin/ status=200", "a b c d e f g h", "é" * 10]
)
def test_a_malformed_request_id_is_replaced_so_log_lines_cannot_be_forged(client, db, caplog, forged):
    caplog.set_level(logging.INFO, logger="ocpizza.request")

    response = client.get("/healthz", headers={"x-request-id": forged})

    assert response["X-Request-ID"] != forged
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert len(access_lines(caplog)) == 1


def test_query_strings_never_reach_the_log(client, db, caplog):
    caplog.set_level(logging.DEBUG)

    client.get("/orders/ABC-123/?t=secret-tracking-token")
    client.get("/healthz?token=another-secret")

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "secret-tracking-token" not in logged and "another-secret" not in logged
    assert [line["path"] for line in access_lines(caplog)] == ["/orders/ABC-123/", "/healthz"]


def test_one_time_keys_in_allauth_links_are_masked(client, db, caplog):
    caplog.set_level(logging.INFO, logger="ocpizza.request")

    client.get("/accounts/password/reset/key/1b-c3x7y9-0123456789abcdef0123456789abcdef/")
    client.get("/accounts/confirm-email/MQ:1tQX4y:abcdefghijklmnop/")
    client.get("/accounts/password/reset/key/done/")

    assert [line["path"] for line in access_lines(caplog)] == [
        "/accounts/password/reset/key/[secret]/",
        "/accounts/confirm-email/[secret]/",
        "/accounts/password/reset/key/done/",
    ]


def test_a_path_with_spaces_or_newlines_stays_on_one_line(client, db, caplog):
    caplog.set_level(logging.INFO, logger="ocpizza.request")

    client.get("/a path/%0Amethod=POST")

    (line,) = access_lines(caplog)
    assert line["path"] == "/a%20path/%0Amethod%3DPOST"


def test_other_log_lines_of_a_request_carry_its_id(client, db, caplog):
    handler_filter = RequestIdFilter()
    seen = []

    class Capture(logging.Handler):
        def emit(self, record):
            handler_filter.filter(record)
            seen.append(record.request_id)

    capture = Capture()
    logging.getLogger("django.request").addHandler(capture)
    try:
        response = client.get("/no-such-page/")  # Django logs "Not Found" while handling it
    finally:
        logging.getLogger("django.request").removeHandler(capture)

    assert seen == [response["X-Request-ID"]]
    assert request_id_var.get() == "-"


# -- Sentry -----------------------------------------------------------------------------------------------


def test_sentry_events_lose_query_strings_cookies_and_bodies():
    event = {
        "request": {
            "url": "https://ocpizza.fr/accounts/password/reset/key/1b-secretkey/?t=secret",
            "query_string": "t=secret",
            "cookies": {"sessionid": "abc"},
            "data": {"password": "hunter2"},
            "headers": {"Cookie": "sessionid=abc", "User-Agent": "Firefox", "Referer": "https://x/?t=secret"},
        },
        "breadcrumbs": {
            "values": [{"category": "httplib", "data": {"url": "https://api.stripe.com/v1/x?k=1"}}]
        },
    }

    scrubbed = scrub_event(event, {})

    request = scrubbed["request"]
    assert request["url"] == "https://ocpizza.fr/accounts/password/reset/key/[secret]/"
    assert request["query_string"] == "[Filtered]"
    assert "cookies" not in request and "data" not in request
    assert request["headers"] == {"Cookie": "[Filtered]", "User-Agent": "Firefox", "Referer": "[Filtered]"}
    assert scrubbed["breadcrumbs"]["values"][0]["data"]["url"] == "https://api.stripe.com/v1/x"
    assert "secretkey" not in repr(scrubbed) and "t=secret" not in repr(scrubbed)
    assert "hunter2" not in repr(scrubbed)


def test_sentry_is_not_started_without_a_dsn():
    assert init_sentry("", environment="production", release=None, traces_sample_rate=0) is False


def test_without_the_sentry_package_the_app_starts_and_says_so(monkeypatch, caplog):
    real_import = builtins.__import__

    def no_sentry(name, *args, **kwargs):
        if name.startswith("sentry_sdk"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sentry)

    started = init_sentry(
        "https://key@o1.ingest.sentry.io/1", environment="x", release=None, traces_sample_rate=0
    )

    assert started is False
    assert "sentry-sdk is not installed" in caplog.text


def test_with_a_dsn_sentry_starts_with_the_scrubber_and_no_personal_data(monkeypatch):
    import sentry_sdk

    options = {}
    monkeypatch.setattr(sentry_sdk, "init", lambda **kwargs: options.update(kwargs))

    started = init_sentry(
        "https://key@o1.ingest.sentry.io/1",
        environment="production",
        release="abc123",
        traces_sample_rate=0.1,
    )

    assert started is True
    assert options["send_default_pii"] is False
    assert options["before_send"] is scrub_event
    assert (options["environment"], options["release"], options["traces_sample_rate"]) == (
        "production",
        "abc123",
        0.1,
    )
