"""The generic email task: a message already rendered (allauth's, by ocpizza.auth), sent once."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from procrastinate.contrib.django import app

from common.email import send_once
from common.queue import EMAILS, RETRY_EMAIL


@app.task(name="common.send_email", queue=EMAILS, retry=RETRY_EMAIL)
def send_email(
    *, key: str, subject: str, body: str, to: list[str], from_email: str | None = None, html: str = ""
) -> None:
    """Send the message once under `key`; a mail server failure raises, and the queue retries."""
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=from_email, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    send_once(key=key, message=message)
