"""The helpers that keep one rule in one place: the order lock refuses to run outside a transaction, and
"is the money held" is one predicate, Order.is_paid, agreeing with the payment statuses."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from orders.models import MONEY_HELD_STATUSES, Order, PaymentStatus, Status
from orders.services import (
    LockOutsideTransaction,
    hand_over_pickup,
    lock_order,
    lock_restaurant,
    record_payment_on_delivery,
    transition_order,
)

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "menu", "restaurants", "orders", "ocpizza")


@pytest.mark.django_db(transaction=True)
def test_locking_an_order_outside_a_transaction_is_refused(order_for, customer):
    order = order_for(customer)
    with pytest.raises(LockOutsideTransaction, match="outside a transaction"):
        lock_order(order.pk)


@pytest.mark.django_db(transaction=True)
def test_locking_a_restaurant_outside_a_transaction_is_refused(restaurant_a):
    with pytest.raises(LockOutsideTransaction):
        lock_restaurant(restaurant_a.pk)


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_the_lock_reads_the_order_afresh(order_for, customer):
    order = order_for(customer)
    Order.objects.filter(pk=order.pk).update(note="changed meanwhile")
    with transaction.atomic():
        locked = lock_order(order.pk, with_restaurant=True)
        assert locked.note == "changed meanwhile"
        assert locked.restaurant == order.restaurant


@pytest.mark.django_db(transaction=True)
def test_a_hand_over_locks_the_restaurant_before_the_order_and_the_journal(order_for, customer, pizzaiolo):
    # The hand-over locked the order, then the journal's head (the cash), then the restaurant (transition_order):
    # against a payment confirmed at the same restaurant (restaurant, order, journal) it deadlocked in the soak.
    order = order_for(customer)
    for status in (Status.PREPARING, Status.READY):
        transition_order(order=order, to=status, by=pizzaiolo)
    with CaptureQueriesContext(connection) as queries:
        hand_over_pickup(order=order, by=pizzaiolo, payment="cash")
    locks = [query["sql"] for query in queries if "FOR UPDATE" in query["sql"]]
    assert 'FROM "restaurants_restaurant" INNER JOIN "orders_order"' in locks[0]
    assert locks[0].endswith('FOR UPDATE OF "restaurants_restaurant"')
    # No later lock reaches the restaurant's row behind another (a join locking both follows its plan).
    assert not [sql for sql in locks[1:] if '"restaurants_restaurant"' in sql and "FOR UPDATE OF" not in sql]
    assert Order.objects.get(pk=order.pk).status == Status.PICKED_UP


@pytest.mark.parametrize(
    ("status", "held"),
    [
        (PaymentStatus.UNPAID, False),
        (PaymentStatus.PENDING, False),
        (PaymentStatus.PAID, True),
        (PaymentStatus.PARTIALLY_REFUNDED, True),
        (PaymentStatus.REFUNDED, False),
    ],
)
def test_the_money_is_held_when_paid_or_partly_refunded_only(status, held):
    assert Order(payment_status=status).is_paid is held
    assert (status in MONEY_HELD_STATUSES) is held


def test_every_payment_status_is_named_in_the_is_paid_table():
    # A new payment status must be decided on: held or not.
    assert set(PaymentStatus.values) == {"unpaid", "pending", "paid", "partially_refunded", "refunded"}


@pytest.mark.django_db
def test_an_order_paid_at_hand_over_holds_its_money(order_for, customer, pizzaiolo):
    order = order_for(customer)
    assert not order.is_paid
    record_payment_on_delivery(order=order, method="cash", by=pizzaiolo)
    order.refresh_from_db()
    assert order.is_paid and order.payment_status == PaymentStatus.PAID


def test_no_module_locks_an_order_row_but_the_lock_helper():
    offenders = [
        str(path.relative_to(ROOT))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "Order.objects.select_for_update(" in path.read_text()
        and path.relative_to(ROOT).as_posix() != "orders/services/locking.py"
    ]
    assert offenders == []


def test_no_module_spells_the_paid_statuses_again():
    spelled = "PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED"
    offenders = [
        str(path.relative_to(ROOT))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if spelled in path.read_text() and path.relative_to(ROOT).as_posix() != "orders/models/order.py"
    ]
    assert offenders == []


def test_no_template_spells_the_paid_statuses_again():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*.html")
        if '"partially_refunded"' in path.read_text()
    ]
    assert offenders == []
