"""The order list of the admin moves orders between statuses through transition_order, never by a raw edit.

Each selected order is moved on its own: successes are reported together, each refusal with the domain
error's message; a manager's actions reach only their restaurants' orders.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from orders.models import OrderStatusChange, PaymentStatus, Status
from orders.services import LineRequest, record_payment_on_delivery, transition_order

CHANGELIST = reverse("admin:orders_order_changelist")


@pytest.fixture
def admin_client(client, head_office):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(head_office)
    return client


@pytest.fixture
def manager_a(manager_a):
    """Restaurant A's manager (tests/conftest.py), who also reaches the admin."""
    manager_a.is_staff = True
    manager_a.save(update_fields=["is_staff"])
    return manager_a


def act(client, action: str, *orders):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [order.pk for order in orders], "index": "0"},
        follow=True,
    )


def messages_of(response) -> list[tuple[str, str]]:
    return [(message.level_tag, str(message)) for message in response.context["messages"]]


def test_the_actions_move_orders_through_the_lifecycle_with_their_history(
    admin_client, order_for, customer, head_office
):
    order = order_for(customer)

    for action, status in [("start_preparing", Status.PREPARING), ("mark_ready", Status.READY)]:
        response = act(admin_client, action, order)

        assert response.status_code == 200
        order.refresh_from_db()
        assert order.status == status
        assert messages_of(response) == [
            ("success", f"1 order is now “{Status(status).label}”: {order.number}.")
        ]
    changes = OrderStatusChange.objects.filter(order=order).order_by("id")
    assert [(c.from_status, c.to_status, c.actor) for c in changes][1:] == [
        (Status.RECEIVED, Status.PREPARING, head_office),
        (Status.PREPARING, Status.READY, head_office),
    ]
    assert order.prepared_by == head_office and order.preparing_at and order.ready_at


def test_each_refusal_is_reported_with_its_message_and_the_others_still_move(
    admin_client, order_for, customer, other_customer, pizzaiolo
):
    from orders.services import hand_over_pickup

    fresh = order_for(customer)
    started = order_for(other_customer)
    transition_order(order=started, to=Status.PREPARING, by=pizzaiolo)
    transition_order(order=started, to=Status.READY, by=pizzaiolo)
    hand_over_pickup(order=started, by=pizzaiolo, payment="cash")

    response = act(admin_client, "start_preparing", fresh, started)

    fresh.refresh_from_db()
    started.refresh_from_db()
    assert (fresh.status, started.status) == (Status.PREPARING, Status.PICKED_UP)
    assert sorted(messages_of(response)) == sorted(
        [
            ("error", f"{started.number}: An order that is “Picked up” cannot become “Preparing”."),
            ("success", f"1 order is now “Preparing”: {fresh.number}."),
        ]
    )


def test_handing_over_an_unpaid_order_is_refused_until_its_payment_is_recorded(
    admin_client, order_for, customer, pizzaiolo
):
    order = order_for(customer)
    transition_order(order=order, to=Status.PREPARING, by=pizzaiolo)
    transition_order(order=order, to=Status.READY, by=pizzaiolo)

    refused = act(admin_client, "mark_picked_up", order)

    order.refresh_from_db()
    assert order.status == Status.READY
    assert messages_of(refused) == [
        ("error", f"{order.number}: Record the payment before handing over the order.")
    ]

    record_payment_on_delivery(order=order, method="cash", by=pizzaiolo)
    act(admin_client, "mark_picked_up", order)

    order.refresh_from_db()
    assert (order.status, order.payment_status) == (Status.PICKED_UP, PaymentStatus.PAID)
    assert order.completed_at is not None


def test_a_delivery_goes_out_and_is_delivered(
    admin_client, order_for, customer, menu, delivery_to, pizzaiolo, head_office
):
    order = order_for(
        customer,
        LineRequest(product_id=menu["margherita"].id, quantity=2),
        fulfilment="delivery",
        address=delivery_to,
    )
    transition_order(order=order, to=Status.PREPARING, by=pizzaiolo)
    transition_order(order=order, to=Status.READY, by=pizzaiolo)

    act(admin_client, "mark_out_for_delivery", order)
    order.refresh_from_db()
    assert (order.status, order.delivered_by) == (Status.OUT_FOR_DELIVERY, head_office)

    record_payment_on_delivery(order=order, method="card", by=head_office)
    act(admin_client, "mark_delivered", order)
    order.refresh_from_db()
    assert order.status == Status.DELIVERED


def test_an_order_already_there_is_reported_as_such(admin_client, order_for, customer, pizzaiolo):
    order = order_for(customer)
    transition_order(order=order, to=Status.PREPARING, by=pizzaiolo)

    response = act(admin_client, "start_preparing", order)

    assert messages_of(response) == [("info", f"1 order was already “Preparing”: {order.number}.")]
    assert OrderStatusChange.objects.filter(order=order).count() == 2


def test_a_manager_moves_only_their_restaurants_orders(
    client, order_for, customer, manager_a, manager_b, restaurant_b
):
    manager_b.is_staff = True
    manager_b.save(update_fields=["is_staff"])
    order_a = order_for(customer)
    client.force_login(manager_b)

    listing = client.get(CHANGELIST)
    assert listing.status_code == 200
    assert order_a not in listing.context["cl"].result_list

    act(client, "start_preparing", order_a)
    order_a.refresh_from_db()
    assert order_a.status == Status.RECEIVED

    client.force_login(manager_a)
    assert 'value="start_preparing"' in client.get(CHANGELIST).content.decode()
    act(client, "start_preparing", order_a)
    order_a.refresh_from_db()
    assert (order_a.status, order_a.prepared_by) == (Status.PREPARING, manager_a)


def test_someone_without_admin_access_moves_nothing(client, order_for, customer, pizzaiolo):
    order = order_for(customer)
    client.force_login(pizzaiolo)

    response = client.post(CHANGELIST, {"action": "start_preparing", "_selected_action": [order.pk]})

    assert response.status_code == 302  # to the sign-in page
    order.refresh_from_db()
    assert order.status == Status.RECEIVED
