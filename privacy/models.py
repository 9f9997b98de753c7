"""The customers' rights over their personal data (RGPD): the log of the requests answered, and the customers
as head office sees them in the admin to erase one who asks by phone."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from common.fields import done_by, moment


class RequestKind(models.TextChoices):
    EXPORT = "export", _("Export of one's data")
    ERASURE = "erasure", _("Erasure")
    RETENTION = "retention", _("Retention period passed")


class PrivacyRequest(models.Model):
    """One request answered: an account erased by its owner or by head office, or by the retention rule.
    It names the account by its id only (its email is gone): who asked and who did it stay known."""

    kind = models.CharField(_("kind"), max_length=20, choices=RequestKind.choices)
    account_id = models.PositiveIntegerField(_("account id"))
    done_by = done_by(_("done by"))
    by_staff = models.BooleanField(_("by head office"), default=False)
    orders_anonymised = models.PositiveIntegerField(_("orders anonymised"), default=0)
    done_at = models.DateTimeField(_("done at"), auto_now_add=True)

    class Meta:
        verbose_name = _("personal data request")
        verbose_name_plural = _("personal data requests")
        ordering = ["-done_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.account_id}"


class DataExport(models.Model):
    """A customer's copy of their data (RGPD art. 15 and 20): a ZIP built by the worker (privacy.export), offered
    for download to its owner only until `expires_at`, then deleted with its file (privacy.retention)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="data_exports",
        verbose_name=_("user"),
    )
    requested_at = models.DateTimeField(_("requested at"))
    ready_at = moment(_("ready at"))
    expires_at = moment(_("expires at"))
    file_name = models.CharField(_("file"), max_length=200, blank=True)  # its name in the default storage

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.requested_at:%Y-%m-%d %H:%M}"


class ErasureNotice(models.Model):
    """The address to tell that an account was erased, kept only until that email leaves: the email's job
    carries the account's id, never the address, and deletes this row when it sends (privacy.erasure)."""

    account_id = models.PositiveIntegerField(_("account id"), unique=True)
    email = models.EmailField(_("email"))
    language = models.CharField(_("language"), max_length=8)

    class Meta:
        verbose_name = _("erasure notice to send")
        verbose_name_plural = _("erasure notices to send")

    def __str__(self) -> str:
        return f"#{self.account_id}"


class CustomerManager(models.Manager["Customer"]):
    def get_queryset(self):
        """Accounts of customers not erased yet: no staff, head office or restaurant membership."""
        return (
            super()
            .get_queryset()
            .filter(is_staff=False, is_superuser=False, memberships__isnull=True)
            .exclude(email__endswith="@erased.invalid")
        )


class Customer(User):
    """The customers' accounts, for head office's erasure in the admin (a proxy: no table of its own)."""

    objects = CustomerManager()

    class Meta:
        proxy = True
        verbose_name = _("customer's personal data")
        verbose_name_plural = _("customers' personal data")
