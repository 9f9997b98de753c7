"""The customer's orders: the list, re-order, modify and cancel, through the pages."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.urls import NoReverseMatch, reverse

from orders.cart import Cart
from orders.errors import OrderError
from orders.models import Order, OrderStatusChange, PaymentStatus, Status
from orders.services import LineRequest, confirm_payment, transition_order
from restaurants.models import MovementReason, Stock
from restaurants.services import record_waste, restock
from tests import factories as f
from tests.queue import run_deferred


def url(name, order):
    return reverse(name, args=[order.number])


def stock_of(stock_a, name):
    return Stock.objects.get(pk=stock_a[name].pk).quantity


def quantities(stock_a):
    return {name: stock_of(stock_a, name) for name in stock_a}


def assert_ledger_matches():
    for stock in Stock.objects.all():
        assert stock.movements.aggregate(total=Sum("delta"))["total"] == stock.quantity
        assert stock.quantity >= 0


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def snapshot(order):
    """What a refused action must leave untouched."""
    order = Order.objects.get(pk=order.pk)
    lines = [
        (
            line.product_id,
            line.quantity,
            sorted(line.removed_ingredients.values_list("id", flat=True)),
            sorted(line.extras.values_list("extra_id", flat=True)),
        )
        for line in order.lines.order_by("id")
    ]
    return (order.status, order.total, lines, order.status_changes.count())


def cart_url(restaurant):
    try:
        return reverse("cart")
    except NoReverseMatch:
        return reverse("restaurant_detail", args=[restaurant.slug])


@pytest.fixture
def plenty(stock_a):
    """Enough stock at A for a dozen pizzas of each kind."""
    for name, quantity in {"Mozzarella": "2000", "Jambon": "600", "Pâte à pizza": "2000"}.items():
        restock(stock=stock_a[name], quantity=Decimal(quantity), by=None)
    return stock_a


# ---------- My orders ----------


def test_the_order_list_needs_a_sign_in(client):
    response = client.get(reverse("order_list"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_the_order_list_shows_the_customers_own_orders_newest_first(
    client, order_for, customer, other_customer, menu, time_machine, noon
):
    first = order_for(customer, LineRequest(product_id=menu["regina"].id, quantity=1))
    time_machine.move_to(noon.replace(minute=10), tick=False)
    second = order_for(customer, LineRequest(product_id=menu["margherita"].id, quantity=2))
    theirs = order_for(other_customer)
    client.force_login(customer)

    response = client.get(reverse("order_list"), headers={"accept-language": "en"})

    assert response.status_code == 200
    page = response.content.decode()
    assert page.index(second.number) < page.index(first.number)
    assert theirs.number not in page
    assert "OC Pizza Lyon Presqu&#x27;île" in page
    assert "2&nbsp;× Margherita" in page and "19.00\xa0€" in page and "12.00\xa0€" in page
    assert page.count('class="status-badge status-badge--received"') == 2
    assert f'href="{url("order_tracking", second)}"' in page
    assert f'action="{url("order_reorder", first)}"' in page


def test_the_order_list_puts_orders_under_way_before_finished_ones(client, order_for, customer, menu):
    cancelled = order_for(customer)
    transition_order(order=cancelled, to=Status.CANCELLED, by=customer)
    under_way = order_for(customer)
    client.force_login(customer)
    page = client.get(reverse("order_list"), headers={"accept-language": "en"}).content.decode()
    assert page.index("In progress") < page.index(under_way.number) < page.index("Past orders")
    assert page.index("Past orders") < page.index(cancelled.number)
    assert "status-badge--cancelled" in page


def test_the_order_list_runs_the_same_queries_for_three_times_the_orders(
    client, order_for, customer, menu, plenty, django_assert_num_queries
):
    def place(count):
        for _ in range(count):
            order_for(
                customer,
                LineRequest(product_id=menu["margherita"].id, quantity=1),
                LineRequest(product_id=menu["regina"].id, quantity=1),
            )

    client.force_login(customer)
    place(2)
    # 1 session, 2 user (with whether they are staff: the "Staff screens" link of the account menu), 3 how
    # many orders (the pages), 4 the page's orders with their restaurants, 5 their lines.
    with django_assert_num_queries(5):
        response = client.get(reverse("order_list"))
    assert response.content.decode().count("order-card__title") == 2
    place(4)
    with django_assert_num_queries(5):
        response = client.get(reverse("order_list"))
    assert response.content.decode().count("order-card__title") == 6


# ---------- Re-order ----------


def test_reorder_puts_the_same_lines_in_the_cart(
    client, order_for, customer, menu, ingredients, restaurant_a
):
    margherita = LineRequest(
        product_id=menu["margherita"].id,
        quantity=2,
        removed_ids=frozenset({ingredients["Basilic"].id}),
        extra_ids=frozenset({menu["extra_mozzarella"].id}),
    )
    regina = LineRequest(product_id=menu["regina"].id, quantity=1)
    order = order_for(customer, margherita, regina)
    transition_order(order=order, to=Status.CANCELLED, by=customer)  # stock back: all of it is available
    client.force_login(customer)

    response = client.post(url("order_reorder", order))

    assert response.status_code == 302 and response["Location"] == cart_url(restaurant_a)
    cart = Cart.load(client.session)
    assert cart.restaurant_id == restaurant_a.id
    assert cart.lines == [margherita, regina]
    assert any(order.number in message for message in messages_of(response))


def test_reorder_leaves_out_and_names_what_is_no_longer_available(
    client, order_for, customer, other_customer, menu, ingredients, stock_a
):
    tiramisu = f.ProductFactory(name="Tiramisu", slug="tiramisu", price=Decimal("6.00"))
    f.RecipeLineFactory(product=tiramisu, ingredient=f.IngredientFactory(name="Mascarpone"), quantity=1)
    f.StockFactory(
        restaurant=stock_a["Mozzarella"].restaurant,
        ingredient=tiramisu.recipe_lines.get().ingredient,
        quantity=Decimal("5"),
    )
    order = order_for(
        customer,
        LineRequest(
            product_id=menu["margherita"].id, quantity=2, extra_ids=frozenset({menu["extra_mozzarella"].id})
        ),
        LineRequest(product_id=menu["regina"].id, quantity=1),
        LineRequest(product_id=tiramisu.id, quantity=1),
    )
    # Since then: the tiramisu left the menu, the extra is no longer offered on the Margherita, and the ham
    # went in someone else's Reginas.
    tiramisu.is_active = False
    tiramisu.save()
    menu["margherita"].extras.remove(menu["extra_mozzarella"])
    record_waste(stock=stock_a["Jambon"], quantity=stock_of(stock_a, "Jambon"), by=None)
    # And the mozzarella left (25 g) plus a small delivery makes a single Margherita.
    restock(stock=stock_a["Mozzarella"], quantity=Decimal("125"), by=None)
    client.force_login(customer)

    response = client.post(url("order_reorder", order), headers={"accept-language": "en"})

    assert response.status_code == 302
    cart = Cart.load(client.session)
    assert cart.lines == [LineRequest(product_id=menu["margherita"].id, quantity=1)]
    said = " ".join(messages_of(response))
    assert "Tiramisu is no longer on the menu" in said
    assert "Regina is sold out" in said
    assert "Margherita: only 1 left" in said
    assert "Mozzarella is no longer offered on Margherita" in said


def test_reorder_asks_before_replacing_another_restaurants_cart(
    client, order_for, customer, menu, restaurant_a, restaurant_b
):
    order = order_for(customer)
    client.force_login(customer)
    session = client.session
    theirs = Cart(
        restaurant_id=restaurant_b.id, lines=[LineRequest(product_id=menu["regina"].id, quantity=3)]
    )
    theirs.save(session)
    session.save()

    response = client.post(url("order_reorder", order), headers={"accept-language": "en"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Replace your cart?" in page and "OC Pizza Paris Marais" in page
    assert 'name="replace" value="yes"' in page
    assert Cart.load(client.session) == theirs

    response = client.post(url("order_reorder", order), {"replace": "yes"})

    assert response.status_code == 302
    cart = Cart.load(client.session)
    assert cart.restaurant_id == restaurant_a.id
    assert cart.lines == [LineRequest(product_id=menu["margherita"].id, quantity=1)]


def test_reorder_adds_to_a_cart_of_the_same_restaurant(client, order_for, customer, menu, restaurant_a):
    order = order_for(customer, LineRequest(product_id=menu["margherita"].id, quantity=1))
    client.force_login(customer)
    session = client.session
    Cart(restaurant_id=restaurant_a.id, lines=[LineRequest(product_id=menu["regina"].id, quantity=1)]).save(
        session
    )
    session.save()

    client.post(url("order_reorder", order))

    assert Cart.load(client.session).lines == [
        LineRequest(product_id=menu["regina"].id, quantity=1),
        LineRequest(product_id=menu["margherita"].id, quantity=1),
    ]


def test_reorder_from_a_restaurant_that_stopped_taking_orders_says_so(
    client, order_for, customer, restaurant_a
):
    order = order_for(customer)
    restaurant_a.is_active = False
    restaurant_a.save()
    client.force_login(customer)
    response = client.post(url("order_reorder", order), headers={"accept-language": "en"})
    assert response.status_code == 302 and response["Location"] == reverse("order_list")
    assert messages_of(response) == ["OC Pizza Lyon Presqu'île does not take orders at the moment."]
    assert "cart" not in client.session


def test_reorder_is_post_only(client, order_for, customer):
    order = order_for(customer)
    client.force_login(customer)
    assert client.get(url("order_reorder", order)).status_code == 405
    assert "cart" not in client.session


# ---------- Modify ----------


def test_the_modify_page_shows_the_lines_with_their_modifiers(client, order_for, customer, menu, ingredients):
    order = order_for(
        customer,
        LineRequest(
            product_id=menu["margherita"].id, quantity=2, removed_ids=frozenset({ingredients["Basilic"].id})
        ),
    )
    client.force_login(customer)
    response = client.get(url("order_modify", order), headers={"accept-language": "en"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="line-0-quantity"' in page and 'value="2"' in page
    assert f'name="line-0-removed" value="{ingredients["Basilic"].id}"' in page
    # The dough cannot be removed, so it is not offered.
    assert f'name="line-0-removed" value="{ingredients["Pâte à pizza"].id}"' not in page
    assert f'name="line-0-extras" value="{menu["extra_mozzarella"].id}"' in page
    assert 'name="add-product"' in page and "Regina" in page


def test_modifying_quantities_modifiers_and_adding_a_product_adjusts_stock_and_totals(
    client, order_for, customer, menu, ingredients, stock_a
):
    order = order_for(customer, LineRequest(product_id=menu["margherita"].id, quantity=2))
    assert stock_of(stock_a, "Mozzarella") == Decimal("250")
    client.force_login(customer)

    response = client.post(
        url("order_modify", order),
        {
            "line-0-quantity": "1",
            "line-0-removed": [str(ingredients["Basilic"].id)],
            "line-0-extras": [str(menu["extra_mozzarella"].id)],
            "add-product": str(menu["regina"].id),
            "add-quantity": "1",
        },
    )

    assert response.status_code == 302 and response["Location"] == url("order_tracking", order)
    assert any("23.00" in message or "23,00" in message for message in messages_of(response))
    order.refresh_from_db()
    assert (order.subtotal, order.total) == (Decimal("23.00"), Decimal("23.00"))  # 9.50 + 1.50, and 12.00
    margherita, regina = order.lines.order_by("id")
    assert (margherita.product_name, margherita.quantity, regina.product_name, regina.quantity) == (
        "Margherita",
        1,
        "Regina",
        1,
    )
    assert list(margherita.removed_ingredients.all()) == [ingredients["Basilic"]]
    assert [extra.extra_id for extra in margherita.extras.all()] == [menu["extra_mozzarella"].id]
    left = quantities(stock_a)
    assert left["Mozzarella"] == Decimal("200")  # 500 - (125 + 50) - 125
    assert left["Jambon"] == Decimal("60")
    assert left["Basilic"] == Decimal("98")  # only the Regina's basil now
    assert order.stock_movements.filter(reason=MovementReason.ORDER_MODIFIED).exists()
    assert order.status_changes.filter(from_status=Status.RECEIVED, to_status=Status.RECEIVED).count() == 1
    assert_ledger_matches()


def test_a_zero_quantity_removes_the_line(client, order_for, customer, menu, stock_a):
    order = order_for(
        customer,
        LineRequest(product_id=menu["margherita"].id, quantity=1),
        LineRequest(product_id=menu["regina"].id, quantity=1),
    )
    client.force_login(customer)

    response = client.post(url("order_modify", order), {"line-0-quantity": "0", "line-1-quantity": "1"})

    assert response.status_code == 302
    order.refresh_from_db()
    assert [line.product_name for line in order.lines.all()] == ["Regina"]
    assert order.total == Decimal("12.00")
    assert stock_of(stock_a, "Mozzarella") == Decimal("375")
    assert_ledger_matches()


def test_removing_every_line_is_refused_with_a_message(client, order_for, customer, stock_a):
    order = order_for(customer)
    before = snapshot(order)
    client.force_login(customer)
    response = client.post(
        url("order_modify", order), {"line-0-quantity": "0"}, headers={"accept-language": "en"}
    )
    assert response.status_code == 400
    assert "The order is empty." in messages_of(response)
    assert snapshot(order) == before


def test_an_unchanged_form_changes_nothing(client, order_for, customer, stock_a):
    order = order_for(customer)
    before = snapshot(order)
    client.force_login(customer)
    response = client.post(url("order_modify", order), {"line-0-quantity": "1"})
    assert response.status_code == 302
    assert snapshot(order) == before


def test_a_modification_after_the_kitchen_started_is_refused(
    client, order_for, customer, menu, pizzaiolo, stock_a
):
    order = order_for(customer, LineRequest(product_id=menu["margherita"].id, quantity=2))
    client.force_login(customer)
    # The form was open when the pizzaiolo started the order.
    assert client.get(url("order_modify", order)).status_code == 200
    transition_order(order=order, to=Status.PREPARING, by=pizzaiolo)
    before, left = snapshot(order), quantities(stock_a)

    response = client.post(
        url("order_modify", order), {"line-0-quantity": "1"}, headers={"accept-language": "en"}
    )

    assert response.status_code == 400
    assert "This order is already being prepared and can no longer be changed." in messages_of(response)
    assert 'name="line-0-quantity"' not in response.content.decode()
    assert snapshot(order) == before and quantities(stock_a) == left

    response = client.get(url("order_modify", order))
    assert response.status_code == 302 and response["Location"] == url("order_tracking", order)


def test_a_modification_the_stock_cannot_make_names_the_product_and_changes_nothing(
    client, order_for, customer, menu, stock_a
):
    order = order_for(customer, LineRequest(product_id=menu["margherita"].id, quantity=1))
    before, left = snapshot(order), quantities(stock_a)
    client.force_login(customer)

    response = client.post(
        url("order_modify", order),
        {"line-0-quantity": "1", "add-product": str(menu["regina"].id), "add-quantity": "3"},
        headers={"accept-language": "en"},
    )

    assert response.status_code == 400
    assert messages_of(response) == ["Sorry, Regina is no longer available in that quantity."]
    assert snapshot(order) == before and quantities(stock_a) == left


@pytest.mark.parametrize(
    "tamper",
    [
        {"line-0-quantity": "-1"},
        {"line-0-quantity": "999"},
        {"line-0-quantity": "deux"},
        {},
        {"line-0-quantity": "1", "line-0-extras": "999999"},
        {"line-0-quantity": "1", "line-0-extras": "ham-extra"},
        {"line-0-quantity": "1", "line-0-removed": "dough"},
        {"line-0-quantity": "1", "line-0-removed": "ham"},
        {"line-0-quantity": "1", "line-0-removed": "not-a-number"},
        {"line-0-quantity": "1", "add-product": "999999"},
        {"line-0-quantity": "1", "add-product": "inactive"},
        {"line-0-quantity": "1", "add-product": "margherita", "add-quantity": "-3"},
        {"line-0-quantity": "1", "add-product": "margherita", "add-quantity": "500"},
    ],
)
def test_tampered_modifications_get_a_4xx_and_change_nothing(
    client, order_for, customer, menu, ingredients, stock_a, tamper
):
    ham_extra = f.ExtraFactory(ingredient=ingredients["Jambon"])  # an extra offered on no product
    inactive = f.ProductFactory(name="Calzone", slug="calzone", is_active=False)
    stand_ins = {
        "ham-extra": str(ham_extra.id),
        "dough": str(ingredients["Pâte à pizza"].id),
        "ham": str(ingredients["Jambon"].id),
        "inactive": str(inactive.id),
        "margherita": str(menu["margherita"].id),
    }
    order = order_for(customer, LineRequest(product_id=menu["margherita"].id, quantity=2))
    before, left = snapshot(order), quantities(stock_a)
    client.force_login(customer)

    response = client.post(
        url("order_modify", order), {key: stand_ins.get(v, v) for key, v in tamper.items()}
    )

    assert 400 <= response.status_code < 500
    assert snapshot(order) == before and quantities(stock_a) == left


# ---------- Cancel ----------


def test_cancelling_asks_for_confirmation_then_gives_the_stock_back(
    client, order_for, customer, menu, stock_a, django_capture_on_commit_callbacks
):
    order = order_for(customer, LineRequest(product_id=menu["regina"].id, quantity=2))
    assert stock_of(stock_a, "Jambon") == 0
    client.force_login(customer)

    response = client.get(url("order_cancel", order), headers={"accept-language": "en"})
    assert response.status_code == 200
    assert "Yes, cancel my order" in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == Status.RECEIVED

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("order_cancel", order), {"reason": "Plans changed"})
    run_deferred()

    assert response.status_code == 302 and response["Location"] == url("order_tracking", order)
    order.refresh_from_db()
    assert order.status == Status.CANCELLED
    change = order.status_changes.last()
    assert (change.to_status, change.actor, change.reason) == (Status.CANCELLED, customer, "Plans changed")
    assert quantities(stock_a) == {
        "Pâte à pizza": Decimal("5000"),
        "Sauce tomate": Decimal("2000"),
        "Mozzarella": Decimal("500"),
        "Basilic": Decimal("100"),
        "Jambon": Decimal("120"),
    }
    assert order.stock_movements.filter(reason=MovementReason.ORDER_CANCELLED).count() == 5
    assert_ledger_matches()
    page = client.get(url("order_tracking", order)).content.decode()
    assert "status-badge--cancelled" in page and "hx-trigger" not in page


def test_cancelling_after_the_kitchen_started_is_refused(
    client, order_for, customer, menu, pizzaiolo, stock_a
):
    order = order_for(customer, LineRequest(product_id=menu["regina"].id, quantity=1))
    client.force_login(customer)
    transition_order(order=order, to=Status.PREPARING, by=pizzaiolo)
    before, left = snapshot(order), quantities(stock_a)

    response = client.post(url("order_cancel", order), {"reason": ""}, headers={"accept-language": "en"})

    assert response.status_code == 400
    assert "This order is already being prepared and can no longer be cancelled." in messages_of(response)
    assert "Yes, cancel my order" not in response.content.decode()
    assert snapshot(order) == before and quantities(stock_a) == left

    response = client.get(url("order_cancel", order))
    assert response.status_code == 302 and response["Location"] == url("order_tracking", order)


def test_cancelling_a_cancelled_order_just_says_so(client, order_for, customer):
    order = order_for(customer)
    transition_order(order=order, to=Status.CANCELLED, by=customer)
    before = snapshot(order)
    client.force_login(customer)
    response = client.post(url("order_cancel", order), {"reason": ""}, headers={"accept-language": "en"})
    assert response.status_code == 302 and response["Location"] == url("order_tracking", order)
    assert messages_of(response) == ["This order is already cancelled."]
    assert snapshot(order) == before
    page = client.get(url("order_tracking", order), headers={"accept-language": "en"}).content.decode()
    assert "Nothing to pay" in page


def test_a_too_long_reason_is_a_form_error(client, order_for, customer):
    order = order_for(customer)
    client.force_login(customer)
    response = client.post(url("order_cancel", order), {"reason": "x" * 301})
    assert response.status_code == 400
    assert Order.objects.get(pk=order.pk).status == Status.RECEIVED


def test_cancelling_a_paid_order_refunds_it_and_the_tracking_page_shows_the_refund(
    client, order_for, customer, django_capture_on_commit_callbacks
):
    order = order_for(customer, payment_method="online")
    confirm_payment(payment=order.payments.get())
    client.force_login(customer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("order_cancel", order), {"reason": ""}, headers={"accept-language": "en"})
    run_deferred()

    assert response.status_code == 302
    assert "The amount you paid is refunded to your card." in messages_of(response)
    order.refresh_from_db()
    assert (order.status, order.payment_status) == (Status.CANCELLED, PaymentStatus.REFUNDED)
    refund = order.payments.get().refunds.get()
    assert (refund.amount, refund.status) == (Decimal("9.50"), "succeeded")
    page = client.get(url("order_tracking", order), headers={"accept-language": "en"}).content.decode()
    assert "Refunds" in page and "9.50\xa0€" in page and "payment-badge--refunded" in page


@pytest.mark.django_db(transaction=True)
def test_a_cancel_racing_the_kitchen_start_has_exactly_one_winner(
    order_for, customer, menu, pizzaiolo, stock_a
):
    client = Client()
    client.force_login(customer)
    for _ in range(3):
        order = order_for(customer, LineRequest(product_id=menu["margherita"].id, quantity=1))
        mozzarella_before = stock_of(stock_a, "Mozzarella")
        barrier = threading.Barrier(2)
        outcome: dict[str, object] = {}

        def cancel(order=order, barrier=barrier, outcome=outcome):
            try:
                barrier.wait(timeout=10)
                outcome["cancel"] = client.post(url("order_cancel", order), {"reason": ""}).status_code
            finally:
                connection.close()

        def start(order=order, barrier=barrier, outcome=outcome):
            try:
                barrier.wait(timeout=10)
                transition_order(order=order, to=Status.PREPARING, by=pizzaiolo)
                outcome["start"] = "started"
            except OrderError as error:
                outcome["start"] = error.code
            finally:
                connection.close()

        threads = [threading.Thread(target=cancel), threading.Thread(target=start)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

        order.refresh_from_db()
        history = list(OrderStatusChange.objects.filter(order=order).values_list("from_status", "to_status"))
        if order.status == Status.CANCELLED:
            assert outcome == {"cancel": 302, "start": "invalid_transition"}
            assert history == [("", "received"), ("received", "cancelled")]
            assert stock_of(stock_a, "Mozzarella") == mozzarella_before + 125
        else:
            assert order.status == Status.PREPARING
            assert outcome == {"cancel": 400, "start": "started"}
            assert history == [("", "received"), ("received", "preparing")]
            assert stock_of(stock_a, "Mozzarella") == mozzarella_before
        assert_ledger_matches()
