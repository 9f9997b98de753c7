"""Closings of the sales record (issue #14): a daily Z per restaurant, monthly and yearly ones, chained,
made by the nightly task; printable by the manager; archived; checked by head office's integrity screen."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from orders.models import Order, Payment, PaymentState, Provider, Refund, RefundState, Status
from orders.receipts import vat_breakdown
from orders.services import LineRequest, cancel_order, record_payment_on_delivery
from restaurants.services import restock
from sales.closings import close_everything_due, close_period
from sales.integrity import check_restaurant
from sales.models import Closing, ClosingKind, SalesEntry
from sales.tasks import close_periods
from tests.orders.conftest import NOON, PARIS

NEXT_NIGHT = datetime(2026, 12, 1, 0, 30, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _english():
    """The check's messages in English, the source language, whatever the default."""
    with translation.override("en"):
        yield


def margheritas(menu, quantity: int) -> LineRequest:
    return LineRequest(product_id=menu["margherita"].id, quantity=quantity)


@pytest.fixture
def a_day_of_sales(order_for, customer, counter, menu, stock_a, noon):
    """Monday 30 November at A: two orders paid in cash and by card, one cancelled before payment, one
    unpaid (still to be paid at the counter)."""
    for stock in stock_a.values():
        restock(stock=stock, quantity=Decimal("5000"), by=None)
    paid_cash = order_for(customer, margheritas(menu, 2))
    record_payment_on_delivery(order=paid_cash, method=Provider.CASH, by=counter)
    paid_card = order_for(
        customer, margheritas(menu, 1), LineRequest(product_id=menu["regina"].id, quantity=1)
    )
    record_payment_on_delivery(order=paid_card, method=Provider.CARD, by=counter)
    cancelled = order_for(customer, margheritas(menu, 1))
    cancel_order(order=cancelled, by=customer)
    unpaid = order_for(customer, margheritas(menu, 1))
    return [paid_cash, paid_card, cancelled, unpaid]


def test_the_daily_closing_adds_up_to_its_entries_and_to_the_orders(
    a_day_of_sales, restaurant_a, time_machine
):
    time_machine.move_to(NEXT_NIGHT, tick=False)
    made = close_everything_due()

    z, november = made  # 30 November ends the month too
    assert november.kind == ClosingKind.MONTH and november.sales_total == z.sales_total
    assert (z.kind, z.period_start, z.sequence) == (ClosingKind.DAY, date(2026, 11, 30), 1)
    entries = list(SalesEntry.objects.filter(restaurant=restaurant_a))
    assert (z.first_sequence, z.last_sequence, z.entry_count) == (1, len(entries), len(entries))
    standing = [
        order for order in a_day_of_sales if Order.objects.get(pk=order.pk).status != Status.CANCELLED
    ]
    assert (
        z.sales_total
        == sum(order.total for order in standing)
        == sum(entry.amount for entry in entries if entry.kind in ("sale", "modification", "cancellation"))
    )
    by_rate: dict[str, Decimal] = {}
    for order in standing:
        for rate in vat_breakdown(list(order.lines.all()), order.delivery_fee):
            by_rate[f"{rate.rate:.2f}"] = by_rate.get(f"{rate.rate:.2f}", Decimal("0")) + rate.vat
    assert {rate: Decimal(amounts["vat"]) for rate, amounts in z.by_rate.items()} == by_rate
    paid = Payment.objects.filter(status=PaymentState.SUCCEEDED)
    assert z.by_method == {
        "card": f"{paid.get(provider=Provider.CARD).amount:.2f}",
        "cash": f"{paid.get(provider=Provider.CASH).amount:.2f}",
    }
    assert z.money_total == sum(payment.amount for payment in paid)
    assert z.grand_total == z.sales_total and z.last_entry_hash == entries[-1].hash
    assert check_restaurant(restaurant_a).ok


def test_closings_are_chained_with_a_perpetual_grand_total_and_made_once(
    a_day_of_sales, order_for, customer, counter, menu, restaurant_a, time_machine
):
    time_machine.move_to(datetime(2026, 12, 1, 19, 0, tzinfo=PARIS), tick=False)
    tuesday = order_for(customer, margheritas(menu, 1), now=datetime(2026, 12, 1, 19, 0, tzinfo=PARIS))
    record_payment_on_delivery(order=tuesday, method=Provider.CASH, by=counter)
    time_machine.move_to(datetime(2027, 1, 1, 1, 10, tzinfo=PARIS), tick=False)

    assert close_periods(timestamp=0) == 32 + 2 + 1  # 30 Nov to 31 Dec, November and December, 2026
    assert close_periods(timestamp=0) == 0  # the next tick finds nothing to do

    days = list(Closing.objects.filter(kind=ClosingKind.DAY).order_by("sequence"))
    monday, tuesday_z, wednesday = days[:3]
    assert tuesday_z.previous_hash == monday.hash and wednesday.previous_hash == tuesday_z.hash
    assert tuesday_z.first_sequence == monday.last_sequence + 1 and tuesday_z.entry_count == 2
    assert tuesday_z.grand_total == monday.grand_total + tuesday.total == wednesday.grand_total
    assert (wednesday.entry_count, wednesday.first_sequence) == (0, None)
    november, december = Closing.objects.filter(kind=ClosingKind.MONTH).order_by("sequence")
    assert november.sales_total == monday.sales_total and december.sales_total == tuesday.total
    assert december.previous_hash == november.hash
    year = Closing.objects.get(kind=ClosingKind.YEAR)
    assert (year.period_start, year.period_end) == (date(2026, 1, 1), date(2026, 12, 31))
    assert year.sales_total == november.sales_total + december.sales_total == days[-1].grand_total
    assert check_restaurant(restaurant_a).ok


def test_a_day_is_closed_only_once_it_is_over(a_day_of_sales, restaurant_a):
    with pytest.raises(ValueError, match="not over"):
        close_period(restaurant_id=restaurant_a.pk, kind=ClosingKind.DAY, day=NOON.date())
    assert close_everything_due() == []


def test_the_check_names_a_closing_that_no_longer_adds_up(a_day_of_sales, restaurant_a, time_machine):
    time_machine.move_to(NEXT_NIGHT, tick=False)
    z, _november = close_everything_due()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign key check
        cursor.execute("ALTER TABLE sales_closing DISABLE TRIGGER sales_closing_append_only")
        cursor.execute("UPDATE sales_closing SET sales_total = sales_total - 1 WHERE id = %s", [z.pk])
        cursor.execute("ALTER TABLE sales_closing ENABLE TRIGGER sales_closing_append_only")
    assert check_restaurant(restaurant_a).problems == [
        "Daily closing (Z) no. 1 (2026-11-30) was altered: its hash does not match its content."
    ]


def test_a_refund_counts_in_the_money_of_the_day_it_went_through(
    order_for, customer, menu, settings, restaurant_a, time_machine, noon
):
    from orders.services import confirm_payment
    from orders.services.refunds import mark_refund_succeeded

    settings.STRIPE_SECRET_KEY = ""
    settings.DEMO_PAYMENTS = True
    order = order_for(customer, margheritas(menu, 1), payment_method="online")
    confirm_payment(payment=order.payments.get(), provider_payment_id="demo_pi_1")
    cancel_order(order=order, by=customer)
    time_machine.move_to(NOON + timedelta(days=1), tick=False)
    mark_refund_succeeded(refund=Refund.objects.get())
    time_machine.move_to(NOON + timedelta(days=2), tick=False)

    monday, tuesday, _november = close_everything_due()
    assert (monday.sales_total, monday.money_total, monday.by_method) == (
        Decimal("0.00"),
        Decimal("9.50"),
        {"demo": "9.50"},
    )
    assert (tuesday.money_total, tuesday.by_method) == (Decimal("-9.50"), {"demo": "-9.50"})
    assert Refund.objects.get().status == RefundState.SUCCEEDED


# ---- The screens ----


@pytest.fixture
def closed_day(a_day_of_sales, restaurant_a, time_machine):
    time_machine.move_to(NEXT_NIGHT, tick=False)
    z, _november = close_everything_due()
    return z


def test_the_manager_prints_the_z_report_of_their_restaurant(client, english, manager_a, closed_day):
    client.force_login(manager_a)
    listing = client.get(reverse("staff_sales_record"))
    assert listing.status_code == 200
    assert reverse("staff_sales_closing", args=[closed_day.pk]) in listing.content.decode()

    page = client.get(reverse("staff_sales_closing", args=[closed_day.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Daily closing (Z) no. 1" in text and "Perpetual grand total" in text
    assert closed_day.hash in text and "data-print" in text


def test_another_restaurants_manager_gets_a_404(client, manager_b, closed_day):
    client.force_login(manager_b)
    assert client.get(reverse("staff_sales_closing", args=[closed_day.pk])).status_code == 404
    assert client.get(reverse("staff_sales_archive", args=[closed_day.pk])).status_code == 404


def test_the_archive_holds_the_entries_the_closings_and_their_sums(client, manager_a, closed_day):
    client.force_login(manager_a)
    response = client.get(reverse("staff_sales_archive", args=[closed_day.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "sales-record-lyon-presquile-day-2026-11-30.zip" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["MANIFEST.sha256", "closings.json", "entries.csv", "entries.json"]
    manifest = archive.read("MANIFEST.sha256").decode()
    for name in ("entries.csv", "entries.json", "closings.json"):
        assert f"{hashlib.sha256(archive.read(name)).hexdigest()}  {name}" in manifest
    rows = archive.read("entries.csv").decode().splitlines()
    assert len(rows) == 1 + closed_day.entry_count
    assert closed_day.hash in manifest
    # Made again, the same bytes: the archive depends on the record only.
    assert client.get(reverse("staff_sales_archive", args=[closed_day.pk])).content == response.content


def test_the_integrity_screen_is_head_offices_and_names_the_altered_entry(
    client, english, head_office, manager_a, closed_day, restaurant_a
):
    client.force_login(manager_a)
    assert client.get(reverse("staff_sales_integrity")).status_code == 403

    client.force_login(head_office)
    ok = client.get(reverse("staff_sales_integrity")).content.decode()
    assert "Everything checks" in ok and "Unaltered" in ok
    entry = SalesEntry.objects.get(sequence=2, restaurant=restaurant_a)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign key check
        cursor.execute("ALTER TABLE sales_salesentry DISABLE TRIGGER sales_salesentry_append_only")
        cursor.execute("UPDATE sales_salesentry SET payment_method = 'card' WHERE id = %s", [entry.pk])
        cursor.execute("ALTER TABLE sales_salesentry ENABLE TRIGGER sales_salesentry_append_only")
    altered = client.get(reverse("staff_sales_integrity")).content.decode()
    assert f"Entry 2 (order {entry.order_number}) was altered" in altered
