"""Retrying a failed refund from the order's admin page: the manager of the order's restaurant and head
office may, by POST; the refund goes through orders.payments again (after commit, with a new idempotency
key), the order's history says who asked, and a refund that went through is never sent twice.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from orders.models import OrderStatusChange, Payment, PaymentStatus, Refund, RefundState, Status
from orders.payments import paid_amount
from orders.services import LineRequest, cancel_order, confirm_payment, mark_refund_failed
from restaurants.models import Role
from tests import factories as f
from tests.queue import run_deferred


def staff_of(restaurant, role: str):
    member = f.StaffMemberFactory(restaurant=restaurant, role=role)
    member.user.is_staff = True  # reaches the admin; what it may do there is the role's business
    member.user.save(update_fields=["is_staff"])
    return member.user


@pytest.fixture
def manager_a(restaurant_a):
    return staff_of(restaurant_a, Role.MANAGER)


@pytest.fixture
def failed(noon, order_for, customer, menu, stripe_api, django_capture_on_commit_callbacks):
    """Two Margheritas (19.00 €) paid through Stripe, cancelled; Stripe refused the refund."""
    order = order_for(
        customer, LineRequest(product_id=menu["margherita"].id, quantity=2), payment_method="online"
    )
    payment = order.payments.get()
    Payment.objects.filter(pk=payment.pk).update(provider_reference="cs_test_paid")
    confirm_payment(payment=payment, provider_payment_id="pi_test_paid")
    stripe_api.fail("POST", "/v1/refunds", status=402, message="Your card was declined.")
    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order=order, by=customer, reason="Plus faim")
    run_deferred()
    stripe_api.failures.clear()
    refund = Refund.objects.get()
    assert refund.status == RefundState.FAILED
    order.refresh_from_db()
    assert (order.status, order.payment_status, order.needs_attention) == (
        Status.CANCELLED,
        PaymentStatus.PAID,
        True,
    )
    return refund


def retry_url(refund: Refund) -> str:
    return reverse("admin:orders_order_retry_refund", args=[refund.payment.order_id, refund.pk])


def order_page(refund: Refund) -> str:
    return reverse("admin:orders_order_change", args=[refund.payment.order_id])


def history_notes(refund: Refund) -> list[tuple[str, object]]:
    return [
        (change.reason, change.actor)
        for change in OrderStatusChange.objects.filter(order_id=refund.payment.order_id).order_by("id")
        if change.from_status == change.to_status
    ]


def test_the_manager_of_the_orders_restaurant_retries_a_failed_refund_through_stripe_with_a_new_key(
    client, failed, manager_a, stripe_api, django_capture_on_commit_callbacks
):
    [first_call] = stripe_api.calls("POST", "/v1/refunds")
    client.force_login(manager_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry_url(failed), headers={"accept-language": "en"})
    run_deferred()

    assert response.status_code == 302 and response["Location"] == order_page(failed)
    first, second = stripe_api.calls("POST", "/v1/refunds")
    assert first is first_call
    assert (second.form["payment_intent"], second.form["amount"]) == ("pi_test_paid", "1900")
    assert second.form["metadata[refund_id]"] == str(failed.pk)
    refund = Refund.objects.get()
    assert refund.status == RefundState.SUCCEEDED and refund.provider_reference.startswith("re_test_")
    assert second.header("Idempotency-Key") == refund.idempotency_key != first.header("Idempotency-Key")
    order = refund.payment.order
    order.refresh_from_db()
    assert (order.status, order.payment_status) == (Status.CANCELLED, PaymentStatus.REFUNDED)
    assert paid_amount(order) == Decimal("0")
    assert history_notes(refund) == [
        ("Refund of 19.00 € retried (it had failed: Your card was declined.)", manager_a)
    ]


def test_head_office_retries_a_refund_of_any_restaurant(
    client, failed, head_office, stripe_api, django_capture_on_commit_callbacks
):
    client.force_login(head_office)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry_url(failed))
    run_deferred()

    assert response.status_code == 302
    assert Refund.objects.get().status == RefundState.SUCCEEDED
    assert [actor for _, actor in history_notes(failed)] == [head_office]


def test_the_customers_timeline_leaves_out_the_retry(
    client, failed, head_office, customer, django_capture_on_commit_callbacks
):
    client.force_login(head_office)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(retry_url(failed))
    run_deferred()
    client.force_login(customer)

    response = client.get(
        reverse("order_tracking", args=[failed.payment.order.number]), headers={"accept-language": "en"}
    )

    page = response.content.decode()
    assert "Order modified" not in page and "retried" not in page
    assert "Refunded" in page


def test_a_refund_that_fails_again_stays_failed_and_can_be_retried_again(
    client, failed, manager_a, stripe_api, django_capture_on_commit_callbacks
):
    stripe_api.fail("POST", "/v1/refunds", status=402, message="Still declined.")
    client.force_login(manager_a)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(retry_url(failed))
    run_deferred()

    refund = Refund.objects.get()
    assert refund.status == RefundState.FAILED and "Still declined." in refund.failure_message
    order = refund.payment.order
    order.refresh_from_db()
    assert (order.payment_status, order.needs_attention) == (PaymentStatus.PAID, True)
    page = client.get(order_page(refund), headers={"accept-language": "en"}).content.decode()
    assert f'formaction="{retry_url(refund)}"' in page

    stripe_api.failures.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(retry_url(failed))
    run_deferred()

    assert Refund.objects.get().status == RefundState.SUCCEEDED
    assert len(stripe_api.calls("POST", "/v1/refunds")) == 3
    assert len(history_notes(failed)) == 2


def test_a_refund_that_went_through_is_never_retried(
    client, failed, manager_a, stripe_api, django_capture_on_commit_callbacks
):
    client.force_login(manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(retry_url(failed))
    run_deferred()
    assert Refund.objects.get().status == RefundState.SUCCEEDED

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry_url(failed), headers={"accept-language": "en"})
    run_deferred()

    assert response.status_code == 302 and response["Location"] == order_page(failed)
    assert [str(message) for message in get_messages(response.wsgi_request)][-1] == (
        "This refund went through already: there is nothing to retry."
    )
    assert len(stripe_api.calls("POST", "/v1/refunds")) == 2  # the first failure, the retry: no third
    assert len(history_notes(failed)) == 1
    page = client.get(order_page(failed), headers={"accept-language": "en"}).content.decode()
    assert "Retry this refund" not in page


def test_the_order_page_offers_to_retry_a_failed_refund(client, failed, manager_a):
    client.force_login(manager_a)

    response = client.get(order_page(failed), headers={"accept-language": "en"})

    assert response.status_code == 200
    page = response.content.decode()
    assert '<form id="retry-refund" method="post" hidden>' in page
    assert (
        f'<button type="submit" class="button" form="retry-refund" formaction="{retry_url(failed)}">'
        "Retry this refund</button>"
    ) in page
    assert "Your card was declined." in page and "19.00\u00a0€" in page


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("manager_b", 404),  # another restaurant's order: it does not exist for them
        ("pizzaiolo_a", 404),  # reaches the admin, where it sees no order
        ("driver_a", 404),
        ("customer", 302),  # no admin access: sent to the admin's sign-in
        (None, 302),
    ],
)
def test_nobody_else_may_retry_a_refund(
    client, failed, restaurant_a, manager_b, customer, stripe_api, who, expected
):
    users = {
        "manager_b": manager_b,
        "pizzaiolo_a": staff_of(restaurant_a, Role.PIZZAIOLO),
        "driver_a": staff_of(restaurant_a, Role.DRIVER),
        "customer": customer,
    }
    manager_b.is_staff = True
    manager_b.save(update_fields=["is_staff"])
    if who is not None:
        client.force_login(users[who])

    response = client.post(retry_url(failed))

    assert response.status_code == expected
    if expected == 302:
        assert reverse("admin:login") in response["Location"]
    assert Refund.objects.get().status == RefundState.FAILED
    assert len(stripe_api.calls("POST", "/v1/refunds")) == 1
    assert history_notes(failed) == []


def test_a_retry_is_post_only(client, failed, manager_a, stripe_api):
    client.force_login(manager_a)

    response = client.get(retry_url(failed))

    assert response.status_code == 405
    assert Refund.objects.get().status == RefundState.FAILED
    assert len(stripe_api.calls("POST", "/v1/refunds")) == 1


def test_another_orders_refund_is_a_404(client, failed, order_for, customer, manager_a):
    other = order_for(customer)
    client.force_login(manager_a)

    response = client.post(reverse("admin:orders_order_retry_refund", args=[other.pk, failed.pk]))

    assert response.status_code == 404
    assert Refund.objects.get().status == RefundState.FAILED


def test_the_demo_provider_refunds_at_once_when_retried(
    client, noon, order_for, customer, menu, head_office, settings, django_capture_on_commit_callbacks
):
    settings.STRIPE_SECRET_KEY = ""
    settings.DEMO_PAYMENTS = True
    order = order_for(customer, payment_method="online")
    confirm_payment(payment=order.payments.get())
    with django_capture_on_commit_callbacks(execute=False):  # the refund is created, not yet sent
        cancel_order(order=order, by=customer)
    mark_refund_failed(refund=Refund.objects.get(), message="Demo: the bank did not answer")
    client.force_login(head_office)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry_url(Refund.objects.get()), headers={"accept-language": "en"})
    run_deferred()

    assert response.status_code == 302
    refund = Refund.objects.get()
    assert refund.status == RefundState.SUCCEEDED and refund.provider_reference == f"demo_re_{refund.pk}"
    order.refresh_from_db()
    assert order.payment_status == PaymentStatus.REFUNDED
    assert history_notes(refund) == [
        ("Refund of 9.50 € retried (it had failed: Demo: the bank did not answer)", head_office)
    ]


@pytest.mark.django_db(transaction=True)
def test_after_the_retry_the_page_says_the_refund_is_asked_and_the_worker_makes_it(client, failed, manager_a):
    client.force_login(manager_a)

    response = client.post(retry_url(failed), headers={"accept-language": "en"}, follow=True)

    assert response.status_code == 200
    assert (
        "The refund of 19.00\u00a0€ is asked again; the provider has not answered yet."
        in response.content.decode()
    )
    assert Refund.objects.get().status == RefundState.PENDING
    run_deferred()
    assert Refund.objects.get().status == RefundState.SUCCEEDED
