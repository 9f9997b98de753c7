"""The staff recipe book: who may read it, search by product or ingredient, a product's recipe page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from tests import factories as f


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def steps(menu):
    f.RecipeStepFactory(product=menu["margherita"], position=2, text="Enfourner 90 secondes.")
    f.RecipeStepFactory(product=menu["margherita"], position=1, text="Étaler la pâte.")
    return menu


def sign_in(client, request, who: str):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("pizzaiolo", 200),
        ("driver", 403),
        ("counter", 403),
        ("manager_a", 200),
        ("manager_b", 200),
        ("head_office", 200),
        ("customer", 403),
        ("anonymous", 302),
    ],
)
def test_who_may_read_the_recipes(client, request, menu, restaurant_a, who, expected):
    sign_in(client, request, who)
    assert client.get(reverse("staff_recipes")).status_code == expected
    assert client.get(reverse("staff_recipe", args=["margherita"])).status_code == expected


def test_the_list_shows_each_product_with_quantities_units_steps_and_baking(client, pizzaiolo, steps):
    client.force_login(pizzaiolo)
    page = client.get(reverse("staff_recipes")).content.decode()
    assert "Margherita" in page and "Regina" in page
    assert "Pâte à pizza" in page and "250&nbsp;g" in page and "125&nbsp;g" in page and "60&nbsp;g" in page
    assert page.index("Étaler la pâte.") < page.index("Enfourner 90 secondes.")
    assert "4 min" in page and "450&nbsp;°C" in page
    assert "2 recipes" in page


def test_a_search_finds_products_by_name(client, pizzaiolo, menu):
    client.force_login(pizzaiolo)
    page = client.get(reverse("staff_recipes"), {"q": "regi"}).content.decode()
    assert 'id="recipe-regina"' in page and 'id="recipe-margherita"' not in page
    assert "1 recipe for “regi”" in page


def test_a_search_finds_products_by_ingredient_once_each(client, pizzaiolo, menu):
    client.force_login(pizzaiolo)
    page = client.get(reverse("staff_recipes"), {"q": "JAMB"}).content.decode()
    assert 'id="recipe-regina"' in page and 'id="recipe-margherita"' not in page
    page = client.get(reverse("staff_recipes"), {"q": "mozza"}).content.decode()
    # Both recipes hold mozzarella, each is listed once.
    assert page.count('id="recipe-regina"') == 1 and page.count('id="recipe-margherita"') == 1


def test_a_search_without_a_match_says_so(client, pizzaiolo, menu):
    client.force_login(pizzaiolo)
    page = client.get(reverse("staff_recipes"), {"q": "ananas" * 50}).content.decode()
    assert "No recipe matches this search." in page


def test_products_off_the_menu_are_left_out_of_the_list(client, pizzaiolo, menu):
    menu["regina"].is_active = False
    menu["regina"].save()
    client.force_login(pizzaiolo)
    page = client.get(reverse("staff_recipes")).content.decode()
    assert 'id="recipe-regina"' not in page and 'id="recipe-margherita"' in page


def test_the_list_runs_the_same_queries_for_three_times_the_products(
    client, pizzaiolo, menu, ingredients, django_assert_num_queries
):
    def add(count):
        for _ in range(count):
            product = f.ProductFactory()
            f.RecipeLineFactory(
                product=product, ingredient=ingredients["Mozzarella"], quantity=Decimal("100")
            )
            f.RecipeLineFactory(product=product, ingredient=ingredients["Jambon"], quantity=Decimal("50"))
            f.RecipeStepFactory(product=product)

    client.force_login(pizzaiolo)
    # 1 session, 2 user, 3 the staff memberships with their restaurants (restaurants.staff.access),
    # 4 the products with their categories, 5 their recipe lines with ingredients, 6 their steps.
    with django_assert_num_queries(6):
        page = client.get(reverse("staff_recipes")).content.decode()
    assert page.count('class="card recipe-grid__item"') == 2
    add(4)
    with django_assert_num_queries(6):
        page = client.get(reverse("staff_recipes")).content.decode()
    assert page.count('class="card recipe-grid__item"') == 6
    with django_assert_num_queries(6):
        page = client.get(reverse("staff_recipes"), {"q": "mozza"}).content.decode()
    assert page.count('class="card recipe-grid__item"') == 6


def test_a_products_recipe_page_shows_its_recipe_and_extras(client, pizzaiolo, steps):
    client.force_login(pizzaiolo)
    page = client.get(reverse("staff_recipe", args=["margherita"])).content.decode()
    assert "Margherita" in page and "Sauce tomate" in page and "80&nbsp;g" in page
    assert "Étaler la pâte." in page
    assert "Extras offered" in page
    assert '<th scope="row">+ Mozzarella</th>' in page and "50&nbsp;g" in page and "1.50\u00a0€" in page


def test_an_unknown_product_is_a_404(client, pizzaiolo, menu):
    client.force_login(pizzaiolo)
    assert client.get(reverse("staff_recipe", args=["calzone-inconnue"])).status_code == 404


def test_a_search_with_a_nul_character_finds_as_without_it(client, pizzaiolo, menu):
    """PostgreSQL refuses NUL in a query: it is left out, not a 500 (found by tests/test_fuzz.py)."""
    client.force_login(pizzaiolo)
    response = client.get(reverse("staff_recipes"), {"q": "Marg\x00herita"})
    assert response.status_code == 200
    assert [product.name for product in response.context["products"]] == ["Margherita"]
