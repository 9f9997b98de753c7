"""The catalogue in English (django-modeltranslation, menu/translation.py and its siblings): the demo's pages
read in English show no French word of the catalogue but proper names; head office edits both languages in
the admin; a text missing in English shows the French one; an order's lines are copied in both languages, so
the customer's emails read in the customer's language.

The French words are built from the catalogue itself: every word of four letters or more of its French texts
(product, category and ingredient names, descriptions, recipe steps, restaurant and chef presentations) that
none of its English texts uses (so "Margherita", "Reblochon", "Bellecour" are proper names, not French) and
that the site's English interface does not use either ("main", "restaurants"). What customers wrote
themselves (an order's note, delivery instructions, an address) is theirs, in their language.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import Address, User
from loyalty.models import Reward
from menu.models import Category, Ingredient, Product, RecipeStep
from orders import notifications
from orders.models import Order, OrderLine
from orders.services import Contact, LineRequest, place_order
from restaurants.models import Restaurant, Role, StaffMember
from scripts.translations_check import LOCALE_DIR, parse_po
from tests.ocpizza.test_demo import loaded_demo  # noqa: F401 (a fixture)
from tests.test_french import text_nodes

pytestmark = pytest.mark.django_db

TRANSLATED = (
    (Category, ("name",)),
    (Ingredient, ("name",)),
    (Product, ("name", "description")),
    (RecipeStep, ("text",)),
    (Restaurant, ("description",)),
    (StaffMember, ("bio",)),
    (Reward, ("name",)),
)
WORD = re.compile(r"[^\W\d_]{4,}")


def words(text: str) -> set[str]:
    return {word.casefold() for word in WORD.findall(text.replace("'", " ").replace("\u2019", " "))}


def catalogue_french_words() -> set[str]:
    french, english = set(), set()
    for model, fields in TRANSLATED:
        for row in model.objects.values(*(f"{field}_{code}" for field in fields for code in ("fr", "en"))):
            for field in fields:
                french |= words(row[f"{field}_fr"] or "")
                english |= words(row[f"{field}_en"] or "")
    for entry in parse_po(LOCALE_DIR / "fr" / "LC_MESSAGES" / "django.po"):
        english |= words(entry.msgid)
    return french - english


def customers_own_words() -> set[str]:
    """What customers wrote themselves, as the pages show it."""
    texts = set()
    for row in Order.objects.values_list("note", "delivery_instructions", "delivery_complement"):
        texts |= set(row)
    for row in Address.objects.values_list("label", "complement", "instructions"):
        texts |= set(row)
    return {" ".join(text.split()) for text in texts if text}


def french_in(content: str, french: set[str], *, is_html: bool = True) -> list[str]:
    found = []
    theirs = customers_own_words()
    for node in text_nodes(content, is_html=is_html):
        if node in theirs:
            continue
        if shown := words(node) & french:
            found.append(f"{sorted(shown)} in {node[:120]!r}")
    return found


def english_client(user: User | None = None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user)
    return client


class TestTheDemoInEnglish:
    def test_the_demo_has_every_catalogue_text_in_both_languages(self, loaded_demo):  # noqa: F811
        for model, fields in TRANSLATED:
            for field in fields:
                for code in ("fr", "en"):
                    empty = model.objects.filter(**{f"{field}_{code}__isnull": True})
                    if field == "bio":  # only the pizzaiolos present themselves
                        empty = empty.filter(role=Role.PIZZAIOLO)
                    assert not empty.exists(), (model.__name__, field, code)

    def test_english_pages_show_no_french_word_of_the_catalogue(self, loaded_demo):  # noqa: F811
        french = catalogue_french_words()
        assert {"pâte", "champignons", "enfourner", "napolitaine", "saumon"} <= french
        assert not {"margherita", "reblochon", "bellecour", "mozzarella"} & french

        customer = User.objects.get(email="camille.lefevre@example.com")
        bellecour = Restaurant.objects.get(slug="lyon-bellecour")
        pizzaiolo = StaffMember.objects.filter(restaurant=bellecour, role=Role.PIZZAIOLO).first().user
        driver = StaffMember.objects.filter(restaurant=bellecour, role=Role.DRIVER).first().user
        manager = StaffMember.objects.filter(restaurant=bellecour, role=Role.MANAGER).first().user
        visitor, shopper = english_client(), english_client(customer)

        # A customised pizza in the cart: without an ingredient, with an extra.
        regina = Product.objects.get(slug="regina")
        removable = regina.recipe_lines.filter(removable=True).first().ingredient
        extra = regina.extras.first()
        cart = {"restaurant": bellecour.pk, "product": regina.pk, "quantity": "1"}
        cart |= {"removed": [removable.pk], "extras": [extra.pk]}
        assert shopper.post(reverse("cart_add"), cart).status_code in (200, 302)

        order = Order.objects.filter(customer=customer, restaurant=bellecour).first()
        found: list[str] = []
        pages = [(visitor, reverse("home"))]
        pages += [(visitor, reverse("restaurant_detail", args=[r.slug])) for r in Restaurant.objects.all()]
        pages += [
            (shopper, reverse("cart")),
            (shopper, reverse("checkout")),
            (shopper, reverse("order_list")),
            (shopper, reverse("loyalty_points")),
            (shopper, reverse("order_tracking", args=[order.number])),
            (english_client(pizzaiolo), reverse("staff_kitchen")),
            (english_client(pizzaiolo), reverse("staff_recipes")),
            (english_client(pizzaiolo), reverse("staff_recipe", args=[regina.slug])),
            (english_client(driver), reverse("staff_delivery")),
            (english_client(manager), reverse("staff_stock")),
            (english_client(manager), reverse("staff_dashboard")),
        ]
        for client, url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            assert response["Content-Language"] == "en", url
            found += [f"{url}: {line}" for line in french_in(response.content.decode(), french)]
        assert not found, "\n".join(found)

        # The customer's emails, in the customer's language.
        User.objects.filter(pk=customer.pk).update(language="en")
        Order.objects.filter(pk=order.pk).update(language="en")
        mail.outbox.clear()
        notifications.send(order_id=order.pk, name="order-confirmed", key="english:confirmed")
        message = mail.outbox[-1]
        assert message.subject.startswith("Your order")
        email_found = french_in(message.subject, french, is_html=False)
        email_found += french_in(message.body, french, is_html=False)
        email_found += french_in(message.alternatives[0][0], french)
        assert not email_found, "\n".join(email_found)


# ---------- The translations themselves ----------


def test_a_text_missing_in_english_shows_the_french_one(english, restaurant_a, menu, stock_a):
    margherita = menu["margherita"]
    Product.objects.filter(pk=margherita.pk).update(
        name_en=None, description_fr="Tomate, mozzarella, basilic.", description_en=""
    )
    Product.objects.filter(pk=menu["regina"].pk).update(name_en="Queen")

    content = english.get(reverse("restaurant_detail", args=[restaurant_a.slug])).content.decode()

    assert "Margherita" in content
    assert "Tomate, mozzarella, basilic." in content
    assert "Queen" in content and "Regina" not in content
    with translation.override("en"):
        assert Product.objects.get(pk=margherita.pk).name == "Margherita"


def test_the_menu_costs_the_same_queries_in_english(
    client, restaurant_a, menu, stock_a, django_assert_num_queries
):
    """The English texts are columns of the same rows: no join, no query more (the French page's count)."""
    from tests.restaurants.test_pages import RESTAURANT_PAGE_QUERIES

    url = reverse("restaurant_detail", args=[restaurant_a.slug])
    for language in ("fr", "en"):
        from django.core.cache import caches

        caches["menus"].clear()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        with django_assert_num_queries(RESTAURANT_PAGE_QUERIES):
            response = client.get(url)
        assert response["Content-Language"] == language


def test_the_cached_menu_is_kept_per_language(client, restaurant_a, menu, stock_a):
    Product.objects.filter(pk=menu["regina"].pk).update(name_en="Queen")
    url = reverse("restaurant_detail", args=[restaurant_a.slug])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert "Regina" in client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url).content.decode()
    assert "Queen" in english and "Regina" not in english
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert "Regina" in client.get(url).content.decode()


def test_head_office_edits_a_product_in_both_languages_in_the_admin(client, head_office, menu):
    client.force_login(head_office)
    margherita = menu["margherita"]
    url = reverse("admin:menu_product_change", args=[margherita.pk])
    form = client.get(url).content.decode()
    for name in ("name_fr", "name_en", "description_fr", "description_en"):
        assert f'name="{name}"' in form, name
    assert 'name="name"' not in form
    assert 'name="recipe_steps-__prefix__-text_en"' in form

    data = {
        "category": margherita.category_id,
        "name_fr": "Margherita",
        "name_en": "Margherita",
        "slug": "margherita",
        "description_fr": "Tomate, mozzarella et basilic frais.",
        "description_en": "Tomato, mozzarella and fresh basil.",
        "is_active": "on",
        "position": "0",
        "price": "9.50",
        "vat_rate": "10.00",
        "station": "oven",
        "extras": [menu["extra_mozzarella"].pk],
        **management_forms(margherita),
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    margherita.refresh_from_db()
    assert margherita.description_fr == "Tomate, mozzarella et basilic frais."
    assert margherita.description_en == "Tomato, mozzarella and fresh basil."


def management_forms(product: Product) -> dict:
    """The inline formsets of the product's page as they stand (recipe lines kept, no step)."""
    data = {}
    lines = list(product.recipe_lines.order_by("id"))
    data |= {
        "recipe_lines-TOTAL_FORMS": str(len(lines)),
        "recipe_lines-INITIAL_FORMS": str(len(lines)),
        "recipe_steps-TOTAL_FORMS": "0",
        "recipe_steps-INITIAL_FORMS": "0",
    }
    for index, line in enumerate(lines):
        data |= {
            f"recipe_lines-{index}-id": line.pk,
            f"recipe_lines-{index}-product": product.pk,
            f"recipe_lines-{index}-ingredient": line.ingredient_id,
            f"recipe_lines-{index}-quantity": str(line.quantity),
            f"recipe_lines-{index}-removable": "on" if line.removable else "",
        }
    return data


def test_an_order_line_keeps_its_names_in_both_languages_and_the_email_speaks_the_customers(
    restaurant_a, menu, stock_a, customer, django_capture_on_commit_callbacks
):
    Product.objects.filter(pk=menu["regina"].pk).update(name_en="Queen")
    Ingredient.objects.filter(name_fr="Mozzarella").update(name_en="Mozzarella cheese")
    User.objects.filter(pk=customer.pk).update(language="en")
    customer.refresh_from_db()
    extra = menu["extra_mozzarella"]
    order = place_order(
        restaurant=restaurant_a,
        lines=[LineRequest(product_id=menu["regina"].pk, quantity=1, extra_ids=frozenset({extra.pk}))],
        fulfilment="pickup",
        payment_method="cash_on_delivery",
        contact=Contact(name="Alice Martin", phone="06 12 34 56 78", email=customer.email),
        customer=customer,
    )
    line = OrderLine.objects.get(order=order)
    assert (line.product_name_fr, line.product_name_en) == ("Regina", "Queen")
    assert (line.extras.get().name_fr, line.extras.get().name_en) == ("Mozzarella", "Mozzarella cheese")
    assert order.language == "en"

    # Renamed since: the order keeps its names.
    Product.objects.filter(pk=menu["regina"].pk).update(name_en="Regina Special", price=Decimal("99"))
    mail.outbox.clear()
    with translation.override("fr"):  # the worker's own language does not matter
        notifications.send(order_id=order.pk, name="order-confirmed", key="test:confirmed")
    message = mail.outbox[-1]
    assert message.subject.startswith(f"Your order {order.number}")
    assert "1 × Queen + Mozzarella cheese" in message.body
    assert "Queen" in message.alternatives[0][0]
    assert "Regina" not in message.body


def test_a_manager_reads_the_low_stock_ingredients_in_their_language(restaurant_a, menu, stock_a, manager_a):
    from restaurants.notifications import send_low_stock_alert

    Ingredient.objects.filter(name_fr="Mozzarella").update(name_en="Mozzarella cheese")
    User.objects.filter(pk=manager_a.pk).update(language="en")
    mail.outbox.clear()
    send_low_stock_alert(stock_ids=[stock_a["Mozzarella"].pk], alert="english")
    assert "Mozzarella cheese" in mail.outbox[-1].subject


def test_a_restaurants_presentation_follows_the_language(english, restaurant_a, menu):
    Restaurant.objects.filter(pk=restaurant_a.pk).update(
        description_fr="Notre premier restaurant.", description_en="Our first restaurant."
    )
    content = english.get(reverse("restaurant_detail", args=[restaurant_a.slug])).content.decode()
    assert "Our first restaurant." in content
    assert "Notre premier restaurant." not in content


class TestTheCheckItself:
    def test_a_dish_left_without_its_english_name_is_caught(self, loaded_demo):  # noqa: F811
        french = catalogue_french_words()
        Product.objects.filter(slug="napolitaine").update(name_en=None)
        page = english_client().get(reverse("restaurant_detail", args=["lyon-bellecour"])).content.decode()
        assert any("napolitaine" in line for line in french_in(page, french))


def test_the_dashboards_top_products_read_in_english_with_the_french_fallback(world):
    """The top products are read with values() across the order line's product (common.languages)."""
    client = world.client("manager_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    margherita = world.menu["margherita"]
    Product.objects.filter(pk=margherita.pk).update(name_en="Daisy")
    assert "Daisy" in client.get(reverse("staff_dashboard")).content.decode()
    Product.objects.filter(pk=margherita.pk).update(name_en=None)
    assert "Margherita" in client.get(reverse("staff_dashboard")).content.decode()
