"""Email sent from the worker, once: three templates rendered in the reader's language, or a message
rendered elsewhere (allauth's), recorded under the key of the event it tells about.

Templates: emails/<name>-subject.txt, emails/<name>-body.txt and emails/<name>-body.html. Requests never
send: they defer a task inside their transaction (orders.tasks, restaurants.tasks, common.tasks), and the
task calls `send_templated_email` or `send_once`. A mail server failure raises, so the queue retries the
task with backoff (common.queue.RETRY_EMAIL).
"""

from __future__ import annotations

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from common.models import SentEmail


def render_templated_email(*, name: str, to: str, context: dict, language: str) -> EmailMultiAlternatives:
    """emails/<name>-{subject,body}.txt and -body.html rendered in `language`, addressed to `to`.

    The subject is one line whatever the template's line breaks.
    """
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
        text = render_to_string(f"emails/{name}-body.txt", context)
        html = render_to_string(f"emails/{name}-body.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    return message


def send_once(*, key: str, message: EmailMessage) -> bool:
    """Send `message` unless an email was already sent under `key`; True when it was sent now.

    The record and the sending share one transaction: the row is inserted first (a concurrent run of the
    same task waits on its unique key, then finds it), the message is handed to the mail server, then the
    row commits. A send that raises rolls the row back, and the exception goes up so the task is retried.
    Only a process killed between the mail server's "accepted" and the commit can send twice: a window of
    one round trip to the database.
    """
    with transaction.atomic():
        _, created = SentEmail.objects.get_or_create(
            key=key, defaults={"to": ", ".join(message.to)[:254], "subject": message.subject[:300]}
        )
        if created:
            message.send()
    return created


def send_templated_email(*, key: str, name: str, to: str, context: dict, language: str) -> bool:
    """Render emails/<name>-* in `language` and send them to `to` once under `key` (see `send_once`)."""
    if SentEmail.objects.filter(key=key).exists():
        return False
    return send_once(
        key=key, message=render_templated_email(name=name, to=to, context=context, language=language)
    )
