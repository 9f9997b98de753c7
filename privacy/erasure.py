"""Erasing a customer's personal data (RGPD art. 17), everywhere, while keeping what accounting must keep.

What goes: the account's name, email (replaced by `erased-<id>@erased.invalid`), phone and password (the
account can no longer sign in); its address book; on each of its orders the name, phone, email, street,
complement, delivery instructions and note (a delivery keeps a dash as street, its postal code and city);
allauth's email addresses; its loyalty ledger (points are no money and the account can no longer spend them,
so nothing is worth keeping: docs/compliance.md); the recipient of the emails recorded as sent to it; its data
exports and their files; the free texts about its orders (status change and refund reasons, stock movement
notes), the Stripe events naming its email (their payload, kept as the event's id and type), the admin's
history of its account.
What stays: the orders' lines, amounts, VAT, dates, statuses and payment methods, and the sales record, which
holds no name, contact or address (sales.models.SalesEntry), so it still checks.
"""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Case, Value, When
from django.utils.translation import gettext as _
from procrastinate.contrib.django import app

from accounts.models import Address, User
from common.email import send_templated_email
from common.errors import Refusal
from common.models import SentEmail
from common.queue import EMAILS, RETRY_EMAIL
from loyalty.models import Entry
from orders.models import Fulfilment, Order, OrderStatusChange, Refund, Status, StripeEvent
from privacy.export import delete_exports
from privacy.models import Customer, DataExport, ErasureNotice, PrivacyRequest, RequestKind
from restaurants.models import StockMovement

ERASED_DOMAIN = "erased.invalid"  # also privacy.models.CustomerManager's
# An order in one of these is over: its customer may go.
FINISHED = (Status.DELIVERED, Status.PICKED_UP, Status.CANCELLED)
ANONYMOUS_STREET = "—"  # a delivery must keep a street (order_delivery_has_address)
ANONYMOUS_NAME = "—"


class ErasureRefused(Refusal):
    """An erasure refused (a staff account, an account erased already, orders still under way)."""


def is_erased(user: User) -> bool:
    return user.email.endswith(f"@{ERASED_DOMAIN}")


def anonymise_orders(orders) -> int:
    """Take the personal data off `orders` (a queryset); returns how many rows changed."""
    return orders.update(
        customer_name=ANONYMOUS_NAME,
        customer_phone="",
        customer_email="",
        delivery_street=Case(
            When(fulfilment=Fulfilment.DELIVERY, then=Value(ANONYMOUS_STREET)), default=Value("")
        ),
        delivery_complement="",
        delivery_instructions="",
        note="",
    )


def forget_free_texts(user: User) -> None:
    """The texts written about a customer's orders and account that may quote them: reasons and notes are
    emptied (the amounts and times stay), Stripe's copies of their email lose their payload, the admin's
    history of the account loses its label and message."""
    orders = Order.objects.filter(customer=user)
    OrderStatusChange.objects.filter(order__in=orders).exclude(reason="").update(reason="")
    Refund.objects.filter(payment__order__in=orders).exclude(reason="").update(reason="")
    StockMovement.objects.filter(order__in=orders).exclude(note="").update(note="")
    StripeEvent.objects.filter(payload__icontains=user.email).update(payload={})
    for model in (User, Customer):  # its history under either admin
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
            object_id=str(user.pk),
        ).update(object_repr=ANONYMOUS_NAME, change_message="")


@dataclass(frozen=True)
class Erased:
    account_id: int
    email: str  # the address it had, to tell its owner (the only copy left, in memory)
    language: str
    orders: int


def erase_customer(*, user: User, by: User | None, by_staff: bool, kind: str = RequestKind.ERASURE) -> Erased:
    """Erase a customer's personal data (module docstring), in one transaction, and log it (PrivacyRequest).

    Preconditions: `user` is a customer (not staff, not head office) with no order in progress; `by` is the
    customer themselves (after their password was checked), head office (`by_staff`), or nobody (the
    retention rule: `kind` RequestKind.RETENTION). Errors:
    ErasureRefused "order_in_progress" (its message says so), "not_a_customer", "already_erased".
    Effects: the personal data goes (module docstring); the email telling its owner is deferred in the
    same transaction. Returns the account's id, its former address and the number of orders anonymised.
    """
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_staff or locked.is_superuser or locked.memberships.exists():
            raise ErasureRefused(_("A staff account is not erased this way."), code="not_a_customer")
        if is_erased(locked):
            raise ErasureRefused(_("This account was erased already."), code="already_erased")
        if Order.objects.filter(customer=locked).exclude(status__in=FINISHED).exists():
            raise ErasureRefused(
                _(
                    "An order of yours is still in progress: your account can be deleted once it is delivered, "
                    "picked up or cancelled."
                ),
                code="order_in_progress",
            )
        email, language = locked.email, locked.language
        orders = anonymise_orders(Order.objects.filter(customer=locked))
        forget_free_texts(locked)
        Address.objects.filter(user=locked).delete()
        Entry.objects.filter(customer=locked).delete()
        delete_exports(DataExport.objects.filter(user=locked))
        EmailAddress.objects.filter(user=locked).delete()
        SentEmail.objects.filter(to__iexact=locked.email).update(to="")
        locked.email = f"erased-{locked.pk}@{ERASED_DOMAIN}"
        locked.first_name = ""
        locked.last_name = ""
        locked.phone = ""
        locked.is_active = False
        locked.set_unusable_password()
        locked.save()
        PrivacyRequest.objects.create(
            kind=kind, account_id=locked.pk, done_by=by, by_staff=by_staff, orders_anonymised=orders
        )
        ErasureNotice.objects.create(account_id=locked.pk, email=email, language=language)
        send_erasure_email.defer(account_id=locked.pk)
    return Erased(account_id=locked.pk, email=email, language=language, orders=orders)


@app.task(name="privacy.send_erasure_email", queue=EMAILS, retry=RETRY_EMAIL)
def send_erasure_email(*, account_id: int) -> None:
    """The worker's task: tell the former customer their account and data were erased, once. In one
    transaction: the email is sent (common.email, under its key), the record of it forgets the address, and
    the notice holding the address is deleted; a failure rolls all back and the queue tries again."""
    key = f"account-erased:{account_id}"
    with transaction.atomic():
        notice = ErasureNotice.objects.select_for_update().filter(account_id=account_id).first()
        if notice is None:
            return
        send_templated_email(
            key=key, name="account-erased", to=notice.email, context={}, language=notice.language
        )
        SentEmail.objects.filter(key=key).update(to="")
        notice.delete()
