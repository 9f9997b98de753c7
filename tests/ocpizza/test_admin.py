"""The admin: every page answers, stock changes go through the services, managers see only their restaurants."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from accounts.models import User
from common.tasks import send_email
from legal.models import CompanyDetails
from loyalty.models import Entry, Reward
from loyalty.services import earn_for_order
from menu.models import Allergen, Product
from offers.models import Formule, FormuleComponent, PromoCode
from orders.models import (
    Fulfilment,
    Order,
    OrderLine,
    OrderLineExtra,
    OrderStatusChange,
    Payment,
    PaymentMethod,
    PaymentState,
    PaymentStatus,
    PendingChange,
    Provider,
    Refund,
    Status,
    StripeEvent,
)
from orders.sales_record import record_sale
from privacy.models import Customer, PrivacyRequest
from restaurants.models import MovementReason, Restaurant, StaffMember, Stock, StockMovement
from restaurants.services import record_waste, restock
from sales.closings import close_period
from sales.models import Closing, SalesEntry
from tests import factories as f
from tests.queue import deferred

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)
# Written only by migrations or services: the admin shows them and never adds one.
NOT_ADDED_IN_ADMIN = {
    Allergen,
    ProcrastinateJob,
    Order,
    OrderLine,
    OrderLineExtra,
    OrderStatusChange,
    Payment,
    PendingChange,
    Refund,
    StripeEvent,
    # The sales record is written by the order services only; the company's details row by a migration;
    # the customers' data and the log of requests are read, and acted on through an action.
    SalesEntry,
    Closing,
    CompanyDetails,
    Customer,
    PrivacyRequest,
    # The loyalty ledger is written by the order services; head office reads it.
    Entry,
}


def label(model) -> str:
    return model._meta.label


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def listed(response) -> set:
    assert response.status_code == 200
    return set(response.context["cl"].result_list)


def make_order(restaurant, menu, ingredients, *, customer=None, number: str) -> Order:
    """A paid pick-up order of one Margherita with extra mozzarella and no basil, refunded the extra."""
    margherita, extra = menu["margherita"], menu["extra_mozzarella"]
    order = Order.objects.create(
        number=number,
        restaurant=restaurant,
        customer=customer,
        customer_name="Alice Martin",
        customer_email="alice@example.com",
        customer_phone="06 12 34 56 78",
        fulfilment=Fulfilment.PICKUP,
        payment_method=PaymentMethod.ONLINE,
        payment_status=PaymentStatus.PARTIALLY_REFUNDED,
        status=Status.RECEIVED,
        subtotal=Decimal("11.00"),
        delivery_fee=Decimal("0"),
        total=Decimal("11.00"),
    )
    line = OrderLine.objects.create(
        order=order,
        product=margherita,
        product_name=margherita.name,
        unit_price=margherita.price,
        vat_rate=margherita.vat_rate,
        quantity=1,
        line_total=Decimal("11.00"),
    )
    OrderLineExtra.objects.create(line=line, extra=extra, name="Mozzarella", unit_price=extra.price)
    line.removed_ingredients.add(ingredients["Basilic"])
    OrderStatusChange.objects.create(order=order, from_status="", to_status=Status.RECEIVED)
    payment = Payment.objects.create(
        order=order,
        provider=Provider.DEMO,
        amount=order.total,
        status=PaymentState.SUCCEEDED,
        provider_reference=f"demo-{number}",
    )
    Refund.objects.create(payment=payment, amount=Decimal("1.50"), idempotency_key=f"refund-{number}")
    difference = Payment.objects.create(
        order=order, provider=Provider.DEMO, amount=Decimal("2.00"), provider_reference=f"demo-diff-{number}"
    )
    PendingChange.objects.create(
        order=order, payment=difference, lines=[], total=order.total + Decimal("2.00")
    )
    return order


@pytest.fixture
def stock_b(restaurant_b, ingredients):
    return f.StockFactory(
        restaurant=restaurant_b, ingredient=ingredients["Mozzarella"], quantity=Decimal("300")
    )


@pytest.fixture
def world(
    head_office,
    customer,
    restaurant_a,
    restaurant_b,
    manager_b,
    pizzaiolo,
    menu,
    ingredients,
    stock_a,
    stock_b,
):
    """At least one row of every model the admin shows, at both restaurants."""
    manager_b.is_staff = True
    manager_b.save(update_fields=["is_staff"])
    f.RecipeStepFactory(product=menu["margherita"])
    Group.objects.create(name="Siège")
    assert EmailAddress.objects.filter(user=customer, verified=True).exists()  # made by UserFactory
    StripeEvent.objects.create(event_id="evt_1", type="checkout.session.completed", payload={"id": "evt_1"})
    send_email.defer(key="admin-world", subject="Bonjour", body="Bonjour", to=["alice@example.com"])
    order_a = make_order(restaurant_a, menu, ingredients, customer=customer, number="AAA-AAA")
    record_sale(order=order_a)  # the sales record, and a closing of the day before
    close_period(restaurant_id=restaurant_a.pk, kind="day", day=timezone.localdate() - timedelta(days=1))
    PrivacyRequest.objects.create(kind="erasure", account_id=customer.pk, by_staff=True)
    Reward.objects.create(name="Une pizza offerte", points=100, product=menu["margherita"])
    earn_for_order(order=order_a, customer=customer, amount=Decimal("20.00"))
    PromoCode.objects.create(code="BIENVENUE10", label="Bienvenue", value=Decimal("10"))
    midi = Formule.objects.create(name="Menu Midi", price=Decimal("9.00"))
    FormuleComponent.objects.create(formule=midi, label="Pizza").products.add(menu["margherita"])
    return {
        "order_a": order_a,
        "order_b": make_order(restaurant_b, menu, ingredients, number="BBB-BBB"),
    }


@pytest.fixture
def head_office_client(client, head_office):
    client.force_login(head_office)
    return client


@pytest.fixture
def manager_client(client, world, manager_b):
    client.force_login(manager_b)
    return client


# -- Every page answers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_every_changelist_answers_for_head_office(head_office_client, world, model):
    response = head_office_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_every_add_page_answers_unless_adding_is_disabled(head_office_client, world, model):
    response = head_office_client.get(admin_url(model, "add"))

    assert response.status_code == (403 if model in NOT_ADDED_IN_ADMIN else 200)


@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_every_change_page_of_an_existing_object_answers(head_office_client, world, model):
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"the test world holds no {label(model)}"

    response = head_office_client.get(admin_url(model, "change", obj.pk))

    assert response.status_code == 200


def test_the_index_links_to_every_list_for_head_office(head_office_client, world):
    response = head_office_client.get(reverse("admin:index"))

    assert response.status_code == 200
    for model in REGISTERED:
        assert admin_url(model, "changelist") in response.content.decode()


def test_head_office_adds_a_user_by_email_without_a_username(head_office_client):
    response = head_office_client.post(
        admin_url(User, "add"),
        {
            "email": "Nouveau.Pizzaiolo@Example.com",
            "usable_password": "true",
            "password1": "une-longue-phrase-secrete",
            "password2": "une-longue-phrase-secrete",
            "_save": "1",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="nouveau.pizzaiolo@example.com")
    assert user.check_password("une-longue-phrase-secrete")
    assert not user.is_staff


def test_the_product_list_shows_a_thumbnail_of_the_image(head_office_client, menu):
    margherita = menu["margherita"]
    margherita.image = "products/margherita.jpg"
    margherita.save(update_fields=["image"])

    response = head_office_client.get(admin_url(Product, "changelist"))

    assert response.status_code == 200
    assert '<img src="/media/products/margherita.jpg"' in response.content.decode()


# -- Stock goes through the services ----------------------------------------------------------------------


def test_adding_a_stock_records_its_opening_quantity_as_an_inventory_movement(
    head_office_client, head_office, restaurant_b, ingredients
):
    response = head_office_client.post(
        admin_url(Stock, "add"),
        {
            "restaurant": restaurant_b.pk,
            "ingredient": ingredients["Jambon"].pk,
            "opening_quantity": "2500",
            "alert_threshold": "200",
            "_save": "1",
        },
    )

    assert response.status_code == 302
    stock = Stock.objects.get(restaurant=restaurant_b, ingredient=ingredients["Jambon"])
    assert stock.quantity == Decimal("2500")
    assert stock.alert_threshold == Decimal("200")
    movement = stock.movements.get()
    assert (movement.reason, movement.delta, movement.user) == (
        MovementReason.INVENTORY,
        Decimal("2500"),
        head_office,
    )


def test_adding_a_stock_that_already_exists_is_a_form_error(
    head_office_client, restaurant_a, stock_a, ingredients
):
    response = head_office_client.post(
        admin_url(Stock, "add"),
        {
            "restaurant": restaurant_a.pk,
            "ingredient": ingredients["Mozzarella"].pk,
            "opening_quantity": "100",
            "alert_threshold": "0",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    mozzarella = stock_a["Mozzarella"]
    mozzarella.refresh_from_db()
    assert mozzarella.quantity == Decimal("500")
    assert mozzarella.movements.count() == 1


def test_changing_a_stock_changes_only_its_alert_threshold(head_office_client, stock_a):
    mozzarella = stock_a["Mozzarella"]

    response = head_office_client.post(
        admin_url(Stock, "change", mozzarella.pk),
        {"alert_threshold": "50", "quantity": "9999", "_save": "1"},
    )

    assert response.status_code == 302
    mozzarella.refresh_from_db()
    assert mozzarella.alert_threshold == Decimal("50")
    assert mozzarella.quantity == Decimal("500")
    assert mozzarella.movements.count() == 1


def test_the_stock_page_links_to_its_movements(head_office_client, stock_a):
    mozzarella = stock_a["Mozzarella"]
    page = head_office_client.get(admin_url(Stock, "change", mozzarella.pk)).content.decode()
    link = re.search(r'href="([^"]*stockmovement/\?[^"]*)"', page).group(1).replace("&amp;", "&")

    response = head_office_client.get(link)

    assert listed(response) == set(mozzarella.movements.all())


def test_the_stock_change_page_shows_the_quantity_without_an_input(head_office_client, stock_a):
    response = head_office_client.get(admin_url(Stock, "change", stock_a["Mozzarella"].pk))

    assert response.status_code == 200
    assert 'name="quantity"' not in response.content.decode()
    assert 'name="alert_threshold"' in response.content.decode()
    assert "500\xa0g" in response.content.decode()


def test_the_stock_list_filters_by_state(head_office_client, stock_a, pizzaiolo):
    # Thresholds are 100 g: basil runs out, ham falls to 90 g, the rest stays well above.
    record_waste(stock=stock_a["Basilic"], quantity=Decimal("100"), by=pizzaiolo)
    record_waste(stock=stock_a["Jambon"], quantity=Decimal("30"), by=pizzaiolo)
    url = admin_url(Stock, "changelist")

    by_state = {
        state: {stock.ingredient.name for stock in listed(head_office_client.get(url, {"state": state}))}
        for state in ("out", "low", "ok")
    }

    assert by_state == {
        "out": {"Basilic"},
        "low": {"Jambon"},
        "ok": {"Pâte à pizza", "Sauce tomate", "Mozzarella"},
    }


def record_movement(client, stock: Stock, kind: str, quantity: str, note: str = ""):
    return client.post(
        admin_url(StockMovement, "add"),
        {"stock": stock.pk, "kind": kind, "quantity": quantity, "note": note, "_save": "1"},
    )


def test_recording_a_restock_adds_to_the_stock_through_a_movement(head_office_client, head_office, stock_a):
    mozzarella = stock_a["Mozzarella"]

    response = record_movement(head_office_client, mozzarella, "restock", "1000", "Livraison Metro")

    assert response.status_code == 302
    mozzarella.refresh_from_db()
    assert mozzarella.quantity == Decimal("1500")
    movement = mozzarella.movements.latest("id")
    assert (movement.reason, movement.delta, movement.user, movement.note) == (
        MovementReason.RESTOCK,
        Decimal("1000"),
        head_office,
        "Livraison Metro",
    )


def test_an_inventory_count_sets_the_stock_to_what_was_counted(head_office_client, stock_a):
    mozzarella = stock_a["Mozzarella"]

    response = record_movement(head_office_client, mozzarella, "inventory", "450")

    assert response.status_code == 302
    mozzarella.refresh_from_db()
    assert mozzarella.quantity == Decimal("450")
    assert mozzarella.movements.latest("id").delta == Decimal("-50")


def test_a_waste_greater_than_the_stock_is_a_form_error_and_writes_nothing(head_office_client, stock_a):
    mozzarella = stock_a["Mozzarella"]

    response = record_movement(head_office_client, mozzarella, "waste", "600")

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Mozzarella" in str(errors["quantity"])
    mozzarella.refresh_from_db()
    assert mozzarella.quantity == Decimal("500")
    assert mozzarella.movements.count() == 1


@pytest.mark.parametrize(("kind", "quantity"), [("restock", "0"), ("waste", "0"), ("inventory", "500")])
def test_a_movement_that_changes_nothing_is_a_form_error(head_office_client, stock_a, kind, quantity):
    mozzarella = stock_a["Mozzarella"]

    response = record_movement(head_office_client, mozzarella, kind, quantity)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["quantity"]
    assert mozzarella.movements.count() == 1


def test_the_movement_form_can_start_from_a_stock_and_a_kind(head_office_client, stock_a):
    mozzarella = stock_a["Mozzarella"]

    response = head_office_client.get(
        admin_url(StockMovement, "add"), {"stock": mozzarella.pk, "kind": "waste"}
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert (form["stock"].value(), form["kind"].value()) == (str(mozzarella.pk), "waste")


def test_stock_movements_are_never_changed_or_deleted_in_the_admin(head_office_client, stock_a):
    movement = stock_a["Mozzarella"].movements.get()
    note = movement.note

    change = head_office_client.post(admin_url(StockMovement, "change", movement.pk), {"note": "oops"})
    delete = head_office_client.post(admin_url(StockMovement, "delete", movement.pk), {"post": "yes"})

    assert change.status_code == 403
    assert delete.status_code == 403
    movement.refresh_from_db()
    assert movement.note == note
    assert StockMovement.objects.filter(pk=movement.pk).exists()


# -- Orders are shown, not run -----------------------------------------------------------------------------


def test_an_order_page_shows_lines_with_extras_and_removals_and_no_status_input(head_office_client, world):
    response = head_office_client.get(admin_url(Order, "change", world["order_a"].pk))

    assert response.status_code == 200
    content = response.content.decode()
    assert "+ Mozzarella (1,50\xa0€)" in content
    assert "Basilic" in content
    assert 'name="status"' not in content
    assert 'name="total"' not in content
    assert 'name="note"' in content


def management_forms(client, order: Order) -> dict[str, str]:
    response = client.get(admin_url(Order, "change", order.pk))
    data = {}
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[f"{management.prefix}-{name}"] = str(management[name].value())
    return data


def test_saving_an_order_changes_only_its_editable_fields(head_office_client, world):
    order = world["order_a"]

    response = head_office_client.post(
        admin_url(Order, "change", order.pk),
        {
            "needs_attention": "on",
            "note": "Client rappelé",
            "customer_phone": order.customer_phone,
            "customer_email": order.customer_email,
            "status": Status.CANCELLED,
            "total": "0",
            # The read-only inlines still post their management forms.
            **management_forms(head_office_client, order),
            "_save": "1",
        },
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.needs_attention, order.note) == (True, "Client rappelé")
    assert (order.status, order.total) == (Status.RECEIVED, Decimal("11.00"))


def test_orders_are_neither_added_nor_deleted_in_the_admin(head_office_client, world):
    order = world["order_a"]

    add = head_office_client.post(admin_url(Order, "add"), {"customer_name": "Nobody"})
    delete = head_office_client.post(admin_url(Order, "delete", order.pk), {"post": "yes"})

    assert (add.status_code, delete.status_code) == (403, 403)
    assert Order.objects.count() == 2


# -- Managers see their restaurants only ------------------------------------------------------------------


def test_a_manager_lists_only_their_restaurants_stock_orders_and_movements(
    manager_client, world, stock_b, restaurant_b
):
    stocks = listed(manager_client.get(admin_url(Stock, "changelist")))
    orders = listed(manager_client.get(admin_url(Order, "changelist")))
    movements = listed(manager_client.get(admin_url(StockMovement, "changelist")))
    restaurants = listed(manager_client.get(admin_url(Restaurant, "changelist")))
    payments = listed(manager_client.get(admin_url(Payment, "changelist")))
    staff = listed(manager_client.get(admin_url(StaffMember, "changelist")))

    assert stocks == {stock_b}
    assert orders == {world["order_b"]}
    assert movements == set(stock_b.movements.all())
    assert restaurants == {restaurant_b}
    assert {payment.order for payment in payments} == {world["order_b"]}
    assert {member.restaurant for member in staff} == {restaurant_b}


def test_a_manager_gets_a_404_for_another_restaurants_objects(manager_client, world, stock_a, restaurant_a):
    mozzarella_a = stock_a["Mozzarella"]
    urls = [
        admin_url(Stock, "change", mozzarella_a.pk),
        admin_url(StockMovement, "change", mozzarella_a.movements.get().pk),
        admin_url(Order, "change", world["order_a"].pk),
        admin_url(Payment, "change", world["order_a"].payments.get(status=PaymentState.SUCCEEDED).pk),
        admin_url(Restaurant, "change", restaurant_a.pk),
    ]

    assert [manager_client.get(url).status_code for url in urls] == [404] * len(urls)


def test_a_manager_cannot_open_head_office_pages(manager_client):
    for model in (Group, StripeEvent, Allergen):
        assert manager_client.get(admin_url(model, "changelist")).status_code == 403


def test_a_manager_records_a_restock_only_on_their_own_stock(manager_client, manager_b, stock_a, stock_b):
    form = manager_client.get(admin_url(StockMovement, "add")).context["adminform"].form
    assert list(form.fields["stock"].queryset) == [stock_b]
    search = manager_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "restaurants", "model_name": "stockmovement", "field_name": "stock", "term": "mozza"},
    )
    assert [result["id"] for result in search.json()["results"]] == [str(stock_b.pk)]

    refused = record_movement(manager_client, stock_a["Mozzarella"], "restock", "100")
    accepted = record_movement(manager_client, stock_b, "restock", "100")

    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["stock"]
    assert accepted.status_code == 302
    stock_a["Mozzarella"].refresh_from_db()
    stock_b.refresh_from_db()
    assert stock_a["Mozzarella"].quantity == Decimal("500")
    assert stock_b.quantity == Decimal("400")
    assert stock_b.movements.latest("id").user == manager_b


def test_a_manager_adds_stock_only_at_their_restaurants(manager_client, restaurant_a, restaurant_b):
    olives = f.IngredientFactory(name="Olives")
    form = manager_client.get(admin_url(Stock, "add")).context["adminform"].form
    assert list(form.fields["restaurant"].queryset) == [restaurant_b]

    response = manager_client.post(
        admin_url(Stock, "add"),
        {
            "restaurant": restaurant_a.pk,
            "ingredient": olives.pk,
            "opening_quantity": "10",
            "alert_threshold": "0",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["restaurant"]
    assert not Stock.objects.filter(ingredient=olives).exists()


# -- Query counts --------------------------------------------------------------------------------------------


@pytest.fixture
def add_rows(world, restaurant_a, restaurant_b, menu, ingredients, stock_a, stock_b, head_office):
    """Adds several rows of every model the admin lists (but allauth's), so a query per row would show."""

    def add() -> None:
        for n in range(4):
            make_order(restaurant_a, menu, ingredients, number=f"A{n}A-{n}{n}A")
            make_order(restaurant_b, menu, ingredients, number=f"B{n}B-{n}{n}B")
            restock(stock=stock_a["Mozzarella"], quantity=Decimal("10"), by=head_office)
            restock(stock=stock_b, quantity=Decimal("10"), by=head_office)
            f.StockFactory(restaurant=restaurant_b, ingredient=f.IngredientFactory())
            f.AddressFactory()
            f.StaffMemberFactory(restaurant=restaurant_b)
            f.OpeningHoursFactory(restaurant=restaurant_b, weekday=n)
            f.DeliveryZoneFactory(restaurant=restaurant_b, postal_code=f"7500{n + 5}")
            f.RestaurantFactory()
            f.RecipeLineFactory(
                product=f.ProductFactory(category=f.CategoryFactory(name=f"C{n}", slug=f"c{n}"))
            )
            f.RecipeStepFactory(product=menu["regina"])
            f.ExtraFactory()
            Group.objects.create(name=f"Groupe {n}")
            StripeEvent.objects.create(event_id=f"evt_more_{n}", type="checkout.session.completed")

    return add


# Session, user, the two counts, the page of rows, one query per related-model filter and for the date
# hierarchy. The bound is met with every list at five rows or more, where a query per row would break it.
MAX_CHANGELIST_QUERIES = 12


def queries_before_and_after_adding_rows(client, url: str, add_rows, django_assert_max_num_queries):
    client.get(url)  # warms the caches (content types...) that only the first request fills
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    add_rows()
    with django_assert_max_num_queries(MAX_CHANGELIST_QUERIES) as after:
        response = client.get(url)
    assert response.status_code == 200
    return len(before), len(after), response


@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_changelists_run_a_constant_number_of_queries(
    head_office_client, add_rows, model, django_assert_max_num_queries
):
    before, after, _response = queries_before_and_after_adding_rows(
        head_office_client, admin_url(model, "changelist"), add_rows, django_assert_max_num_queries
    )

    assert after == before


@pytest.mark.parametrize("model", [Stock, StockMovement, Order, Payment, StaffMember], ids=label)
def test_a_managers_changelists_run_a_constant_number_of_queries(
    manager_client, add_rows, model, django_assert_max_num_queries
):
    before, after, response = queries_before_and_after_adding_rows(
        manager_client, admin_url(model, "changelist"), add_rows, django_assert_max_num_queries
    )

    assert after == before
    assert len(listed(response)) >= 5


# -- The task queue: head office sees the jobs and retries a failed one; managers do not see them --------


def failed_email_job() -> ProcrastinateJob:
    """An email job that failed for good (its last try refused by the mail server)."""
    job_id = send_email.defer(key="failed", subject="Commande", body="Bonjour", to=["alice@example.com"])
    with connection.cursor() as cursor:
        cursor.execute("UPDATE procrastinate_jobs SET status = 'doing' WHERE id = %s", [job_id])
        cursor.execute(
            "UPDATE procrastinate_jobs SET status = 'failed', attempts = 13 WHERE id = %s", [job_id]
        )
    return ProcrastinateJob.objects.get(pk=job_id)


def test_head_office_finds_the_failed_jobs_and_retries_one(head_office_client):
    job = failed_email_job()
    url = admin_url(ProcrastinateJob, "changelist")

    assert listed(head_office_client.get(url, {"status__exact": "failed"})) == {job}
    response = head_office_client.post(url, {"action": "retry", "_selected_action": [job.pk]})

    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "todo"
    assert [waiting.pk for waiting in deferred("common.send_email")] == [job.pk]


def test_a_manager_does_not_see_the_task_queue(manager_client):
    failed_email_job()

    index = manager_client.get(reverse("admin:index"))
    response = manager_client.get(admin_url(ProcrastinateJob, "changelist"))

    assert index.status_code == 200
    assert admin_url(ProcrastinateJob, "changelist") not in index.content.decode()
    assert response.status_code == 403
