"""The reader's language (accounts/languages.py): chosen in the header of every page, on a desktop and in the
phone's menu; remembered in the cookie, and for a signed-in person in their account, which the site speaks
again at their next sign-in and their emails use; `<html lang>` and the `hreflang` alternates; URLs unchanged."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


def switches(content: str) -> list[str]:
    """The language forms of a page, each as its HTML."""
    return re.findall(r'<form class="language-switch".*?</form>', content, re.DOTALL)


def header(content: str) -> str:
    return re.search(r'<header class="site-header">.*?</header>', content, re.DOTALL).group()


def test_every_kind_of_page_has_the_language_choice_in_its_header_and_its_phone_menu(
    client, restaurant_a, menu, customer
):
    pages = [reverse("home"), reverse("restaurant_detail", args=[restaurant_a.slug]), reverse("cart")]
    pages.append(reverse("account_login"))
    for url in pages:
        content = client.get(url).content.decode()
        in_header = switches(header(content))
        # One beside the account menu (desktop), one in the phone's menu panel.
        assert len(in_header) == 2, url
        assert 'class="mobile-menu__language"' in header(content)
        for form in in_header:
            assert 'action="/i18n/setlang/"' in form
            assert re.search(r'name="language" value="fr" lang="fr" aria-current="true"', form)
            assert 'value="en" lang="en">EN<span class="visually-hidden"> English</span>' in form
    client.force_login(customer)
    content = client.get(reverse("profile")).content.decode()
    assert len(switches(header(content))) == 2


def test_choosing_english_answers_in_english_at_the_same_address(client, restaurant_a):
    url = reverse("restaurant_detail", args=[restaurant_a.slug])
    response = client.post(reverse("set_language"), {"language": "en", "next": url})

    assert response.status_code == 302
    assert response["Location"] == url
    assert response.cookies[COOKIE].value == "en"
    page = client.get(url)
    assert page["Content-Language"] == "en"
    assert '<html lang="en">' in page.content.decode()
    assert re.search(r'value="en" lang="en" aria-current="true"', page.content.decode())


def test_a_signed_in_customers_choice_becomes_their_accounts_language_and_stays_after_signing_in_again(
    restaurant_a, customer
):
    assert customer.language == "fr"
    browser = Client()
    browser.post(reverse("account_login"), {"login": customer.email, "password": PASSWORD})
    browser.post(reverse("set_language"), {"language": "en", "next": "/"})
    customer.refresh_from_db()
    assert customer.language == "en"

    # Another device, French by default: signing in switches it to the account's language.
    phone = Client(HTTP_ACCEPT_LANGUAGE="fr")
    assert phone.get(reverse("home"))["Content-Language"] == "fr"
    response = phone.post(reverse("account_login"), {"login": customer.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "en"
    assert phone.get(reverse("home"))["Content-Language"] == "en"


def test_a_visitors_choice_touches_no_account_and_an_unknown_language_changes_nothing(client, customer):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert User.objects.get(pk=customer.pk).language == "fr"

    client.force_login(customer)
    response = client.post(reverse("set_language"), {"language": "de", "next": "/"})
    assert response.status_code == 302
    assert User.objects.get(pk=customer.pk).language == "fr"
    response = client.post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"  # Django's check: never off the site


def test_the_profile_language_is_the_sites_too(client, customer):
    client.force_login(customer)
    data = {"first_name": "Alice", "last_name": "Martin", "phone": "06 12 34 56 78", "language": "en"}
    response = client.post(reverse("profile"), data, follow=True)

    assert User.objects.get(pk=customer.pk).language == "en"
    assert response["Content-Language"] == "en"
    assert "Your profile has been saved." in response.content.decode()


def test_a_lang_link_answers_in_that_language_and_remembers_it_without_touching_the_account(
    client, restaurant_a, customer
):
    client.force_login(customer)
    response = client.get(reverse("home") + "?lang=en")
    assert response["Content-Language"] == "en"
    assert response.cookies[COOKIE].value == "en"
    assert client.get(reverse("home"))["Content-Language"] == "en"
    assert User.objects.get(pk=customer.pk).language == "fr"
    # Anything else than a language of the site is ignored.
    assert client.get(reverse("home") + "?lang=xx").status_code == 200


def test_every_page_names_its_alternates_in_each_language(client, restaurant_a):
    url = reverse("restaurant_detail", args=[restaurant_a.slug])
    content = client.get(url).content.decode()
    base = settings.SITE_URL + url
    assert f'<link rel="alternate" hreflang="fr" href="{base}?lang=fr">' in content
    assert f'<link rel="alternate" hreflang="en" href="{base}?lang=en">' in content
    assert f'<link rel="alternate" hreflang="x-default" href="{base}">' in content
    assert '<html lang="fr">' in content
    english = client.get(url + "?lang=en").content.decode()
    assert '<html lang="en">' in english


def test_the_switch_of_a_page_opened_by_a_lang_link_brings_back_to_the_page_without_it(client, restaurant_a):
    content = client.get(reverse("home") + "?postal_code=69002&lang=en").content.decode()
    assert '<input type="hidden" name="next" value="/?postal_code=69002">' in content
