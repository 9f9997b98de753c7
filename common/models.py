"""Models every app may use: what the worker has sent (one row per email, so a task that runs twice sends
once), and the append-only rows' base."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    """An append-only row was about to be changed or deleted: a bug in the caller."""


class AppendOnly(models.Model):
    """A row written once and never changed or deleted: a stock movement, an order's status change, an entry
    or a closing of the sales record (whose tables a trigger guards as well). `save()` of a row already
    written and `delete()` raise AppendOnlyError; a bulk delete through a queryset is not stopped here."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} {self.pk} is append-only: it is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} {self.pk} is append-only: it is never deleted.")


class SentEmail(models.Model):
    """An email handed to the mail server, under the key of the event it tells about.

    The key names the event, not the attempt: "order-confirmed:<order id>", "order-status:<status change
    id>", "low-stock:<alert>:<manager id>". common.email.send_once inserts the row and sends in one
    transaction: a failed send leaves no row (the task is retried), a second run finds the row and sends
    nothing.
    """

    key = models.CharField(_("key"), max_length=200, unique=True)
    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sent email")
        verbose_name_plural = _("sent emails")
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.key} → {self.to}"
