from __future__ import annotations

from decimal import Decimal

from menu.models import Product
from restaurants.availability import (
    MAX_QUANTITY_PER_LINE,
    portions_left,
    portions_of,
    stock_at,
    why_unavailable,
    with_portions_left,
)
from restaurants.services import record_waste
from tests import factories as f


def test_portions_left_is_the_scarcest_ingredient(restaurant_a, menu, stock_a):
    products = {p.slug: p.portions_left for p in with_portions_left(Product.objects.all(), restaurant_a)}
    # Mozzarella 500 g / 125 g = 4 Margheritas; ham 120 g / 60 g = 2 Reginas.
    assert products == {"margherita": 4, "regina": 2}


def test_an_ingredient_the_restaurant_does_not_keep_makes_the_product_unavailable(restaurant_b, menu):
    assert portions_left(menu["margherita"], restaurant_b) == 0


def test_a_product_without_a_recipe_is_not_available(restaurant_a):
    assert portions_left(f.ProductFactory(), restaurant_a) == 0


def test_staff_see_why_a_product_is_unavailable(restaurant_a, menu, stock_a):
    record_waste(stock=stock_a["Jambon"], quantity=Decimal("100"), by=None)
    assert portions_left(menu["regina"], restaurant_a) == 0
    (missing,) = why_unavailable(menu["regina"], restaurant_a)
    assert (missing.name, missing.available, missing.needed) == ("Jambon", Decimal("20"), Decimal("60"))
    assert "20 g" in str(missing) and "60 g" in str(missing)


def test_the_count_runs_in_one_query_whatever_the_number_of_products(
    restaurant_a, menu, stock_a, ingredients, django_assert_num_queries
):
    for n in range(20):
        product = f.ProductFactory()
        f.RecipeLineFactory(
            product=product, ingredient=ingredients["Mozzarella"], quantity=Decimal("100") + n
        )
    with django_assert_num_queries(1):
        rows = list(with_portions_left(Product.objects.all(), restaurant_a))
    assert len(rows) == 22


def test_a_line_makes_as_many_portions_as_its_scarcest_ingredient_allows(restaurant_a, stock_a, ingredients):
    mozzarella, ham = ingredients["Mozzarella"].pk, ingredients["Jambon"].pk
    available = stock_at(restaurant_a, [mozzarella, ham])
    assert available == {mozzarella: Decimal("500"), ham: Decimal("120")}
    # A Regina with extra ham: 90 g of ham a portion.
    assert portions_of({mozzarella: Decimal("125"), ham: Decimal("90")}, available) == 1
    assert portions_of({ham: Decimal("200")}, available) == 0
    assert portions_of({ham: Decimal("60")}, {}) == 0


def test_a_line_needing_no_counted_ingredient_is_capped_at_the_most_a_line_holds():
    assert portions_of({}, {}) == MAX_QUANTITY_PER_LINE
