"""The cart: adding with modifiers, changing quantities, switching restaurant, and refusing bad input."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from menu.models import Extra
from orders.cart import SESSION_KEY
from restaurants.services import record_waste
from tests import factories as f

pytestmark = pytest.mark.django_db


def add(client, restaurant, product, quantity=1, *, removed=(), extras=(), **more):
    data = {
        "restaurant": restaurant.pk,
        "product": product.pk,
        "quantity": str(quantity),
        "removed": [str(i) for i in removed],
        "extras": [str(i) for i in extras],
        **more,
    }
    return client.post(reverse("cart_add"), data, HTTP_ACCEPT_LANGUAGE="en")


def post(client, url, data=None, **kwargs):
    return client.post(url, data or {}, HTTP_ACCEPT_LANGUAGE="en", **kwargs)


def cart_lines(client) -> list[dict]:
    return (client.session.get(SESSION_KEY) or {}).get("lines", [])


def cart_restaurant(client) -> int | None:
    return (client.session.get(SESSION_KEY) or {}).get("restaurant_id")


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


@pytest.fixture
def stock_b(restaurant_b, ingredients):
    return {
        name: f.StockFactory(restaurant=restaurant_b, ingredient=ingredient, quantity=Decimal("5000"))
        for name, ingredient in ingredients.items()
    }


# ---------- Adding ----------


def test_it_adds_a_pizza_with_an_extra_and_a_removal(client, restaurant_a, menu, ingredients, stock_a):
    basil = ingredients["Basilic"]
    extra = menu["extra_mozzarella"]

    response = add(client, restaurant_a, menu["margherita"], 2, removed=[basil.pk], extras=[extra.pk])

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("restaurant_detail", args=[restaurant_a.slug]))
    assert response["Location"].endswith("#product-margherita")
    assert cart_restaurant(client) == restaurant_a.pk
    assert cart_lines(client) == [
        {"product_id": menu["margherita"].pk, "quantity": 2, "removed": [basil.pk], "extras": [extra.pk]}
    ]

    page = client.get(reverse("cart"), HTTP_ACCEPT_LANGUAGE="en")
    content = page.content.decode()
    assert page.status_code == 200
    assert "Margherita" in content
    assert "without Basilic" in content
    assert "+ Mozzarella" in content
    assert "11.00\xa0€ each" in content  # 9.50 + 1.50
    assert "22.00\xa0€" in content
    assert reverse("checkout") in content


def test_the_header_counts_the_items_of_the_cart(client, restaurant_a, menu, stock_a):
    add(client, restaurant_a, menu["margherita"], 2)
    add(client, restaurant_a, menu["regina"], 1)

    content = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '<span class="cart-link__count">3' in content


def test_identical_lines_merge_and_different_modifiers_make_a_new_line(
    client, restaurant_a, menu, ingredients, stock_a
):
    add(client, restaurant_a, menu["margherita"], 1)
    add(client, restaurant_a, menu["margherita"], 1)
    add(client, restaurant_a, menu["margherita"], 1, removed=[ingredients["Basilic"].pk])

    assert [(line["quantity"], line["removed"]) for line in cart_lines(client)] == [
        (2, []),
        (1, [ingredients["Basilic"].pk]),
    ]


def test_adding_more_than_the_stock_can_make_is_refused(client, restaurant_a, menu, stock_a):
    # Ham for 2 Reginas.
    response = add(client, restaurant_a, menu["regina"], 3)

    assert response.status_code == 302
    response = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "Only 2 Regina left." in messages_of(response)
    assert cart_lines(client) == []

    add(client, restaurant_a, menu["regina"], 2)
    response = add(client, restaurant_a, menu["regina"], 1)

    response = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "Your cart already holds all the Regina we can make right now." in messages_of(response)
    assert [line["quantity"] for line in cart_lines(client)] == [2]


def test_the_stock_check_counts_what_the_whole_cart_takes(client, restaurant_a, menu, stock_a):
    # Mozzarella 500 g: 2 Reginas (250 g) leave enough for 2 Margheritas, not 3.
    add(client, restaurant_a, menu["regina"], 2)

    response = add(client, restaurant_a, menu["margherita"], 3)

    response = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "Only 2 Margherita left." in messages_of(response)
    assert [line["quantity"] for line in cart_lines(client)] == [2]


def test_an_extra_takes_stock_too(client, restaurant_a, menu, stock_a):
    # Each Margherita with extra mozzarella takes 175 g of the 500 g: two fit, not three.
    response = add(client, restaurant_a, menu["margherita"], 3, extras=[menu["extra_mozzarella"].pk])

    response = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "Only 2 Margherita left." in messages_of(response)
    assert cart_lines(client) == []


# ---------- Bad input: a 400 that says why, and the cart unchanged ----------


@pytest.fixture
def other_extra(ingredients):
    """An extra that exists but is not offered on the Margherita."""
    return f.ExtraFactory(ingredient=ingredients["Jambon"], price=Decimal("2.00"))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("product", "999999", "This product is not on the menu."),
        ("product", "abc", "This product is not on the menu."),
        ("product", "99999999999999999999999999", "This product is not on the menu."),
        ("quantity", "0", "A quantity must be between 1 and 20."),
        ("quantity", "-1", "A quantity must be between 1 and 20."),
        ("quantity", "999", "A quantity must be between 1 and 20."),
        ("quantity", "abc", "A quantity must be between 1 and 20."),
        ("quantity", "1.5", "A quantity must be between 1 and 20."),
        ("extras", "extra-not-offered", "This extra is not offered on Margherita."),
        ("extras", "xyz", "This choice is not offered on this product."),
        ("removed", "dough", "This ingredient cannot be removed from Margherita."),
        ("removed", "ham", "This ingredient cannot be removed from Margherita."),
        ("restaurant", "424242", "This restaurant does not take orders at the moment."),
        ("restaurant", "", "This restaurant does not take orders at the moment."),
    ],
)
def test_a_tampered_add_is_a_400_with_a_message_and_changes_nothing(
    client, restaurant_a, menu, ingredients, stock_a, other_extra, field, value, message
):
    add(client, restaurant_a, menu["regina"], 1)
    before = client.session[SESSION_KEY]
    value = {
        "extra-not-offered": str(other_extra.pk),
        "dough": str(ingredients["Pâte à pizza"].pk),
        "ham": str(ingredients["Jambon"].pk),
    }.get(value, value)

    data = {"restaurant": str(restaurant_a.pk), "product": str(menu["margherita"].pk), "quantity": "1"}
    data[field] = value

    response = post(client, reverse("cart_add"), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert client.session[SESSION_KEY] == before


def test_an_inactive_product_cannot_be_added(client, restaurant_a, menu, stock_a):
    menu["margherita"].is_active = False
    menu["margherita"].save()

    response = add(client, restaurant_a, menu["margherita"], 1)

    assert response.status_code == 400
    assert "This product is not on the menu." in response.content.decode()
    assert cart_lines(client) == []


def test_the_cart_pages_refuse_get_on_actions(client):
    assert client.get(reverse("cart_add")).status_code == 405
    assert client.get(reverse("cart_clear")).status_code == 405


# ---------- One restaurant at a time ----------


def test_adding_from_another_restaurant_asks_first_then_replaces_on_confirmation(
    client, restaurant_a, restaurant_b, menu, stock_a, stock_b
):
    add(client, restaurant_a, menu["margherita"], 2)

    response = add(client, restaurant_b, menu["regina"], 1)

    content = response.content.decode()
    assert response.status_code == 200
    assert "Your cart holds pizzas from OC Pizza Lyon Presqu&#x27;île" in content
    assert "start at OC Pizza Paris Marais?" in content
    assert 'name="confirm" value="replace"' in content
    assert cart_restaurant(client) == restaurant_a.pk
    assert [line["quantity"] for line in cart_lines(client)] == [2]

    response = add(client, restaurant_b, menu["regina"], 1, confirm="replace")

    assert response.status_code == 302
    assert cart_restaurant(client) == restaurant_b.pk
    assert cart_lines(client) == [
        {"product_id": menu["regina"].pk, "quantity": 1, "removed": [], "extras": []}
    ]


# ---------- The cart page: quantities, removal, warnings ----------


def test_the_quantity_can_be_changed_and_a_line_removed(client, restaurant_a, menu, stock_a):
    add(client, restaurant_a, menu["margherita"], 1)
    add(client, restaurant_a, menu["regina"], 1)

    response = post(client, reverse("cart_update", args=[0]), {"quantity": "3"})

    assert response.status_code == 302 and response["Location"] == reverse("cart")
    assert [line["quantity"] for line in cart_lines(client)] == [3, 1]

    post(client, reverse("cart_remove", args=[1]))
    assert [line["product_id"] for line in cart_lines(client)] == [menu["margherita"].pk]

    # The minus button at 1 sends 0: the line goes.
    post(client, reverse("cart_update", args=[0]), {"quantity": "0"})
    assert cart_lines(client) == []
    assert SESSION_KEY not in client.session


def test_raising_a_quantity_beyond_the_stock_is_refused(client, restaurant_a, menu, stock_a):
    add(client, restaurant_a, menu["regina"], 1)

    response = post(client, reverse("cart_update", args=[0]), {"quantity": "3"}, follow=True)

    assert "Only 2 Regina can be made right now." in messages_of(response)
    assert [line["quantity"] for line in cart_lines(client)] == [1]


@pytest.mark.parametrize("quantity", ["-1", "21", "abc", ""])
def test_a_tampered_quantity_change_is_a_400(client, restaurant_a, menu, stock_a, quantity):
    add(client, restaurant_a, menu["margherita"], 1)

    response = post(client, reverse("cart_update", args=[0]), {"quantity": quantity})

    assert response.status_code == 400
    assert "A quantity must be between 1 and 20." in response.content.decode()
    assert [line["quantity"] for line in cart_lines(client)] == [1]


def test_a_line_that_is_gone_is_reported(client, restaurant_a, menu, stock_a):
    add(client, restaurant_a, menu["margherita"], 1)

    response = post(client, reverse("cart_remove", args=[5]), follow=True)

    assert "This line is no longer in your cart." in messages_of(response)
    assert len(cart_lines(client)) == 1


def test_emptying_the_cart(client, restaurant_a, menu, stock_a):
    add(client, restaurant_a, menu["margherita"], 1)

    response = post(client, reverse("cart_clear"), follow=True)

    assert "Your cart is empty." in response.content.decode()
    assert SESSION_KEY not in client.session


def test_the_cart_shows_the_delivery_fee_and_the_minimum_order(client, restaurant_a, menu, stock_a):
    add(client, restaurant_a, menu["margherita"], 1)

    content = client.get(reverse("cart"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Delivery fee" in content and "2.50\xa0€" in content
    assert "Minimum order for delivery" in content and "15.00\xa0€" in content
    assert "Add 5.50\xa0€ more to have it delivered." in content


def test_a_line_no_longer_available_is_flagged_and_blocks_the_checkout(client, restaurant_a, menu, stock_a):
    add(client, restaurant_a, menu["margherita"], 1)
    add(client, restaurant_a, menu["regina"], 2)
    record_waste(stock=stock_a["Jambon"], quantity=Decimal("120"), by=None)

    content = client.get(reverse("cart"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Sold out since you added it" in content
    assert "cart-line--problem" in content
    assert content.count("cart-line--problem") == 1
    assert f'href="{reverse("checkout")}"' not in content


def test_a_line_whose_extra_was_withdrawn_is_flagged(client, restaurant_a, menu, stock_a):
    add(client, restaurant_a, menu["margherita"], 1, extras=[menu["extra_mozzarella"].pk])
    Extra.objects.filter(pk=menu["extra_mozzarella"].pk).update(is_active=False)

    content = client.get(reverse("cart"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "This extra is not offered on Margherita." in content
    assert f'href="{reverse("checkout")}"' not in content


def test_an_empty_cart_page_runs_no_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("cart"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "Your cart is empty." in response.content.decode()


@pytest.mark.parametrize("value", ["²", "١", "𝟙"])
def test_digits_other_than_ascii_are_refused_not_a_server_error(client, restaurant_a, menu, stock_a, value):
    """`str.isdigit` accepts "²", which `int` refuses: such ids and quantities are a 400, not a 500 (found
    by tests/test_fuzz.py)."""
    for field in ("restaurant", "product", "quantity", "removed", "extras"):
        data = {
            "restaurant": restaurant_a.pk,
            "product": menu["margherita"].pk,
            "quantity": "1",
            field: value,
        }
        assert post(client, reverse("cart_add"), data).status_code == 400, field
    assert cart_lines(client) == []
