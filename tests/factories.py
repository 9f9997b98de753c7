"""factory_boy factories for the test world (tests/conftest.py names the world itself)."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from accounts.models import Address, User
from menu.models import Category, Extra, Ingredient, Product, RecipeLine, RecipeStep
from restaurants.models import DeliveryZone, OpeningHours, Restaurant, Role, StaffMember, Stock

PASSWORD = "pizza-test-password"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    phone = factory.Sequence(lambda n: f"06 12 34 {n // 100 % 100:02d} {n % 100:02d}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            obj.confirm_email()  # sign-in needs a verified email (ACCOUNT_EMAIL_VERIFICATION)


class AddressFactory(DjangoModelFactory):
    class Meta:
        model = Address

    user = factory.SubFactory(UserFactory)
    label = "Maison"
    street = factory.Sequence(lambda n: f"{n + 1} rue de la République")
    postal_code = "69001"
    city = "Lyon"


class RestaurantFactory(DjangoModelFactory):
    class Meta:
        model = Restaurant

    name = factory.Sequence(lambda n: f"OC Pizza Test {n}")
    slug = factory.Sequence(lambda n: f"oc-pizza-test-{n}")
    street = "10 place Bellecour"
    postal_code = "69002"
    city = "Lyon"
    phone = "04 78 00 00 00"
    email = factory.LazyAttribute(lambda o: f"{o.slug}@ocpizza.example")


class OpeningHoursFactory(DjangoModelFactory):
    class Meta:
        model = OpeningHours

    restaurant = factory.SubFactory(RestaurantFactory)
    weekday = 0
    opens = time(11, 30)
    closes = time(22, 30)


class DeliveryZoneFactory(DjangoModelFactory):
    class Meta:
        model = DeliveryZone

    restaurant = factory.SubFactory(RestaurantFactory)
    postal_code = "69001"


class StaffMemberFactory(DjangoModelFactory):
    class Meta:
        model = StaffMember

    user = factory.SubFactory(UserFactory)
    restaurant = factory.SubFactory(RestaurantFactory)
    role = Role.PIZZAIOLO


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = "Pizzas"
    slug = "pizzas"


class IngredientFactory(DjangoModelFactory):
    class Meta:
        model = Ingredient
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Ingrédient {n}")
    unit = "g"


class ExtraFactory(DjangoModelFactory):
    class Meta:
        model = Extra

    ingredient = factory.SubFactory(IngredientFactory)
    price = Decimal("1.50")
    quantity = Decimal("30")


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product

    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"Pizza {n}")
    slug = factory.Sequence(lambda n: f"pizza-{n}")
    price = Decimal("11.00")
    baking_minutes = 4
    baking_temperature = 450


class RecipeLineFactory(DjangoModelFactory):
    class Meta:
        model = RecipeLine

    product = factory.SubFactory(ProductFactory)
    ingredient = factory.SubFactory(IngredientFactory)
    quantity = Decimal("100")


class RecipeStepFactory(DjangoModelFactory):
    class Meta:
        model = RecipeStep

    product = factory.SubFactory(ProductFactory)
    position = factory.Sequence(lambda n: n)
    text = "Étaler la pâte."


class StockFactory(DjangoModelFactory):
    """Creates the stock through the service, so the ledger holds its opening movement."""

    class Meta:
        model = Stock

    restaurant = factory.SubFactory(RestaurantFactory)
    ingredient = factory.SubFactory(IngredientFactory)
    quantity = Decimal("1000")
    alert_threshold = Decimal("100")

    @classmethod
    def _create(cls, model_class, restaurant, ingredient, quantity, alert_threshold, **kwargs):
        from restaurants.services import create_stock

        return create_stock(
            restaurant=restaurant,
            ingredient=ingredient,
            quantity=quantity,
            alert_threshold=alert_threshold,
            by=None,
        )
