"""The sales record (issue #14): every event that moves a sale or money writes one chained entry, in the
event's transaction; the database refuses to change or delete one; the check names what was tampered with."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from orders.models import Order, Payment, PaymentState, Provider, Refund, RefundState, Status
from orders.receipts import build_receipt, vat_breakdown
from orders.services import (
    LineRequest,
    cancel_order,
    confirm_payment,
    hand_over_pickup,
    modify_order,
    record_payment_on_delivery,
    transition_order,
)
from orders.services.refunds import mark_refund_succeeded
from restaurants.models import Stock
from restaurants.services import restock
from sales.integrity import check_restaurant
from sales.journal import Event, JournalOutsideTransaction, append_entry, entry_hash
from sales.models import AppendOnlyError, EntryKind, SalesChain, SalesEntry
from tests import factories as f


@pytest.fixture(autouse=True)
def _english():
    """The check's messages in English, the source language, whatever the default."""
    with translation.override("en"):
        yield


def margheritas(menu, quantity: int) -> LineRequest:
    return LineRequest(product_id=menu["margherita"].id, quantity=quantity)


def kinds(restaurant) -> list[tuple[int, str, Decimal]]:
    return list(
        SalesEntry.objects.filter(restaurant=restaurant)
        .order_by("sequence")
        .values_list("sequence", "kind", "amount")
    )


def test_an_order_paid_at_the_counter_records_its_sale_then_its_payment(order_for, customer, counter, menu):
    order = order_for(customer, margheritas(menu, 2))
    record_payment_on_delivery(order=order, method=Provider.CASH, by=counter)

    sale, payment = SalesEntry.objects.order_by("sequence")
    assert (sale.sequence, sale.kind, sale.amount, sale.order_number) == (
        1,
        EntryKind.SALE,
        order.total,
        order.number,
    )
    [rate] = vat_breakdown(
        list(order.lines.all()), order.delivery_fee
    )  # the receipt's VAT, not derived again
    assert sale.vat == {f"{rate.rate:.2f}": {"gross": f"{rate.gross:.2f}", "vat": f"{rate.vat:.2f}"}}
    assert sale.amount_net == rate.gross - rate.vat
    assert sale.payment_method == order.payment_method and sale.recorded_by == customer
    assert (payment.sequence, payment.kind, payment.amount, payment.payment_method) == (
        2,
        EntryKind.PAYMENT,
        order.total,
        "cash",
    )
    assert payment.recorded_by == counter and payment.previous_hash == sale.hash
    assert sale.previous_hash == "" and len(sale.hash) == 64 and entry_hash(payment) == payment.hash
    assert check_restaurant(order.restaurant).ok


def test_an_online_order_records_the_payment_and_the_sale_once_confirmed(order_for, customer, menu, settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.DEMO_PAYMENTS = True
    order = order_for(customer, margheritas(menu, 1), payment_method="online")
    assert not SalesEntry.objects.exists()  # awaiting payment: no sale yet

    confirm_payment(payment=order.payments.get(), provider_payment_id="demo_pi_1")
    confirm_payment(payment=order.payments.get(), provider_payment_id="demo_pi_1")  # a webhook sent twice

    assert kinds(order.restaurant) == [(1, EntryKind.PAYMENT, order.total), (2, EntryKind.SALE, order.total)]
    assert SalesEntry.objects.get(kind=EntryKind.PAYMENT).payment_method == Provider.DEMO


def test_cancelling_a_paid_order_reverses_its_sale_and_records_the_refund_when_it_goes_through(
    order_for, customer, menu, settings
):
    settings.STRIPE_SECRET_KEY = ""
    settings.DEMO_PAYMENTS = True
    order = order_for(customer, margheritas(menu, 2), payment_method="online")
    confirm_payment(payment=order.payments.get(), provider_payment_id="demo_pi_1")
    cancel_order(order=order, by=customer, reason="Changed my mind")
    refund = Refund.objects.get()
    assert not SalesEntry.objects.filter(kind=EntryKind.REFUND).exists()  # asked, not given back yet

    mark_refund_succeeded(refund=refund, provider_reference="demo_re_1")
    mark_refund_succeeded(refund=refund, provider_reference="demo_re_1")  # reported twice: recorded once

    assert kinds(order.restaurant) == [
        (1, EntryKind.PAYMENT, Decimal("19.00")),
        (2, EntryKind.SALE, Decimal("19.00")),
        (3, EntryKind.CANCELLATION, Decimal("-19.00")),
        (4, EntryKind.REFUND, Decimal("-19.00")),
    ]
    cancellation = SalesEntry.objects.get(kind=EntryKind.CANCELLATION)
    sale = SalesEntry.objects.get(kind=EntryKind.SALE)
    assert {
        rate: {k: str(-Decimal(v)) for k, v in amounts.items()} for rate, amounts in sale.vat.items()
    } == (cancellation.vat)
    assert SalesEntry.objects.get(kind=EntryKind.REFUND).reference == f"refund:{refund.pk}"
    assert refund.payment.refunds.get().status == RefundState.SUCCEEDED
    assert check_restaurant(order.restaurant).ok


def test_a_modification_records_the_difference_and_a_change_before_confirmation_records_nothing(
    order_for, customer, menu, settings, stock_a
):
    for stock in stock_a.values():
        restock(stock=stock, quantity=Decimal("5000"), by=None)
    order = order_for(customer, margheritas(menu, 1))
    modify_order(order=order, lines=[margheritas(menu, 3)], by=customer)
    modify_order(order=order, lines=[margheritas(menu, 3)], by=customer)  # same lines: no difference

    assert kinds(order.restaurant) == [
        (1, EntryKind.SALE, Decimal("9.50")),
        (2, EntryKind.MODIFICATION, Decimal("19.00")),
    ]

    settings.STRIPE_SECRET_KEY = ""
    settings.DEMO_PAYMENTS = True
    online = order_for(customer, margheritas(menu, 1), payment_method="online")
    modify_order(order=online, lines=[margheritas(menu, 2)], by=customer)  # still awaiting payment
    assert not SalesEntry.objects.filter(order=online).exists()


def test_cancelling_an_unconfirmed_order_writes_nothing_and_a_cash_order_cancelled_is_reversed(
    order_for, customer, menu, settings
):
    settings.STRIPE_SECRET_KEY = ""
    settings.DEMO_PAYMENTS = True
    online = order_for(customer, margheritas(menu, 1), payment_method="online")
    cancel_order(order=online, by=customer)
    assert not SalesEntry.objects.filter(order=online).exists()

    cash = order_for(customer, margheritas(menu, 1))
    transition_order(order=cash, to=Status.CANCELLED, by=customer)
    assert list(SalesEntry.objects.filter(order=cash).values_list("kind", "amount")) == [
        (EntryKind.SALE, Decimal("9.50")),
        (EntryKind.CANCELLATION, Decimal("-9.50")),
    ]


def test_an_event_that_fails_leaves_no_entry(order_for, customer, counter, menu):
    order = order_for(customer, margheritas(menu, 1))
    with pytest.raises(RuntimeError, match="hand-over failed"), transaction.atomic():
        record_payment_on_delivery(order=order, method=Provider.CARD, by=counter)
        raise RuntimeError("the hand-over failed")
    assert kinds(order.restaurant) == [(1, EntryKind.SALE, Decimal("9.50"))]
    assert SalesChain.objects.get(restaurant=order.restaurant).last_sequence == 1


def test_the_receipt_carries_the_entry_numbers(
    order_for, customer, counter, menu, restaurant_a, stock_a, noon
):
    order = order_for(customer, margheritas(menu, 1))
    transition_order(order=order, to=Status.PREPARING, by=counter)
    transition_order(order=order, to=Status.READY, by=counter)
    hand_over_pickup(order=order, by=counter, payment=Provider.CARD)

    receipt = build_receipt(Order.objects.get(pk=order.pk))
    assert receipt.entry_numbers == "1, 2"
    assert receipt.payments[0].record_number == 2


@pytest.mark.django_db(transaction=True)
def test_the_journal_is_written_inside_a_transaction_only(order_for, customer, menu):
    order = order_for(customer, margheritas(menu, 1))
    with pytest.raises(JournalOutsideTransaction):
        append_entry(
            Event(
                restaurant_id=order.restaurant_id,
                kind=EntryKind.PAYMENT,
                order_id=order.pk,
                order_number=order.number,
                amount=Decimal("1"),
                payment_method="cash",
            )
        )


def test_the_database_refuses_to_update_or_delete_an_entry(order_for, customer, menu):
    order = order_for(customer, margheritas(menu, 1))
    entry = SalesEntry.objects.get()
    for sql in (
        "UPDATE sales_salesentry SET amount = 1 WHERE id = %s",
        "DELETE FROM sales_salesentry WHERE id = %s",
    ):
        with (
            pytest.raises(IntegrityError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        SalesEntry.objects.filter(pk=entry.pk).update(amount=Decimal("0.01"))
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert SalesEntry.objects.get().amount == order.total


def _tamper(sql: str, params: list) -> None:
    """What only a role owning the table can do: lift the trigger, change rows, put it back."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign key check
        cursor.execute("ALTER TABLE sales_salesentry DISABLE TRIGGER sales_salesentry_append_only")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE sales_salesentry ENABLE TRIGGER sales_salesentry_append_only")


@pytest.fixture
def five_entries(order_for, customer, counter, menu):
    orders = [order_for(customer, margheritas(menu, 1)) for _ in range(3)]
    for order in orders[:2]:
        record_payment_on_delivery(order=order, method=Provider.CASH, by=counter)
    entries = list(SalesEntry.objects.order_by("sequence"))
    assert [entry.sequence for entry in entries] == [1, 2, 3, 4, 5]
    assert check_restaurant(orders[0].restaurant).ok
    return entries


def test_the_check_names_an_altered_amount(five_entries, restaurant_a):
    _tamper("UPDATE sales_salesentry SET amount = 0.50 WHERE id = %s", [five_entries[2].pk])

    report = check_restaurant(restaurant_a)
    assert report.problems == [
        f"Entry 3 (order {five_entries[2].order_number}) was altered: its hash does not match its content."
    ]
    with pytest.raises(CommandError, match="1 problem"):
        call_command("check_sales_record", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_the_check_names_a_deleted_entry(five_entries, restaurant_a):
    _tamper("DELETE FROM sales_salesentry WHERE id = %s", [five_entries[1].pk])
    assert check_restaurant(restaurant_a).problems == ["Entry 2 is missing (the next one found is 3)."]


def test_the_check_names_the_newest_entry_deleted(five_entries, restaurant_a):
    _tamper("DELETE FROM sales_salesentry WHERE id = %s", [five_entries[4].pk])
    assert check_restaurant(restaurant_a).problems == [
        "Entries after number 4 are missing (the record's head is at 5)."
    ]


def test_the_check_names_reordered_entries(five_entries, restaurant_a):
    second, third = five_entries[1], five_entries[2]
    _tamper(
        "UPDATE sales_salesentry SET sequence = CASE id WHEN %s THEN 1000 ELSE sequence END WHERE id = %s",
        [second.pk, second.pk],
    )
    _tamper("UPDATE sales_salesentry SET sequence = 2 WHERE id = %s", [third.pk])
    _tamper("UPDATE sales_salesentry SET sequence = 3 WHERE id = %s", [second.pk])

    assert check_restaurant(restaurant_a).problems == [
        "Entry 2 does not follow entry 1 (its previous hash differs): entries were reordered or removed."
    ]


def test_the_check_command_says_the_record_checks(five_entries, capsys):
    call_command("check_sales_record")
    out = capsys.readouterr().out
    assert "5 entries, 0 closings: OK" in out and "The sales record checks: 1 restaurant(s), 5 entries" in out


@pytest.mark.django_db(transaction=True)
def test_fifty_payments_at_the_same_instant_give_an_unbroken_chain(
    restaurant_a, menu, ingredients, counter, noon
):
    from orders.services import Contact, place_order

    for name in ("Pâte à pizza", "Sauce tomate", "Mozzarella", "Basilic", "Jambon"):
        f.StockFactory(restaurant=restaurant_a, ingredient=ingredients[name], quantity=Decimal("100000"))
    orders = [
        place_order(
            restaurant=restaurant_a,
            lines=[LineRequest(product_id=menu["margherita"].id, quantity=1)],
            fulfilment="pickup",
            payment_method="cash_on_delivery",
            contact=Contact(name="Client", phone="0600000000", email=""),
            customer=None,
            channel="phone",
            taken_by=counter,
            now=noon,
        )
        for _ in range(50)
    ]
    barrier = threading.Barrier(50)
    failures: list[BaseException] = []

    def pay(order: Order) -> None:
        try:
            barrier.wait(timeout=20)
            record_payment_on_delivery(order=order, method=Provider.CASH, by=counter, now=noon)
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not failures
    assert Payment.objects.filter(status=PaymentState.SUCCEEDED).count() == 50
    sequences = list(
        SalesEntry.objects.filter(restaurant=restaurant_a)
        .order_by("sequence")
        .values_list("sequence", flat=True)
    )
    assert sequences == list(range(1, 101))
    assert SalesEntry.objects.filter(kind=EntryKind.PAYMENT).count() == 50
    assert check_restaurant(restaurant_a).ok
    assert Stock.objects.filter(restaurant=restaurant_a).count() == 5


def test_the_database_refuses_to_truncate_the_record(order_for, customer, menu):
    order_for(customer, margheritas(menu, 1))
    for table in ("sales_salesentry", "sales_closing"):
        with (
            pytest.raises(IntegrityError, match="append-only: TRUNCATE"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign key check
            cursor.execute("SET LOCAL sales.allow_truncate = 'off'")  # as in production: never set
            cursor.execute(f"TRUNCATE {table} CASCADE")
    assert SalesEntry.objects.count() == 1


def test_a_money_event_costs_the_journal_one_query(
    order_for, customer, counter, menu, django_assert_num_queries
):
    """The journal's cost, pinned: one statement locks the head, inserts the entry and moves the head on."""
    order = order_for(customer, margheritas(menu, 1))  # the chain's head exists from the sale's entry
    event = Event(
        kind=EntryKind.PAYMENT,
        restaurant_id=order.restaurant_id,
        order_id=order.pk,
        order_number=order.number,
        amount=order.total,
        payment_method="cash",
        recorded_by_id=counter.pk,
    )
    with transaction.atomic(), django_assert_num_queries(1) as captured:
        entry = append_entry(event)
    (statement,) = (query["sql"] for query in captured.captured_queries)
    assert 'FROM "sales_saleschain" WHERE restaurant_id' in statement and "FOR UPDATE" in statement
    assert 'INSERT INTO "sales_salesentry"' in statement
    assert 'UPDATE "sales_saleschain" SET last_sequence' in statement
    assert entry.hash == entry_hash(SalesEntry.objects.get(pk=entry.pk))
    assert SalesEntry.objects.filter(order=order).count() == 2
