"""Personal data not kept forever (RGPD art. 5-1-e): what has passed its period (settings
RETENTION_DELIVERY_DETAILS_DAYS, RETENTION_CUSTOMER_DAYS, shown by the privacy policy through
legal.retention) is anonymised every night (privacy.tasks) or by `manage.py apply_retention [--dry-run]`.

- An order over (delivered, picked up, cancelled) placed more than RETENTION_DELIVERY_DETAILS_DAYS ago loses
  the contact and delivery details copied on it: name, phone, email, street, complement, delivery
  instructions and note (privacy.erasure.anonymise_orders keeps its amounts and the sales record; its
  postal code and city stay, for the delivery zones' figures). The account, if any, keeps its own.
- A customer account without an order, a sign-in or a sign-up for RETENTION_CUSTOMER_DAYS is erased as if
  its owner had asked (privacy.erasure.erase_customer, logged as "retention"); one with an order still in
  progress is left for the next night.
- A data export past its download time (settings.PRIVACY_EXPORT_HOURS) is deleted with its file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max, Q
from django.db.models.functions import Coalesce, Greatest

from accounts.models import User
from orders.models import Order
from privacy.erasure import (
    ANONYMOUS_NAME,
    ANONYMOUS_STREET,
    ERASED_DOMAIN,
    FINISHED,
    ErasureRefused,
    anonymise_orders,
    erase_customer,
)
from privacy.export import delete_exports
from privacy.models import DataExport, RequestKind


@dataclass
class RetentionReport:
    orders: list[str] = field(default_factory=list)  # order numbers whose delivery details go (went)
    accounts: list[int] = field(default_factory=list)  # account ids erased (to be)


def orders_past_their_period(now: datetime):
    cutoff = now - timedelta(days=settings.RETENTION_DELIVERY_DETAILS_DAYS)
    holds_details = (
        ~Q(customer_name=ANONYMOUS_NAME)
        | ~Q(customer_phone="")
        | ~Q(customer_email="")
        | ~Q(delivery_street__in=("", ANONYMOUS_STREET))
        | ~Q(delivery_complement="")
        | ~Q(delivery_instructions="")
        | ~Q(note="")
    )
    return Order.objects.filter(holds_details, created_at__lt=cutoff, status__in=FINISHED).order_by("pk")


def accounts_past_their_period(now: datetime):
    cutoff = now - timedelta(days=settings.RETENTION_CUSTOMER_DAYS)
    return (
        User.objects.filter(is_staff=False, is_superuser=False, memberships__isnull=True)
        .exclude(email__endswith=f"@{ERASED_DOMAIN}")
        .annotate(
            last_seen=Greatest(
                "date_joined",
                Coalesce("last_login", "date_joined"),
                Coalesce(Max("orders__created_at"), "date_joined"),
            )
        )
        .filter(last_seen__lt=cutoff)
        .order_by("pk")
    )


def apply_retention(*, now: datetime, dry_run: bool = False) -> RetentionReport:
    """Anonymise what has passed its period (module docstring); `dry_run` only says what would go.
    Idempotent: a second run finds nothing. Each account is erased in its own transaction."""
    expired = DataExport.objects.filter(expires_at__lte=now)
    if not dry_run:
        delete_exports(expired)
    report = RetentionReport(
        orders=list(orders_past_their_period(now).values_list("number", flat=True)),
        accounts=list(accounts_past_their_period(now).values_list("pk", flat=True)),
    )
    if dry_run:
        return report
    anonymise_orders(Order.objects.filter(number__in=report.orders))
    erased = []
    for account in User.objects.filter(pk__in=report.accounts).order_by("pk"):
        try:
            erase_customer(user=account, by=None, by_staff=False, kind=RequestKind.RETENTION)
        except ErasureRefused:
            continue
        erased.append(account.pk)
    report.accounts = erased
    return report
