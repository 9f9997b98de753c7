"""The live menu: what each restaurant can make from its stock, the add-to-cart forms, and opening status."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from restaurants.services import record_waste, restock
from tests import factories as f

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
# A Monday: restaurant A opens 11:30-22:30 every day in the test world.
MONDAY_NOON = datetime(2026, 11, 30, 12, 0, tzinfo=PARIS)
MONDAY_NIGHT = datetime(2026, 11, 30, 23, 0, tzinfo=PARIS)


def page(client, url, **kwargs):
    return client.get(url, HTTP_ACCEPT_LANGUAGE="en", **kwargs)


def card(content: str, slug: str) -> str:
    """The HTML of one product card of the menu."""
    match = re.search(rf'<article class="product[^"]*" id="product-{slug}">.*?</article>', content, re.S)
    assert match, f"no card for {slug}"
    return match.group(0)


@pytest.fixture
def menu_url(restaurant_a):
    return reverse("restaurant_detail", args=[restaurant_a.slug])


def test_a_sold_out_product_is_shown_as_such_and_cannot_be_added(client, menu_url, menu, stock_a):
    record_waste(stock=stock_a["Jambon"], quantity=Decimal("120"), by=None)

    response = page(client, menu_url)

    assert response.status_code == 200
    regina = card(response.content.decode(), "regina")
    assert "product--sold-out" in regina
    assert "Sold out" in regina
    assert reverse("cart_add") not in regina
    assert 'name="quantity"' not in regina
    margherita = card(response.content.decode(), "margherita")
    assert reverse("cart_add") in margherita
    assert "Sold out" not in margherita


def test_it_says_only_n_left_when_few_portions_remain(client, menu_url, menu, stock_a):
    # Ham for 2 Reginas; mozzarella for 40 Margheritas once restocked.
    restock(stock=stock_a["Mozzarella"], quantity=Decimal("4500"), by=None)

    content = page(client, menu_url).content.decode()

    assert "Only 2 left" in card(content, "regina")
    assert "left" not in card(content, "margherita")
    # The quantity cannot go above what can be made.
    assert 'max="2"' in card(content, "regina")
    assert 'max="20"' in card(content, "margherita")


def test_a_restaurant_without_the_ingredients_shows_everything_sold_out(client, restaurant_b, menu):
    content = page(client, reverse("restaurant_detail", args=[restaurant_b.slug])).content.decode()

    assert "Sold out" in card(content, "margherita")
    assert reverse("cart_add") not in content


def test_each_product_offers_its_removable_ingredients_and_active_extras(
    client, menu_url, menu, ingredients, stock_a, restaurant_a
):
    ham_extra = f.ExtraFactory(ingredient=ingredients["Jambon"], price=Decimal("2.00"), is_active=False)
    menu["margherita"].extras.add(ham_extra)

    margherita = card(page(client, menu_url).content.decode(), "margherita")

    assert f'name="restaurant" value="{restaurant_a.pk}"' in margherita
    assert f'name="product" value="{menu["margherita"].pk}"' in margherita
    assert f'name="removed" value="{ingredients["Basilic"].pk}"' in margherita
    assert "Without Basilic" in margherita
    # The dough is not removable.
    assert f'name="removed" value="{ingredients["Pâte à pizza"].pk}"' not in margherita
    assert f'name="extras" value="{menu["extra_mozzarella"].pk}"' in margherita
    assert "+1.50" in margherita
    # An extra no longer offered is not shown.
    assert f'name="extras" value="{ham_extra.pk}"' not in margherita
    assert "<details" in margherita


# The restaurant page with a cart in the session, for an anonymous visitor:
#   1. the session (the header shows the cart's count: read from the session, no product query)
#   2-12. the queries of the page with nothing in the cache (see tests/restaurants/test_pages.py)
RESTAURANT_PAGE_WITH_CART_QUERIES = 12


@pytest.mark.parametrize("products", [2, 10])
def test_the_menu_reads_availability_in_constant_queries(
    client, menu_url, menu, stock_a, ingredients, restaurant_a, django_assert_num_queries, products
):
    for n in range(products):
        product = f.ProductFactory()
        f.RecipeLineFactory(product=product, ingredient=ingredients["Mozzarella"], quantity=Decimal(100 + n))
        f.RecipeLineFactory(product=product, ingredient=ingredients["Jambon"], quantity=Decimal("30"))
        product.extras.add(menu["extra_mozzarella"])
    client.post(
        reverse("cart_add"),
        {"restaurant": restaurant_a.pk, "product": menu["margherita"].pk, "quantity": "1"},
    )

    with django_assert_num_queries(RESTAURANT_PAGE_WITH_CART_QUERIES):
        response = page(client, menu_url)

    assert response.status_code == 200
    assert response.context["cart_count"] == 1
    portions = {
        item.product.slug: item.portions_left
        for section in response.context["menu_sections"]
        for item in section.items
    }
    assert portions["margherita"] == 4 and portions["regina"] == 2
    assert len(portions) == products + 2


# ---------- Home: open now, next opening, pick-up anywhere ----------


def test_the_home_page_says_a_restaurant_is_open_until_its_closing_time(client, restaurant_a, time_machine):
    time_machine.move_to(MONDAY_NOON, tick=False)

    content = page(client, reverse("home")).content.decode()

    assert "Open now · until 22:30" in content


def test_the_home_page_gives_the_next_opening_of_a_closed_restaurant(
    client, restaurant_a, restaurant_b, time_machine
):
    time_machine.move_to(MONDAY_NIGHT, tick=False)

    content = page(client, reverse("home")).content.decode()

    assert "Closed · opens tomorrow at 11:30" in content
    # Restaurant B has no opening hours at all.
    assert "Closed for now" in content


def test_the_home_page_gives_a_later_weekday_when_closed_for_days(client, time_machine):
    restaurant = f.RestaurantFactory(slug="weekend")
    f.OpeningHoursFactory(restaurant=restaurant, weekday=4)  # Fridays only
    time_machine.move_to(MONDAY_NOON, tick=False)

    content = page(client, reverse("home")).content.decode()

    assert "Closed · opens Friday at 11:30" in content


def test_the_restaurant_page_invites_to_pre_order_while_closed(client, menu_url, menu, stock_a, time_machine):
    time_machine.move_to(MONDAY_NIGHT, tick=False)

    content = page(client, menu_url).content.decode()

    assert "Closed · opens tomorrow at 11:30" in content
    assert "You can already order for the next opening." in content
    assert reverse("cart_add") in content


def test_the_postcode_search_says_pick_up_is_possible_anywhere(client, restaurant_a, restaurant_b):
    content = page(client, reverse("home"), data={"postal_code": "75004"}).content.decode()

    assert "Pick-up is possible at any of our restaurants" in content
    assert "Picking up? Every restaurant prepares your order to take away" in content
