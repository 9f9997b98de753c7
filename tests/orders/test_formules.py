"""Formules (combo deals, offers.Formule): the composition checked (a component missing, a product not offered,
refused with the reason and a 4xx), the formule's saving shared across its component lines so the VAT by rate
stays exact, each component reserving its own recipe, a formule offered only while every component has a
product left, the cart's group of lines, and the admin's permissions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from offers.formules import offers_at
from offers.models import Formule, FormuleComponent, PriceRule, PromoCode
from orders.cart import SESSION_KEY, Cart
from orders.errors import OrderError
from orders.models import Order, OrderLine, Status
from orders.payments.stripe import line_items, to_cents
from orders.receipts import vat_breakdown
from orders.services import (
    FormulePart,
    LineRequest,
    modify_order,
    price_lines,
    reserved_stock,
    transition_order,
)
from orders.services.pricing import allocate_discount
from restaurants.models import Role
from tests import factories as f
from tests.orders.checkout import shown_fingerprint, terms_accepted
from tests.orders.formules import WRONG_CHOICES, midi_lines, part, refusal, slot, wrong_choice

D = Decimal


@pytest.fixture
def third_free(menu):
    """« 2 pizzas achetées, la 3e offerte » : a pizza component of 3, the cheapest one free."""
    formule = Formule.objects.create(name="3 pour 2", price_rule=PriceRule.CHEAPEST_FREE)
    pizzas = FormuleComponent.objects.create(formule=formule, label="Pizza", quantity=3)
    pizzas.products.set([menu["margherita"], menu["regina"]])
    return {"formule": formule, "pizza": pizzas}


# -- The price: the saving shared across the components --------------------------------------------------


def test_the_formule_price_is_shared_across_its_lines_in_proportion_to_the_cent(menu, drinks, midi):
    pizza, soda = price_lines(midi_lines(menu, drinks, midi))

    # 9.50 + 3.00 = 12.50 at list prices: 0.50 off, 0.38 on the pizza and 0.12 on the soda.
    assert (pizza.formule_saving, soda.formule_saving) == (D("0.38"), D("0.12"))
    assert (pizza.line_total, soda.line_total) == (D("9.12"), D("2.88"))
    assert pizza.formule == soda.formule == midi["formule"]


def test_extras_are_charged_on_top_of_the_formule_price(menu, drinks, midi):
    lines = midi_lines(menu, drinks, midi, extra_ids=frozenset({menu["extra_mozzarella"].id}))

    assert sum(line.line_total for line in price_lines(lines)) == D("13.50")  # 12.00 + 1.50


def test_a_formule_above_the_list_prices_costs_the_list_prices(menu, drinks, midi):
    midi["formule"].price = D("20.00")
    midi["formule"].save()

    assert sum(line.line_total for line in price_lines(midi_lines(menu, drinks, midi))) == D("12.50")


def test_the_third_pizza_free_takes_the_cheapest_one_off(menu, third_free):
    lines = [
        LineRequest(product_id=menu[name].id, quantity=1, formule=part(third_free, third_free["pizza"]))
        for name in ("regina", "margherita", "regina")
    ]

    priced = price_lines(lines)

    assert sum(line.line_total for line in priced) == D("24.00")  # 12 + 9.50 + 12 − 9.50
    assert sum(line.formule_saving for line in priced) == D("9.50")


# -- The composition ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        ("no_drink", "formule_missing_component", "Boisson"),
        ("pizza_as_drink", "formule_product_not_offered", "Boisson"),
        ("two_pizzas", "formule_quantity", ""),
        ("two_drinks", "formule_missing_component", "Boisson"),
        ("unknown_component", "formule_unknown", ""),
    ],
)
def test_a_wrong_composition_is_refused_with_its_reason(menu, drinks, midi, change, code, words):
    pizza, drink = midi_lines(menu, drinks, midi)
    lines = {
        "no_drink": [pizza],
        "pizza_as_drink": [
            pizza,
            LineRequest(product_id=menu["regina"].id, quantity=1, formule=drink.formule),
        ],
        "two_pizzas": [
            LineRequest(product_id=menu["margherita"].id, quantity=2, formule=pizza.formule),
            drink,
        ],
        "two_drinks": [pizza, drink, drink],
        "unknown_component": [
            pizza,
            LineRequest(
                product_id=drinks["soda"].id, quantity=1, formule=FormulePart(midi["formule"].pk, 0, "g1")
            ),
        ],
    }[change]

    with pytest.raises(OrderError) as refused:
        price_lines(lines)

    assert refused.value.code == code
    assert words in refused.value.message


def test_an_inactive_formule_is_refused(menu, drinks, midi):
    midi["formule"].active = False
    midi["formule"].save()

    with pytest.raises(OrderError) as refused:
        price_lines(midi_lines(menu, drinks, midi))

    assert refused.value.code == "formule_unknown"


# -- Placing it: ordinary lines marked with the formule, VAT by rate exact, the recipes reserved ----------


def test_placed_the_components_are_lines_marked_with_the_formule_and_the_vat_is_exact(
    order_for, customer, menu, drinks, midi, ingredients
):
    lines = midi_lines(
        menu, drinks, midi, pizza="regina", drink="beer", extra_ids=frozenset({menu["extra_mozzarella"].id})
    )

    order = order_for(customer, *lines)

    # 12.00 + 4.50 = 16.50 at list prices, 12.00 the formule: 4.50 off; the extra mozzarella on top.
    assert (order.subtotal, order.total) == (D("13.50"), D("13.50"))
    written = list(order.lines.order_by("id"))
    assert [(line.formule_name, line.formule_id) for line in written] == [
        ("Menu Midi", midi["formule"].pk)
    ] * 2
    assert written[0].formule_group == written[1].formule_group != ""
    # 4.50 shared 12 : 4.50 (3.27 and 1.22, the cent left to the larger line): 12 − 3.28 + 1.50 ; 4.50 − 1.22.
    assert [line.amount for line in written] == [D("10.22"), D("3.28")]
    rates = {rate.rate: rate.gross for rate in vat_breakdown(written, order.delivery_fee)}
    assert rates == {D("10.00"): D("10.22"), D("20.00"): D("3.28")}
    assert sum(rates.values()) == order.total
    # The Stripe session's items add up to the order's total.
    assert sum(
        item["price_data"]["unit_amount"] * item["quantity"] for item in line_items(order, order.total)
    ) == to_cents(order.total)


def test_the_stock_reserved_is_the_recipes_of_the_chosen_components(
    order_for, customer, menu, drinks, midi, ingredients
):
    lines = midi_lines(menu, drinks, midi, removed_ids=frozenset({ingredients["Basilic"].id}))

    order = order_for(customer, *lines)

    assert reserved_stock(order) == {
        ingredients["Pâte à pizza"].id: D("250"),
        ingredients["Sauce tomate"].id: D("80"),
        ingredients["Mozzarella"].id: D("125"),
        drinks["soda_can"].id: D("1"),
    }


def test_a_modification_keeps_the_formule_or_refuses_a_broken_one(order_for, customer, menu, drinks, midi):
    order = order_for(customer, *midi_lines(menu, drinks, midi))

    modify_order(order=order, lines=midi_lines(menu, drinks, midi, pizza="regina"), by=customer)
    order.refresh_from_db()
    assert order.total == D("12.00")

    with pytest.raises(OrderError) as refused:
        modify_order(order=order, lines=midi_lines(menu, drinks, midi)[:1], by=customer)
    assert refused.value.code == "formule_missing_component"


def test_the_kitchen_sees_the_components_as_lines_marked_formule(
    client, pizzaiolo, order_for, customer, menu, drinks, midi
):
    order = order_for(customer, *midi_lines(menu, drinks, midi))
    client.force_login(pizzaiolo)

    ticket = client.get(reverse("staff_kitchen_board"), HTTP_HX_REQUEST="true").content.decode()

    assert order.number in ticket and "Margherita" in ticket and "Soda" in ticket
    assert ticket.count('class="formule-mark"') == 2


def test_checkout_places_a_formule_with_a_promo_code_on_top(
    client, customer, restaurant_a, stock_a, menu, drinks, midi, noon
):
    PromoCode.objects.create(code="PROMO", label="Promo", value=D("10"))
    client.force_login(customer)
    client.post(
        compose_url(restaurant_a, midi),
        {slot(midi["pizza"]): menu["regina"].pk, slot(midi["boisson"]): drinks["beer"].pk},
    )
    client.post(reverse("cart_promo"), {"code": "PROMO", "action": "apply"})

    response = client.post(
        reverse("checkout"),
        {
            "cart_fingerprint": shown_fingerprint(client),
            **terms_accepted(),
            "fulfilment": "pickup",
            "pickup_time": "asap",
            "delivery_time": "asap",
            "payment_method": "cash_on_delivery",
        },
    )

    assert response.status_code == 302
    order = Order.objects.get()
    # The formule's 12.00, then 10 % off: 1.20, shared across its lines.
    assert (order.subtotal, order.discount, order.total) == (D("12.00"), D("1.20"), D("10.80"))
    rates = vat_breakdown(list(order.lines.all()), order.delivery_fee)
    assert sum((rate.gross for rate in rates), D("0")) == order.total
    receipt = client.get(reverse("order_tracking", args=[order.number])).content.decode()
    assert "Formule Menu Midi" in receipt


def test_the_modify_page_refuses_a_formule_broken_with_its_reason(
    english, client, order_for, customer, menu, drinks, midi
):
    order = order_for(customer, *midi_lines(menu, drinks, midi))
    client.force_login(customer)
    url = reverse("order_modify", args=[order.number])

    response = client.post(url, {"line-0-quantity": "1", "line-1-quantity": "0"})

    assert response.status_code == 400
    assert "Choose 1 « Boisson » for Menu Midi." in response.content.decode().replace("&laquo;", "«").replace(
        "&raquo;", "»"
    )
    order.refresh_from_db()
    assert (order.lines.count(), order.total) == (2, D("12.00"))


# -- Offered only while every component has a product left ------------------------------------------------


def test_a_formule_is_offered_while_each_component_has_a_product_left(
    restaurant_a, stock_a, menu, drinks, midi
):
    (offer,) = offers_at(restaurant_a)
    assert [[item.product for item in choice.items] for choice in offer.choices] == [
        [menu["margherita"], menu["regina"]],
        [drinks["beer"], drinks["soda"]],
    ]

    stock_a["Mozzarella"].quantity = D("0")
    stock_a["Mozzarella"].save()

    assert offers_at(restaurant_a) == []
    assert offers_at(restaurant_a, only_available=False)[0].available is False


def test_a_formule_of_other_restaurants_is_not_offered(restaurant_a, restaurant_b, stock_a, midi):
    midi["formule"].restaurants.set([restaurant_b])

    assert offers_at(restaurant_a) == []


# -- The pages: composing it, the cart ------------------------------------------------------------------


def compose_url(restaurant, midi) -> str:
    return reverse("formule_compose", args=[restaurant.pk, midi["formule"].pk])


def test_the_menu_shows_the_formule_and_its_page_lists_the_choices(
    client, restaurant_a, stock_a, menu, drinks, midi, noon
):
    menu_page = client.get(reverse("restaurant_detail", args=[restaurant_a.slug]))
    assert "Menu Midi" in menu_page.content.decode()
    assert compose_url(restaurant_a, midi) in menu_page.content.decode()

    page = client.get(compose_url(restaurant_a, midi))
    assert page.status_code == 200
    for name in ("Margherita", "Regina", "Soda", "Bière"):
        assert name in page.content.decode()


def test_a_composed_formule_goes_into_the_cart_as_one_group(
    client, restaurant_a, stock_a, menu, drinks, midi, noon
):
    pizza = menu["margherita"]
    response = client.post(
        compose_url(restaurant_a, midi),
        {
            slot(midi["pizza"]): pizza.pk,
            f"{slot(midi['pizza'])}-{pizza.pk}-extras": menu["extra_mozzarella"].pk,
            # A modifier of a product not chosen is ignored.
            f"{slot(midi['pizza'])}-{menu['regina'].pk}-extras": menu["extra_mozzarella"].pk,
            slot(midi["boisson"]): drinks["soda"].pk,
        },
    )

    assert response.status_code == 302
    lines = Cart.load(client.session).lines
    assert [line.product_id for line in lines] == [pizza.pk, drinks["soda"].pk]
    assert lines[0].extra_ids == {menu["extra_mozzarella"].pk}
    assert lines[0].formule.group == lines[1].formule.group
    cart_page = client.get(reverse("cart")).content.decode()
    assert "Formule Menu Midi" in cart_page

    # One of its lines removed takes the whole formule; its quantity is not changed.
    assert client.post(reverse("cart_update", args=[0]), {"quantity": "2"}).status_code == 302
    assert len(Cart.load(client.session).lines) == 2
    client.post(reverse("cart_remove", args=[1]))
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize(("posted", "reason"), WRONG_CHOICES)
def test_a_wrong_choice_is_a_400_with_its_reason_and_the_cart_is_left(
    english, client, restaurant_a, stock_a, menu, drinks, midi, noon, posted, reason
):
    data = wrong_choice(posted, menu=menu, drinks=drinks, midi=midi)

    response = client.post(compose_url(restaurant_a, midi), data)

    assert response.status_code == 400
    assert reason in refusal(response)
    assert SESSION_KEY not in client.session


def test_a_formule_created_shows_on_a_menu_already_cached(
    client, restaurant_a, stock_a, menu, drinks, noon, django_capture_on_commit_callbacks
):
    menu_url = reverse("restaurant_detail", args=[restaurant_a.slug])
    assert "Menu Soir" not in client.get(menu_url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        soir = Formule.objects.create(name="Menu Soir", price=D("10.00"))
        FormuleComponent.objects.create(formule=soir, label="Pizza").products.add(menu["margherita"])

    assert "Menu Soir" in client.get(menu_url).content.decode()


def test_a_formule_with_a_component_sold_out_is_a_404(
    client, restaurant_a, stock_a, menu, drinks, midi, noon
):
    for product in (drinks["soda"], drinks["beer"]):
        product.recipe_lines.update(quantity=D("100"))  # more than the 10 cans kept

    assert client.get(compose_url(restaurant_a, midi)).status_code == 404
    assert client.post(compose_url(restaurant_a, midi), {}).status_code == 404


def test_choices_the_stock_cannot_make_with_the_rest_of_the_cart_are_refused(
    client, restaurant_a, stock_a, menu, drinks, midi, noon
):
    data = {slot(midi["pizza"]): menu["regina"].pk, slot(midi["boisson"]): drinks["soda"].pk}
    assert client.post(compose_url(restaurant_a, midi), data).status_code == 302
    assert client.post(compose_url(restaurant_a, midi), data).status_code == 302

    # Ham for two Reginas only.
    response = client.post(compose_url(restaurant_a, midi), data)

    assert response.status_code == 400
    assert len(Cart.load(client.session).lines) == 4


# -- The admin: head office writes, managers read ----------------------------------------------------------


def test_head_office_edits_formules_and_managers_only_read_them(client, head_office, manager_a, midi):
    change = reverse("admin:offers_formule_change", args=[midi["formule"].pk])
    client.force_login(head_office)
    assert client.get(reverse("admin:offers_formule_add")).status_code == 200
    assert 'name="components-0-label_fr"' in client.get(change).content.decode()

    manager_a.is_staff = True  # the admin's door for managers (restaurants.admin.scoping)
    manager_a.save()
    client.force_login(manager_a)
    page = client.get(change)
    assert page.status_code == 200
    assert 'name="name_fr"' not in page.content.decode()
    assert client.get(reverse("admin:offers_formule_add")).status_code == 403
    assert client.post(change, {"name_fr": "Hacked"}).status_code == 403


# -- Any formule, any choices: the formule's price holds to the cent ----------------------------------------

money = st.integers(min_value=1, max_value=4000).map(lambda cents: D(cents) / 100)


@settings(max_examples=200, deadline=None)
@given(
    list_prices=st.lists(money, min_size=1, max_size=6),
    extras=st.lists(
        st.integers(min_value=0, max_value=500).map(lambda cents: D(cents) / 100), min_size=6, max_size=6
    ),
    price=st.one_of(st.none(), st.integers(min_value=0, max_value=20000).map(lambda cents: D(cents) / 100)),
    rates=st.lists(st.sampled_from([D("5.5"), D("10"), D("20")]), min_size=6, max_size=6),
)
def test_any_formule_costs_its_price_plus_extras_and_the_vat_sums_to_it(list_prices, extras, price, rates):
    formule = Formule(
        price_rule=PriceRule.FIXED if price is not None else PriceRule.CHEAPEST_FREE, price=price
    )
    saving = formule.saving(list_prices)
    shares = allocate_discount(list_prices, saving)
    lines = [
        OrderLine(unit_price=list_price, quantity=1, vat_rate=rate, line_total=list_price + extra - share)
        for list_price, extra, share, rate in zip(list_prices, extras, shares, rates, strict=False)
    ]
    paid_for_products = sum(list_prices, D("0")) - sum(shares, D("0"))

    if price is not None:
        assert paid_for_products == min(price, sum(list_prices, D("0")))
    else:
        assert paid_for_products == sum(list_prices, D("0")) - min(list_prices)
    assert all(D("0") <= share <= list_price for share, list_price in zip(shares, list_prices, strict=True))
    total = sum((line.line_total for line in lines), D("0"))
    assert total == paid_for_products + sum(extras[: len(list_prices)], D("0"))
    assert sum((rate.gross for rate in vat_breakdown(lines, D("0"))), D("0")) == total


# -- Ordering it again: the formule comes back as a formule, or its products at their own price, said -----


def reorder(client, customer, order):
    client.force_login(customer)
    response = client.post(reverse("order_reorder", args=[order.number]), headers={"accept-language": "en"})
    return response, [str(message) for message in get_messages(response.wsgi_request)]


def test_a_formule_ordered_again_comes_back_as_the_formule_at_its_price(
    client, order_for, customer, menu, drinks, midi, stock_a
):
    order = order_for(customer, *midi_lines(menu, drinks, midi, pizza="regina"))
    transition_order(order=order, to=Status.CANCELLED, by=customer)  # the stock back

    response, said = reorder(client, customer, order)

    assert response.status_code == 302
    lines = Cart.load(client.session).lines
    assert [(line.product_id, line.formule.component_id) for line in lines] == [
        (menu["regina"].id, midi["pizza"].pk),
        (drinks["soda"].id, midi["boisson"].pk),
    ]
    (group,) = {line.formule.group for line in lines}
    assert group != order.lines.first().formule_group
    assert sum(priced.line_total for priced in price_lines(lines)) == D("12.00")
    assert not any("own price" in sentence for sentence in said)


def test_a_formule_no_longer_offered_comes_back_at_the_list_prices_and_is_named(
    client, order_for, customer, menu, drinks, midi, stock_a
):
    order = order_for(customer, *midi_lines(menu, drinks, midi))
    transition_order(order=order, to=Status.CANCELLED, by=customer)
    Formule.objects.filter(pk=midi["formule"].pk).update(active=False)

    _, said = reorder(client, customer, order)

    lines = Cart.load(client.session).lines
    assert [(line.product_id, line.formule) for line in lines] == [
        (menu["margherita"].id, None),
        (drinks["soda"].id, None),
    ]
    assert (
        "« Menu Midi » is not offered as it was any more: its products are back at their own price." in said
    )


def test_a_formule_whose_product_ran_out_comes_back_as_what_is_left_at_its_own_price(
    client, order_for, customer, other_customer, menu, drinks, midi, stock_a
):
    order = order_for(customer, *midi_lines(menu, drinks, midi))
    transition_order(order=order, to=Status.CANCELLED, by=customer)
    # Someone else takes the ten cans of soda.
    order_for(other_customer, LineRequest(product_id=drinks["soda"].id, quantity=10))

    _, said = reorder(client, customer, order)

    lines = Cart.load(client.session).lines
    assert [(line.product_id, line.formule) for line in lines] == [(menu["margherita"].id, None)]
    assert "« Menu Midi » cannot be made again for now: what is left of it is back at its own price." in said
    assert "Soda is sold out for now." in said


def test_the_counter_repeats_a_formule_as_the_formule_at_its_price(
    client, order_for, customer, menu, drinks, midi, stock_a, restaurant_a, noon
):
    order = order_for(customer, *midi_lines(menu, drinks, midi))
    transition_order(order=order, to=Status.CANCELLED, by=customer)
    client.force_login(f.StaffMemberFactory(restaurant=restaurant_a, role=Role.COUNTER).user)

    response = client.post(reverse("staff_counter_repeat", args=[order.number]), follow=True)

    contents = response.context["contents"]
    assert [(row.priced.product, row.line.formule.component_id) for row in contents.rows] == [
        (menu["margherita"], midi["pizza"].pk),
        (drinks["soda"], midi["boisson"].pk),
    ]
    assert len({row.line.formule.group for row in contents.rows}) == 1
    assert contents.subtotal == D("12.00")


def test_the_formule_name_is_kept_in_every_language_and_shown_in_the_readers(
    client, order_for, customer, menu, drinks, midi
):
    Formule.objects.filter(pk=midi["formule"].pk).update(name_en="Lunch menu")
    midi["formule"].refresh_from_db()

    order = order_for(customer, *midi_lines(menu, drinks, midi))

    assert {(line.formule_name_fr, line.formule_name_en) for line in order.lines.all()} == {
        ("Menu Midi", "Lunch menu")
    }
    client.force_login(customer)
    tracking = reverse("order_tracking", args=[order.number])
    assert "Formule Lunch menu" in client.get(tracking, headers={"accept-language": "en"}).content.decode()
    assert "Formule Menu Midi" in client.get(tracking, headers={"accept-language": "fr"}).content.decode()
    # The formule renamed since: the order keeps the names it was placed with.
    Formule.objects.filter(pk=midi["formule"].pk).update(name_fr="Formule du midi", name_en="Noon menu")
    assert "Formule Lunch menu" in client.get(tracking, headers={"accept-language": "en"}).content.decode()
