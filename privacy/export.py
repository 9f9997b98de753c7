"""A customer's copy of their data (RGPD art. 15 and 20): their profile, addresses, orders with lines, payments
and refunds, and consents (the terms of sale accepted), as JSON and CSV in one ZIP.

The customer asks from their account (request_export: the request is logged and the job deferred in the same
transaction); the worker builds the ZIP (build_export) into the default storage under a random name; the owner
downloads it through privacy.views (never a storage URL) until it expires (settings.PRIVACY_EXPORT_HOURS);
privacy.retention deletes expired ones with their files, and an erasure deletes them at once.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
import zipfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from procrastinate.contrib.django import app

from accounts.models import Address, User
from common.email import send_templated_email
from common.queue import MAINTENANCE, RETRY_LOCAL
from loyalty.models import Entry
from orders.models import Order, Refund
from privacy.models import DataExport, PrivacyRequest, RequestKind


class ExportRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _text(value) -> str | int | None:
    if value is None or isinstance(value, int | str):
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def collect(user: User) -> dict:
    """Everything the database holds about `user` that is theirs, as plain data."""
    orders = (
        Order.objects.filter(customer=user)
        .select_related("restaurant", "accepted_terms")
        .prefetch_related("lines__extras", "payments")
        .order_by("created_at")
    )
    refunds = {}
    for refund in Refund.objects.filter(payment__order__customer=user).order_by("created_at"):
        refunds.setdefault(refund.payment_id, []).append(refund)
    return {
        "profile": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "phone": str(user.phone or ""),
            "language": user.language,
            "date_joined": _text(user.date_joined),
            "last_login": _text(user.last_login),
        },
        "addresses": [
            {
                "label": address.label,
                "street": address.street,
                "complement": address.complement,
                "postal_code": address.postal_code,
                "city": address.city,
                "instructions": address.instructions,
                "deleted_at": _text(address.deleted_at),
            }
            for address in Address.objects.filter(user=user).order_by("pk")
        ],
        "orders": [_order(order, refunds) for order in orders],
        # The loyalty ledger, oldest first: what each order earned, what was spent, taken or given back.
        "loyalty_points": [
            {
                "at": _text(entry.created_at),
                "kind": entry.kind,
                "points": entry.points,
                "order": entry.order.number if entry.order else "",
                "reward": entry.reward.name if entry.reward else "",
                "note": entry.note,
            }
            for entry in Entry.objects.filter(customer=user).select_related("order", "reward").order_by("pk")
        ],
        "consents": [
            {
                "order": order.number,
                "terms_of_sale_version": order.accepted_terms.version,
                "at": _text(order.created_at),
            }
            for order in orders
            if order.accepted_terms is not None
        ],
    }


def _order(order: Order, refunds: dict) -> dict:
    return {
        "number": order.number,
        "restaurant": order.restaurant.name,
        "placed_at": _text(order.created_at),
        "status": order.status,
        "channel": order.channel,
        "fulfilment": order.fulfilment,
        "customer_name": order.customer_name,
        "customer_phone": str(order.customer_phone or ""),
        "customer_email": order.customer_email,
        "delivery_address": order.delivery_address if order.fulfilment == "delivery" else "",
        "delivery_instructions": order.delivery_instructions,
        "note": order.note,
        "payment_method": order.payment_method,
        "subtotal": _text(order.subtotal),
        "delivery_fee": _text(order.delivery_fee),
        "total": _text(order.total),
        "lines": [
            {
                "product": line.product_name,
                "quantity": line.quantity,
                "unit_price": _text(line.unit_price),
                "vat_rate": _text(line.vat_rate),
                "total": _text(line.line_total),
                "extras": [extra.name for extra in line.extras.all()],
            }
            for line in order.lines.all()
        ],
        "payments": [
            {
                "method": payment.provider,
                "amount": _text(payment.amount),
                "status": payment.status,
                "at": _text(payment.succeeded_at or payment.created_at),
                "refunds": [
                    {"amount": _text(refund.amount), "status": refund.status, "at": _text(refund.created_at)}
                    for refund in refunds.get(payment.pk, [])
                ],
            }
            for payment in order.payments.all()
        ],
    }


def _csv(rows: list[dict]) -> bytes:
    if not rows:
        return b""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode()


def build_zip(data: dict) -> bytes:
    """data.json (everything), and one CSV a table: profile, addresses, orders, order lines, payments,
    consents, loyalty points."""
    orders = data["orders"]
    files = {
        "data.json": json.dumps(data, ensure_ascii=False, indent=1).encode(),
        "profile.csv": _csv([data["profile"]]),
        "addresses.csv": _csv(data["addresses"]),
        "orders.csv": _csv(
            [{k: v for k, v in order.items() if k not in ("lines", "payments")} for order in orders]
        ),
        "order_lines.csv": _csv(
            [
                {
                    "order": order["number"],
                    **{k: v for k, v in line.items() if k != "extras"},
                    "extras": ", ".join(line["extras"]),
                }
                for order in orders
                for line in order["lines"]
            ]
        ),
        "payments.csv": _csv(
            [
                {"order": order["number"], **{k: v for k, v in payment.items() if k != "refunds"}}
                for order in orders
                for payment in order["payments"]
            ]
        ),
        "consents.csv": _csv(data["consents"]),
        "loyalty_points.csv": _csv(data["loyalty_points"]),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def request_export(*, user: User, by: User | None = None, now: datetime | None = None) -> DataExport:
    """The customer asks for their data (or head office, `by`, for a customer who asks by phone): an export
    row, the request logged (who, for whom), the job deferred, in one transaction; the task emails the
    customer the link once built. Errors: ExportRefused when one is already being built."""
    now = now or timezone.now()
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        if DataExport.objects.filter(user=user, ready_at__isnull=True).exists():
            raise ExportRefused(_("Your export is being prepared: it will be ready in a moment."))
        export = DataExport.objects.create(user=user, requested_at=now)
        PrivacyRequest.objects.create(
            kind=RequestKind.EXPORT,
            account_id=user.pk,
            done_by=by or user,
            by_staff=by is not None and by.pk != user.pk,
        )
        build_export.defer(export_id=export.pk)
    return export


@app.task(name="privacy.build_export", queue=MAINTENANCE, retry=RETRY_LOCAL)
def build_export(*, export_id: int) -> None:
    """The worker's task: build the ZIP of an export not built yet, offer it until it expires and email the
    customer the link to it, in one transaction (a failure rolls all back and the queue tries again).
    Idempotent: an export already ready (or gone) is left alone; the email goes once (its key)."""
    with transaction.atomic():
        export = DataExport.objects.select_for_update().select_related("user").filter(pk=export_id).first()
        if export is None or export.ready_at is not None:
            return
        name = default_storage.save(
            f"private/exports/{secrets.token_urlsafe(24)}.zip", ContentFile(build_zip(collect(export.user)))
        )
        now = timezone.now()
        export.file_name = name
        export.ready_at = now
        export.expires_at = now + timedelta(hours=settings.PRIVACY_EXPORT_HOURS)
        export.save(update_fields=["file_name", "ready_at", "expires_at"])
        send_templated_email(
            key=f"export-ready:{export.pk}",
            name="export-ready",
            to=export.user.email,
            context={
                "export_url": settings.SITE_URL + reverse("account_export"),
                "expires_at": export.expires_at,
            },
            language=export.user.language,
        )


def delete_exports(exports) -> int:
    """Delete exports (a queryset) and their files; returns how many."""
    count = 0
    for export in exports:
        if export.file_name:
            default_storage.delete(export.file_name)
        export.delete()
        count += 1
    return count
