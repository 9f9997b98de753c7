"""The sales record's one-statement append (sales.journal.append_entry): the head locked, the entry written
and the head moved on by one statement, the hash PostgreSQL computes equal to chain_hash's, writers racing
for the same head in a row, and a restaurant's first entry creating its head."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from sales.integrity import check_restaurant
from sales.journal import Event, append_entry, entry_hash
from sales.models import EntryKind, SalesChain, SalesEntry


def payment(order, restaurant, reference: str) -> Event:
    return Event(
        restaurant_id=restaurant.pk,
        kind=EntryKind.PAYMENT,
        order_id=order.pk,
        order_number=order.number,
        amount=Decimal("12.5"),
        payment_method="card",
        reference=reference,
        vat={"10.00": {"gross": "12.50", "vat": "1.14"}},
    )


def chain_of(restaurant) -> list[tuple[int, str, str]]:
    return list(
        SalesEntry.objects.filter(restaurant=restaurant)
        .order_by("sequence")
        .values_list("sequence", "previous_hash", "hash")
    )


def test_a_restaurants_first_entries_start_its_chain_with_the_hashes_chain_hash_gives(
    order_for, customer, restaurant_b
):
    order = order_for(customer)  # at A: B's journal has no head yet
    assert not SalesChain.objects.filter(restaurant=restaurant_b).exists()

    with transaction.atomic():
        first = append_entry(payment(order, restaurant_b, "pay-1"))
        second = append_entry(payment(order, restaurant_b, "réf-é"))  # escaped in the canonical JSON

    assert (first.sequence, first.previous_hash) == (1, "")
    assert (second.sequence, second.previous_hash) == (2, first.hash)
    for entry in (first, second):
        assert entry.hash == entry_hash(SalesEntry.objects.get(pk=entry.pk))
    head = SalesChain.objects.get(restaurant=restaurant_b)
    assert (head.last_sequence, head.last_hash) == (2, second.hash)
    assert check_restaurant(restaurant_b).ok


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("head_exists", [True, False])
def test_twenty_writers_at_once_append_an_unbroken_chain(order_for, customer, restaurant_b, head_exists):
    order = order_for(customer)
    if head_exists:
        with transaction.atomic():
            append_entry(payment(order, restaurant_b, "before"))
    barrier = threading.Barrier(20)
    failures: list[BaseException] = []

    def write(number: int) -> None:
        try:
            barrier.wait(timeout=20)
            with transaction.atomic():
                append_entry(payment(order, restaurant_b, f"pay-{number}"))
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(number,)) for number in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not failures
    chain = chain_of(restaurant_b)
    count = 21 if head_exists else 20
    assert [sequence for sequence, _, _ in chain] == list(range(1, count + 1))
    assert [previous for _, previous, _ in chain] == ["", *(hash_ for _, _, hash_ in chain[:-1])]
    head = SalesChain.objects.get(restaurant=restaurant_b)
    assert (head.last_sequence, head.last_hash) == (count, chain[-1][2])
    assert check_restaurant(restaurant_b).ok
