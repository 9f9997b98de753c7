"""Loyalty points: earned once when an order is handed over, taken back on a refund, given back on a
cancellation, spent under a lock on the customer so two tabs cannot spend the same points."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from loyalty.models import Entry, Kind, Reward, balance_of
from loyalty.services import LoyaltyError, redeemable_rewards, spend
from orders.models import Status
from orders.services import LineRequest, cancel_order, record_payment_on_delivery, transition_order
from orders.services.refunds import create_refund, mark_refund_succeeded
from tests import factories as f


def hand_over(order, pizzaiolo):
    for status in (Status.PREPARING, Status.READY):
        transition_order(order=order, to=status, by=pizzaiolo)
    record_payment_on_delivery(order=order, method="cash", by=pizzaiolo)
    return transition_order(order=order, to=Status.PICKED_UP, by=pizzaiolo)


@pytest.mark.django_db
def test_a_picked_up_order_earns_its_points_once(order_for, customer, menu, pizzaiolo, settings):
    settings.LOYALTY_POINTS_PER_EURO = 1
    order = order_for(customer, LineRequest(product_id=menu["margherita"].id, quantity=2))
    order = hand_over(order, pizzaiolo)
    transition_order(order=order, to=Status.PICKED_UP, by=pizzaiolo)
    entry = Entry.objects.get(order=order)
    assert (entry.kind, entry.points) == (Kind.EARNED, int(order.total))
    assert balance_of(customer) == int(order.total) > 0


@pytest.mark.django_db
def test_a_staff_accounts_order_earns_nothing(order_for, menu, pizzaiolo):
    staff = f.UserFactory(is_staff=True)
    hand_over(order_for(staff), pizzaiolo)
    assert not Entry.objects.exists()


@pytest.mark.django_db
def test_a_partial_refund_takes_back_the_same_share(order_for, customer, pizzaiolo, settings):
    settings.LOYALTY_POINTS_PER_EURO = 10
    order = hand_over(order_for(customer), pizzaiolo)
    earned = balance_of(customer)
    refund = create_refund(order.payments.get(), order.total / 2, "cold")
    mark_refund_succeeded(refund=refund)
    mark_refund_succeeded(refund=refund)
    taken = Entry.objects.get(order=order, kind=Kind.TAKEN_BACK)
    assert taken.points == -(earned // 2)


@pytest.mark.django_db
def test_spending_refuses_with_a_reason_and_a_cancellation_gives_the_points_back(order_for, customer):
    reward = Reward.objects.create(name="Une pizza offerte", points=100)
    Entry.objects.create(customer=customer, kind=Kind.ADJUSTED, points=150)
    assert redeemable_rewards(customer) == [reward]
    order = order_for(customer)
    spend(customer, reward, order)
    assert balance_of(customer) == 50
    with pytest.raises(LoyaltyError) as error:
        spend(customer, reward, order)
    assert error.value.code == "not_enough_points"
    reward.active = False
    reward.save()
    with pytest.raises(LoyaltyError) as error:
        spend(customer, reward, order)
    assert error.value.code == "reward_inactive"
    cancel_order(order=order, by=customer)
    assert balance_of(customer) == 150
    assert Entry.objects.get(order=order, kind=Kind.GIVEN_BACK).points == 100


@pytest.mark.django_db(transaction=True)
def test_eight_tabs_spending_at_once_spend_the_points_once(order_for, customer):
    reward = Reward.objects.create(name="Une boisson offerte", points=100)
    Entry.objects.create(customer=customer, kind=Kind.ADJUSTED, points=150)
    order = order_for(customer)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []
    lock = threading.Lock()

    def tab():
        try:
            barrier.wait(timeout=10)
            spend(customer, reward, order)
            result = "spent"
        except LoyaltyError as error:
            result = error.code
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=tab) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["not_enough_points"] * 7 + ["spent"]
    assert balance_of(customer) == 50


@pytest.mark.django_db
def test_the_points_page_shows_the_balance_and_the_history_with_order_numbers(
    client, order_for, customer, pizzaiolo
):
    order = hand_over(order_for(customer), pizzaiolo)
    client.force_login(customer)
    response = client.get("/accounts/points/")
    assert response.status_code == 200
    assert order.number in response.text
    assert f"<strong>{balance_of(customer)}</strong>" in response.text
    assert 'href="/accounts/points/"' in client.get("/accounts/profile/").text


@pytest.mark.django_db
def test_a_staff_account_has_no_points_page_nor_link(client, pizzaiolo):
    client.force_login(pizzaiolo)
    assert client.get("/accounts/points/").status_code == 404
    assert "/accounts/points/" not in client.get("/accounts/profile/").text
