"""The public pages: the restaurants list and a restaurant's page with its menu, and the language switch."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from menu.models import Allergen, AllergenCode
from restaurants.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db

# A 1x1 PNG: enough for an ImageField to store and the page to link.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def allergic_menu(menu, ingredients):
    """The menu of the test world with the allergens of its ingredients declared."""
    ingredients["Pâte à pizza"].allergens.add(Allergen.objects.get(code=AllergenCode.GLUTEN))
    ingredients["Mozzarella"].allergens.add(Allergen.objects.get(code=AllergenCode.MILK))
    ingredients["Jambon"].allergens.add(Allergen.objects.get(code=AllergenCode.SULPHITES))
    return menu


def page(client, url, **kwargs):
    # English, so assertions do not depend on the French catalogue.
    return client.get(url, HTTP_ACCEPT_LANGUAGE="en", **kwargs)


# ---------- Home ----------


def test_home_lists_the_active_restaurants_only(client, restaurant_a, restaurant_b):
    f.RestaurantFactory(name="OC Pizza Villeurbanne (bientôt)", slug="villeurbanne", is_active=False)

    response = page(client, reverse("home"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "OC Pizza Lyon Presqu&#x27;île" in content
    assert "OC Pizza Paris Marais" in content
    assert "Villeurbanne" not in content
    assert reverse("restaurant_detail", args=["lyon-presquile"]) in content


def test_home_reads_the_restaurants_in_two_queries(
    client, restaurant_a, restaurant_b, django_assert_num_queries
):
    f.RestaurantFactory(slug="lyon-part-dieu")

    # 1. the active restaurants; 2. their opening hours.
    with django_assert_num_queries(2):
        response = page(client, reverse("home"))

    assert len(response.context["restaurants"]) == 3


def test_home_shows_opening_hours_in_a_summary(client, restaurant_a):
    content = page(client, reverse("home")).content.decode()

    # Seven days at the same hours make one line.
    assert "Mon–Sun" in content
    assert "11:30–22:30" in content


def test_home_finds_the_restaurants_delivering_to_a_postal_code(client, restaurant_a, restaurant_b):
    content = page(client, reverse("home"), data={"postal_code": "75004"}).content.decode()

    assert "OC Pizza Paris Marais" in content
    assert "Presqu&#x27;île" not in content


def test_home_says_when_a_postal_code_is_not_valid(client, restaurant_a):
    response = page(client, reverse("home"), data={"postal_code": "lyon"})

    content = response.content.decode()
    assert response.status_code == 200
    assert "Enter a French postal code of 5 digits." in content
    assert "Presqu&#x27;île" in content


# ---------- Restaurant page ----------


def test_restaurant_page_shows_the_menu_with_prices_and_allergens(client, restaurant_a, allergic_menu):
    response = page(client, reverse("restaurant_detail", args=["lyon-presquile"]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Margherita" in content
    assert "9.50" in content
    assert "Regina" in content
    assert "12.00" in content
    menu = response.context["menu_sections"]
    allergens = {item.product.slug: [a.code for a in item.allergens] for s in menu for item in s.items}
    # The union over the recipe's ingredients, in the order of the EU list, without duplicates.
    assert allergens == {"margherita": ["gluten", "milk"], "regina": ["gluten", "milk", "sulphites"]}
    assert "Cereals containing gluten, Milk, Sulphur dioxide and sulphites" in content


def test_restaurant_page_shows_hours_delivery_zones_and_fees(client, restaurant_a):
    content = page(client, reverse("restaurant_detail", args=["lyon-presquile"])).content.decode()

    assert "Wednesday" in content
    assert "69001" in content
    assert "69002" in content
    assert "2.50" in content  # delivery fee
    assert "15.00" in content  # minimum order


def test_a_product_card_carries_its_price_and_its_extras_in_cents_for_the_configured_price(
    client, restaurant_a, menu, stock_a
):
    content = page(client, reverse("restaurant_detail", args=["lyon-presquile"])).content.decode()

    assert '<p class="product__price" data-base-cents="950" aria-live="polite">9.50\xa0€</p>' in content
    assert f'name="extras" value="{menu["extra_mozzarella"].pk}" data-extra-cents="150"' in content
    assert '<script src="/static/js/configured-price.js" defer></script>' in content


# Monday 30 November 2026, Paris: restaurant A opens every day from 11:30 to 22:30 (tests/factories.py).
BEFORE_CLOSING = datetime(2026, 11, 30, 22, 29, 30, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.fixture
def before_closing(time_machine):
    """The clock at Monday 22:29:30, before anything is created."""
    time_machine.move_to(BEFORE_CLOSING, tick=False)
    return time_machine


@pytest.mark.parametrize("signed_in", [False, True], ids=["whole-page-cached", "details-cached"])
def test_ready_in_shows_while_open_and_not_from_a_cached_page_past_closing(
    before_closing, client, restaurant_a, customer, signed_in
):
    if signed_in:
        client.force_login(customer)
    url = reverse("restaurant_detail", args=["lyon-presquile"])

    open_now = page(client, url).content.decode()
    before_closing.move_to(BEFORE_CLOSING + timedelta(seconds=40), tick=False)  # 22:30:10
    closed = page(client, url).content.decode()

    assert "Open now · until 22:30" in open_now
    assert "Ready in" in open_now
    assert "Closed · opens tomorrow at 11:30" in closed
    assert "Ready in" not in closed


def test_restaurant_page_shows_the_active_pizzaiolos_with_a_photo(client, restaurant_a):
    photo = SimpleUploadedFile("chef.png", PNG, content_type="image/png")
    chef = f.StaffMemberFactory(
        restaurant=restaurant_a, role=Role.PIZZAIOLO, photo=photo, user__first_name="Giuseppe"
    )
    f.StaffMemberFactory(restaurant=restaurant_a, role=Role.PIZZAIOLO, user__first_name="Sansphoto")
    f.StaffMemberFactory(
        restaurant=restaurant_a,
        role=Role.PIZZAIOLO,
        photo=SimpleUploadedFile("old.png", PNG),
        is_active=False,
        user__first_name="Parti",
    )
    f.StaffMemberFactory(
        restaurant=restaurant_a,
        role=Role.DRIVER,
        photo=SimpleUploadedFile("driver.png", PNG),
        user__first_name="Livreur",
    )

    content = page(client, reverse("restaurant_detail", args=["lyon-presquile"])).content.decode()

    assert "Giuseppe" in content
    assert chef.photo.url in content
    assert "Sansphoto" not in content
    assert "Parti" not in content
    assert "Livreur" not in content


def test_restaurant_page_links_its_video_and_menu_card(client, restaurant_a):
    restaurant_a.video = SimpleUploadedFile("presentation.mp4", b"\x00\x00\x00\x18ftypmp42")
    restaurant_a.menu_card = SimpleUploadedFile("carte.pdf", b"%PDF-1.4 carte")
    restaurant_a.save()

    content = page(client, reverse("restaurant_detail", args=["lyon-presquile"])).content.decode()

    assert "<video controls" in content
    assert restaurant_a.video.url in content
    assert restaurant_a.menu_card.url in content


def test_an_unknown_restaurant_is_a_404(client, restaurant_a):
    assert page(client, reverse("restaurant_detail", args=["marseille"])).status_code == 404


def test_an_inactive_restaurant_is_a_404(client):
    f.RestaurantFactory(slug="ferme", is_active=False)

    assert page(client, reverse("restaurant_detail", args=["ferme"])).status_code == 404


def test_a_missing_page_is_a_404_in_the_site_layout(client):
    response = page(client, "/no-such-page/")

    assert response.status_code == 404
    assert 'class="site-header"' in response.content.decode()
    assert "This page is not on the menu" in response.content.decode()


def add_products(count: int) -> None:
    category = f.CategoryFactory(name="Desserts", slug="desserts", position=2)
    milk = Allergen.objects.get(code=AllergenCode.MILK)
    for _ in range(count):
        product = f.ProductFactory(category=category, price=Decimal("6.00"))
        for _ in range(2):
            line = f.RecipeLineFactory(product=product)
            line.ingredient.allergens.add(milk)


# The restaurant page reads, for an anonymous visitor, whatever the size of the menu:
#   0. the parts of the key of the cached page (restaurants.menu_cache): a miss here
#   1. the restaurant (active, by slug), with the digest of its stock that keys the cached menu
#   2. its opening hours
#   3. its delivery zones
#   4. its active pizzaiolos with a photo, joined with their user
#   4b. the portions left of each product, to find the menu by what it shows: a miss here too
#   5. the active products, joined with their category, with the portions the restaurant can make of each
#      (restaurants.availability: a correlated subquery over recipe lines and stock, no query per product)
#   6. the recipe lines of those products, joined with their ingredient (allergens, removable ingredients)
#   7. the allergens of those ingredients
#   8. the extras offered on those products, joined with their ingredient
#   9. the restaurant's formules (offers.formules: none here; with some, their components and products)
# The header's cart count reads the session only: no query without a session. Queries 4b to 9 run only
# when the menu is not in the cache (tests/restaurants/test_menu_cache.py).
RESTAURANT_PAGE_QUERIES = 11


@pytest.mark.parametrize("products", [3, 9])
def test_restaurant_page_query_count_does_not_grow_with_the_menu(
    client, restaurant_a, allergic_menu, django_assert_num_queries, products
):
    add_products(products)
    photo = SimpleUploadedFile("chef.png", PNG, content_type="image/png")
    f.StaffMemberFactory(restaurant=restaurant_a, role=Role.PIZZAIOLO, photo=photo)
    url = reverse("restaurant_detail", args=["lyon-presquile"])

    with django_assert_num_queries(RESTAURANT_PAGE_QUERIES):
        response = page(client, url)

    assert response.status_code == 200
    assert sum(len(section.items) for section in response.context["menu_sections"]) == products + 2


# ---------- Language ----------


def test_the_language_switch_changes_the_page_language(client, restaurant_a):
    response = client.get(reverse("home"))
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr">' in response.content.decode()
    assert 'action="/i18n/setlang/"' in response.content.decode()

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"

    response = client.get(reverse("home"))
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()
    assert "Our restaurants" in response.content.decode()


# ---------- Layout ----------


def test_pages_load_scripts_from_static_files_only(client, restaurant_a, menu):
    # The Content Security Policy will forbid inline scripts and event handlers.
    for url in (reverse("home"), reverse("restaurant_detail", args=["lyon-presquile"]), "/accounts/login/"):
        content = page(client, url).content.decode()

        scripts = re.findall(r"<script\b[^>]*>", content)
        assert any("django_htmx/htmx-2.min.js" in tag and "defer" in tag for tag in scripts)
        assert all(re.search(r'\bsrc="/static/', tag) for tag in scripts), scripts
        assert not re.search(r"<[^>]+\son[a-z]+=", content)
