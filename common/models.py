"""What the worker has sent: one row per email, so a task that runs twice sends once."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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
