"""A formule taken by phone or at the counter: listed on the new order while the restaurant can make it, its
choices checked as on the website (a 400 with the reason, the order being taken left as it was), added as
one group of lines that is removed whole and never has its quantity changed, and placed at its price."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from offers.models import Formule, FormuleComponent
from orders.models import Order
from orders.staff.counter.taken import CounterCart
from tests.orders.counter import NEW, place
from tests.orders.formules import WRONG_CHOICES, refusal, slot, wrong_choice

pytestmark = pytest.mark.django_db

D = Decimal


def formule_url(midi) -> str:
    return reverse("staff_counter_formule", args=[midi["formule"].pk])


def midi_choices(menu, drinks, midi, *, pizza="margherita", drink="soda") -> dict:
    return {slot(midi["pizza"]): menu[pizza].pk, slot(midi["boisson"]): drinks[drink].pk}


def taken(client) -> list:
    return CounterCart.load(client.session).lines


@pytest.fixture
def at_counter(english, counter, menu, stock_a, noon):
    """The counter clerk of A, signed in, at Monday noon, reading English."""
    english.force_login(counter)
    return english


def test_the_new_order_lists_the_formules_and_their_page_the_choices(at_counter, drinks, midi):
    page = at_counter.get(NEW).content.decode()
    assert "Menu Midi" in page
    assert formule_url(midi) in page

    response = at_counter.get(formule_url(midi))

    assert response.status_code == 200
    for name in ("Margherita", "Regina", "Soda", "Bière", "Add the formule to the order"):
        assert name in response.content.decode()


def test_a_formule_goes_into_the_order_as_one_group_and_is_placed_at_its_price(
    at_counter, menu, drinks, midi, counter
):
    pizza = menu["margherita"]
    response = at_counter.post(
        formule_url(midi),
        {
            **midi_choices(menu, drinks, midi),
            f"{slot(midi['pizza'])}-{pizza.pk}-extras": menu["extra_mozzarella"].pk,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"{NEW}#counter-lines"
    lines = taken(at_counter)
    assert [line.product_id for line in lines] == [pizza.pk, drinks["soda"].pk]
    assert lines[0].extra_ids == {menu["extra_mozzarella"].pk}
    assert lines[0].formule.group == lines[1].formule.group
    page = at_counter.get(NEW)
    assert "Formule Menu Midi" in page.content.decode()
    assert page.context["contents"].subtotal == D("12.00") + menu["extra_mozzarella"].price

    placed = place(at_counter)

    assert placed.status_code == 302
    order = Order.objects.get()
    assert order.taken_by == counter
    assert {line.formule_name for line in order.lines.all()} == {"Menu Midi"}
    assert order.subtotal == D("12.00") + menu["extra_mozzarella"].price
    assert taken(at_counter) == []


@pytest.mark.parametrize(("posted", "reason"), WRONG_CHOICES)
def test_a_wrong_choice_is_a_400_with_its_reason_and_the_order_being_taken_is_left(
    at_counter, menu, drinks, midi, posted, reason
):
    data = wrong_choice(posted, menu=menu, drinks=drinks, midi=midi)

    response = at_counter.post(formule_url(midi), data)

    assert response.status_code == 400
    assert reason in refusal(response)
    assert taken(at_counter) == []


def test_a_formule_line_is_removed_whole_and_its_quantity_is_not_changed(at_counter, menu, drinks, midi):
    at_counter.post(reverse("staff_counter_add"), {"product": menu["regina"].pk, "quantity": "1"})
    at_counter.post(formule_url(midi), midi_choices(menu, drinks, midi))
    assert len(taken(at_counter)) == 3

    refused = at_counter.post(reverse("staff_counter_line", args=[1]), {"quantity": "2"})

    assert refused.status_code == 303
    assert "A formule is taken whole" in " ".join(str(m) for m in get_messages(refused.wsgi_request))
    assert [line.quantity for line in taken(at_counter)] == [1, 1, 1]

    at_counter.post(reverse("staff_counter_line", args=[2]), {"quantity": "0"})

    assert [(line.product_id, line.formule) for line in taken(at_counter)] == [(menu["regina"].pk, None)]


def test_choices_the_stock_cannot_make_with_the_rest_of_the_order_are_refused(at_counter, menu, drinks, midi):
    choices = midi_choices(menu, drinks, midi, pizza="regina")
    assert at_counter.post(formule_url(midi), choices).status_code == 302
    assert at_counter.post(formule_url(midi), choices).status_code == 302

    # Ham for two Reginas only.
    response = at_counter.post(formule_url(midi), choices)

    assert response.status_code == 400
    assert "Not enough left to make these choices" in response.content.decode()
    assert len(taken(at_counter)) == 4


def test_a_formule_the_restaurant_cannot_make_now_is_neither_listed_nor_open(at_counter, menu, drinks, midi):
    for product in (drinks["soda"], drinks["beer"]):
        product.recipe_lines.update(quantity=D("100"))  # more than the 10 cans kept

    assert "Menu Midi" not in at_counter.get(NEW).content.decode()
    assert at_counter.get(formule_url(midi)).status_code == 404
    assert at_counter.post(formule_url(midi), midi_choices(menu, drinks, midi)).status_code == 404
    assert taken(at_counter) == []


def test_the_new_order_reads_the_formules_in_the_same_queries_however_many(
    at_counter, menu, drinks, midi, django_assert_num_queries
):
    at_counter.get(NEW)  # warms the menu cache
    with CaptureQueriesContext(connection) as one:
        assert "Menu Midi" in at_counter.get(NEW).content.decode()
    soir = Formule.objects.create(name="Menu Soir", price=D("14.00"))
    FormuleComponent.objects.create(formule=soir, label="Pizza").products.set([menu["regina"]])
    FormuleComponent.objects.create(formule=soir, label="Boisson", category=drinks["category"])

    with django_assert_num_queries(len(one)):
        page = at_counter.get(NEW).content.decode()

    assert "Menu Soir" in page
