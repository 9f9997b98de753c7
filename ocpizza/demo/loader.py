"""Write the demo data to the database, and take it out again.

The load is idempotent: every object is looked up by its natural key (slug, ingredient name, email, order
number) and created only when missing; an object that exists is left as it is, so a second run changes
nothing. Stock only changes through `restaurants.services` (an opening inventory, then each order's
reservation), so every stock stays equal to the sum of its movements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.db.models import Model
from django.utils import timezone, translation

from accounts.models import Address, User
from common import renditions
from menu.models import Allergen, Category, Extra, Ingredient, Product, RecipeLine, RecipeStep
from ocpizza.demo import images
from ocpizza.demo.data import (
    CATEGORIES,
    CUSTOMERS,
    EXTRAS,
    HEAD_OFFICE,
    INGREDIENTS,
    PRODUCTS,
    RESTAURANTS,
    PersonSpec,
    ProductSpec,
    RestaurantSpec,
    staff_email,
    step_ingredients,
)
from ocpizza.demo.english import english
from ocpizza.demo.history import Catalogue, OrderWriter, Team
from ocpizza.demo.loyalty_history import earn_history
from ocpizza.demo.offers import load_offers
from ocpizza.demo.pictures import attach_picture, product_picture
from ocpizza.demo.reset import reset_demo
from ocpizza.demo.sales_record import record_history
from ocpizza.demo.scenario import OrderPlan, opening_quantities, order_plans, stock_targets
from orders.models import Order
from restaurants.models import DeliveryZone, OpeningHours, Restaurant, Role, StaffMember, Stock, StockMovement
from restaurants.services import create_stock

# The models the demo fills, for the summary of what a load created.
COUNTED_MODELS = (
    "accounts.User",
    "accounts.Address",
    "menu.Category",
    "menu.Ingredient",
    "menu.Extra",
    "menu.Product",
    "menu.RecipeLine",
    "menu.RecipeStep",
    "restaurants.Restaurant",
    "restaurants.OpeningHours",
    "restaurants.DeliveryZone",
    "restaurants.StaffMember",
    "restaurants.Stock",
    "restaurants.StockMovement",
    "offers.PromoCode",
    "offers.Formule",
    "offers.FormuleComponent",
    "loyalty.Reward",
    "loyalty.Entry",
    "orders.Order",
    "orders.OrderLine",
    "orders.OrderLineExtra",
    "orders.OrderStatusChange",
    "orders.Payment",
    "orders.Refund",
)


@dataclass(frozen=True)
class DemoLogin:
    role: str
    restaurant: str
    email: str
    password: str


@dataclass
class DemoResult:
    logins: list[DemoLogin] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)  # model label → rows this run added


def load_demo(*, password: str, reset: bool = False, now: datetime | None = None) -> DemoResult:
    """Load the demo data in one transaction; with `reset`, delete it first (see `reset_demo`).

    Precondition: migrations applied (the 14 allergens exist). Pictures are generated into the default
    storage only for image fields that are empty; a file already stored under the same name is reused.
    Their renditions are made here rather than left to the worker (`attach_picture`, and after the commit
    for pictures of an earlier load that have none): the demo's pages are light from the first view,
    whether a worker runs or not. Texts are written in French and English (`ocpizza.demo.english`), natural
    keys read in French whatever the caller's language.
    """
    now = now or timezone.now()
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        if reset:
            reset_demo()
        before = _counts()
        loader = _Loader(password=password, now=now)
        loader.load()
        restaurant_ids = list(
            Restaurant.objects.filter(slug__in=[spec.slug for spec in RESTAURANTS]).values_list(
                "pk", flat=True
            )
        )
        record_history(restaurant_ids=restaurant_ids, now=now)
        earn_history(restaurant_ids=restaurant_ids, now=now)
        after = _counts()
    for instance, field_name in renditions.missing_renditions():
        renditions.make(instance, field_name)
    created = {
        label: after[label] - before[label] for label in COUNTED_MODELS if after[label] != before[label]
    }
    return DemoResult(logins=loader.logins, created=created)


def _with_english(instance: Model, **french: str) -> None:
    """Write the English of each translated field given with its demo French text, where the row has no
    English yet and still holds that French text (a demo loaded before the translations existed; a text
    edited since is left alone)."""
    changed = []
    for name, text in french.items():
        if text and not getattr(instance, f"{name}_en") and getattr(instance, f"{name}_fr") == text:
            setattr(instance, f"{name}_en", english(text))
            changed.append(f"{name}_en")
    if changed:
        instance.save(update_fields=changed)


def _counts() -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in COUNTED_MODELS}


class _Loader:
    def __init__(self, *, password: str, now: datetime) -> None:
        self.password = password
        self.now = now
        self.logins: list[DemoLogin] = []
        self._encoded_password = ""
        self._checked_hashes: dict[str, bool] = {}
        self.catalogue = Catalogue()
        self.customers: dict[str, User] = {}

    def load(self) -> None:
        self._load_catalogue()
        head_office = self._user(HEAD_OFFICE, is_staff=True, is_superuser=True)
        self.logins.append(DemoLogin("head office", "", head_office.email, self.password))
        for spec in CUSTOMERS:
            self.customers[spec.email] = self._customer(spec)
            self.logins.append(DemoLogin("customer", "", spec.email, self.password))
        writer = OrderWriter(now=self.now, catalogue=self.catalogue, customers=self.customers)
        load_offers()
        for index, spec in enumerate(RESTAURANTS):
            restaurant = self._restaurant(spec)
            team = self._team(restaurant, spec)
            plans = order_plans(spec, index)
            taken = set(
                Order.objects.filter(number__in=[plan.number for plan in plans]).values_list(
                    "number", flat=True
                )
            )
            pending = [plan for plan in plans if plan.number not in taken]
            self._stock(restaurant, spec, pending, by=team.manager)
            for plan in pending:
                writer.write(restaurant, plan, team)

    # --- People ----------------------------------------------------------------------------------------------

    def _user(self, spec: PersonSpec, *, is_staff: bool = False, is_superuser: bool = False) -> User:
        if not self._encoded_password:
            # One hash for every demo account: hashing is slow on purpose, and the password is the same.
            self._encoded_password = make_password(self.password)
        user, created = User.objects.get_or_create(
            email=spec.email,
            defaults={
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "phone": spec.phone,
                "is_staff": is_staff,
                "is_superuser": is_superuser,
                "password": self._encoded_password,
            },
        )
        if created:
            user.confirm_email()  # the printed logins sign in without a link to click
        if not created and not self._password_matches(user.password):
            # The printed logins must work: a changed DEMO_PASSWORD (or a changed account) is set again.
            user.password = self._encoded_password
            user.save(update_fields=["password"])
        return user

    def _password_matches(self, encoded: str) -> bool:
        if encoded not in self._checked_hashes:
            self._checked_hashes[encoded] = check_password(self.password, encoded)
        return self._checked_hashes[encoded]

    def _customer(self, spec: PersonSpec) -> User:
        user = self._user(spec)
        for address in spec.addresses:
            Address.objects.get_or_create(
                user=user,
                label=address.label,
                street=address.street,
                postal_code=address.postal_code,
                defaults={
                    "city": address.city,
                    "complement": address.complement,
                    "instructions": address.instructions,
                },
            )
        return user

    # --- Menu ------------------------------------------------------------------------------------------------

    def _load_catalogue(self) -> None:
        allergens = {allergen.code: allergen for allergen in Allergen.objects.all()}
        categories = {}
        for spec in CATEGORIES:
            categories[spec.slug], _ = Category.objects.get_or_create(
                slug=spec.slug,
                defaults={"name_fr": spec.name, "name_en": english(spec.name), "position": spec.position},
            )
            _with_english(categories[spec.slug], name=spec.name)
        for spec in INGREDIENTS:
            ingredient, _ = Ingredient.objects.get_or_create(
                name_fr=spec.name, defaults={"name_en": english(spec.name), "unit": spec.unit}
            )
            _with_english(ingredient, name=spec.name)
            if spec.allergens:
                ingredient.allergens.add(*(allergens[code] for code in spec.allergens))
            self.catalogue.ingredients[spec.name] = ingredient
        for spec in EXTRAS:
            self.catalogue.extras[spec.ingredient], _ = Extra.objects.get_or_create(
                ingredient=self.catalogue.ingredients[spec.ingredient],
                defaults={"price": spec.price, "quantity": spec.quantity},
            )
        looks = {spec.name: spec.look for spec in INGREDIENTS}
        extra_names = tuple(spec.ingredient for spec in EXTRAS)
        for position, spec in enumerate(PRODUCTS, start=1):
            product = self._product(spec, category=categories[spec.category], position=position)
            self._recipe(product, spec, extra_names)
            if spec.is_pizza:
                product.extras.add(*self.catalogue.extras.values())
            attach_picture(
                product, "image", f"demo-{spec.slug}.jpg", lambda spec=spec: product_picture(spec, looks)
            )
            self.catalogue.products[spec.slug] = product
        for line in RecipeLine.objects.filter(product__in=self.catalogue.products.values()).order_by("id"):
            self.catalogue.recipes.setdefault(line.product_id, []).append(line)

    def _product(self, spec: ProductSpec, *, category: Category, position: int) -> Product:
        product, _ = Product.objects.get_or_create(
            slug=spec.slug,
            defaults={
                "category": category,
                "name_fr": spec.name,
                "name_en": english(spec.name),
                "description_fr": spec.description,
                "description_en": english(spec.description),
                "price": spec.price,
                "vat_rate": spec.vat_rate,
                "position": position,
                "baking_minutes": spec.baking_minutes,
                "baking_temperature": spec.baking_temperature,
                "station": spec.station,
            },
        )
        _with_english(product, name=spec.name, description=spec.description)
        return product

    def _recipe(self, product: Product, spec: ProductSpec, extra_names: tuple[str, ...]) -> None:
        """A product's recipe and steps are filled only when it has none: a recipe edited since, or a product
        of the same slug created by someone else, is left as it is (the steps' English is set again)."""
        has_recipe = product.recipe_lines.exists()
        for item in () if has_recipe else spec.recipe:
            RecipeLine.objects.get_or_create(
                product=product,
                ingredient=self.catalogue.ingredients[item.ingredient],
                defaults={"quantity": item.quantity, "removable": item.removable},
            )
        existing_steps = list(product.recipe_steps.order_by("position", "id"))
        for step, text in zip(existing_steps, spec.steps, strict=False):
            _with_english(step, text=text)
        steps = () if existing_steps else zip(spec.steps, step_ingredients(spec, extra_names), strict=True)
        for step_position, (text, names) in enumerate(steps, start=1):
            step, created = RecipeStep.objects.get_or_create(
                product=product,
                position=step_position,
                defaults={"text_fr": text, "text_en": english(text)},
            )
            if created:
                step.ingredients.add(*(self.catalogue.ingredients[name] for name in names))

    # --- Restaurants -----------------------------------------------------------------------------------------

    def _restaurant(self, spec: RestaurantSpec) -> Restaurant:
        restaurant, _ = Restaurant.objects.get_or_create(
            slug=spec.slug,
            defaults={
                "name": spec.name,
                "street": spec.street,
                "postal_code": spec.postal_code,
                "city": spec.city,
                "phone": spec.phone,
                "email": spec.email,
                "description_fr": spec.description,
                "description_en": english(spec.description),
                "delivery_fee": spec.delivery_fee,
                "minimum_order": spec.minimum_order,
                "preparation_minutes": spec.preparation_minutes,
                "delivery_minutes": spec.delivery_minutes,
                "pizzas_per_slot": spec.pizzas_per_slot,
            },
        )
        _with_english(restaurant, description=spec.description)
        # Hours and zones are filled only when the restaurant has none (a manager may have changed them).
        has_hours = restaurant.opening_hours.exists()
        for weekday, opens, closes in () if has_hours else spec.hours:
            OpeningHours.objects.get_or_create(
                restaurant=restaurant, weekday=weekday, opens=opens, defaults={"closes": closes}
            )
        has_zones = restaurant.delivery_zones.exists()
        for postal_code in () if has_zones else spec.zones:
            DeliveryZone.objects.get_or_create(restaurant=restaurant, postal_code=postal_code)
        attach_picture(
            restaurant,
            "photo",
            f"demo-{spec.slug}.jpg",
            lambda: images.storefront_photo(spec.name, facade=spec.facade, awning=spec.awning),
        )
        return restaurant

    def _team(self, restaurant: Restaurant, spec: RestaurantSpec) -> Team:
        members: dict[str, list[User]] = {}
        for staff in spec.staff:
            email = staff_email(spec, staff)
            person = PersonSpec(email, staff.first_name, staff.last_name, staff.phone)
            user = self._user(person, is_staff=staff.role == Role.MANAGER)
            member, _ = StaffMember.objects.get_or_create(
                user=user,
                restaurant=restaurant,
                defaults={
                    "role": staff.role,
                    "bio_fr": staff.bio,
                    "bio_en": english(staff.bio) if staff.bio else "",
                },
            )
            _with_english(member, bio=staff.bio)
            if staff.role == Role.PIZZAIOLO:
                attach_picture(
                    member,
                    "photo",
                    f"demo-{email.split('@')[0]}.jpg",
                    lambda email=email, style=staff.portrait: images.chef_photo(email, style=style),
                )
            members.setdefault(staff.role, []).append(user)
            self.logins.append(DemoLogin(staff.role, spec.name, email, self.password))
        return Team(
            manager=members[Role.MANAGER][0],
            pizzaiolos=members[Role.PIZZAIOLO],
            drivers=members[Role.DRIVER],
            counter=members[Role.COUNTER][0],
        )

    def _stock(
        self, restaurant: Restaurant, spec: RestaurantSpec, pending: list[OrderPlan], *, by: User
    ) -> None:
        """Create the missing stock rows, with an opening inventory sized for the orders still to be taken."""
        targets = stock_targets(spec)
        openings = opening_quantities(targets, pending)
        existing = set(Stock.objects.filter(restaurant=restaurant).values_list("ingredient_id", flat=True))
        created = []
        for name, (_target, threshold) in targets.items():
            ingredient = self.catalogue.ingredients[name]
            if ingredient.id in existing:
                continue
            stock = create_stock(
                restaurant=restaurant,
                ingredient=ingredient,
                quantity=openings[name],
                alert_threshold=threshold,
                by=by,
            )
            created.append(stock.id)
        # Back-date the opening counts to before the oldest demo order.
        StockMovement.objects.filter(stock_id__in=created).update(created_at=self.now - timedelta(days=8))
