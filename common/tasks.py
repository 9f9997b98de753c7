"""The common app's tasks, found by the worker here: the generic email (a message already rendered,
allauth's by ocpizza.auth, sent once) and the pictures' renditions (defined in common.renditions)."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from procrastinate.contrib.django import app

from common.email import send_once
from common.queue import EMAILS, RETRY_EMAIL
from common.renditions import make_renditions

__all__ = ["make_renditions", "send_email"]


@app.task(name="common.send_email", queue=EMAILS, retry=RETRY_EMAIL)
def send_email(
    *, key: str, subject: str, body: str, to: list[str], from_email: str | None = None, html: str = ""
) -> None:
    """Send the message once under `key`; a mail server failure raises, and the queue retries."""
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=from_email, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    send_once(key=key, message=message)
