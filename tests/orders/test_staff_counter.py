"""The counter screen: the live order list, hand-over of pick-ups, cancel, and orders taken by phone or at the
counter through the same services as the website."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.models import (
    Channel,
    Order,
    OrderStatusChange,
    Payment,
    PaymentMethod,
    PaymentState,
    PaymentStatus,
    Provider,
    Status,
)
from orders.services import LineRequest, transition_order
from orders.staff.counter.taken import CUSTOMER_KEY, CounterCart
from restaurants.models import Stock, StockMovement
from restaurants.services import record_waste
from tests import factories as f
from tests.orders.counter import NEW, place
from tests.queue import run_deferred

pytestmark = pytest.mark.django_db

LIST = reverse("staff_counter")
FRAGMENT = reverse("staff_counter_orders")
ADD = reverse("staff_counter_add")
CHOOSE = reverse("staff_counter_customer")


@pytest.fixture
def at_counter(english, counter, menu, stock_a, noon):
    """The counter clerk of A, signed in, at Monday noon."""
    english.force_login(counter)
    return english


def ready(order, by):
    for status in (Status.PREPARING, Status.READY):
        order = transition_order(order=order, to=status, by=by)
    return order


def add(client, product, quantity=1, **more):
    return client.post(ADD, {"product": product.pk, "quantity": str(quantity), **more})


def stock_levels(stock_a) -> dict[str, Decimal]:
    return {name: Stock.objects.get(pk=stock.pk).quantity for name, stock in stock_a.items()}


def messages_in(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def sent_back_to(response) -> str:
    """Where a refused POST sent the browser: with a 303, so that a reload gets the page, not the POST again."""
    assert response.status_code == 303, response.status_code
    return response["Location"]


# ---------- Who may use it ----------


def _urls(order):
    """(method, url, data, status expected for someone allowed) for every counter URL."""
    return [
        ("get", LIST, {}, 200),
        ("get", FRAGMENT, {}, 200),
        ("get", reverse("staff_counter_order", args=[order.number]), {}, 200),
        # Not ready yet: refused by the lifecycle, not by the access check.
        ("post", reverse("staff_counter_hand_over", args=[order.number]), {"payment": "cash"}, 303),
        ("get", reverse("staff_counter_cancel", args=[order.number]), {}, 200),
        ("get", NEW, {}, 200),
        ("post", ADD, {}, 303),
        ("post", reverse("staff_counter_line", args=[0]), {"quantity": "1"}, 303),  # no such line
        ("post", CHOOSE, {"forget": "1"}, 302),
        ("post", reverse("staff_counter_clear"), {}, 302),
    ]


@pytest.mark.parametrize("who", ["counter", "manager_a", "head_office"])
def test_counter_staff_managers_and_head_office_use_every_counter_url(
    request, client, who, order_for, customer, restaurant_a
):
    order = order_for(customer)
    client.force_login(request.getfixturevalue(who))
    for method, url, data, expected in _urls(order):
        response = getattr(client, method)(url, data)
        assert response.status_code == expected, (who, url, response.status_code)


@pytest.mark.parametrize("who", ["pizzaiolo", "driver", "customer"])
def test_other_roles_and_customers_are_refused_every_counter_url(request, client, who, order_for, customer):
    order = order_for(customer)
    client.force_login(request.getfixturevalue(who))
    for method, url, data, _expected in _urls(order):
        assert getattr(client, method)(url, data).status_code == 403, (who, url)
    assert Order.objects.get(pk=order.pk).status == Status.RECEIVED


def test_an_anonymous_visitor_is_sent_to_sign_in(client, order_for, customer):
    order = order_for(customer)
    for method, url, data, _expected in _urls(order):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url


def test_a_manager_of_another_restaurant_neither_sees_nor_touches_its_orders(
    client, manager_b, order_for, customer, pizzaiolo
):
    order = ready(order_for(customer), pizzaiolo)
    client.force_login(manager_b)

    listing = client.get(LIST)
    assert listing.status_code == 200
    assert order.number not in listing.content.decode()
    assert order.number not in client.get(FRAGMENT).content.decode()
    assert client.get(reverse("staff_counter_order", args=[order.number])).status_code == 404
    assert client.get(reverse("staff_counter_cancel", args=[order.number])).status_code == 404
    hand_over = client.post(reverse("staff_counter_hand_over", args=[order.number]), {"payment": "cash"})
    assert hand_over.status_code == 404
    cancel = client.post(reverse("staff_counter_cancel", args=[order.number]), {"reason": "test"})
    assert cancel.status_code == 404
    order.refresh_from_db()
    assert order.status == Status.READY
    assert not order.payments.exists()


# ---------- The live list ----------


def test_the_list_shows_what_the_counter_needs_about_each_order(
    at_counter, order_for, customer, menu, restaurant_a
):
    order = order_for(customer, LineRequest(product_id=menu["regina"].id, quantity=2))

    response = at_counter.get(LIST)

    content = response.content.decode()
    assert response.status_code == 200
    assert order.number in content
    assert customer.get_full_name() in content
    assert "2&nbsp;× Regina" in content
    assert "Website · Pick-up" in content
    assert 'class="status-badge status-badge--received"' in content
    assert "24.00\u00a0€" in content
    assert "Cash on delivery or pick-up" in content and "Unpaid" in content
    tracking = reverse("order_tracking", args=[order.number]) + f"?t={order.tracking_token}"
    assert f'href="{tracking}"' in content
    assert f'hx-get="{FRAGMENT}"' in content and 'hx-trigger="every 5s"' in content


def test_the_list_keeps_open_orders_of_other_days_and_leaves_out_finished_ones(
    at_counter, order_for, customer, noon, time_machine, pizzaiolo
):
    open_yesterday = order_for(customer, now=noon.replace(day=29))
    finished_yesterday = order_for(customer, now=noon.replace(day=29))
    Order.objects.filter(pk__in=[open_yesterday.pk, finished_yesterday.pk]).update(
        created_at=noon.replace(day=29)
    )
    transition_order(order=finished_yesterday, to=Status.CANCELLED, by=pizzaiolo)

    content = at_counter.get(LIST).content.decode()

    assert open_yesterday.number in content
    assert finished_yesterday.number not in content


def test_the_status_filter_narrows_the_list(at_counter, order_for, customer, other_customer, pizzaiolo):
    waiting = order_for(customer)
    done = ready(order_for(other_customer), pizzaiolo)

    only_ready = at_counter.get(LIST, {"status": "ready"}).content.decode()
    everything = at_counter.get(FRAGMENT, {"status": "nonsense"}).content.decode()

    assert done.number in only_ready and waiting.number not in only_ready
    assert f'hx-get="{FRAGMENT}?status=ready"' in only_ready
    assert done.number in everything and waiting.number in everything


def test_ready_orders_come_first(at_counter, order_for, customer, pizzaiolo):
    first = order_for(customer)
    second = ready(order_for(customer), pizzaiolo)

    content = at_counter.get(LIST).content.decode()

    assert content.index(second.number) < content.index(first.number)


def test_the_list_and_its_fragment_run_the_same_queries_for_three_times_the_orders(
    at_counter, order_for, customer, menu, pizzaiolo, django_assert_num_queries
):
    def place_orders(count):
        for index in range(count):
            order = order_for(
                customer,
                LineRequest(product_id=menu["margherita"].id, quantity=1),
                LineRequest(product_id=menu["regina"].id, quantity=1),
                fulfilment="pickup",
            )
            if index % 2:
                ready(order, pizzaiolo)

    Stock.objects.update(quantity=Decimal("100000"))
    place_orders(2)
    # 1 session, 2 user, 3 staff memberships with their restaurants, 4 the list's version, 5 the count of
    # each status, 6 the orders, 7 their lines.
    with django_assert_num_queries(7):
        response = at_counter.get(LIST)
    assert response.content.decode().count('class="counter-order ') == 2
    place_orders(4)
    with django_assert_num_queries(7):
        response = at_counter.get(LIST)
    assert response.content.decode().count('class="counter-order ') == 6
    with django_assert_num_queries(7):
        response = at_counter.get(FRAGMENT)
    assert response.content.decode().count('class="counter-order ') == 6
    # Unchanged since the screen's last look: the version only (1 session, 2 user, 3 memberships, 4 the
    # version), and nothing rendered.
    version = re.search(r'data-version="([0-9a-f]{16})"', response.content.decode()).group(1)
    with django_assert_num_queries(4):
        response = at_counter.get(FRAGMENT, HTTP_X_BOARD_VERSION=version)
    assert response.status_code == 204 and response.content == b""


def test_the_list_answers_204_until_an_order_arrives_changes_or_turns_late(
    at_counter, order_for, customer, pizzaiolo, time_machine, noon
):
    order = order_for(customer)

    def version(**params):
        page = at_counter.get(FRAGMENT, params).content.decode()
        return re.search(r'data-version="([0-9a-f]{16})"', page).group(1)

    shown = version()
    assert at_counter.get(FRAGMENT, HTTP_X_BOARD_VERSION=shown).status_code == 204
    # Another filter is another list.
    assert version(status="ready") != shown
    # A status change.
    transition_order(order=order, to=Status.PREPARING, by=pizzaiolo)
    assert at_counter.get(FRAGMENT, HTTP_X_BOARD_VERSION=shown).status_code == 200
    shown = version()
    # A new order.
    other = order_for(customer)
    response = at_counter.get(FRAGMENT, HTTP_X_BOARD_VERSION=shown)
    assert response.status_code == 200 and f'data-key="{other.number}"' in response.content.decode()
    shown = version()
    # Nothing happens, but the due time passes: the order turns late.
    time_machine.move_to(order.due_at + timedelta(minutes=1), tick=False)
    response = at_counter.get(FRAGMENT, HTTP_X_BOARD_VERSION=shown)
    assert response.status_code == 200 and "counter-order--late" in response.content.decode()


def test_each_order_of_the_list_is_keyed_and_versioned_for_the_live_swaps(at_counter, order_for, customer):
    order = order_for(customer)

    page = at_counter.get(LIST).content.decode()

    assert 'data-live-board="counter-' in page and "data-board-announcer" in page
    item = re.search(rf'<li [^>]*data-key="{order.number}"[^>]*>', page).group(0)
    assert f'data-order-number="{order.number}"' in item and "data-version=" in item
    assert "<kbd>N</kbd>" in page  # the keys, on screen


# ---------- Handing over a pick-up ----------


def test_handing_over_a_pickup_records_the_card_payment_and_the_hand_over(
    at_counter, counter, order_for, customer, pizzaiolo
):
    order = ready(order_for(customer), pizzaiolo)

    response = at_counter.post(
        reverse("staff_counter_hand_over", args=[order.number]), {"payment": "card", "back": "ready"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?status=ready"
    order.refresh_from_db()
    assert order.status == Status.PICKED_UP
    assert order.payment_status == PaymentStatus.PAID
    assert order.completed_at is not None
    payment = order.payments.get()
    assert (payment.provider, payment.amount, payment.status, payment.recorded_by) == (
        Provider.CARD,
        order.total,
        PaymentState.SUCCEEDED,
        counter,
    )
    change = order.status_changes.last()
    assert (change.from_status, change.to_status, change.actor) == (
        Status.READY,
        Status.PICKED_UP,
        counter,
    )


def test_an_unpaid_order_is_not_handed_over_without_a_payment_choice(
    at_counter, order_for, customer, pizzaiolo
):
    order = ready(order_for(customer), pizzaiolo)

    response = at_counter.post(reverse("staff_counter_hand_over", args=[order.number]), {})

    assert sent_back_to(response) == reverse("staff_counter_order", args=[order.number])
    assert "Record how the customer paid" in " ".join(messages_in(at_counter.get(response["Location"])))
    order.refresh_from_db()
    assert order.status == Status.READY
    assert not Payment.objects.exists()


def test_a_paid_order_is_handed_over_without_a_payment_choice(
    at_counter, order_for, customer, pizzaiolo, counter
):
    from orders.services import record_payment_on_delivery

    order = ready(order_for(customer), pizzaiolo)
    record_payment_on_delivery(order=order, method=Provider.CASH, by=counter)

    response = at_counter.post(reverse("staff_counter_hand_over", args=[order.number]), {})

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Status.PICKED_UP
    assert order.payments.count() == 1


@pytest.mark.parametrize(
    ("setup", "data", "message"),
    [
        ("received", {"payment": "cash"}, "cannot become"),
        ("delivery", {"payment": "cash"}, "delivered, not picked up"),
        ("ready", {"payment": "cheque"}, "Choose cash or card."),
    ],
)
def test_a_hand_over_the_order_does_not_allow_is_refused_with_nothing_written(
    at_counter, order_for, customer, menu, pizzaiolo, delivery_to, setup, data, message
):
    if setup == "delivery":
        two = LineRequest(product_id=menu["margherita"].id, quantity=2)
        order = ready(order_for(customer, two, fulfilment="delivery", address=delivery_to), pizzaiolo)
    else:
        order = order_for(customer)
        if setup == "ready":
            order = ready(order, pizzaiolo)
    before = order.status

    response = at_counter.post(reverse("staff_counter_hand_over", args=[order.number]), data)

    assert sent_back_to(response) == reverse("staff_counter_order", args=[order.number])
    assert message in " ".join(messages_in(at_counter.get(response["Location"])))
    order.refresh_from_db()
    assert order.status == before
    assert not Payment.objects.exists()


# ---------- The undo window (static/js/kitchen.js holds the form; these are what it is given and sent) ----------


def test_the_hand_over_waits_in_an_undo_window_of_the_configured_length(
    at_counter, order_for, customer, pizzaiolo, settings
):
    settings.STAFF_UNDO_MS = 1234
    order = ready(order_for(customer), pizzaiolo)

    for url, live in ((LIST, True), (reverse("staff_counter_order", args=[order.number]), False)):
        page = at_counter.get(url).content.decode()
        assert re.search(
            r'<div class="kds-undo-bar" data-undo-bar data-undo-ms="1234" data-state="idle"', page
        )
        form = re.search(r'<form class="counter-hand-over"[^>]*>', page).group(0)
        assert "data-undo " in form and f"Order {order.number}: handed over" in form
        # Without a page load on the live list; as a plain form on the order's page.
        assert ("data-kitchen-action" in form) is live
        assert f"Order {order.number}: handed over, paid in cash" in page


def test_a_hand_over_sent_by_the_list_after_its_window_lands_on_the_list_with_its_message(
    at_counter, order_for, customer, pizzaiolo
):
    order = ready(order_for(customer), pizzaiolo)

    # As kitchen.js sends it: HTMX's header, and the redirect followed by the browser's fetch.
    response = at_counter.post(
        reverse("staff_counter_hand_over", args=[order.number]),
        {"payment": "cash"},
        HTTP_HX_REQUEST="true",
        follow=True,
    )

    assert response.redirect_chain == [(LIST, 302)]
    page = response.content.decode()
    assert f"Order {order.number} is handed over." in page
    assert re.search(
        rf'<li class="counter-order counter-order--picked_up[^>]*data-key="{order.number}"', page
    )
    assert Order.objects.get(pk=order.pk).status == Status.PICKED_UP


def test_a_hand_over_whose_window_ended_after_someone_else_handed_it_over_writes_nothing_twice(
    at_counter, order_for, customer, pizzaiolo
):
    order = ready(order_for(customer), pizzaiolo)
    url = reverse("staff_counter_hand_over", args=[order.number])
    assert at_counter.post(url, {"payment": "cash"}).status_code == 302

    response = at_counter.post(url, {"payment": "cash"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 302  # the hand-over is idempotent: the list, as it is
    assert order.payments.count() == 1
    assert OrderStatusChange.objects.filter(order=order, to_status=Status.PICKED_UP).count() == 1


def test_the_cancellation_waits_in_an_undo_window_and_is_refused_once_the_kitchen_started(
    at_counter, order_for, customer, pizzaiolo
):
    order = order_for(customer)
    url = reverse("staff_counter_cancel", args=[order.number])

    page = at_counter.get(url).content.decode()
    assert "data-undo-bar" in page
    form = re.search(r'<form class="form" method="post"[^>]*>', page.replace("\n", " "), re.S).group(0)
    assert "data-undo " in form and f"Order {order.number}: cancelled" in form
    assert "data-kitchen-action" not in form  # submitted as it is once the window is over

    # The kitchen started during the window: the late cancellation is refused, nothing written.
    transition_order(order=order, to=Status.PREPARING, by=pizzaiolo)
    response = at_counter.post(url, {"reason": "The customer called back"})
    assert sent_back_to(response) == reverse("staff_counter_order", args=[order.number])
    assert Order.objects.get(pk=order.pk).status == Status.PREPARING


# ---------- Cancelling before preparation ----------


def test_the_counter_cancels_an_order_before_preparation_with_a_reason(
    at_counter, counter, order_for, customer, stock_a
):
    before = stock_levels(stock_a)
    order = order_for(customer)

    response = at_counter.post(
        reverse("staff_counter_cancel", args=[order.number]), {"reason": "The customer called back"}
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Status.CANCELLED
    change = order.status_changes.last()
    assert (change.actor, change.reason) == (counter, "The customer called back")
    assert stock_levels(stock_a) == before


def test_a_cancel_needs_a_reason(at_counter, order_for, customer):
    order = order_for(customer)

    response = at_counter.post(reverse("staff_counter_cancel", args=[order.number]), {"reason": " "})

    assert response.status_code == 400
    assert Order.objects.get(pk=order.pk).status == Status.RECEIVED


def test_an_order_in_preparation_is_no_longer_cancelled_at_the_counter(
    at_counter, order_for, customer, pizzaiolo
):
    order = transition_order(order=order_for(customer), to=Status.PREPARING, by=pizzaiolo)

    response = at_counter.post(reverse("staff_counter_cancel", args=[order.number]), {"reason": "Too late"})

    assert sent_back_to(response) == reverse("staff_counter_order", args=[order.number])
    assert "can no longer be cancelled" in " ".join(messages_in(at_counter.get(response["Location"])))
    assert Order.objects.get(pk=order.pk).status == Status.PREPARING


# ---------- Finding a customer ----------


@pytest.mark.parametrize("query", ["06 12 34 56 78", "0612345678", "06.12.34.56.78", "+33 6 12 34 56 78"])
def test_a_customer_is_found_by_phone_however_it_is_written(at_counter, customer, query):
    customer.phone = "06 12 34 56 78"
    customer.save(update_fields=["phone"])

    response = at_counter.get(NEW, {"q": query})

    assert response.status_code == 200
    assert response.context["matches"] == [customer]
    content = response.content.decode()
    assert customer.email in content
    assert str(customer.addresses.get()) in content


def test_the_counter_finds_customers_by_part_of_their_name_email_or_phone(
    at_counter, customer, other_customer
):
    camille = f.UserFactory(first_name="Camille", last_name="Dupont", email="cdupont@example.com")
    camille_b = f.UserFactory(
        first_name="Camille", last_name="Bernard", email="cb@example.org", phone="07 81 22 33 44"
    )
    f.UserFactory(first_name="Camille", last_name="Absente", email="gone@example.com", is_active=False)

    def found(query):
        response = at_counter.get(NEW, {"q": query})
        assert response.status_code == 200
        return response.context["matches"]

    # By name, whatever the case, sorted by last name; a disabled account is never offered.
    assert found("camille") == [camille_b, camille]
    assert found("DUPONT camille") == [camille]
    # By part of the email, and by part of the phone however it is written.
    assert found("example.org") == [camille_b]
    assert found("ALICE@example") == [customer]
    assert found("07 81") == [camille_b]
    assert found("+33781") == [camille_b]
    assert found("22 33 44") == [camille_b]
    assert found("zorro") == []
    content = at_counter.get(NEW, {"q": "camille"}).content.decode()
    assert "07 81 22 33 44" in content and "cb@example.org" in content and "Camille Dupont" in content


def test_a_whole_phone_number_finds_only_its_owner_first(at_counter, customer):
    f.UserFactory(first_name="Paul", last_name="Aubert", phone="06 12 34 56 79")
    customer.phone = "06 12 34 56 78"
    customer.save(update_fields=["phone"])

    # "06 12 34 56 7" would list both; the whole number is the indexed equality, its owner alone.
    assert len(at_counter.get(NEW, {"q": "06 12 34 56 7"}).context["matches"]) == 2
    assert at_counter.get(NEW, {"q": "06 12 34 56 78"}).context["matches"] == [customer]


def test_a_search_of_one_character_is_refused_with_a_message(at_counter, customer):
    response = at_counter.get(NEW, {"q": " a "})

    assert response.status_code == 200
    assert response.context["matches"] is None
    assert "Type at least 2 characters." in response.content.decode()


def test_the_search_offers_ten_customers_at_most_in_the_same_queries_as_for_two(
    at_counter, django_assert_num_queries
):
    for index in range(12):
        f.AddressFactory(user=f.UserFactory(first_name="Camille", last_name=f"Nom{index:02d}"))
    at_counter.get(NEW)  # warms the menu cache

    # Session, user, staff membership, restaurant (hours, zones), counter cart, menu and stock, the
    # matching accounts, their addresses: the same whether 2 or 10 accounts match.
    with CaptureQueriesContext(connection) as two:
        assert len(at_counter.get(NEW, {"q": "Nom0 camille"}).context["matches"]) == 10
    with django_assert_num_queries(len(two)):
        response = at_counter.get(NEW, {"q": "Nom1"})
    assert [user.last_name for user in response.context["matches"]] == ["Nom10", "Nom11"]
    # One query finds the accounts (the other one on the table loads the signed-in clerk).
    searches = [
        query["sql"] for query in two if 'FROM "accounts_user"' in query["sql"] and "LIKE" in query["sql"]
    ]
    assert len(searches) == 1


@pytest.mark.parametrize("who", ["pizzaiolo", "driver", "customer"])
def test_no_one_but_counter_staff_searches_customers(request, client, who, customer):
    client.force_login(request.getfixturevalue(who))

    response = client.get(NEW, {"q": "alice"})

    assert response.status_code == 403
    assert "alice@example.com" not in response.content.decode()


def test_nobody_found_fills_the_walk_in_details_with_the_number_asked_for(at_counter, customer):
    response = at_counter.get(NEW, {"q": "07 81 00 00 01"})

    assert response.context["matches"] == []
    assert response.context["form"]["phone"].value() == "07 81 00 00 01"
    assert 'value="07 81 00 00 01"' in response.content.decode()


# ---------- Taking an order ----------


def test_a_phone_order_for_a_customer_found_by_phone_is_placed_for_their_account(
    at_counter,
    counter,
    customer,
    menu,
    ingredients,
    stock_a,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    customer.phone = "0612345678"
    customer.save(update_fields=["phone"])
    (match,) = at_counter.get(NEW, {"q": "06 12 34 56 78"}).context["matches"]
    assert at_counter.post(CHOOSE, {"customer": match.pk}).status_code == 302
    assert add(at_counter, menu["margherita"], 2, removed=[ingredients["Basilic"].pk]).status_code == 302
    assert add(at_counter, menu["regina"], 1, extras=[menu["extra_mozzarella"].pk]).status_code == 302
    address = customer.addresses.get()
    form = at_counter.get(NEW).context["form"]
    assert form["name"].value() == customer.get_full_name()
    assert form["phone"].value() == "0612345678"

    with django_capture_on_commit_callbacks(execute=True):
        response = place(
            at_counter,
            channel="phone",
            name=customer.get_full_name(),
            phone=customer.phone,
            email=customer.email,
            fulfilment="delivery",
            address=str(address.pk),
            payment_method="card_on_delivery",
        )

    assert response.status_code == 302
    order = Order.objects.get()
    assert response["Location"] == reverse("staff_counter_order", args=[order.number])
    assert (order.channel, order.customer, order.taken_by) == (Channel.PHONE, customer, counter)
    assert (order.fulfilment, order.address_id, order.delivery_postal_code) == (
        "delivery",
        address.pk,
        "69001",
    )
    assert order.payment_method == PaymentMethod.CARD_ON_DELIVERY
    assert order.status == Status.RECEIVED
    lines = {line.product_name: line for line in order.lines.all()}
    assert [i.name for i in lines["Margherita"].removed_ingredients.all()] == ["Basilic"]
    assert [e.name for e in lines["Regina"].extras.all()] == ["Mozzarella"]
    assert order.total == Decimal("9.50") * 2 + Decimal("13.50") + order.delivery_fee
    assert StockMovement.objects.filter(order=order).exists()
    assert OrderStatusChange.objects.get(order=order).actor == counter
    # The order being taken is gone from the session; the customer gets the confirmation.
    assert CounterCart.load(at_counter.session).lines == []
    assert CUSTOMER_KEY not in at_counter.session
    run_deferred()  # what the worker does a moment later
    assert [message.to for message in mailoutbox] == [[customer.email]]
    assert order.tracking_token in mailoutbox[0].body

    confirmation = at_counter.get(response["Location"])
    content = confirmation.content.decode()
    assert f"Order {order.number} is placed." in messages_in(confirmation)
    assert order.number in content
    assert f"{reverse('order_tracking', args=[order.number])}?t={order.tracking_token}" in content


def test_a_walk_in_counter_order_without_an_account_pays_at_the_counter(
    at_counter, counter, menu, stock_a, mailoutbox
):
    add(at_counter, menu["margherita"])

    response = place(
        at_counter, channel="counter", name="Walk-in Wanda", phone="", payment_method="at_counter"
    )

    assert response.status_code == 302
    order = Order.objects.get()
    assert order.customer is None
    assert (order.customer_name, order.customer_phone, order.customer_email) == ("Walk-in Wanda", "", "")
    assert (order.channel, order.fulfilment, order.payment_method) == ("counter", "pickup", "at_counter")
    assert order.taken_by == counter
    assert order.payment_status == PaymentStatus.UNPAID
    assert mailoutbox == []


def test_a_delivery_outside_the_zones_is_refused_with_nothing_written(at_counter, menu, stock_a):
    add(at_counter, menu["margherita"], 2)
    before = stock_levels(stock_a)

    response = place(
        at_counter, fulfilment="delivery", street="3 rue Oberkampf", postal_code="75011", city="Paris"
    )

    assert response.status_code == 400
    assert "does not deliver to 75011" in response.content.decode()
    assert not Order.objects.exists()
    assert stock_levels(stock_a) == before
    assert len(CounterCart.load(at_counter.session).lines) == 1


def test_a_product_sold_out_since_it_was_added_is_refused_by_name(at_counter, menu, stock_a):
    add(at_counter, menu["regina"], 2)
    record_waste(stock=stock_a["Jambon"], quantity=Decimal("100"), by=None)
    before = stock_levels(stock_a)

    response = place(at_counter)

    assert response.status_code == 400
    assert "Regina" in " ".join(response.context["form"].non_field_errors())
    assert not Order.objects.exists()
    assert stock_levels(stock_a) == before


def test_a_sold_out_product_is_not_added(at_counter, menu, stock_a):
    record_waste(stock=stock_a["Jambon"], quantity=Decimal("120"), by=None)

    response = add(at_counter, menu["regina"])

    assert sent_back_to(response) == f"{NEW}#counter-lines"
    assert "Sorry, Regina is sold out." in messages_in(at_counter.get(response["Location"]))
    assert CounterCart.load(at_counter.session).lines == []


def test_more_than_the_stock_can_make_is_not_added(at_counter, menu, stock_a):
    response = add(at_counter, menu["margherita"], 5)

    assert sent_back_to(response) == f"{NEW}#counter-lines"
    assert "Only 4 more Margherita can be made right now." in messages_in(
        at_counter.get(response["Location"])
    )


@pytest.fixture
def other_extra(ingredients):
    return f.ExtraFactory(ingredient=ingredients["Jambon"])


@pytest.mark.parametrize(
    "data",
    [
        {"product": "999999", "quantity": "1"},
        {"product": "abc", "quantity": "1"},
        {"quantity": "1"},
        {"product": "MARGHERITA", "quantity": "0"},
        {"product": "MARGHERITA", "quantity": "21"},
        {"product": "MARGHERITA", "quantity": "two"},
        {"product": "MARGHERITA", "quantity": "1", "extras": ["OTHER_EXTRA"]},
        {"product": "MARGHERITA", "quantity": "1", "extras": ["abc"]},
        {"product": "MARGHERITA", "quantity": "1", "removed": ["DOUGH"]},
        {"product": "MARGHERITA", "quantity": "1", "removed": ["HAM"]},
    ],
)
def test_a_tampered_line_is_refused_with_nothing_written(at_counter, menu, ingredients, other_extra, data):
    values = {
        "MARGHERITA": str(menu["margherita"].pk),
        "OTHER_EXTRA": str(other_extra.pk),
        "DOUGH": str(ingredients["Pâte à pizza"].pk),
        "HAM": str(ingredients["Jambon"].pk),
    }

    def real(value):
        return (
            [values.get(item, item) for item in value]
            if isinstance(value, list)
            else values.get(value, value)
        )

    response = at_counter.post(ADD, {name: real(value) for name, value in data.items()})

    assert sent_back_to(response) == f"{NEW}#counter-lines"
    assert CounterCart.load(at_counter.session).lines == []


def test_payment_at_the_counter_is_refused_for_a_phone_order(at_counter, menu, stock_a):
    add(at_counter, menu["margherita"])
    before = stock_levels(stock_a)

    response = place(at_counter, channel="phone", payment_method="at_counter")

    assert response.status_code == 400
    assert "Payment at the counter is only for customers ordering at the counter" in response.content.decode()
    assert not Order.objects.exists()
    assert stock_levels(stock_a) == before


@pytest.mark.parametrize(
    "data",
    [
        {"channel": "web"},
        {"payment_method": "online"},
        {"fulfilment": "teleport"},
        {"pickup_time": "2031-01-01T12:00:00+01:00"},
        {"name": ""},
        {"phone": ""},
        {"address": "999999", "fulfilment": "delivery"},
    ],
)
def test_tampered_order_details_are_refused_with_nothing_written(at_counter, menu, stock_a, data):
    add(at_counter, menu["margherita"], 2)

    response = place(at_counter, **data)

    assert response.status_code == 400
    assert not Order.objects.exists()


def test_another_customers_address_cannot_be_delivered_to(
    at_counter, customer, other_customer, menu, stock_a
):
    at_counter.post(CHOOSE, {"customer": customer.pk})
    add(at_counter, menu["margherita"], 2)

    response = place(at_counter, fulfilment="delivery", address=str(other_customer.addresses.get().pk))

    assert response.status_code == 400
    assert not Order.objects.exists()


def test_an_empty_order_is_not_placed(at_counter):
    response = place(at_counter)

    assert response.status_code == 400
    assert "Add at least one product to the order." in response.content.decode()
    assert not Order.objects.exists()


def test_lines_are_changed_and_removed(at_counter, menu, stock_a):
    add(at_counter, menu["margherita"], 1)
    line = reverse("staff_counter_line", args=[0])

    assert at_counter.post(line, {"quantity": "3"}).status_code == 302
    assert CounterCart.load(at_counter.session).lines[0].quantity == 3
    refused = at_counter.post(line, {"quantity": "5"})
    assert sent_back_to(refused) == f"{NEW}#counter-lines"
    assert CounterCart.load(at_counter.session).lines[0].quantity == 3
    assert sent_back_to(at_counter.post(line, {"quantity": "-1"})) == f"{NEW}#counter-lines"
    assert sent_back_to(at_counter.post(reverse("staff_counter_line", args=[7]), {"quantity": "1"}))
    assert at_counter.post(line, {"quantity": "0"}).status_code == 302
    assert CounterCart.load(at_counter.session).lines == []


def test_the_order_being_taken_is_kept_apart_from_the_clerks_own_cart(
    at_counter, menu, stock_a, restaurant_a
):
    at_counter.post(reverse("cart_add"), {"restaurant": restaurant_a.pk, "product": menu["regina"].pk})
    add(at_counter, menu["margherita"], 1)

    assert [line.product_id for line in CounterCart.load(at_counter.session).lines] == [menu["margherita"].pk]
    assert at_counter.session["cart"]["lines"][0]["product_id"] == menu["regina"].pk


def test_an_unknown_customer_account_is_refused(at_counter):
    response = at_counter.post(CHOOSE, {"customer": "999999"})

    assert sent_back_to(response) == f"{NEW}#counter-customer"
    assert "This customer account does not exist." in messages_in(at_counter.get(response["Location"]))
    assert CUSTOMER_KEY not in at_counter.session


def test_the_new_order_screen_shows_the_menu_with_what_is_left(at_counter, menu, stock_a):
    record_waste(stock=stock_a["Jambon"], quantity=Decimal("120"), by=None)

    content = at_counter.get(NEW).content.decode()

    assert 'id="product-margherita"' in content and "Only 4 left" in content
    assert 'class="counter-product counter-product--sold-out" id="product-regina"' in content


def test_digits_other_than_ascii_are_refused_not_a_server_error(at_counter, menu):
    """ "²" passes `str.isdigit` but not `int` (found by tests/test_fuzz.py)."""
    add(at_counter, menu["margherita"])

    assert at_counter.post(CHOOSE, {"customer": "²"}).status_code == 303
    assert at_counter.post(reverse("staff_counter_line", args=[0]), {"quantity": "²"}).status_code == 303
    assert CUSTOMER_KEY not in at_counter.session
    assert [line["quantity"] for line in at_counter.session[CounterCart.session_key]["lines"]] == [1]


def test_the_counter_marks_a_new_address_street_postal_code_and_city_required(at_counter, menu, stock_a):
    add(at_counter, menu["margherita"], 1)

    content = at_counter.get(NEW).content.decode()

    for name in ("street", "postal_code", "city"):
        label = re.search(rf'<div class="field field--{name}[ "].*?</label>', content, re.S).group(0)
        assert "optional" not in label, name
    complement = re.search(r'<div class="field field--complement[ "].*?</label>', content, re.S).group(0)
    assert "optional" in complement


def test_a_counter_delivery_to_a_new_address_without_a_city_is_refused(at_counter, menu, stock_a):
    add(at_counter, menu["margherita"], 1)

    response = place(at_counter, fulfilment="delivery", street="3 rue Mercière", postal_code="69002")

    assert response.status_code == 400
    assert response.context["form"].errors["city"] == ["This field is required for a delivery."]
    assert not Order.objects.exists()


def test_a_counter_note_says_its_limit_and_a_longer_one_is_refused_not_cut(at_counter, menu, stock_a):
    add(at_counter, menu["margherita"], 1)
    assert "500 characters at most." in at_counter.get(NEW).content.decode()

    response = place(at_counter, note="x" * 501)

    assert response.status_code == 400
    assert response.context["form"].errors["note"] == ["Please keep it to 500 characters: this text has 501."]
    assert not Order.objects.exists()


def test_the_counter_products_carry_their_prices_in_cents_for_the_configured_price(at_counter, menu, stock_a):
    content = at_counter.get(NEW).content.decode()

    assert 'class="counter-product__price" data-base-cents="1200"' in content  # the Regina
    assert f'name="extras" value="{menu["extra_mozzarella"].pk}" data-extra-cents="150"' in content
    assert '<script src="/static/js/configured-price.js" defer></script>' in content
