"""The legal pages (LCEN, RGPD, Code de la consommation): the legal notice, the privacy policy and the terms
of sale, versioned, and the company's details they show.

Head office writes a new version in the admin and publishes it; a published version is never changed (a new
one replaces it), so an order can name the exact terms its customer accepted (orders.Order.accepted_terms).
The company's details are one record edited in the admin, not text in the code.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from common.fields import done_by, moment


class CompanyDetails(models.Model):
    """The publisher of the site (one row, pk=1): what the legal notice and the terms show."""

    name = models.CharField(_("company name"), max_length=200, default="OC Pizza")
    legal_form = models.CharField(_("legal form and share capital"), max_length=200, blank=True)
    registration = models.CharField(_("registration (RCS and SIREN)"), max_length=200, blank=True)
    vat_number = models.CharField(_("intra-EU VAT number"), max_length=40, blank=True)
    address = models.CharField(_("registered office"), max_length=300, blank=True)
    email = models.EmailField(_("contact email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    publication_director = models.CharField(_("publication director"), max_length=200, blank=True)
    privacy_contact = models.CharField(
        _("privacy contact (DPO or person in charge)"), max_length=200, blank=True
    )
    host = models.CharField(_("host (name, address, phone)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("company details")
        verbose_name_plural = _("company details")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> CompanyDetails:
        """The company's details (a blank record named OC Pizza until head office fills it in)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class DocumentKind(models.TextChoices):
    LEGAL_NOTICE = "legal_notice", _("Legal notice")
    PRIVACY = "privacy", _("Privacy policy")
    TERMS = "terms", _("Terms of sale")


class LegalDocumentQuerySet(models.QuerySet["LegalDocument"]):
    def published(self) -> LegalDocumentQuerySet:
        return self.filter(published_at__isnull=False)

    def current(self, kind: str) -> LegalDocument | None:
        """The version of `kind` in force: the last one published."""
        return self.published().filter(kind=kind).order_by("-version").first()


class LegalDocument(models.Model):
    """One version of a legal page. A draft (no `published_at`) may be edited; a published one never is."""

    kind = models.CharField(_("page"), max_length=20, choices=DocumentKind.choices)
    version = models.PositiveIntegerField(_("version"))
    body = models.TextField(
        _("text"),
        help_text=_("Paragraphs separated by a blank line; a line starting with “## ” is a heading."),
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)
    published_at = moment(_("published at"))
    published_by = done_by(_("published by"))

    objects = LegalDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("legal page version")
        verbose_name_plural = _("legal page versions")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="legal_document_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def blocks(self) -> list[tuple[str, str]]:
        """The text as (kind, text) blocks for the page: ("h", heading) or ("p", paragraph). A heading is its
        line only: text right under it is the next paragraph."""
        result = []
        for block in self.body.replace("\r\n", "\n").split("\n\n"):
            block = block.strip()
            if block.startswith("## "):
                heading, _newline, rest = block.partition("\n")
                result.append(("h", heading[3:].strip()))
                block = rest.strip()
            if block:
                result.append(("p", block))
        return result
