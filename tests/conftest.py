"""The test world: two restaurants, their staff, two customers and a short menu with recipes and stock.

- restaurant A ("Lyon Presqu'île") delivers to 69001 and 69002; restaurant B ("Paris Marais") to 75004;
- `customer` has an address in 69001; `other_customer` must never see `customer`'s data;
- `pizzaiolo`, `driver` and `counter` work at A, which `manager_a` manages; `manager_b` manages B;
  `head_office` is a superuser;
- the menu: a Margherita (dough 250 g, tomato 80 g, mozzarella 125 g, basil 2 g) and a Regina
  (same + ham 60 g), mozzarella offered as an extra; A holds stock for a few of each.
"""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.utils import translation

from restaurants.models import Role
from tests import factories as f
from tests.queue import empty_queue
from tests.world import NOON, WEBHOOK_SECRET, World, build_world


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The sales record refuses TRUNCATE (sales migration 0003) except where `sales.allow_truncate` is on:
    on the throwaway test database only, so that Django's flush after a test that commits still empties it."""
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        name = connection.ops.quote_name(connection.settings_dict["NAME"])
        cursor.execute(f"ALTER DATABASE {name} SET sales.allow_truncate = 'on'")
        cursor.execute("SET sales.allow_truncate = 'on'")


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # The manifest storage needs `collectstatic`; tests use the plain storage.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Uploads of a test land in its own folder.
    settings.MEDIA_ROOT = tmp_path / "media"
    # Many accounts are built and few passwords checked: spare them PBKDF2's deliberate slowness.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Database ids repeat from one test to the next: no rendered menu may outlive its test.
    caches["menus"].clear()
    caches["kitchen_tickets"].clear()
    caches["boards"].clear()
    caches["personal"].clear()
    # A request in English leaves English active in the thread, and a translated field (a product's name) is
    # written in the active language's column: each test starts in the site's language.
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_the_queue_after_a_committing_test(request, django_db_blocker):
    """Tests that commit (transaction=True, live_server) leave their jobs behind: Django's flush empties
    only the tables of managed models, and procrastinate's are not. The next test starts with no job."""
    yield
    marker = request.node.get_closest_marker("django_db")
    committing = (marker is not None and marker.kwargs.get("transaction")) or {
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    if committing:
        with django_db_blocker.unblock():
            empty_queue()


@pytest.fixture(autouse=True)
def _legal_pages(request):
    """The first version of each legal page, as its data migration publishes it, for every test that uses
    the database: a test that commits flushes the migration's rows for the tests run after it."""
    marker = request.node.get_closest_marker("django_db")
    committing = (marker is not None and marker.kwargs.get("transaction")) or {
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    if committing:
        request.getfixturevalue("transactional_db")
    elif marker is not None or "db" in request.fixturenames:
        request.getfixturevalue("db")
    else:
        return
    from django.apps import apps

    importlib.import_module("legal.migrations.0002_first_versions").create(apps, None)


@pytest.fixture
def restaurant_a(db):
    restaurant = f.RestaurantFactory(
        name="OC Pizza Lyon Presqu'île", slug="lyon-presquile", postal_code="69002"
    )
    for postal_code in ("69001", "69002"):
        f.DeliveryZoneFactory(restaurant=restaurant, postal_code=postal_code)
    for weekday in range(7):
        f.OpeningHoursFactory(restaurant=restaurant, weekday=weekday)
    return restaurant


@pytest.fixture
def restaurant_b(db):
    restaurant = f.RestaurantFactory(
        name="OC Pizza Paris Marais", slug="paris-marais", postal_code="75004", city="Paris"
    )
    f.DeliveryZoneFactory(restaurant=restaurant, postal_code="75004")
    return restaurant


@pytest.fixture
def customer(db):
    user = f.UserFactory(email="alice@example.com", first_name="Alice", last_name="Martin")
    f.AddressFactory(user=user, postal_code="69001")
    return user


@pytest.fixture
def other_customer(db):
    user = f.UserFactory(email="bob@example.com", first_name="Bob", last_name="Durand")
    f.AddressFactory(user=user, label="Bureau", postal_code="69002")
    return user


@pytest.fixture
def pizzaiolo(restaurant_a):
    return f.StaffMemberFactory(restaurant=restaurant_a, role=Role.PIZZAIOLO).user


@pytest.fixture
def driver(restaurant_a):
    return f.StaffMemberFactory(restaurant=restaurant_a, role=Role.DRIVER).user


@pytest.fixture
def counter(restaurant_a):
    return f.StaffMemberFactory(restaurant=restaurant_a, role=Role.COUNTER).user


@pytest.fixture
def manager_a(restaurant_a):
    return f.StaffMemberFactory(restaurant=restaurant_a, role=Role.MANAGER).user


@pytest.fixture
def manager_b(restaurant_b):
    return f.StaffMemberFactory(restaurant=restaurant_b, role=Role.MANAGER).user


@pytest.fixture
def head_office(db):
    return f.UserFactory(email="siege@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def english(client):
    """Pages in English, whatever the default language, so the tests read the source strings."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def ingredients(db):
    return {
        name: f.IngredientFactory(name=name, unit=unit)
        for name, unit in [
            ("Pâte à pizza", "g"),
            ("Sauce tomate", "g"),
            ("Mozzarella", "g"),
            ("Basilic", "g"),
            ("Jambon", "g"),
        ]
    }


@pytest.fixture
def menu(ingredients):
    margherita = f.ProductFactory(name="Margherita", slug="margherita", price=Decimal("9.50"))
    regina = f.ProductFactory(name="Regina", slug="regina", price=Decimal("12.00"))
    recipe = {"Pâte à pizza": "250", "Sauce tomate": "80", "Mozzarella": "125", "Basilic": "2"}
    for product in (margherita, regina):
        for name, quantity in recipe.items():
            f.RecipeLineFactory(
                product=product,
                ingredient=ingredients[name],
                quantity=Decimal(quantity),
                removable=name != "Pâte à pizza",
            )
    f.RecipeLineFactory(product=regina, ingredient=ingredients["Jambon"], quantity=Decimal("60"))
    extra = f.ExtraFactory(
        ingredient=ingredients["Mozzarella"], price=Decimal("1.50"), quantity=Decimal("50")
    )
    margherita.extras.add(extra)
    regina.extras.add(extra)
    return {"margherita": margherita, "regina": regina, "extra_mozzarella": extra}


@pytest.fixture
def stock_a(restaurant_a, menu, ingredients):
    """Stock at A for 4 Margheritas (mozzarella 500 g is the limit) and 2 Reginas (ham 120 g)."""
    quantities = {
        "Pâte à pizza": "5000",
        "Sauce tomate": "2000",
        "Mozzarella": "500",
        "Basilic": "100",
        "Jambon": "120",
    }
    return {
        name: f.StockFactory(
            restaurant=restaurant_a,
            ingredient=ingredients[name],
            quantity=Decimal(quantity),
            alert_threshold=Decimal("100"),
        )
        for name, quantity in quantities.items()
    }


def pytest_configure(config):
    from django.conf import settings

    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        raise pytest.UsageError(
            "The tests run on PostgreSQL: use `make test`, or set DATABASE_URL to a PostgreSQL database."
        )


@pytest.fixture
def world(
    restaurant_a,
    restaurant_b,
    menu,
    ingredients,
    stock_a,
    customer,
    other_customer,
    pizzaiolo,
    driver,
    manager_b,
    head_office,
    time_machine,
    settings,
) -> World:
    """Every role, an order in each state, stock at both restaurants (tests/world.py): the fuzzing and the
    authorisation sweep share it."""
    time_machine.move_to(NOON, tick=False)
    settings.DEMO_PAYMENTS = True
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    users = {
        "customer": customer,
        "other_customer": other_customer,
        "pizzaiolo": pizzaiolo,
        "driver": driver,
        "manager_b": manager_b,
        "head_office": head_office,
    }
    return build_world(
        restaurant_a=restaurant_a,
        restaurant_b=restaurant_b,
        menu=menu,
        ingredients=ingredients,
        stock_a=stock_a,
        users=users,
    )
