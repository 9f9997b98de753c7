"""The legal pages: the version in force of each, and any published version by its number (the terms an
order was placed under)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from legal.models import CompanyDetails, DocumentKind, LegalDocument
from legal.retention import retention_periods

# The page's address segment for each kind (French addresses: the customers are French).
SLUGS = {
    "mentions-legales": DocumentKind.LEGAL_NOTICE,
    "confidentialite": DocumentKind.PRIVACY,
    "cgv": DocumentKind.TERMS,
}


def _render(request: HttpRequest, document: LegalDocument) -> HttpResponse:
    current = LegalDocument.objects.current(document.kind)
    return render(
        request,
        "legal/document.html",
        {
            "document": document,
            "is_current": current is not None and current.pk == document.pk,
            "current": current,
            "company": CompanyDetails.current(),
            "retention": retention_periods() if document.kind == DocumentKind.PRIVACY else None,
            "sales_record_years": settings.RETENTION_SALES_RECORD_YEARS,
        },
    )


def _kind(slug: str) -> str:
    if slug not in SLUGS:
        raise Http404
    return SLUGS[slug]


@require_GET
def legal_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The version in force of a legal page (404 when none was ever published)."""
    document = LegalDocument.objects.current(_kind(slug))
    if document is None:
        raise Http404
    return _render(request, document)


@require_GET
def legal_page_version(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    """One published version of a legal page, in force or not (drafts are a 404)."""
    document = get_object_or_404(LegalDocument.objects.published(), kind=_kind(slug), version=version)
    return _render(request, document)
