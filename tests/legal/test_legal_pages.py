"""The legal pages (issue #14): the legal notice, the privacy policy and the terms of sale, versioned in the
admin, with the company's details from their record and the retention periods from the settings; linked
from every page's footer and from sign-up."""

from __future__ import annotations

import re

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from legal.models import CompanyDetails, DocumentKind, LegalDocument
from legal.retention import retention_periods

pytestmark = pytest.mark.django_db

PAGES = {"mentions-legales": "Legal notice", "confidentialite": "Privacy policy", "cgv": "Terms of sale"}


def test_every_page_links_the_three_legal_pages_in_its_footer(client, english):
    home = client.get(reverse("home")).content.decode()
    footer = home.split('class="site-footer"')[1]
    for slug, title in PAGES.items():
        assert f'href="{reverse("legal_page", args=[slug])}"' in footer
        page = client.get(reverse("legal_page", args=[slug]))
        assert page.status_code == 200 and f'<h1 class="page-title">{title}</h1>' in page.content.decode()


def test_sign_up_links_the_privacy_policy_and_the_terms(client, english):
    page = client.get(reverse("account_signup")).content.decode()
    assert reverse("legal_page", args=["confidentialite"]) in page
    assert reverse("legal_page", args=["cgv"]) in page


def test_the_legal_notice_shows_the_company_details_of_the_admin_record(client, english):
    CompanyDetails.objects.update_or_create(
        pk=1,
        defaults={
            "name": "OC Pizza SAS",
            "registration": "RCS Lyon 123 456 789",
            "publication_director": "Franck Martin",
            "host": "Heroku (Salesforce), San Francisco",
        },
    )
    page = client.get(reverse("legal_page", args=["mentions-legales"])).content.decode()
    for text in ("OC Pizza SAS", "RCS Lyon 123 456 789", "Franck Martin", "Heroku (Salesforce)"):
        assert text in page


def test_the_privacy_policy_states_the_retention_periods_of_the_settings(client, english, settings):
    settings.RETENTION_CUSTOMER_DAYS = 1000
    settings.RETENTION_DELIVERY_DETAILS_DAYS = 200
    page = client.get(reverse("legal_page", args=["confidentialite"])).content.decode()
    shown = [int(days) for days in re.findall(r'data-retention-days="(\d+)"', page)]
    assert shown == [period.days for period in retention_periods()] == [200, 1000]
    assert "6 years" in page


def test_a_new_version_replaces_the_old_one_which_stays_readable(client, english):
    LegalDocument.objects.create(
        kind=DocumentKind.TERMS, version=2, body="## Nouveau\nTexte v2\n\nSuite", published_at=timezone.now()
    )
    LegalDocument.objects.create(kind=DocumentKind.TERMS, version=3, body="Brouillon")  # a draft

    current = client.get(reverse("legal_page", args=["cgv"])).content.decode()
    assert "Version 2, in force since" in current and "<h2>Nouveau</h2>" in current
    assert "<p>Texte v2</p>" in current and "<p>Suite</p>" in current
    old = client.get(reverse("legal_page_version", args=["cgv", 1])).content.decode()
    assert "This version is no longer in force: version 2 replaced it." in old
    assert client.get(reverse("legal_page_version", args=["cgv", 3])).status_code == 404
    assert client.get(reverse("legal_page", args=["nope"])).status_code == 404


def test_head_office_publishes_a_draft_and_a_published_version_is_read_only(head_office):
    admin = site._registry[LegalDocument]
    request = RequestFactory().post("/")
    request.user = head_office
    request._messages = type("M", (), {"add": lambda *a, **k: None})()
    draft = LegalDocument.objects.create(kind=DocumentKind.PRIVACY, version=2, body="v2")
    assert admin.has_change_permission(request, draft)

    admin.publish(request, LegalDocument.objects.filter(pk=draft.pk))

    draft.refresh_from_db()
    assert draft.is_published and draft.published_by == head_office
    assert LegalDocument.objects.current(DocumentKind.PRIVACY) == draft
    assert not admin.has_change_permission(request, draft)
    assert not admin.has_delete_permission(request, draft)
