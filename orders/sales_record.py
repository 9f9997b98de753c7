"""What the orders write in the sales record (the `sales` app): one entry per event that moves a sale or
money, in the event's transaction, after the event's own row locks (the journal's head is locked last).

- an order confirmed (it reaches `received`): a sale, its VAT by rate as the receipt computes it
  (orders.receipts.vat_breakdown);
- a confirmed order whose lines change, or that is cancelled: the difference between what the journal holds
  for the order and what it is now (nothing, for a cancellation), as a modification or a cancellation;
- a payment taken (online, at the counter, on delivery) and a refund that went through: the money, by method.
Corrections are new entries: nothing written here is ever changed. An entry is recorded at the clock's time;
`now` is for the demo's history only (ocpizza.demo.sales_record), which replays past events in their order.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from orders.models import Order, OrderLine, Payment, Refund
from orders.receipts import vat_breakdown
from sales.journal import Event, append_entry, vat_dict
from sales.models import SALE_KINDS, EntryKind, SalesEntry


def _append(order: Order, *, kind: str, by, now: datetime | None, **money) -> SalesEntry:
    """One journal entry about `order`: its restaurant, its number and who did it, with `money` (the
    amounts, the VAT, the payment method, the reference) as the kind needs."""
    return append_entry(
        Event(
            restaurant_id=order.restaurant_id,
            kind=kind,
            order_id=order.pk,
            order_number=order.number,
            recorded_by_id=getattr(by, "pk", None),
            **money,
        ),
        now=now,
    )


def _recorded_sale(order: Order) -> dict[Decimal, tuple[Decimal, Decimal]] | None:
    """What the journal holds of the order's sale, by rate (gross, VAT); None when no sale was recorded."""
    entries = list(SalesEntry.objects.filter(order=order, kind__in=SALE_KINDS).values_list("vat", flat=True))
    if not entries:
        return None
    held: dict[Decimal, list[Decimal]] = defaultdict(lambda: [Decimal("0"), Decimal("0")])
    for vat in entries:
        for rate, amounts in vat.items():
            held[Decimal(rate)][0] += Decimal(amounts["gross"])
            held[Decimal(rate)][1] += Decimal(amounts["vat"])
    return {rate: (gross, vat) for rate, (gross, vat) in held.items()}


def _sale_now(order: Order, lines: list[OrderLine] | None) -> dict[Decimal, tuple[Decimal, Decimal]]:
    lines = list(order.lines.all()) if lines is None else lines
    return {rate.rate: (rate.gross, rate.vat) for rate in vat_breakdown(lines, order.delivery_fee)}


def record_sale_change(
    *,
    order: Order,
    kind: str,
    by=None,
    now: datetime | None = None,
    lines: list[OrderLine] | None = None,
    new: bool = False,
) -> SalesEntry | None:
    """Bring the journal's view of an order's sale up to date, as one entry of `kind`.

    Preconditions: inside the event's transaction, the order's row locked, its lines and totals as they now
    are. `kind` is EntryKind.SALE (the order was just confirmed: recorded once), MODIFICATION (its lines
    changed) or CANCELLATION (it was cancelled: the sale is reversed). A modification or cancellation of an
    order never confirmed, or a change that leaves every rate's amount as it was, writes nothing.
    `lines` are the order's lines when the caller has them (read otherwise); `new` says the order was
    created in this transaction, so the journal cannot hold it yet (one query fewer at placement).
    Returns the entry written, if any.
    """
    recorded = None if new else _recorded_sale(order)
    if (kind == EntryKind.SALE) == (recorded is not None):
        return None  # confirmed twice, or changed before it was ever confirmed
    target = {} if kind == EntryKind.CANCELLATION else _sale_now(order, lines)
    recorded = recorded or {}
    difference = {}
    for rate in sorted(set(target) | set(recorded)):
        gross_now, vat_now = target.get(rate, (Decimal("0"), Decimal("0")))
        gross_was, vat_was = recorded.get(rate, (Decimal("0"), Decimal("0")))
        if (gross_now, vat_now) != (gross_was, vat_was) or kind == EntryKind.SALE:
            difference[rate] = (gross_now - gross_was, vat_now - vat_was)
    if not difference:
        return None
    gross = sum((amount for amount, _vat in difference.values()), Decimal("0"))
    vat = sum((vat for _gross, vat in difference.values()), Decimal("0"))
    return _append(
        order,
        kind=kind,
        by=by,
        now=now,
        amount=gross,
        amount_net=gross - vat,
        vat=vat_dict(difference),
        payment_method=order.payment_method,
    )


def record_payment(
    *, payment: Payment, by=None, now: datetime | None = None, new: bool = False
) -> SalesEntry:
    """A payment that succeeded: the money in, by its method (cash, card terminal, online provider).
    Preconditions: inside its transaction, the order's row locked. Once per payment: a payment already in
    the journal returns its entry (the journal's unique reference would refuse a second); `new` says the
    payment was created in this transaction, so that is not looked up."""
    return _record_money(
        payment.order,
        kind=EntryKind.PAYMENT,
        amount=payment.amount,
        method=payment.provider,
        reference=f"payment:{payment.pk}",
        by=by,
        now=now,
        look_up=not new,
    )


def record_refund(*, refund: Refund, by=None, now: datetime | None = None) -> SalesEntry:
    """A refund that went through: the money out (negative), by the method of the payment refunded.
    Preconditions: inside its transaction, the order's row locked. Once per refund, like record_payment (a
    success reported again after a crash finds its entry)."""
    return _record_money(
        refund.payment.order,
        kind=EntryKind.REFUND,
        amount=-refund.amount,
        method=refund.payment.provider,
        reference=f"refund:{refund.pk}",
        by=by,
        now=now,
    )


def _record_money(
    order: Order,
    *,
    kind: str,
    amount: Decimal,
    method: str,
    reference: str,
    by,
    now: datetime | None,
    look_up: bool = True,
) -> SalesEntry:
    """Money in or out, once per reference: the entry already written for it is returned (the journal's
    unique reference would refuse a second). `look_up=False` when the payment is new in this transaction."""
    if look_up and (recorded := SalesEntry.objects.filter(kind=kind, reference=reference).first()):
        return recorded
    return _append(
        order, kind=kind, by=by, now=now, amount=amount, payment_method=method, reference=reference
    )


def record_sale(
    *,
    order: Order,
    by=None,
    now: datetime | None = None,
    lines: list[OrderLine] | None = None,
    new: bool = False,
) -> SalesEntry | None:
    """The order was just confirmed (it reached `received`): its sale, once (record_sale_change)."""
    return record_sale_change(order=order, kind=EntryKind.SALE, by=by, now=now, lines=lines, new=new)


def record_modification(*, order: Order, by=None, now: datetime | None = None) -> SalesEntry | None:
    """The lines of an order changed: the difference, if it was confirmed (record_sale_change)."""
    return record_sale_change(order=order, kind=EntryKind.MODIFICATION, by=by, now=now)


def record_cancellation(*, order: Order, by=None, now: datetime | None = None) -> SalesEntry | None:
    """The order was cancelled: its recorded sale reversed, if it was confirmed (record_sale_change)."""
    return record_sale_change(order=order, kind=EntryKind.CANCELLATION, by=by, now=now)
