"""Prepares the demo data for a load run, through the application's own services, and prints what the load
clients need as JSON: `prepare.py CUSTOMERS CONTENTION_PORTIONS`; `prepare.py last-portion` (after it)
limits one pizza to a single portion at a third restaurant, for the checks of several instances;
`prepare.py soak N` (after it) readies all 5 restaurants for `make soak`: stock raised, N customers each with
an address in the restaurant's delivery zone, two pizzaiolos and a driver each, and a manager.

- Every restaurant is open all day and its oven takes many pizzas per slot (a Friday evening compressed
  into a few seconds would otherwise fill the slots of the whole evening).
- The stock of the restaurants that take the load is raised by restocking (movements in the ledger).
- CUSTOMERS bench customers, each with an address in the delivery zone of the placement restaurant.
- At the contention restaurant, one pizza can be made exactly CONTENTION_PORTIONS times: each of its
  ingredients is counted at CONTENTION_PORTIONS × what one portion needs (inventory movements).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import sys
from datetime import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocpizza.settings")
# The low-stock alerts the preparation triggers stay in memory: stdout carries the JSON.
os.environ["EMAIL_URL"] = "locmem://"

import django

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.db import DatabaseError, connection, transaction  # noqa: E402

from accounts.models import Address, User  # noqa: E402
from menu.models import Product  # noqa: E402
from ocpizza.demo import demo_password  # noqa: E402
from restaurants.models import OpeningHours, Restaurant, Role, StaffMember, Stock  # noqa: E402
from restaurants.services import record_inventory_count, restock  # noqa: E402

PLACEMENT = "lyon-bellecour"
CONTENTION = "lyon-part-dieu"
RAISED_TO = Decimal("500000")
# The pizzas the placement clients order: one with an ingredient left out and an extra, one plain.
PLACEMENT_PIZZAS = ("regina", "quatre-fromages")
CONTENTION_PIZZA = "margherita"


def open_all_day(restaurant: Restaurant) -> None:
    restaurant.opening_hours.all().delete()
    OpeningHours.objects.bulk_create(
        OpeningHours(restaurant=restaurant, weekday=day, opens=time(0, 0), closes=time(23, 59))
        for day in range(7)
    )
    restaurant.pizzas_per_slot = 5000
    restaurant.save(update_fields=["pizzas_per_slot"])


def raise_stock(restaurant: Restaurant) -> None:
    for stock in Stock.objects.filter(restaurant=restaurant).select_related("restaurant"):
        if stock.quantity < RAISED_TO:
            restock(stock=stock, quantity=RAISED_TO - stock.quantity, by=None, note="Benchmark")


def bench_user(email: str, password: str, *, first_name: str, last_name: str, phone: str) -> User:
    """A user who can sign in at once (email verified), with `password`."""
    user, _ = User.objects.get_or_create(
        email=email, defaults={"first_name": first_name, "last_name": last_name}
    )
    user.phone = phone
    user.set_password(password)
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def bench_customers(count: int, restaurant: Restaurant, *, prefix: str = "bench.customer") -> list[dict]:
    zone = restaurant.delivery_zones.order_by("postal_code").first()
    password = secrets.token_urlsafe(16)
    customers = []
    for index in range(count):
        email = f"{prefix}{index}@ocpizza.example"
        user = bench_user(
            email,
            password,
            first_name="Bench",
            last_name=str(index),
            phone=f"06 00 00 {index // 100:02d} {index % 100:02d}",
        )
        address, _ = Address.objects.get_or_create(
            user=user,
            label="Maison",
            defaults={
                "street": f"{index + 1} rue de la République",
                "postal_code": zone.postal_code,
                "city": "Lyon",
            },
        )
        customers.append({"email": email, "password": password, "address": address.pk})
    return customers


def product_choices(slug: str) -> dict:
    product = Product.objects.get(slug=slug)
    removable = [line.ingredient_id for line in product.recipe_lines.filter(removable=True).order_by("id")]
    extras = list(product.extras.filter(is_active=True).order_by("id").values_list("pk", flat=True))
    return {"slug": slug, "id": product.pk, "removable": removable[:1], "extras": extras[:1]}


def limit_to_portions(restaurant: Restaurant, product: Product, portions: int) -> None:
    for line in product.recipe_lines.all():
        stock = Stock.objects.select_related("restaurant").get(
            restaurant=restaurant, ingredient=line.ingredient
        )
        record_inventory_count(stock=stock, counted=line.quantity * portions, by=None, note="Benchmark")


def main(customers: int, portions: int) -> dict:
    placement = Restaurant.objects.get(slug=PLACEMENT)
    contention = Restaurant.objects.get(slug=CONTENTION)
    with transaction.atomic():
        for restaurant in Restaurant.objects.active():
            open_all_day(restaurant)
        raise_stock(placement)
        raise_stock(contention)
        pizza = Product.objects.get(slug=CONTENTION_PIZZA)
        limit_to_portions(contention, pizza, portions)
        people = bench_customers(customers, placement)
    pizzaiolo = (
        StaffMember.objects.filter(restaurant=placement, role=Role.PIZZAIOLO, is_active=True)
        .select_related("user")
        .order_by("id")
        .first()
    )
    return {
        "placement": {
            "restaurant": PLACEMENT,
            "restaurant_id": placement.pk,
            "pizzas": [product_choices(s) for s in PLACEMENT_PIZZAS],
        },
        "contention": {
            "restaurant": CONTENTION,
            "restaurant_id": contention.pk,
            "product_id": pizza.pk,
            "portions": portions,
        },
        "customers": people,
        "pizzaiolo": {"email": pizzaiolo.user.email, "password": demo_password()},
    }


def last_portion() -> dict:
    """At a restaurant the load runs leave alone, the Margherita limited to exactly one portion and the stock
    of everything else raised: the last portion, for bench/instances.py to sell through one instance and look
    for on the other's menu."""
    restaurant = (
        Restaurant.objects.active().exclude(slug__in=[PLACEMENT, CONTENTION]).order_by("slug").first()
    )
    pizza = Product.objects.get(slug=CONTENTION_PIZZA)
    with transaction.atomic():
        raise_stock(restaurant)
        limit_to_portions(restaurant, pizza, 1)
    return {
        "restaurant": restaurant.slug,
        "restaurant_id": restaurant.pk,
        "product": product_choices(pizza.slug),
    }


def soak(customers_per_restaurant: int) -> dict:
    """Every active restaurant ready for an evening: stock raised, its customers, its staff."""
    password = secrets.token_urlsafe(16)
    restaurants = []
    with transaction.atomic():
        for number, restaurant in enumerate(Restaurant.objects.active().order_by("slug")):
            raise_stock(restaurant)
            staff = {}
            for role, count in ((Role.PIZZAIOLO, 2), (Role.DRIVER, 1)):
                staff[role] = []
                for index in range(count):
                    email = f"soak.{role}{index}.{restaurant.slug}@ocpizza.example"
                    user = bench_user(
                        email,
                        password,
                        first_name=role.label,
                        last_name=str(index),
                        phone=f"06 10 {number:02d} 00 {index:02d}",
                    )
                    StaffMember.objects.get_or_create(user=user, restaurant=restaurant, role=role)
                    staff[role].append({"email": email, "password": password})
            restaurants.append(
                {
                    "slug": restaurant.slug,
                    "id": restaurant.pk,
                    "customers": bench_customers(
                        customers_per_restaurant, restaurant, prefix=f"soak.{restaurant.slug}."
                    ),
                    "pizzaiolos": staff[Role.PIZZAIOLO],
                    "driver": staff[Role.DRIVER][0],
                }
            )
        first = Restaurant.objects.active().order_by("slug").first()
        email = "soak.manager@ocpizza.example"
        user = bench_user(email, password, first_name="Manager", last_name="Soak", phone="06 10 99 00 00")
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        StaffMember.objects.get_or_create(user=user, restaurant=first, role=Role.MANAGER)
    pizzas = [product_choices(slug) for slug in ("margherita", *PLACEMENT_PIZZAS)]
    return {
        "restaurants": restaurants,
        "manager": {"email": email, "password": password},
        "pizzas": pizzas,
    }


def settle() -> None:
    """Statistics for the planner and the dirty pages written, so the runs do not measure the preparation:
    what autovacuum and the checkpointer would have done by themselves a few minutes later."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        # Needs a superuser (the throwaway cluster's user is one); optional elsewhere.
        with contextlib.suppress(DatabaseError):
            cursor.execute("CHECKPOINT")


if __name__ == "__main__":
    if sys.argv[1] == "last-portion":
        print(json.dumps(last_portion()))
    elif sys.argv[1] == "soak":
        fixtures = soak(int(sys.argv[2]))
        settle()
        print(json.dumps(fixtures))
    else:
        fixtures = main(int(sys.argv[1]), int(sys.argv[2]))
        settle()
        print(json.dumps(fixtures))
