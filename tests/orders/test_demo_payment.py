"""The demo payment provider's test page, and paying again after a declined payment."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from orders.models import Payment, PaymentState, PaymentStatus, PendingChange, Status
from orders.services import confirm_payment


@pytest.fixture
def online_order(order_for, customer):
    return order_for(customer, payment_method="online")


def pending_payment(order) -> Payment:
    return order.payments.get(status=PaymentState.PENDING)


def demo_url(payment: Payment) -> str:
    return reverse("demo_payment", args=[payment.provider_reference])


def messages_after(client, response) -> list[str]:
    followed = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    return [str(message) for message in followed.context["messages"]]


def test_the_demo_page_shows_the_order_and_says_it_is_a_test(client, customer, online_order):
    client.force_login(customer)
    payment = pending_payment(online_order)

    response = client.get(demo_url(payment), HTTP_ACCEPT_LANGUAGE="en")

    content = response.content.decode()
    assert response.status_code == 200
    assert "Test payment page" in content
    assert online_order.number in content
    assert "9.50\xa0€" in content
    assert 'name="action" value="pay"' in content
    assert 'name="action" value="decline"' in content


def test_paying_confirms_the_order(client, customer, online_order):
    client.force_login(customer)
    payment = pending_payment(online_order)

    response = client.post(demo_url(payment), {"action": "pay"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302
    assert response["Location"] == reverse("order_tracking", args=[online_order.number])
    online_order.refresh_from_db()
    payment.refresh_from_db()
    assert (online_order.status, online_order.payment_status) == (Status.RECEIVED, PaymentStatus.PAID)
    assert payment.status == PaymentState.SUCCEEDED and payment.provider_payment_id.startswith("demo_pi_")
    assert "Payment accepted. Thank you!" in messages_after(client, response)


def test_declining_leaves_the_order_awaiting_its_payment(client, customer, online_order):
    client.force_login(customer)
    payment = pending_payment(online_order)

    response = client.post(demo_url(payment), {"action": "decline"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302
    assert response["Location"] == reverse("order_tracking", args=[online_order.number])
    online_order.refresh_from_db()
    payment.refresh_from_db()
    assert payment.status == PaymentState.FAILED
    assert (online_order.status, online_order.payment_status) == (
        Status.AWAITING_PAYMENT,
        PaymentStatus.UNPAID,
    )
    assert any("declined" in message for message in messages_after(client, response))


def test_after_a_decline_the_customer_can_pay_again(client, customer, online_order):
    client.force_login(customer)
    first = pending_payment(online_order)
    client.post(demo_url(first), {"action": "decline"})

    response = client.post(reverse("order_pay", args=[online_order.number]))

    second = pending_payment(online_order)
    assert second.pk != first.pk and second.amount == online_order.total
    assert response.status_code == 302 and response["Location"] == demo_url(second)
    online_order.refresh_from_db()
    assert online_order.payment_status == PaymentStatus.PENDING

    client.post(demo_url(second), {"action": "pay"})
    online_order.refresh_from_db()
    assert (online_order.status, online_order.payment_status) == (Status.RECEIVED, PaymentStatus.PAID)


def test_paying_again_reuses_a_payment_still_pending(client, customer, online_order):
    client.force_login(customer)
    payment = pending_payment(online_order)

    response = client.post(reverse("order_pay", args=[online_order.number]))

    assert response["Location"] == demo_url(payment)
    assert online_order.payments.count() == 1


def test_an_order_already_paid_has_nothing_to_pay(client, customer, online_order):
    client.force_login(customer)
    payment = pending_payment(online_order)
    client.post(demo_url(payment), {"action": "pay"})

    response = client.post(reverse("order_pay", args=[online_order.number]), HTTP_ACCEPT_LANGUAGE="en")

    assert response["Location"] == reverse("order_tracking", args=[online_order.number])
    assert "This order has nothing left to pay." in messages_after(client, response)
    assert online_order.payments.count() == 1

    response = client.get(demo_url(payment), HTTP_ACCEPT_LANGUAGE="en")
    assert response["Location"] == reverse("order_tracking", args=[online_order.number])
    assert "This payment is already done." in messages_after(client, response)


def test_a_failed_payment_link_cannot_be_used_again(client, customer, online_order):
    client.force_login(customer)
    payment = pending_payment(online_order)
    client.post(demo_url(payment), {"action": "decline"})

    response = client.post(demo_url(payment), {"action": "pay"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302
    assert "This payment link is no longer valid." in messages_after(client, response)
    online_order.refresh_from_db()
    assert online_order.status == Status.AWAITING_PAYMENT


def test_an_unknown_action_is_a_400(client, customer, online_order):
    client.force_login(customer)
    payment = pending_payment(online_order)

    response = client.post(demo_url(payment), {"action": "steal"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "Choose to pay or to decline." in response.content.decode()
    payment.refresh_from_db()
    assert payment.status == PaymentState.PENDING


def test_another_customer_gets_a_404_on_the_demo_page_and_paying_again(client, other_customer, online_order):
    client.force_login(other_customer)
    payment = pending_payment(online_order)

    assert client.get(demo_url(payment)).status_code == 404
    assert client.post(demo_url(payment), {"action": "pay"}).status_code == 404
    assert client.post(reverse("order_pay", args=[online_order.number])).status_code == 404
    payment.refresh_from_db()
    online_order.refresh_from_db()
    assert payment.status == PaymentState.PENDING
    assert online_order.status == Status.AWAITING_PAYMENT
    assert online_order.payments.count() == 1


def test_an_anonymous_visitor_is_sent_to_sign_in(client, online_order):
    payment = pending_payment(online_order)

    response = client.get(demo_url(payment))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_demo_pages_exist_only_with_demo_payments_on(client, customer, online_order, settings):
    client.force_login(customer)
    payment = pending_payment(online_order)
    settings.DEMO_PAYMENTS = False
    settings.STRIPE_SECRET_KEY = ""

    assert client.get(demo_url(payment)).status_code == 404
    assert client.post(demo_url(payment), {"action": "pay"}).status_code == 404
    assert client.post(reverse("order_pay", args=[online_order.number])).status_code == 404
    payment.refresh_from_db()
    assert payment.status == PaymentState.PENDING


def test_an_order_whose_time_to_pay_ran_out_cannot_be_paid_again(
    client, customer, online_order, time_machine, noon
):
    client.force_login(customer)
    client.post(demo_url(pending_payment(online_order)), {"action": "decline"})
    time_machine.move_to(noon.replace(hour=13), tick=False)

    response = client.post(reverse("order_pay", args=[online_order.number]), HTTP_ACCEPT_LANGUAGE="en")

    assert response["Location"] == reverse("order_tracking", args=[online_order.number])
    assert "The time to pay this order has run out; it will be cancelled." in messages_after(client, response)
    assert not online_order.payments.filter(status=PaymentState.PENDING).exists()


def test_a_larger_change_of_a_paid_order_is_applied_once_its_difference_is_paid(
    client, order_for, customer, menu, settings
):
    settings.DEMO_PAYMENTS = True
    order = order_for(customer, payment_method="online")
    confirm_payment(payment=order.payments.get())
    client.force_login(customer)

    response = client.post(reverse("order_modify", args=[order.number]), {"line-0-quantity": "2"})

    change = PendingChange.objects.get(order=order)
    assert response.status_code == 302
    assert response["Location"] == reverse("demo_payment", args=[change.payment.provider_reference])
    order.refresh_from_db()
    assert order.total == Decimal("9.50")

    client.post(response["Location"], {"action": "pay"})

    order.refresh_from_db()
    change.refresh_from_db()
    assert change.applied_at is not None
    assert order.total == Decimal("19.00") and order.payment_status == "paid"
    assert [line.quantity for line in order.lines.all()] == [2]
