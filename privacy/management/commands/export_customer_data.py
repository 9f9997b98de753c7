"""`manage.py export_customer_data EMAIL FILE.zip`: head office's copy of a customer's data, for a customer who
asks without access to their account (the same ZIP as their own export, privacy.export); logged."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from privacy.export import build_zip, collect
from privacy.models import PrivacyRequest, RequestKind


class Command(BaseCommand):
    help = "Write a customer's data (profile, addresses, orders, payments, consents) to a ZIP file."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")
        parser.add_argument("path")

    def handle(self, *args, email: str, path: str, **options) -> None:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account has the email {email}.")
        Path(path).write_bytes(build_zip(collect(user)))
        PrivacyRequest.objects.create(kind=RequestKind.EXPORT, account_id=user.pk, by_staff=True)
        self.stdout.write(self.style.SUCCESS(f"Written to {path}."))
