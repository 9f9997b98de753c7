"""Security policies: the Content Security Policy the pages pass, sign-in throttling (the admin included),
staff sessions that end after inactivity, the optional analytics script."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from csp.middleware import CSPMiddleware
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import reverse

from ocpizza.csp import content_security_policy
from ocpizza.middleware import ContentSecurityPolicyMiddleware
from restaurants.models import Role
from tests import factories as f
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
IDLE = 30 * 60
START = dt.datetime(2026, 3, 2, 18, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # allauth counts attempts in the cache; each test starts with clean counters.
    cache.clear()


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = (part.strip().split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in directives}


class ScriptTags(HTMLParser):
    """Every <script>'s attributes and whether it has code inline."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict] = []
        self.inline_handlers: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append({**attributes, "_body": ""})
        self.inline_handlers += [name for name in attributes if name.startswith("on")]
        for name in ("href", "action", "src"):
            if (attributes.get(name) or "").strip().lower().startswith("javascript:"):
                self.inline_handlers.append(name)

    def handle_data(self, data):
        if self.lasttag == "script" and self.scripts:
            self.scripts[-1]["_body"] += data.strip()


def executable_inline_scripts(html: str) -> list[dict]:
    parser = ScriptTags()
    parser.feed(html)
    # A JSON data block is not run: CSP has nothing to say about it.
    runnable = [
        s for s in parser.scripts if s.get("type", "text/javascript") in ("text/javascript", "module")
    ]
    return [s for s in runnable if not s.get("src") or s["_body"]] + [
        {"handler": name} for name in parser.inline_handlers
    ]


@pytest.fixture
def pages(client, customer, restaurant_a, stock_a, head_office, menu):
    """(client signed in or not, url) for the main pages of every kind of visitor."""
    return [
        (None, "/"),
        (None, f"/restaurants/{restaurant_a.slug}/"),
        (None, "/accounts/login/"),
        (None, "/accounts/signup/"),
        (None, "/accounts/password/reset/"),
        (None, "/cart/"),
        (customer, "/orders/"),
        (customer, "/accounts/profile/"),
        (customer, "/accounts/addresses/"),
        (customer, "/accounts/email/"),
        (head_office, "/admin/"),
        (head_office, reverse("admin:menu_product_changelist")),
        (head_office, reverse("admin:menu_product_change", args=[menu["margherita"].pk])),
        (head_office, reverse("admin:restaurants_restaurant_change", args=[restaurant_a.pk])),
    ]


# -- Content Security Policy ------------------------------------------------------------------------------


def test_every_main_page_has_the_policy_and_no_inline_script(client, pages):
    for user, url in pages:
        client.logout()
        if user:
            client.force_login(user)

        response = client.get(url)

        assert response.status_code == 200, url
        directives = policy(response)
        assert directives["script-src"] == ["'self'"], url
        assert directives["style-src"] == ["'self'"], url
        assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"], url
        assert "'unsafe-inline'" not in " ".join(directives["script-src"] + directives["default-src"]), url
        assert executable_inline_scripts(response.content.decode()) == [], url


def test_only_the_admin_may_use_style_attributes(client, pages):
    for user, url in pages:
        client.logout()
        if user:
            client.force_login(user)

        directives = policy(client.get(url))

        if url.startswith("/admin/"):
            assert directives["style-src-attr"] == ["'unsafe-inline'"], url
        else:
            assert "style-src-attr" not in directives, url


def test_the_policy_built_once_per_process_is_django_csps_own_and_a_per_view_policy_still_applies(rf):
    ours = ContentSecurityPolicyMiddleware(lambda request: HttpResponse("ok"))
    theirs = CSPMiddleware(lambda request: HttpResponse("ok"))

    for _ in range(2):  # the second time from the headers built the first time
        for path in ("/", "/restaurants/lyon/"):
            assert policy(ours(rf.get(path))) == policy(theirs(rf.get(path)))
        admin = policy(ours(rf.get("/admin/orders/order/")))
        assert admin == {**policy(theirs(rf.get("/admin/"))), "style-src-attr": ["'unsafe-inline'"]}

    special = HttpResponse("a page with its own policy")
    special._csp_update = {"img-src": ["https://maps.example.com"]}
    response = ContentSecurityPolicyMiddleware(lambda request: special)(rf.get("/"))
    assert "https://maps.example.com" in policy(response)["img-src"]


def test_htmx_is_told_not_to_inject_its_inline_indicator_style(client, db):
    page = client.get("/").content.decode()

    assert """<meta name="htmx-config" content='{"includeIndicatorStyles": false}'>""" in page


def test_the_inline_script_detector_catches_inline_code_and_handlers():
    html = (
        '<script src="/static/a.js"></script><script type="application/json">{"a": 1}</script>'
        '<script>alert(1)</script><button onclick="go()">Go</button><a href="javascript:go()">x</a>'
    )

    found = executable_inline_scripts(html)

    assert [item.get("_body") or item.get("handler") for item in found] == ["alert(1)", "onclick", "href"]


# -- Analytics: off by default, an external deferred script when configured -------------------------------


def test_no_analytics_script_unless_configured(client, db):
    page = client.get("/").content.decode()

    assert "data-domain" not in page and "plausible" not in page


def test_the_configured_analytics_script_is_external_and_deferred(client, db, settings):
    settings.ANALYTICS_SCRIPT_URL = "https://plausible.io/js/script.js"
    settings.ANALYTICS_DOMAIN = "ocpizza.fr"

    page = client.get("/").content.decode()

    assert '<script src="https://plausible.io/js/script.js" defer data-domain="ocpizza.fr"></script>' in page
    assert executable_inline_scripts(page) == []


def test_the_policy_allows_the_analytics_origin_only_when_configured():
    without = content_security_policy(media_origins=[])
    with_analytics = content_security_policy(
        media_origins=[], analytics_script_url="https://plausible.io/js/script.js"
    )

    assert without["script-src"] == ["'self'"] and without["connect-src"] == ["'self'"]
    assert with_analytics["script-src"] == ["'self'", "https://plausible.io"]
    assert with_analytics["connect-src"] == ["'self'", "https://plausible.io"]


def test_settings_build_the_policy_from_the_environment():
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "d = s.CONTENT_SECURITY_POLICY['DIRECTIVES']; print(d['script-src'], d['img-src'], d['media-src'])"
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ANALYTICS_"))},
        "DJANGO_SETTINGS_MODULE": "ocpizza.settings",
        "ANALYTICS_SCRIPT_URL": "https://plausible.io/js/script.js",
        "AWS_STORAGE_BUCKET_NAME": "ocpizza-media",
        "AWS_S3_REGION_NAME": "eu-west-3",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    media = "https://ocpizza-media.s3.eu-west-3.amazonaws.com"
    assert result.stdout.split("\n")[0] == (
        f"[\"'self'\", 'https://plausible.io'] [\"'self'\", 'data:', '{media}'] [\"'self'\", '{media}']"
    )


# -- Sign-in throttling -----------------------------------------------------------------------------------


def sign_in(client, email: str, password: str, **headers):
    return client.post("/accounts/login/", {"login": email, "password": password}, headers=headers)


def refused_for_too_many_attempts(response) -> bool:
    if response.status_code != 200:
        return False
    errors = response.context["form"].non_field_errors().as_data()
    return [error.code for error in errors] == ["too_many_login_attempts"]


def signed_in_user_id(client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None


def test_after_five_wrong_passwords_even_the_right_one_is_refused_for_a_while(client, customer, time_machine):
    time_machine.move_to(START, tick=False)
    for _ in range(5):
        response = sign_in(client, customer.email, "not-the-password")
        assert response.status_code == 200 and not refused_for_too_many_attempts(response)

    right = sign_in(client, customer.email, PASSWORD)

    assert refused_for_too_many_attempts(right)
    assert signed_in_user_id(client) is None
    # Still refused 14 minutes later, accepted once the 15-minute window has passed.
    time_machine.move_to(START + dt.timedelta(minutes=14), tick=False)
    assert refused_for_too_many_attempts(sign_in(client, customer.email, PASSWORD))
    time_machine.move_to(START + dt.timedelta(minutes=15, seconds=1), tick=False)
    assert sign_in(client, customer.email, PASSWORD).status_code == 302
    assert signed_in_user_id(client) == customer.pk


def test_the_limit_is_per_account_another_customer_still_signs_in(client, customer, other_customer):
    for _ in range(5):
        sign_in(client, customer.email, "not-the-password")

    assert sign_in(client, other_customer.email, PASSWORD).status_code == 302
    assert signed_in_user_id(client) == other_customer.pk


def test_one_address_trying_many_accounts_is_stopped_too(client, db):
    victims = [f.UserFactory() for _ in range(11)]
    for user in victims[:10]:
        assert not refused_for_too_many_attempts(sign_in(client, user.email, "guess-123456"))

    assert refused_for_too_many_attempts(sign_in(client, victims[10].email, PASSWORD))
    assert signed_in_user_id(client) is None


def test_behind_heroku_s_router_clients_are_told_apart_by_x_forwarded_for(client, db, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    users = [f.UserFactory() for _ in range(11)]
    for user in users[:10]:
        sign_in(client, user.email, "guess-123456", x_forwarded_for="203.0.113.7")

    attacker = sign_in(client, users[10].email, PASSWORD, x_forwarded_for="203.0.113.7")
    customer = sign_in(client, users[10].email, PASSWORD, x_forwarded_for="198.51.100.20")

    assert refused_for_too_many_attempts(attacker)
    assert customer.status_code == 302


def test_the_admin_login_page_sends_to_the_throttled_sign_in(client, db):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_credentials_posted_to_the_admin_login_page_sign_nobody_in(client, head_office):
    response = client.post("/admin/login/", {"username": head_office.email, "password": PASSWORD})

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert signed_in_user_id(client) is None


def test_the_admin_is_reached_by_signing_in_on_the_throttled_page(client, head_office):
    login = client.get("/admin/", follow=True)
    assert login.request["PATH_INFO"] == "/accounts/login/"
    next_url = login.context["redirect_field_value"]

    response = client.post(
        "/accounts/login/", {"login": head_office.email, "password": PASSWORD, "next": next_url}, follow=True
    )

    assert response.request["PATH_INFO"] == "/admin/"
    assert response.status_code == 200


def test_a_signed_in_customer_cannot_open_the_admin(client, customer):
    client.force_login(customer)

    assert client.get("/admin/login/").status_code == 403
    assert client.get("/admin/").status_code == 302


# -- Staff sessions end after inactivity ------------------------------------------------------------------


def test_a_pizzaiolo_is_signed_out_after_thirty_idle_minutes(client, pizzaiolo, time_machine):
    time_machine.move_to(START, tick=False)
    assert sign_in(client, pizzaiolo.email, PASSWORD).status_code == 302
    assert client.session.get_expiry_age() == IDLE
    assert client.cookies["sessionid"]["max-age"] == IDLE

    time_machine.move_to(START + dt.timedelta(minutes=31), tick=False)
    response = client.get("/accounts/profile/")

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_activity_keeps_a_staff_session_alive(client, pizzaiolo, time_machine):
    time_machine.move_to(START, tick=False)
    sign_in(client, pizzaiolo.email, PASSWORD)

    for minutes in (20, 40, 60, 80):
        time_machine.move_to(START + dt.timedelta(minutes=minutes), tick=False)
        assert client.get("/accounts/profile/").status_code == 200, minutes


def test_head_office_sessions_end_after_inactivity_too(client, head_office, time_machine):
    time_machine.move_to(START, tick=False)
    sign_in(client, head_office.email, PASSWORD)

    time_machine.move_to(START + dt.timedelta(minutes=31), tick=False)

    assert client.get("/admin/").status_code == 302


def test_a_customer_keeps_the_usual_session(client, customer, time_machine):
    time_machine.move_to(START, tick=False)
    client.post("/accounts/login/", {"login": customer.email, "password": PASSWORD, "remember": "on"})
    assert client.session.get_expiry_age() > IDLE

    time_machine.move_to(START + dt.timedelta(hours=5), tick=False)

    assert client.get("/accounts/profile/").status_code == 200


def test_a_former_staff_member_is_a_customer_again(client, restaurant_a, time_machine):
    membership = f.StaffMemberFactory(restaurant=restaurant_a, role=Role.DRIVER, is_active=False)
    time_machine.move_to(START, tick=False)

    sign_in(client, membership.user.email, PASSWORD)

    assert client.session.get_expiry_age() != IDLE


# ---------- Other headers and cookies ----------


def test_every_answer_switches_off_the_browser_features_no_page_uses(client, db):
    for response in (client.get("/"), client.get("/robots.txt"), client.get("/no-such-page/")):
        policy_header = response["Permissions-Policy"]
        features = dict(item.strip().split("=", 1) for item in policy_header.split(","))
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert features[feature] == "()", (response.request["PATH_INFO"], policy_header)
        assert "fullscreen" not in features  # the restaurants' videos may go full screen


def test_the_language_cookie_stays_on_this_site_away_from_scripts(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    cookie = response.cookies["django_language"]
    assert cookie.value == "en"
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"] is True


def test_in_production_the_language_cookie_is_sent_over_https_only():
    script = "import django; django.setup(); from django.conf import settings as s; "
    script += "print(s.LANGUAGE_COOKIE_SECURE, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "EMAIL_URL")},
        "DJANGO_SETTINGS_MODULE": "ocpizza.settings",
        "DEBUG": "false",
        "SECRET_KEY": "a-production-like-key-for-this-test-only-" + "z" * 30,
        "EMAIL_URL": "console://",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True"]


@pytest.mark.parametrize("method", ["TRACE", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_methods_other_than_get_head_and_post_are_a_405_everywhere(client, head_office, method):
    client.force_login(head_office)
    for path in ("/", "/accounts/login/", "/admin/", "/orders/", "/i18n/setlang/"):
        response = client.generic(method, path)
        assert response.status_code == 405, (method, path)
        assert response["Allow"] == "GET, HEAD, POST"
    assert client.head("/").status_code == 200
