"""What a browser sends back from the checkout page, for the tests that post it."""

from __future__ import annotations

from django.urls import reverse


def shown_fingerprint(client) -> str:
    """The cart fingerprint the checkout page carries now, as a browser would send it back."""
    page = client.get(reverse("checkout"))
    return page.context["contents"].fingerprint if page.status_code == 200 else ""
