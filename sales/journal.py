"""Writing the sales record: one entry a money event, chained by SHA-256, the chain's head locked.

The hash of an entry is SHA-256 over the previous entry's hash followed by a canonical JSON of its fields
(sorted keys, no spaces, ASCII: the form Odoo's l10n_fr_pos_cert hashes its orders in), so recomputing it
later from the stored row gives the same hex digest, and changing any field, removing an entry or swapping
two breaks the chain from there (sales.integrity finds where).

Lock order: callers take their own rows first (restaurant, order, stock), then append: the chain's head comes
after every row of the sale; only the customer's row (loyalty points, spent or earned) is locked after it, by
every writer alike, so two writers never wait on each other in a cycle.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from sales.models import SalesChain, SalesEntry

CENT = Decimal("0.01")


class JournalOutsideTransaction(RuntimeError):
    """An entry was appended with no transaction open: it would not commit with its event."""


def money(amount: Decimal | None) -> str:
    """An amount as the journal writes and hashes it: two places, never "-0.00"; "" for none."""
    if amount is None:
        return ""
    return format((Decimal(amount) + 0).quantize(CENT, rounding=ROUND_HALF_UP) + 0, "f")


def vat_dict(rates: dict[Decimal, tuple[Decimal, Decimal]]) -> dict[str, dict[str, str]]:
    """{rate: (gross, vat)} as the journal stores it: {"10.00": {"gross": "12.00", "vat": "1.09"}}."""
    return {money(rate): {"gross": money(gross), "vat": money(vat)} for rate, (gross, vat) in rates.items()}


def canonical(values: dict[str, Any]) -> str:
    return json.dumps(values, sort_keys=True, ensure_ascii=True, separators=(",", ":"))


def chain_hash(previous_hash: str, values: dict[str, Any]) -> str:
    return hashlib.sha256((previous_hash + canonical(values)).encode("ascii")).hexdigest()


def payload(entry: SalesEntry) -> dict[str, Any]:
    """The fields an entry's hash covers, as strings and ids, the same read back from the database."""
    return {
        "restaurant": entry.restaurant_id,
        "sequence": entry.sequence,
        "recorded_at": entry.recorded_at.astimezone(UTC).isoformat(),
        "kind": entry.kind,
        "order": entry.order_id,
        "order_number": entry.order_number,
        "amount": money(entry.amount),
        "amount_net": money(entry.amount_net),
        "vat": entry.vat,
        "payment_method": entry.payment_method,
        "reference": entry.reference,
        "recorded_by": entry.recorded_by_id,
    }


def entry_hash(entry: SalesEntry) -> str:
    return chain_hash(entry.previous_hash, payload(entry))


@dataclass(frozen=True)
class Event:
    """What the caller records: an order's sale or money moving. Amounts are signed (see SalesEntry)."""

    restaurant_id: int
    kind: str
    order_id: int
    order_number: str
    amount: Decimal
    payment_method: str
    amount_net: Decimal | None = None
    vat: dict[str, dict[str, str]] | None = None
    reference: str = ""
    recorded_by_id: int | None = None


def lock_chain(restaurant_id: int) -> SalesChain:
    """The restaurant's chain head, created on first use and locked until the transaction ends."""
    if not transaction.get_connection().in_atomic_block:
        raise JournalOutsideTransaction(
            "A sales record entry is written in its event's transaction: call it inside transaction.atomic()."
        )
    chain = SalesChain.objects.select_for_update().filter(restaurant_id=restaurant_id).first()
    if chain is None:
        # The restaurant's first entry. Two at once: one insert wins, the other does nothing; both then wait
        # on the lock, and the second reads the head the first one moved.
        SalesChain.objects.bulk_create([SalesChain(restaurant_id=restaurant_id)], ignore_conflicts=True)
        chain = SalesChain.objects.select_for_update().get(restaurant_id=restaurant_id)
    return chain


def append_entry(event: Event, *, now: datetime | None = None) -> SalesEntry:
    """Append one entry to the event's restaurant's journal, in the caller's transaction.

    Preconditions: a transaction is open (JournalOutsideTransaction otherwise) and the caller has taken its
    own row locks already (the head comes last). Effects: the head is locked, the entry gets the next number
    and the hash over its fields and the previous hash; the head moves on. Both commit or roll back with
    the caller's event. `now` is the time recorded (the clock by default).

    One statement (_APPEND): the head locked, the entry inserted, the head moved on. PostgreSQL computes the
    hash there, over the same text as chain_hash (the previous hash, then the canonical JSON whose
    "sequence" is the number it just took); the hash it returns is checked against chain_hash here, so the
    two can never drift apart unnoticed. The restaurant's first entry creates its head first (lock_chain).
    """
    if not transaction.get_connection().in_atomic_block:
        raise JournalOutsideTransaction(
            "A sales record entry is written in its event's transaction: call it inside transaction.atomic()."
        )
    entry = SalesEntry(
        restaurant_id=event.restaurant_id,
        sequence=0,  # the head's next number, taken under its lock by the statement
        recorded_at=now or timezone.now(),
        kind=event.kind,
        order_id=event.order_id,
        order_number=event.order_number,
        amount=Decimal(money(event.amount)),
        amount_net=None if event.amount_net is None else Decimal(money(event.amount_net)),
        vat=event.vat or {},
        payment_method=event.payment_method,
        reference=event.reference,
        recorded_by_id=event.recorded_by_id,
    )
    written = _append(entry)
    if written is None:
        lock_chain(event.restaurant_id)  # no head yet: the restaurant's first entry
        written = _append(entry)
    entry.pk, entry.sequence, entry.previous_hash, entry.hash = written
    entry._state.adding = False
    entry._state.db = transaction.get_connection().alias
    if entry.hash != entry_hash(entry):
        raise RuntimeError(f"The database hashed sales record entry {entry} unlike sales.journal.chain_hash.")
    return entry


# The fields the statement fills itself, from the head.
_FROM_HEAD = ("sequence", "previous_hash", "hash")


def _append(entry: SalesEntry) -> tuple[int, int, str, str] | None:
    """Run _APPEND for `entry` (its sequence 0): (id, sequence, previous hash, hash) of the row written, or
    None when the restaurant has no head yet (nothing written)."""
    connection = transaction.get_connection()
    fields = [
        field
        for field in SalesEntry._meta.concrete_fields
        if not field.primary_key and field.name not in _FROM_HEAD
    ]
    # The canonical text around the entry's number: the statement writes the number in between.
    before, after = canonical(payload(entry)).split('"sequence":0', 1)
    sql = _APPEND.format(
        chain=connection.ops.quote_name(SalesChain._meta.db_table),
        entries=connection.ops.quote_name(SalesEntry._meta.db_table),
        columns=", ".join(connection.ops.quote_name(field.column) for field in fields),
        values=", ".join(["%s"] * len(fields)),
    )
    values = [field.get_db_prep_save(getattr(entry, field.attname), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, [entry.restaurant_id, *values, before + '"sequence":', after])
        return cursor.fetchone()


# The head locked (FOR UPDATE: when another writer holds it, its row as that writer left it), the entry
# inserted with the head's next number and hash, the head moved on to them; one round trip instead of three.
_APPEND = """
WITH head AS (
    SELECT id, last_sequence + 1 AS sequence, last_hash FROM {chain} WHERE restaurant_id = %s FOR UPDATE
), entry AS (
    INSERT INTO {entries} ({columns}, "sequence", "previous_hash", "hash")
    SELECT {values}, head.sequence, head.last_hash,
        encode(sha256(convert_to(head.last_hash || %s::text || head.sequence::text || %s::text, 'UTF8')), 'hex')
    FROM head
    RETURNING id, sequence, previous_hash, hash
)
UPDATE {chain} SET last_sequence = entry.sequence, last_hash = entry.hash
FROM entry, head WHERE {chain}.id = head.id
RETURNING entry.id, entry.sequence, entry.previous_hash, entry.hash
"""
