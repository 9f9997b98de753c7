"""Receipts (lines, VAT by rate, what was paid and how, refunds) on the order page and in the confirmation
email; and payment on delivery: recorded by the driver or counter, required before handing over."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from orders.errors import OrderError
from orders.models import OrderLine, PaymentState, PaymentStatus, Provider, Status
from orders.receipts import build_receipt, vat_breakdown
from orders.services import (
    LineRequest,
    cancel_order,
    confirm_payment,
    record_payment_on_delivery,
    transition_order,
)
from orders.templatetags.order_receipts import vat_rate
from tests.queue import WorkerOutbox

# The emails as the worker sends them: each read runs the jobs deferred so far.
outbox = WorkerOutbox()


def lines(*pairs) -> list[OrderLine]:
    return [OrderLine(vat_rate=Decimal(rate), line_total=Decimal(total)) for rate, total in pairs]


def vat(breakdown) -> list[tuple[str, str, str]]:
    return [(str(rate.rate), str(rate.gross), str(rate.vat)) for rate in breakdown]


# ---------- VAT ----------


def test_vat_is_rounded_once_per_rate_not_per_line():
    # Per line, 3.50 × 10/110 = 0.318… → 0.32, three times 0.96; once for the rate: 10.50 → 0.95.
    breakdown = vat_breakdown(lines(("10.00", "3.50"), ("10.00", "3.50"), ("10.00", "3.50")), Decimal("0"))
    assert vat(breakdown) == [("10.00", "10.50", "0.95")]
    assert breakdown[0].net == Decimal("9.55")


def test_a_single_rate_takes_the_whole_delivery_fee():
    assert vat(vat_breakdown(lines(("10.00", "9.50")), Decimal("2.50"))) == [("10.00", "12.00", "1.09")]


def test_the_delivery_fee_is_shared_between_rates_in_proportion():
    # 2.50 × 4/23 = 0.43 to the 20 % beer, the rest (2.07) to the 10 % food.
    breakdown = vat_breakdown(lines(("10.00", "19.00"), ("20.00", "4.00")), Decimal("2.50"))
    assert vat(breakdown) == [("10.00", "21.07", "1.92"), ("20.00", "4.43", "0.74")]
    assert sum(rate.gross for rate in breakdown) == Decimal("25.50")


def test_a_rate_is_written_as_people_write_it():
    with translation.override("fr"):
        assert (vat_rate(Decimal("5.50")), vat_rate(Decimal("10.00")), vat_rate(Decimal("2.10"))) == (
            "5,5",
            "10",
            "2,1",
        )
    with translation.override("en"):
        assert vat_rate(Decimal("5.50")) == "5.5"


# ---------- The order page ----------


@pytest.fixture
def paid_online(order_for, customer, menu, settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.DEMO_PAYMENTS = True
    order = order_for(
        customer, LineRequest(product_id=menu["margherita"].id, quantity=2), payment_method="online"
    )
    confirm_payment(payment=order.payments.get(), provider_payment_id="demo_pi_1")
    return order


def tracking(client, order) -> str:
    return client.get(
        reverse("order_tracking", args=[order.number]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()


def test_the_order_page_shows_the_receipt_once_paid(client, customer, paid_online):
    client.force_login(customer)

    page = tracking(client, paid_online)

    assert 'class="card receipt"' in page
    assert "2&nbsp;× Margherita" in page
    assert "Total incl. VAT" in page and "19.00\xa0€" in page
    assert '<td class="receipt__amount" data-vat-rate="10.00">1.73\xa0€</td>' in page  # 19.00 × 10/110
    assert "17.27\xa0€" in page  # excluding VAT
    assert "Paid online (test payment)" in page
    assert "Total paid</dt><dd>19.00\xa0€" in page


def test_the_receipt_lists_what_a_line_leaves_out_as_well_as_its_extras(
    client, customer, order_for, menu, ingredients, settings
):
    settings.DEMO_PAYMENTS = True
    line = LineRequest(
        product_id=menu["margherita"].id,
        quantity=1,
        removed_ids=frozenset({ingredients["Basilic"].id}),
        extra_ids=frozenset({menu["extra_mozzarella"].id}),
    )
    order = order_for(customer, line, payment_method="online")
    confirm_payment(payment=order.payments.get())
    client.force_login(customer)

    receipt = tracking(client, order).split('class="card receipt"')[1]

    assert "without Basilic, + Mozzarella (1.50\xa0€)" in receipt


def test_the_receipt_shows_a_refund_and_what_remains_paid(
    client, customer, paid_online, menu, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order=paid_online, by=customer)
    client.force_login(customer)

    page = tracking(client, paid_online)

    assert "Refunded" in page and "−19.00\xa0€" in page
    assert "Total paid</dt><dd>0.00\xa0€" in page


def test_the_order_page_with_its_receipt_runs_a_constant_number_of_queries(
    client, customer, order_for, menu, settings, django_assert_num_queries
):
    settings.DEMO_PAYMENTS = True
    small = order_for(customer, payment_method="online")
    large = order_for(
        customer,
        *[
            LineRequest(product_id=menu[name].id, quantity=1)
            for name in ("margherita", "regina", "margherita")
        ],
        payment_method="online",
    )
    for order in (small, large):
        confirm_payment(payment=order.payments.get())
    client.force_login(customer)

    for order in (small, large):
        # 1 session, 2 user (with whether they are staff, for the navigation: ocpizza.auth), 3 the order with
        # its restaurant, 4 its lines, 5 their extras, 6 their removed ingredients, 7 its status changes, 8 the
        # pizzas ahead of it (estimate), 9 the refunds of the payment box, 10 the receipt's payments, 11 its
        # refunds, 12 its sales record entries (their numbers), 13 a change waiting for the payment of its
        # difference (paid online orders that can still change).
        with django_assert_num_queries(13):
            assert client.get(reverse("order_tracking", args=[order.number])).status_code == 200


def test_an_order_not_paid_yet_has_no_receipt(client, customer, order_for):
    order = order_for(customer)
    client.force_login(customer)
    assert 'class="card receipt"' not in tracking(client, order)


# ---------- The confirmation email ----------


def test_the_confirmation_email_of_a_paid_order_carries_the_receipt(
    order_for, customer, settings, django_capture_on_commit_callbacks
):
    settings.DEMO_PAYMENTS = True
    customer.language = "en"
    customer.save()
    order = order_for(customer, payment_method="online")

    with django_capture_on_commit_callbacks(execute=True):
        confirm_payment(payment=order.payments.get())

    [email] = outbox
    assert "Receipt" in email.body
    assert "VAT 10 %: 0.86\xa0€ (excl. VAT 8.64\xa0€, incl. VAT 9.50\xa0€)" in email.body  # 9.50 × 10/110
    assert "Paid online (test payment): 9.50\xa0€" in email.body and "Total paid: 9.50\xa0€" in email.body
    html = email.alternatives[0][0]
    assert "Receipt" in html and "0.86\xa0€" in html and "Total paid" in html


def test_the_confirmation_email_says_what_a_line_leaves_out_in_both_bodies(
    order_for, customer, menu, ingredients, django_capture_on_commit_callbacks
):
    customer.language = "fr"
    customer.save()
    line = LineRequest(
        product_id=menu["margherita"].id,
        quantity=1,
        removed_ids=frozenset({ingredients["Basilic"].id}),
        extra_ids=frozenset({menu["extra_mozzarella"].id}),
    )

    with django_capture_on_commit_callbacks(execute=True):
        order_for(customer, line)

    [email] = outbox
    assert "1 × Margherita + Mozzarella, sans Basilic\u00a0:" in email.body
    assert "sans Basilic" in email.alternatives[0][0]


def test_the_confirmation_email_of_an_order_paid_on_delivery_says_what_to_pay(
    order_for, customer, django_capture_on_commit_callbacks
):
    customer.language = "en"
    customer.save()

    with django_capture_on_commit_callbacks(execute=True):
        order_for(customer)

    [email] = outbox
    assert "VAT 10 %: 0.86\xa0€" in email.body
    assert "To pay: 9.50\xa0€ (Cash on delivery or pick-up)" in email.body


# ---------- Payment on delivery ----------


@pytest.fixture
def out_for_delivery(order_for, customer, delivery_to, menu, pizzaiolo, driver):
    order = order_for(
        customer,
        LineRequest(product_id=menu["margherita"].id, quantity=2),
        fulfilment="delivery",
        address=delivery_to,
        payment_method="card_on_delivery",
    )
    for status, by in (
        (Status.PREPARING, pizzaiolo),
        (Status.READY, pizzaiolo),
        (Status.OUT_FOR_DELIVERY, driver),
    ):
        order = transition_order(order=order, to=status, by=by)
    return order


def test_an_order_to_pay_on_delivery_cannot_be_delivered_before_its_payment_is_recorded(
    client, customer, out_for_delivery, driver
):
    with pytest.raises(OrderError) as error:
        transition_order(order=out_for_delivery, to=Status.DELIVERED, by=driver)
    assert error.value.code == "payment_required"
    out_for_delivery.refresh_from_db()
    assert out_for_delivery.status == Status.OUT_FOR_DELIVERY

    payment = record_payment_on_delivery(order=out_for_delivery, method=Provider.CARD, by=driver)
    delivered = transition_order(order=out_for_delivery, to=Status.DELIVERED, by=driver)

    assert (payment.provider, payment.amount, payment.recorded_by) == (
        Provider.CARD,
        Decimal("21.50"),
        driver,
    )
    assert payment.status == PaymentState.SUCCEEDED
    assert (delivered.status, delivered.payment_status) == (Status.DELIVERED, PaymentStatus.PAID)
    client.force_login(customer)
    page = tracking(client, delivered)
    assert "Paid by card on the terminal" in page and "Total paid</dt><dd>21.50\xa0€" in page


def test_recording_the_payment_twice_records_it_once(out_for_delivery, driver):
    first = record_payment_on_delivery(order=out_for_delivery, method=Provider.CASH, by=driver)
    second = record_payment_on_delivery(order=out_for_delivery, method=Provider.CASH, by=driver)
    assert first.pk == second.pk and out_for_delivery.payments.count() == 1
    assert build_receipt(out_for_delivery).paid == Decimal("21.50")


@pytest.mark.parametrize(
    ("case", "code"),
    [("paid online", "paid_online"), ("cancelled", "cancelled"), ("a cheque", "invalid_method")],
)
def test_a_payment_on_delivery_is_refused_when_it_makes_no_sense(
    order_for, customer, driver, settings, case, code
):
    settings.DEMO_PAYMENTS = True
    order = order_for(customer, payment_method="online" if case == "paid online" else "cash_on_delivery")
    if case == "cancelled":
        cancel_order(order=order, by=customer)

    with pytest.raises(OrderError) as error:
        record_payment_on_delivery(
            order=order, method="cheque" if case == "a cheque" else Provider.CASH, by=driver
        )

    assert error.value.code == code
    assert not order.payments.filter(status=PaymentState.SUCCEEDED).exists()
