"""The kitchen board: who may see and act, the queue, start and ready, races, recipe cards, tickets."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from menu.models import Ingredient
from orders.models import OrderStatusChange, Status
from orders.services import (
    Contact,
    LineRequest,
    available_times,
    place_order,
    transition_order,
    transition_order_once,
)
from orders.staff.board import kitchen_board
from orders.staff.selectors import recipe_card
from restaurants.models import Role
from tests import factories as f


@pytest.fixture(autouse=True)
def _english(settings):
    # Assertions read the English source strings.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def second_pizzaiolo(restaurant_a):
    return f.StaffMemberFactory(
        restaurant=restaurant_a, role=Role.PIZZAIOLO, user__first_name="Luigi", user__last_name="Verdi"
    ).user


@pytest.fixture
def order_at_b(restaurant_b, menu, ingredients, customer, noon):
    """A pick-up order at restaurant B, which nobody at A may touch."""
    for weekday in range(7):
        f.OpeningHoursFactory(restaurant=restaurant_b, weekday=weekday)
    for ingredient in ingredients.values():
        f.StockFactory(restaurant=restaurant_b, ingredient=ingredient, quantity=Decimal("5000"))
    return place_order(
        restaurant=restaurant_b,
        lines=[LineRequest(product_id=menu["margherita"].id, quantity=1)],
        fulfilment="pickup",
        payment_method="cash_on_delivery",
        contact=Contact(name="Bob", phone="0600000000"),
        customer=customer,
        now=noon,
    )


def sign_in(client, request, who: str):
    if who == "anonymous":
        return None
    user = request.getfixturevalue(who)
    client.force_login(user)
    return user


def status_changes(order, to: str) -> int:
    return OrderStatusChange.objects.filter(order=order, to_status=to).count()


# ---------- Who may do what ----------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("pizzaiolo", 200),
        ("driver", 403),
        ("counter", 200),
        ("manager_a", 200),
        ("manager_b", 200),
        ("head_office", 200),
        ("customer", 403),
        ("anonymous", 302),
    ],
)
@pytest.mark.parametrize("url_name", ["staff_kitchen", "staff_kitchen_board"])
def test_who_may_see_the_kitchen_board(client, request, restaurant_a, url_name, who, expected):
    sign_in(client, request, who)
    response = client.get(reverse(url_name))
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("pizzaiolo", 302),
        ("driver", 403),
        ("counter", 403),
        ("manager_a", 302),
        ("manager_b", 404),
        ("customer", 403),
        ("anonymous", 302),
    ],
)
@pytest.mark.parametrize(("url_name", "target"), [("staff_kitchen_start", Status.PREPARING)])
def test_who_may_start_an_order(client, request, order_for, customer, url_name, target, who, expected):
    order = order_for(customer)
    sign_in(client, request, who)
    response = client.post(reverse(url_name, args=[order.number]))
    assert response.status_code == expected
    order.refresh_from_db()
    assert order.status == (target if expected == 302 and who != "anonymous" else Status.RECEIVED)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("pizzaiolo", 302),
        ("driver", 403),
        ("counter", 403),
        ("manager_a", 302),
        ("manager_b", 404),
        ("customer", 403),
        ("anonymous", 302),
    ],
)
def test_who_may_mark_an_order_ready(client, request, order_for, customer, pizzaiolo, who, expected):
    order = order_for(customer)
    transition_order(order=order, to=Status.PREPARING, by=pizzaiolo)
    sign_in(client, request, who)
    response = client.post(reverse("staff_kitchen_ready", args=[order.number]))
    assert response.status_code == expected
    order.refresh_from_db()
    assert order.status == (Status.READY if expected == 302 and who != "anonymous" else Status.PREPARING)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("pizzaiolo", 200),
        ("driver", 403),
        ("counter", 403),
        ("manager_a", 200),
        ("manager_b", 404),
        ("head_office", 200),
        ("customer", 403),
        ("anonymous", 302),
    ],
)
def test_who_may_open_a_recipe_card(client, request, order_for, customer, who, expected):
    line = order_for(customer).lines.get()
    sign_in(client, request, who)
    assert client.get(reverse("staff_recipe_card", args=[line.pk])).status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("pizzaiolo", 200),
        ("driver", 403),
        ("counter", 200),
        ("manager_a", 200),
        ("manager_b", 404),
        ("head_office", 200),
        ("customer", 403),
        ("anonymous", 302),
    ],
)
def test_who_may_print_a_kitchen_ticket(client, request, order_for, customer, who, expected):
    order = order_for(customer)
    sign_in(client, request, who)
    assert client.get(reverse("staff_kitchen_ticket", args=[order.number])).status_code == expected


def test_the_actions_answer_only_to_post(client, order_for, customer, pizzaiolo):
    order = order_for(customer)
    client.force_login(pizzaiolo)
    assert client.get(reverse("staff_kitchen_start", args=[order.number])).status_code == 405
    assert client.post(reverse("staff_kitchen")).status_code == 405
    order.refresh_from_db()
    assert order.status == Status.RECEIVED


def test_an_order_of_another_restaurant_is_a_404_for_everything(
    client, pizzaiolo, order_at_b, restaurant_a, stock_a
):
    client.force_login(pizzaiolo)
    line = order_at_b.lines.get()
    assert client.post(reverse("staff_kitchen_start", args=[order_at_b.number])).status_code == 404
    assert client.post(reverse("staff_kitchen_ready", args=[order_at_b.number])).status_code == 404
    assert client.get(reverse("staff_kitchen_ticket", args=[order_at_b.number])).status_code == 404
    assert client.get(reverse("staff_recipe_card", args=[line.pk])).status_code == 404
    assert order_at_b.number not in client.get(reverse("staff_kitchen")).content.decode()
    order_at_b.refresh_from_db()
    assert order_at_b.status == Status.RECEIVED


def test_the_manager_of_b_sees_the_orders_of_b_not_those_of_a(
    client, manager_b, order_at_b, order_for, customer
):
    order_a = order_for(customer)
    client.force_login(manager_b)
    page = client.get(reverse("staff_kitchen")).content.decode()
    assert order_at_b.number in page
    assert order_a.number not in page


# ---------- The queue ----------


def test_the_board_lists_received_and_preparing_orders_oldest_due_first(
    client, pizzaiolo, order_for, customer, other_customer, restaurant_a, menu, noon, plenty
):
    later = available_times(restaurant=restaurant_a, fulfilment="pickup", pizzas=1, now=noon)[6]
    scheduled = order_for(customer, requested_time=later)
    asap = order_for(other_customer)
    preparing = order_for(customer)
    transition_order(order=preparing, to=Status.PREPARING, by=pizzaiolo)
    ready = order_for(customer)
    transition_order(order=ready, to=Status.PREPARING, by=pizzaiolo)
    transition_order(order=ready, to=Status.READY, by=pizzaiolo)
    online = order_for(customer, payment_method="online")  # awaiting payment: not for the kitchen yet
    assert online.status == Status.AWAITING_PAYMENT

    client.force_login(pizzaiolo)
    page = client.get(reverse("staff_kitchen")).content.decode()

    # The ready order is no longer a ticket (only in the list of tickets to recall).
    assert f'data-key="{ready.number}"' not in page and online.number not in page
    positions = [page.index(f'data-order-number="{order.number}"') for order in (asap, preparing, scheduled)]
    assert asap.due_at <= preparing.due_at < scheduled.due_at
    assert positions == sorted(positions)
    assert page.count('data-action="start"') == 2
    assert page.count('data-action="ready"') == 3  # any ticket can be bumped at once


def test_a_ticket_shows_channel_fulfilment_due_time_modifiers_and_note(
    client, pizzaiolo, order_for, customer, menu, ingredients, delivery_to
):
    order = order_for(
        customer,
        LineRequest(
            product_id=menu["margherita"].id,
            quantity=2,
            removed_ids=frozenset({ingredients["Basilic"].id}),
            extra_ids=frozenset({menu["extra_mozzarella"].id}),
        ),
        fulfilment="delivery",
        address=delivery_to,
        note="Bien cuite, SVP",
    )
    client.force_login(pizzaiolo)
    page = client.get(reverse("staff_kitchen_board")).content.decode()
    assert order.number in page
    assert "Website" in page and "Delivery" in page
    assert "due " + timezone.localtime(order.due_at).strftime("%H:%M") in page
    assert "2&nbsp;×" in page and "Margherita" in page
    assert "without Basilic" in page
    assert "+ Mozzarella" in page
    assert "Bien cuite, SVP" in page
    assert reverse("staff_recipe_card", args=[order.lines.get().pk]) in page


def test_a_tickets_modifiers_are_named_in_the_readers_language_or_else_in_french(
    order_for, customer, menu, ingredients, restaurant_a
):
    # Read with the line in one query (orders.staff.board.board_orders): the names as the models show them.
    order = order_for(
        customer,
        LineRequest(
            product_id=menu["margherita"].id,
            quantity=1,
            removed_ids=frozenset({ingredients["Basilic"].id, ingredients["Sauce tomate"].id}),
            extra_ids=frozenset({menu["extra_mozzarella"].id}),
        ),
    )
    Ingredient.objects.filter(pk=ingredients["Basilic"].pk).update(name_fr="Basilic", name_en="Basil")
    # The tomato sauce has no English name: French it stays.
    Ingredient.objects.filter(pk=ingredients["Sauce tomate"].pk).update(name_fr="Sauce tomate", name_en=None)
    line = order.lines.get()
    line.extras.update(name_fr="Mozzarella", name_en="Extra mozzarella")

    def modifiers(language):
        with translation.override(language):
            (ticket,) = kitchen_board(restaurant_a).tickets
            (read,) = ticket.lines
            # As the models show them, one by one.
            shown = (
                sorted(i.name for i in line.removed_ingredients.all()),
                [e.name for e in line.extras.all()],
            )
            assert (read.kitchen_removed, read.kitchen_extras) == shown
            return shown

    assert modifiers("fr") == (["Basilic", "Sauce tomate"], ["Mozzarella"])
    assert modifiers("en") == (["Basil", "Sauce tomate"], ["Extra mozzarella"])


def test_a_late_order_is_flagged_with_its_delay(client, pizzaiolo, order_for, customer, time_machine):
    order = order_for(customer)
    client.force_login(pizzaiolo)
    page = client.get(reverse("staff_kitchen_board")).content.decode()
    assert "kds-ticket--late" not in page
    time_machine.move_to(order.due_at + timedelta(minutes=12), tick=False)
    page = client.get(reverse("staff_kitchen_board")).content.decode()
    assert "kds-ticket--late" in page
    assert "12 min late" in page


def test_the_counter_watches_the_board_without_buttons_or_recipe_links(client, counter, order_for, customer):
    order = order_for(customer)
    client.force_login(counter)
    page = client.get(reverse("staff_kitchen")).content.decode()
    assert order.number in page
    assert 'data-action="start"' not in page
    assert reverse("staff_recipe_card", args=[order.lines.get().pk]) not in page


def test_the_board_refreshes_itself_through_a_fragment(client, pizzaiolo, order_for, customer):
    order = order_for(customer)
    client.force_login(pizzaiolo)
    page = client.get(reverse("staff_kitchen")).content.decode()
    assert 'hx-get="/staff/kitchen/board/"' in page
    assert 'hx-trigger="every 5s"' in page and 'hx-swap="outerHTML"' in page
    assert "js/kitchen.js" in page and "audio/new-order.wav" in page and "data-sound-toggle" in page
    fragment = client.get(reverse("staff_kitchen_board"), HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith("<section") and "<html" not in fragment
    assert 'id="kitchen-board"' in fragment and 'hx-trigger="every 5s"' in fragment
    assert order.number in fragment


def test_a_poll_after_the_session_ended_sends_the_page_to_sign_in(client):
    response = client.get(
        reverse("staff_kitchen_board"),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/staff/kitchen/",
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=/staff/kitchen/"


def test_the_board_and_its_fragment_run_the_same_queries_for_three_times_the_orders(
    client, pizzaiolo, order_for, customer, menu, ingredients, plenty, django_assert_num_queries
):
    def place(count):
        for _ in range(count):
            order = order_for(
                customer,
                LineRequest(
                    product_id=menu["margherita"].id,
                    quantity=1,
                    removed_ids=frozenset({ingredients["Basilic"].id}),
                    extra_ids=frozenset({menu["extra_mozzarella"].id}),
                ),
                LineRequest(product_id=menu["regina"].id, quantity=1),
                note="Note",
            )
        transition_order(order=order, to=Status.PREPARING, by=pizzaiolo)

    client.force_login(pizzaiolo)
    place(2)
    for url_name in ("staff_kitchen", "staff_kitchen_board"):
        # 1 session, 2 user, 3 the staff memberships with their restaurants (restaurants.staff.access; the
        # board's version is the restaurant's), 4 the orders with who prepares them, 5 their lines (with the
        # names of the ingredients left out and of the extras).
        with django_assert_num_queries(5):
            response = client.get(reverse(url_name))
        assert response.content.decode().count("data-order-number=") == 2
    place(4)
    for url_name in ("staff_kitchen", "staff_kitchen_board"):
        with django_assert_num_queries(5):
            response = client.get(reverse(url_name))
        assert response.content.decode().count("data-order-number=") == 6


# ---------- Start and ready ----------


def test_a_pizzaiolo_starts_then_finishes_an_order(client, pizzaiolo, order_for, customer):
    order = order_for(customer)
    client.force_login(pizzaiolo)

    response = client.post(reverse("staff_kitchen_start", args=[order.number]), follow=True)
    assert response.redirect_chain == [(reverse("staff_kitchen"), 302)]
    assert f"Order {order.number}: preparation started." in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.PREPARING and order.prepared_by == pizzaiolo and order.preparing_at
    change = OrderStatusChange.objects.get(order=order, to_status=Status.PREPARING)
    assert change.from_status == Status.RECEIVED and change.actor == pizzaiolo

    response = client.post(reverse("staff_kitchen_ready", args=[order.number]))
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Status.READY and order.ready_at
    assert OrderStatusChange.objects.get(order=order, to_status=Status.READY).actor == pizzaiolo
    assert f'data-key="{order.number}"' not in client.get(reverse("staff_kitchen_board")).content.decode()


def test_the_number_in_the_url_is_read_in_any_case(client, pizzaiolo, order_for, customer):
    order = order_for(customer)
    client.force_login(pizzaiolo)
    assert client.post(reverse("staff_kitchen_start", args=[order.number.lower()])).status_code == 302
    order.refresh_from_db()
    assert order.status == Status.PREPARING


def test_the_second_pizzaiolo_to_start_an_order_is_told_and_nothing_is_written_twice(
    client, pizzaiolo, second_pizzaiolo, order_for, customer
):
    order = order_for(customer)
    client.force_login(second_pizzaiolo)
    assert client.post(reverse("staff_kitchen_start", args=[order.number])).status_code == 302

    client.force_login(pizzaiolo)
    response = client.post(reverse("staff_kitchen_start", args=[order.number]), follow=True)

    # Back on the board (a GET: a reload does not post again), with who was first.
    assert response.redirect_chain == [(reverse("staff_kitchen"), 303)]
    assert f"Order {order.number} was already started by Luigi Verdi." in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.PREPARING and order.prepared_by == second_pizzaiolo
    assert status_changes(order, Status.PREPARING) == 1


def test_marking_ready_twice_says_so(client, pizzaiolo, order_for, customer):
    order = order_for(customer)
    client.force_login(pizzaiolo)
    client.post(reverse("staff_kitchen_start", args=[order.number]))
    assert client.post(reverse("staff_kitchen_ready", args=[order.number])).status_code == 302
    response = client.post(reverse("staff_kitchen_ready", args=[order.number]), follow=True)
    assert response.redirect_chain == [(reverse("staff_kitchen"), 303)]
    assert f"Order {order.number} was already marked ready." in response.content.decode()
    assert status_changes(order, Status.READY) == 1


def test_a_move_the_lifecycle_refuses_is_a_message_not_a_500(client, pizzaiolo, order_for, customer):
    from orders.services import cancel_order

    order = order_for(customer)
    cancel_order(order=order, by=customer)
    client.force_login(pizzaiolo)

    response = client.post(reverse("staff_kitchen_ready", args=[order.number]), follow=True)

    assert response.redirect_chain == [(reverse("staff_kitchen"), 303)]
    assert "is no longer in the kitchen" in response.content.decode()
    assert 'id="kitchen-board"' in response.content.decode()  # the board, to carry on
    order.refresh_from_db()
    assert order.status == Status.CANCELLED
    assert status_changes(order, Status.READY) == 0


def test_bumping_a_ticket_not_started_yet_starts_it_then_makes_it_ready(
    client, pizzaiolo, order_for, customer
):
    order = order_for(customer)
    client.force_login(pizzaiolo)
    assert client.post(reverse("staff_kitchen_ready", args=[order.number])).status_code == 302
    order.refresh_from_db()
    assert order.status == Status.READY and order.prepared_by == pizzaiolo
    assert status_changes(order, Status.PREPARING) == status_changes(order, Status.READY) == 1


def test_starting_an_order_the_customer_cancelled_meanwhile_is_refused(
    client, pizzaiolo, order_for, customer
):
    from orders.services import cancel_order

    order = order_for(customer)
    cancel_order(order=order, by=customer)
    client.force_login(pizzaiolo)
    response = client.post(reverse("staff_kitchen_start", args=[order.number]), follow=True)
    assert response.redirect_chain == [(reverse("staff_kitchen"), 303)]
    assert "cannot become" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.CANCELLED
    assert status_changes(order, Status.PREPARING) == 0


@pytest.mark.django_db(transaction=True)
def test_two_pizzaiolos_starting_at_the_same_moment_exactly_one_wins(
    order_for, customer, pizzaiolo, second_pizzaiolo
):
    order = order_for(customer)
    barrier = threading.Barrier(2)
    results = {}

    def start(user):
        try:
            barrier.wait()
            _, results[user.pk] = transition_order_once(order=order, to=Status.PREPARING, by=user)
        finally:
            connection.close()

    threads = [threading.Thread(target=start, args=(user,)) for user in (pizzaiolo, second_pizzaiolo)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results.values()) == [False, True]
    winner = next(pk for pk, won in results.items() if won)
    order.refresh_from_db()
    assert order.prepared_by_id == winner
    assert status_changes(order, Status.PREPARING) == 1


# ---------- Recipe cards ----------


def test_the_recipe_card_multiplies_by_the_quantity_leaves_out_removals_and_adds_extras(
    order_for, customer, menu, ingredients, plenty
):
    order = order_for(
        customer,
        LineRequest(
            product_id=menu["regina"].id,
            quantity=2,
            removed_ids=frozenset({ingredients["Basilic"].id}),
            extra_ids=frozenset({menu["extra_mozzarella"].id}),
        ),
    )
    card = recipe_card(order.lines.get())
    assert [(item.ingredient.name, item.quantity, item.unit) for item in card] == [
        ("Pâte à pizza", Decimal("500"), "g"),
        ("Sauce tomate", Decimal("160"), "g"),
        ("Mozzarella", Decimal("350"), "g"),  # 2 × 125 g, plus 2 × 50 g of extra
        ("Jambon", Decimal("120"), "g"),
    ]
    mozzarella = {item.ingredient.name: item for item in card}["Mozzarella"]
    assert (mozzarella.extra, mozzarella.per_portion) == (Decimal("100"), Decimal("175"))


def test_an_extra_outside_the_recipe_comes_last_on_the_card(order_for, customer, menu, restaurant_a, plenty):
    olives = f.IngredientFactory(name="Olives", unit="g")
    f.StockFactory(restaurant=restaurant_a, ingredient=olives, quantity=Decimal("500"))
    extra = f.ExtraFactory(ingredient=olives, quantity=Decimal("20"), price=Decimal("1.00"))
    menu["margherita"].extras.add(extra)
    order = order_for(
        customer, LineRequest(product_id=menu["margherita"].id, quantity=3, extra_ids=frozenset({extra.id}))
    )
    card = recipe_card(order.lines.get())
    assert [item.ingredient.name for item in card][-1] == "Olives"
    assert (card[-1].quantity, card[-1].extra) == (Decimal("60"), Decimal("60"))
    assert {item.ingredient.name: item.quantity for item in card}["Basilic"] == Decimal("6")


def test_the_recipe_card_page_shows_quantities_steps_and_baking(
    client, pizzaiolo, order_for, customer, menu, ingredients
):
    f.RecipeStepFactory(product=menu["margherita"], position=1, text="Étaler la pâte en disque.")
    f.RecipeStepFactory(product=menu["margherita"], position=2, text="Enfourner.")
    order = order_for(
        customer,
        LineRequest(
            product_id=menu["margherita"].id,
            quantity=2,
            removed_ids=frozenset({ingredients["Basilic"].id}),
            extra_ids=frozenset({menu["extra_mozzarella"].id}),
        ),
    )
    client.force_login(pizzaiolo)
    page = client.get(reverse("staff_recipe_card", args=[order.lines.get().pk])).content.decode()
    assert "500&nbsp;g" in page and "160&nbsp;g" in page and "350&nbsp;g" in page
    assert "Per portion" in page and "175&nbsp;g" in page
    assert "including extra 100&nbsp;g" in page
    assert "Leave out:" in page and "Basilic" in page
    assert page.index("Étaler la pâte en disque.") < page.index("Enfourner.")
    assert "4 min" in page and "450&nbsp;°C" in page


def test_the_recipe_card_steps_follow_the_lines_removals_and_extras(
    client, pizzaiolo, order_for, customer, menu, ingredients, restaurant_a, plenty
):
    olives = f.IngredientFactory(name="Olives", unit="g")
    f.StockFactory(restaurant=restaurant_a, ingredient=olives, quantity=Decimal("500"))
    extra_olives = f.ExtraFactory(ingredient=olives, quantity=Decimal("20"), price=Decimal("1.00"))
    extra_ham = f.ExtraFactory(
        ingredient=ingredients["Jambon"], quantity=Decimal("40"), price=Decimal("2.00")
    )
    menu["margherita"].extras.add(extra_olives, extra_ham)
    margherita = menu["margherita"]
    f.RecipeStepFactory(product=margherita, position=1, text="Étaler la pâte.").ingredients.add(
        ingredients["Pâte à pizza"]
    )
    # The garnish step names the ham too: that is where a ham extra goes on, though the recipe has none.
    f.RecipeStepFactory(
        product=margherita, position=2, text="Napper de sauce, répartir la mozzarella."
    ).ingredients.add(ingredients["Sauce tomate"], ingredients["Mozzarella"], ingredients["Jambon"])
    f.RecipeStepFactory(product=margherita, position=3, text="Enfourner.")
    f.RecipeStepFactory(product=margherita, position=4, text="Déposer le basilic.").ingredients.add(
        ingredients["Basilic"]
    )
    order = order_for(
        customer,
        LineRequest(
            product_id=margherita.id,
            quantity=2,
            removed_ids=frozenset({ingredients["Basilic"].id, ingredients["Sauce tomate"].id}),
            extra_ids=frozenset({menu["extra_mozzarella"].id, extra_ham.id, extra_olives.id}),
        ),
    )
    client.force_login(pizzaiolo)

    response = client.get(reverse("staff_recipe_card", args=[order.lines.get().pk]))

    steps = [
        (
            step.text,
            [i.name for i in step.left_out],
            [(i.ingredient.name, i.extra) for i in step.extras],
            step.skipped,
        )
        for step in response.context["card"].steps
    ]
    assert steps == [
        ("Étaler la pâte.", [], [], False),
        (
            "Napper de sauce, répartir la mozzarella.",
            ["Sauce tomate"],  # the mozzarella still goes on: the step stays, without the sauce
            [("Jambon", Decimal("80")), ("Mozzarella", Decimal("100"))],
            False,
        ),
        ("Enfourner.", [], [], False),  # a step naming no ingredient is shown as it is
        ("Déposer le basilic.", ["Basilic"], [], True),  # all it puts on was left out
        ("", [], [("Olives", Decimal("40"))], False),  # an extra no step names gets its own step, last
    ]
    page = " ".join(response.content.decode().split())
    assert "<s>Déposer le basilic.</s>" in page and "Skip this step:" in page
    assert "without Sauce tomate" in page and "without Basilic" in page
    assert "+&nbsp;80&nbsp;g Jambon (extra)" in page and "+&nbsp;100&nbsp;g Mozzarella (extra)" in page
    assert "Add the extras." in page and "+&nbsp;40&nbsp;g Olives (extra)" in page
    assert page.index("Napper de sauce") < page.index("Enfourner.") < page.index("Add the extras.")


def test_a_recipe_card_without_removals_or_extras_lists_the_steps_as_written(
    client, pizzaiolo, order_for, customer, menu, ingredients
):
    f.RecipeStepFactory(product=menu["margherita"], position=1, text="Déposer le basilic.").ingredients.add(
        ingredients["Basilic"]
    )
    order = order_for(customer, LineRequest(product_id=menu["margherita"].id, quantity=1))
    client.force_login(pizzaiolo)

    page = client.get(reverse("staff_recipe_card", args=[order.lines.get().pk])).content.decode()

    assert "Déposer le basilic." in page
    assert "<s>" not in page and "Skip this step" not in page and "Add the extras." not in page


# ---------- Ticket ----------


def test_the_kitchen_ticket_is_a_plain_printable_page(
    client, counter, order_for, customer, ingredients, menu
):
    order = order_for(
        customer,
        LineRequest(
            product_id=menu["margherita"].id, quantity=2, removed_ids=frozenset({ingredients["Basilic"].id})
        ),
        note="Sans gluten si possible",
    )
    client.force_login(counter)
    page = client.get(reverse("staff_kitchen_ticket", args=[order.number])).content.decode()
    assert "staff-bar" not in page and "site-header" not in page  # nothing but the ticket
    assert order.number in page and "Margherita" in page and "without Basilic" in page
    assert "Sans gluten si possible" in page
    assert "data-print" in page
