"""What a browser sends back from the checkout page, for the tests that post it."""

from __future__ import annotations

from django.urls import reverse

from legal.models import DocumentKind, LegalDocument


def shown_fingerprint(client) -> str:
    """The cart fingerprint the checkout page carries now, as a browser would send it back."""
    page = client.get(reverse("checkout"))
    return page.context["contents"].fingerprint if page.status_code == 200 else ""


def terms_accepted() -> dict[str, str]:
    """The terms of sale box ticked, for the version in force, as the checkout page shows it."""
    terms = LegalDocument.objects.current(DocumentKind.TERMS)
    return {"accept_terms": "on", "terms_version": str(terms.version)}
