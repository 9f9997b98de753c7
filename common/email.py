"""One way to send an email: three templates rendered in the reader's language.

Templates: emails/<name>-subject.txt, emails/<name>-body.txt and emails/<name>-body.html. Callers send
after commit and decide what a failure means for them (orders.notifications, restaurants.notifications).
"""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def send_templated_email(*, name: str, to: str, context: dict, language: str) -> None:
    """Render emails/<name>-{subject,body}.txt and -body.html in `language` and send them to `to`.

    The subject is one line whatever the template's line breaks. Raises what the mail backend raises.
    """
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
        text = render_to_string(f"emails/{name}-body.txt", context)
        html = render_to_string(f"emails/{name}-body.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()
