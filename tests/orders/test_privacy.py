"""The customers' rights (issue #14): erasure by the customer (password) or head office (logged), refused
while an order is in progress, leaving no trace of them in the database while the sales record still checks;
retention periods applied by the nightly task, exactly to what has passed them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import Address, User
from loyalty.models import Entry as LoyaltyEntry
from orders.models import Order, Provider, Status
from orders.services import LineRequest, deliver_order, transition_order
from privacy.models import Customer, ErasureNotice, PrivacyRequest
from privacy.retention import apply_retention
from restaurants.services import restock
from sales.integrity import check_restaurant
from sales.models import SalesEntry
from tests import factories as f
from tests.queue import run_deferred

NAME, SURNAME = "Zébulon", "Quintessence"
EMAIL = "zebulon.quintessence@example.com"
PHONE = "+33698765432"
STREET = "17 impasse des Tilleuls-Argentés"


@pytest.fixture
def zebulon(db):
    user = f.UserFactory(email=EMAIL, first_name=NAME, last_name=SURNAME, phone=PHONE)
    f.AddressFactory(user=user, street=STREET, postal_code="69001", instructions="Digicode 4711 Zébulon")
    return user


@pytest.fixture
def plenty(stock_a):
    for stock in stock_a.values():
        restock(stock=stock, quantity=Decimal("5000"), by=None)


def delivered_order(order_for, user, driver, pizzaiolo, **more):
    from orders.services import DeliveryAddress

    address = user.addresses.get()
    order = order_for(
        user,
        LineRequest(product_id=more.pop("product_id"), quantity=2),
        fulfilment="delivery",
        address=DeliveryAddress(
            street=address.street,
            postal_code=address.postal_code,
            city=address.city,
            instructions=address.instructions,
            address_id=address.pk,
        ),
        note=f"Sonnez fort, c'est {NAME}",
        **more,
    )
    for status in (Status.PREPARING, Status.READY):
        transition_order(order=order, to=status, by=pizzaiolo)
    transition_order(order=order, to=Status.OUT_FOR_DELIVERY, by=driver)
    deliver_order(order=order, by=driver, payment=Provider.CASH)
    return Order.objects.get(pk=order.pk)


def text_columns_holding(*needles: str) -> list[str]:
    """Every text, varchar and json column of every table of the database that holds one of `needles`."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' "
            "AND data_type IN ('text', 'character varying', 'json', 'jsonb')"
        )
        for table, column in cursor.fetchall():
            for needle in needles:
                cursor.execute(
                    f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s',  # noqa: S608 - catalogue names
                    [f"%{needle}%"],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column}: {needle}")
    return found


def quote_the_customer_in_free_texts(delivered, cancelled, staff) -> None:
    """What staff, Stripe and the admin may write about a customer: a cancellation and a refund reason, a
    stock movement's note, a Stripe event's payload, the admin's history of the account."""
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    from orders.models import OrderStatusChange, Refund, StripeEvent
    from restaurants.models import StockMovement

    who = f"{NAME} {SURNAME}"
    assert OrderStatusChange.objects.filter(order=cancelled).update(reason=f"Annulée à la demande de {who}")
    assert StockMovement.objects.filter(order=delivered).update(note=f"Pâte ratée pour {who}")
    Refund.objects.create(
        payment=delivered.payments.get(),
        amount=Decimal("1.00"),
        reason=f"Geste pour {who}",
        idempotency_key="k",
    )
    StripeEvent.objects.create(
        event_id="evt_zebulon",
        type="checkout.session.completed",
        payload={"data": {"object": {"customer_details": {"email": EMAIL, "name": who, "phone": PHONE}}}},
    )
    LogEntry.objects.create(
        user=staff,
        content_type=ContentType.objects.get_for_model(Customer, for_concrete_model=False),
        object_id=str(delivered.customer_id),
        object_repr=EMAIL,
        action_flag=CHANGE,
        change_message=f"Téléphone changé pour {PHONE}, adresse {STREET}",
    )


def test_erasure_leaves_no_trace_of_the_customer_and_the_sales_record_still_checks(
    client,
    zebulon,
    order_for,
    menu,
    plenty,
    driver,
    pizzaiolo,
    restaurant_a,
    django_capture_on_commit_callbacks,
):
    order = delivered_order(order_for, zebulon, driver, pizzaiolo, product_id=menu["regina"].id)
    pickup = order_for(zebulon, LineRequest(product_id=menu["margherita"].id, quantity=2))
    transition_order(order=pickup, to=Status.CANCELLED, by=zebulon)
    run_deferred()  # the emails of the orders leave and are recorded (common.SentEmail)
    quote_the_customer_in_free_texts(order, pickup, pizzaiolo)
    needles = (NAME, SURNAME, EMAIL, PHONE, PHONE[3:], STREET, "Digicode 4711")
    assert text_columns_holding(*needles)  # the search does find them before
    entries_before = list(SalesEntry.objects.values_list("sequence", "amount", "hash"))
    assert LoyaltyEntry.objects.filter(customer=zebulon).exists()

    client.force_login(zebulon)
    response = client.post(reverse("account_delete"), {"password": f.PASSWORD})

    assert response.status_code == 302 and response["Location"] == reverse("home")
    run_deferred("privacy.send_erasure_email")
    [email] = [message for message in mail.outbox if message.to == [EMAIL]][-1:]
    assert "deleted" in email.subject or "supprimé" in email.subject
    assert text_columns_holding(*needles) == []
    assert not ErasureNotice.objects.exists()
    order.refresh_from_db()
    assert (order.total, order.status, order.payment_method) == (
        Decimal("24.00") + order.delivery_fee,
        Status.DELIVERED,
        "cash_on_delivery",
    )
    assert list(SalesEntry.objects.values_list("sequence", "amount", "hash")) == entries_before
    assert check_restaurant(restaurant_a).ok
    erased = User.objects.get(pk=zebulon.pk)
    assert (
        not erased.is_active and not erased.has_usable_password() and not Address.objects.filter(user=erased)
    )
    assert not LoyaltyEntry.objects.filter(customer=erased).exists()  # the ledger goes (docs/compliance.md)
    assert PrivacyRequest.objects.get().done_by == erased and not PrivacyRequest.objects.get().by_staff
    assert client.get(reverse("profile")).status_code == 302  # signed out


def test_erasure_is_refused_while_an_order_is_in_progress(client, english, zebulon, order_for, menu, plenty):
    order_for(zebulon, LineRequest(product_id=menu["margherita"].id, quantity=1))
    client.force_login(zebulon)

    page = client.get(reverse("account_delete")).content.decode()
    response = client.post(reverse("account_delete"), {"password": f.PASSWORD})

    message = "An order of yours is still in progress"
    assert message in page and response.status_code == 400 and message in response.content.decode()
    assert User.objects.get(pk=zebulon.pk).email == EMAIL and not PrivacyRequest.objects.exists()


def test_erasure_needs_the_password(client, english, zebulon):
    client.force_login(zebulon)
    response = client.post(reverse("account_delete"), {"password": "not-it"})
    assert response.status_code == 400 and "This is not your password." in response.content.decode()
    assert User.objects.get(pk=zebulon.pk).is_active


def test_head_office_erases_a_customer_who_asks_by_phone_and_it_is_logged(zebulon, head_office, manager_a):
    admin = site._registry[Customer]
    request = RequestFactory().post("/")
    request._messages = type("Messages", (), {"add": lambda *args, **kwargs: None})()
    request.user = manager_a
    assert not admin.has_module_permission(request) and not admin.has_view_permission(request)
    request.user = head_office

    admin.erase_personal_data(request, admin.get_queryset(request).filter(pk=zebulon.pk))

    assert User.objects.get(pk=zebulon.pk).email == f"erased-{zebulon.pk}@erased.invalid"
    log = PrivacyRequest.objects.get()
    assert (log.kind, log.account_id, log.done_by, log.by_staff) == ("erasure", zebulon.pk, head_office, True)
    assert not admin.get_queryset(request).filter(pk=zebulon.pk).exists()  # gone from the list


def test_retention_anonymises_exactly_what_has_passed_its_period(
    zebulon, customer, order_for, menu, plenty, driver, pizzaiolo, settings, time_machine, noon, capsys
):
    settings.RETENTION_DELIVERY_DETAILS_DAYS = 365
    settings.RETENTION_CUSTOMER_DAYS = 3 * 365
    old = delivered_order(order_for, zebulon, driver, pizzaiolo, product_id=menu["margherita"].id)
    # Both accounts made and last used at noon (fixtures run before the clock is frozen).
    User.objects.filter(pk__in=[zebulon.pk, customer.pk]).update(date_joined=noon, last_login=noon)
    time_machine.move_to(noon + timedelta(days=200), tick=False)
    recent = order_for(
        customer, LineRequest(product_id=menu["margherita"].id, quantity=1), now=noon + timedelta(days=200)
    )
    transition_order(order=recent, to=Status.CANCELLED, by=customer)

    time_machine.move_to(noon + timedelta(days=364), tick=False)
    assert apply_retention(now=noon + timedelta(days=364)).orders == []

    time_machine.move_to(noon + timedelta(days=366), tick=False)
    call_command("apply_retention", "--dry-run")
    assert f"1 order(s) would be anonymised: {old.number}" in capsys.readouterr().out
    assert Order.objects.get(pk=old.pk).customer_name == old.customer_name  # a dry run changes nothing
    report = apply_retention(now=noon + timedelta(days=366))
    assert (report.orders, report.accounts) == ([old.number], [])
    old.refresh_from_db()
    assert (old.customer_name, old.delivery_street, old.note, old.customer_email) == ("—", "—", "", "")
    assert Order.objects.get(pk=recent.pk).customer_name == recent.customer_name  # not yet a year old
    assert User.objects.get(pk=zebulon.pk).email == EMAIL  # the account has 3 years
    assert apply_retention(now=noon + timedelta(days=366)).orders == []  # idempotent

    later = noon + timedelta(days=3 * 365 + 1)
    time_machine.move_to(later, tick=False)
    report = apply_retention(now=later)
    assert report.accounts == [zebulon.pk]  # the customer with a recent order stays
    assert User.objects.get(pk=customer.pk).email == customer.email
    assert PrivacyRequest.objects.get().kind == "retention"


# ---- Export ----


def test_the_export_holds_every_order_of_the_customer_and_nothing_of_another(
    client, english, zebulon, other_customer, order_for, menu, plenty, driver, pizzaiolo
):
    import io
    import json
    import zipfile

    from privacy.models import DataExport

    delivered = delivered_order(order_for, zebulon, driver, pizzaiolo, product_id=menu["regina"].id)
    pickup = order_for(zebulon, LineRequest(product_id=menu["margherita"].id, quantity=1))
    others = order_for(other_customer, LineRequest(product_id=menu["margherita"].id, quantity=1))
    client.force_login(zebulon)

    assert client.post(reverse("account_export")).status_code == 302
    assert (
        client.post(reverse("account_export")).status_code == 302
    )  # a second ask while building: told, no new one
    assert DataExport.objects.count() == 1
    assert PrivacyRequest.objects.get().kind == "export"
    run_deferred("privacy.build_export")
    export = DataExport.objects.get()
    page = client.get(reverse("account_export")).content.decode()
    assert reverse("account_export_download", args=[export.pk]) in page
    [email] = [message for message in mail.outbox if message.to == [EMAIL]]  # the copy is ready: told once
    assert "http://testserver" not in email.body and reverse("account_export") in email.body

    response = client.get(reverse("account_export_download", args=[export.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert {
        "data.json",
        "profile.csv",
        "addresses.csv",
        "orders.csv",
        "order_lines.csv",
        "payments.csv",
    } <= set(archive.namelist())
    data = json.loads(archive.read("data.json"))
    assert data["profile"]["email"] == EMAIL and data["addresses"][0]["street"] == STREET
    assert sorted(order["number"] for order in data["orders"]) == sorted([delivered.number, pickup.number])
    paid = next(order for order in data["orders"] if order["number"] == delivered.number)
    assert paid["payments"][0]["method"] == "cash" and paid["lines"][0]["quantity"] == 2
    assert data["consents"] == []  # orders placed by the service, not through the checkout's box
    [earned] = data["loyalty_points"]  # the delivered order's points
    assert (earned["kind"], earned["order"], earned["points"]) == (
        "earned",
        delivered.number,
        int(delivered.total),
    )
    assert delivered.number in archive.read("loyalty_points.csv").decode()
    everything = b"".join(archive.read(name) for name in archive.namelist()).decode()
    assert others.number not in everything and other_customer.email not in everything
    assert delivered.number in archive.read("orders.csv").decode()

    client.force_login(other_customer)
    assert client.get(reverse("account_export_download", args=[export.pk])).status_code == 404


def test_an_export_expires_and_is_then_deleted_with_its_file(client, zebulon, settings, time_machine, noon):
    from django.core.files.storage import default_storage

    from privacy.models import DataExport

    settings.PRIVACY_EXPORT_HOURS = 48
    client.force_login(zebulon)
    client.post(reverse("account_export"))
    run_deferred("privacy.build_export")
    export = DataExport.objects.get()
    assert default_storage.exists(export.file_name)

    time_machine.move_to(noon + timedelta(hours=49), tick=False)
    assert client.get(reverse("account_export_download", args=[export.pk])).status_code == 404
    apply_retention(now=noon + timedelta(hours=49))
    assert not DataExport.objects.exists() and not default_storage.exists(export.file_name)


def test_head_office_sends_a_customer_a_copy_of_their_data_and_it_is_logged(zebulon, head_office, manager_a):
    from privacy.models import DataExport

    admin = site._registry[Customer]
    request = RequestFactory().post("/")
    request._messages = type("Messages", (), {"add": lambda *args, **kwargs: None})()
    request.user = manager_a
    assert "send_data_export" not in admin.get_actions(request)  # managers: not theirs
    request.user = head_office
    assert "send_data_export" in admin.get_actions(request)

    admin.send_data_export(request, admin.get_queryset(request).filter(pk=zebulon.pk))
    run_deferred("privacy.build_export")

    export = DataExport.objects.get()
    assert export.user == zebulon and export.ready_at is not None
    log = PrivacyRequest.objects.get()
    assert (log.kind, log.account_id, log.done_by, log.by_staff) == ("export", zebulon.pk, head_office, True)
    [email] = [message for message in mail.outbox if message.to == [EMAIL]]
    assert reverse("account_export") in email.body
