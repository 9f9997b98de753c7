"""`manage.py load_demo`: the demo data is complete, consistent with the stock ledger, and loads idempotently."""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import F, Sum
from django.test import override_settings
from django.utils import timezone
from PIL import Image
from procrastinate.contrib.django.models import ProcrastinateJob

from accounts.models import User
from common import renditions
from loyalty.models import Entry, Kind, Reward, balance_of
from loyalty.services import points_for
from menu.models import Product
from ocpizza.demo import live_orders_placed_at, reset_demo
from ocpizza.demo.data import RESTAURANTS
from ocpizza.demo.scenario import order_plans
from offers.formules import offers_at
from offers.models import Formule, PromoCode
from orders.models import (
    Fulfilment,
    Order,
    OrderLine,
    PaymentMethod,
    PaymentState,
    PaymentStatus,
    Provider,
    Status,
)
from restaurants.models import MovementReason, Restaurant, Role, StaffMember, Stock
from tests.factories import RestaurantFactory
from tests.queue import empty_queue

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
PUBLIC_PASSWORD = "demo-pizza-2026"
DEMO_SETTINGS = {
    "DEBUG": True,  # pytest-django turns it off; the command refuses to run without it
    "STORAGES": {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    },
    # One hash per load whatever the hasher; a fast one keeps the tests quick.
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
}


@pytest.fixture(autouse=True)
def _no_demo_password_from_the_environment(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    for name, value in DEMO_SETTINGS.items():
        setattr(settings, name, value)
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def load_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def snapshot(media: Path) -> dict:
    """Row counts of every model, every stock quantity, and the files in the media folder."""
    return {
        # The task queue's jobs (the demo orders' emails) are not demo data: the worker consumes them.
        "counts": {
            model._meta.label: model.objects.count()
            for model in apps.get_models()
            if model._meta.app_label != "procrastinate"
        },
        "stock": {
            (stock.restaurant.slug, stock.ingredient.name): stock.quantity
            for stock in Stock.objects.select_related("restaurant", "ingredient")
        },
        "orders": sorted(Order.objects.values_list("number", "status", "total", "payment_status")),
        "files": sorted(str(path.relative_to(media)) for path in media.rglob("*") if path.is_file()),
    }


def ledger_sum(stock: Stock) -> Decimal:
    return stock.movements.aggregate(total=Sum("delta"))["total"] or Decimal("0")


def test_a_second_load_changes_nothing(media_root):
    load_demo()
    first = snapshot(media_root)

    output = load_demo()

    assert "nothing to do" in output
    assert snapshot(media_root) == first
    assert first["counts"]["orders.Order"] == 90
    assert first["files"], "the pictures were generated"


def test_a_load_a_day_later_says_the_live_orders_are_late_and_a_reset_places_them_afresh(
    media_root, time_machine
):
    time_machine.move_to(datetime(2026, 12, 4, 19, 0, tzinfo=ZoneInfo("Europe/Paris")), tick=False)
    assert "live orders were placed" not in load_demo()
    assert "live orders were placed" not in load_demo()

    time_machine.move_to(datetime(2026, 12, 5, 19, 0, tzinfo=ZoneInfo("Europe/Paris")), tick=False)
    output = load_demo()

    assert re.search(r"The demo's live orders were placed 2\d h ago", output)
    assert "load_demo --reset" in output
    output = load_demo("--reset")
    assert "live orders were placed" not in output
    assert timezone.now() - live_orders_placed_at() < timedelta(hours=1)


def test_reset_deletes_the_demo_and_loads_the_same_again(media_root):
    load_demo()
    before = snapshot(media_root)
    margherita = Product.objects.get(slug="margherita")
    margherita.price = Decimal("99.00")
    margherita.save()
    Restaurant.objects.filter(slug="lyon-bellecour").update(name="Renamed")

    load_demo("--reset")

    assert snapshot(media_root) == before
    assert Product.objects.get(slug="margherita").price == Decimal("9.50")
    assert Restaurant.objects.get(slug="lyon-bellecour").name == "OC Pizza Lyon Bellecour"


def test_reset_alone_leaves_the_database_as_it_was_before_the_demo(media_root):
    before = snapshot(media_root)["counts"]
    load_demo()

    reset_demo()

    assert snapshot(media_root)["counts"] == before


def test_reset_keeps_the_menu_rows_that_orders_of_other_restaurants_still_use(media_root):
    load_demo()
    other = RestaurantFactory(slug="villeurbanne", name="OC Pizza Villeurbanne")
    margherita = Product.objects.get(slug="margherita")
    order = Order.objects.create(
        restaurant=other,
        customer_name="Jean Test",
        fulfilment=Fulfilment.PICKUP,
        payment_method=PaymentMethod.AT_COUNTER,
        subtotal=margherita.price,
        total=margherita.price,
    )
    OrderLine.objects.create(
        order=order,
        product=margherita,
        product_name=margherita.name,
        unit_price=margherita.price,
        vat_rate=margherita.vat_rate,
        quantity=1,
        line_total=margherita.price,
    )

    load_demo("--reset")

    assert order.lines.get().product_id == margherita.id
    assert Restaurant.objects.filter(slug="villeurbanne").exists()
    assert Restaurant.objects.count() == 6
    assert Product.objects.filter(slug="margherita").count() == 1


@dataclass(frozen=True)
class LoadedDemo:
    media: Path
    output: str


@pytest.fixture(scope="class")
def loaded_demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo loaded once for the read-only tests of a class, and deleted after them."""
    media = tmp_path_factory.mktemp("demo") / "media"
    with (
        pytest.MonkeyPatch.context() as monkeypatch,
        override_settings(MEDIA_ROOT=media, **DEMO_SETTINGS),
        django_db_blocker.unblock(),
    ):
        monkeypatch.delenv("DEMO_PASSWORD", raising=False)
        output = load_demo()
        try:
            yield LoadedDemo(media=media, output=output)
        finally:
            reset_demo()
            empty_queue()  # the demo orders' email jobs, committed with them


class TestTheLoadedDemo:
    """What one load gives: checked without changing it, so the tests share a single load."""

    def test_pictures_are_real_sized_photos_with_their_renditions_made(self, loaded_demo):
        products = Product.objects.all()
        assert all(product.image for product in products)
        assert all(restaurant.photo for restaurant in Restaurant.objects.all())
        chefs = StaffMember.objects.filter(role=Role.PIZZAIOLO)
        assert all(chef.photo and chef.bio for chef in chefs)
        assert not StaffMember.objects.exclude(role=Role.PIZZAIOLO).exclude(photo="").exists()
        media = loaded_demo.media
        originals = [
            path
            for path in media.rglob("*")
            if path.is_file() and path.relative_to(media).parts[0] != "renditions"
        ]
        assert len(originals) == products.count() + 5 + chefs.count()
        for path in originals:
            with Image.open(path) as image:
                assert (image.format, image.size) == ("JPEG", (1600, 1200)), path
            assert 800 * 1024 < path.stat().st_size < 1300 * 1024, path  # about 1 MB, as a camera's
        # load_demo made every rendition itself: no rendition left for the worker (only the managers'
        # alerts about the stocks the demo leaves low).
        assert list(renditions.missing_renditions()) == []
        assert set(ProcrastinateJob.objects.values_list("task_name", flat=True)) == {
            "restaurants.send_low_stock_alert"
        }
        product = products.first()
        for box in renditions.DISH.boxes():
            assert (media / renditions.rendition_name(product.image, box, "WEBP")).is_file()

    def test_five_restaurants_in_two_cities_with_hours_zones_and_a_full_team(self, loaded_demo):
        restaurants = Restaurant.objects.all()
        assert Counter(restaurants.values_list("city", flat=True)) == {"Lyon": 3, "Paris": 2}
        closed_on_monday = []
        for restaurant in restaurants:
            roles = Counter(restaurant.staff.values_list("role", flat=True))
            assert roles == {Role.MANAGER: 1, Role.PIZZAIOLO: 2, Role.DRIVER: 2, Role.COUNTER: 1}
            days = Counter(restaurant.opening_hours.values_list("weekday", flat=True))
            assert all(periods >= 2 for periods in days.values()), "lunch and evening"
            if 0 not in days:
                closed_on_monday.append(restaurant.slug)
            zones = list(restaurant.delivery_zones.values_list("postal_code", flat=True))
            pattern = r"6900[1-9]" if restaurant.city == "Lyon" else r"750(0[1-9]|1[0-9]|20)"
            assert zones and all(re.fullmatch(pattern, zone) for zone in zones), zones
            assert restaurant.phone and restaurant.email and restaurant.description
            assert restaurant.delivery_fee > 0 and restaurant.minimum_order > 0
        assert closed_on_monday == ["lyon-croix-rousse"]
        lyon_zones = set(
            Restaurant.objects.filter(city="Lyon").values_list("delivery_zones__postal_code", flat=True)
        )
        assert lyon_zones == {f"6900{n}" for n in range(1, 10)}

    def test_managers_and_head_office_use_the_admin_other_staff_do_not(self, loaded_demo):
        for member in StaffMember.objects.select_related("user"):
            assert member.user.is_staff == (member.role == Role.MANAGER), member
            assert not member.user.is_superuser
            assert member.user.first_name and member.user.last_name and member.user.phone
        head_office = User.objects.get(email="siege@ocpizza.example")
        assert head_office.is_staff and head_office.is_superuser

    def test_customers_have_addresses_where_a_restaurant_delivers(self, loaded_demo):
        customers = User.objects.filter(memberships__isnull=True, is_staff=False)
        assert customers.count() == 2
        for customer in customers:
            assert customer.addresses.exists()
            for address in customer.addresses.all():
                assert Restaurant.objects.delivering_to(address.postal_code).exists(), address

    def test_the_menu_has_pizzas_with_recipes_drinks_and_desserts(self, loaded_demo):
        pizzas = Product.objects.filter(category__slug__startswith="pizzas")
        assert pizzas.count() >= 12
        for pizza in pizzas:
            lines = list(pizza.recipe_lines.select_related("ingredient"))
            dough = next(line for line in lines if line.ingredient.name == "Pâte à pizza")
            assert dough.quantity == Decimal("250") and not dough.removable
            assert len(lines) >= 3
            assert 3 <= pizza.recipe_steps.count() <= 6
            assert pizza.baking_minutes and pizza.baking_temperature in (280, 300)
            assert pizza.extras.exists()
            assert pizza.vat_rate == Decimal("10.00")
        for slug in ("boissons", "desserts"):
            products = Product.objects.filter(category__slug=slug)
            assert products.count() >= 3
            for product in products:
                (line,) = product.recipe_lines.select_related("ingredient")
                assert line.quantity == 1 and line.ingredient.unit == "piece"
        assert Product.objects.get(slug="biere-peroni-33cl").vat_rate == Decimal("20.00")
        assert Product.objects.get(slug="coca-cola-33cl").vat_rate == Decimal("10.00")
        allergens = {
            line.ingredient.name: set(line.ingredient.allergens.values_list("code", flat=True))
            for line in Product.objects.get(slug="napolitaine").recipe_lines.select_related("ingredient")
        }
        assert allergens["Pâte à pizza"] == {"gluten"}
        assert allergens["Mozzarella fior di latte"] == {"milk"}
        assert allergens["Filets d'anchois"] == {"fish"}

    def test_the_promo_codes_of_the_demo(self, loaded_demo):
        codes = {code.code: code for code in PromoCode.objects.all()}
        assert {"BIENVENUE10", "MARDISOIR", "LIVRAISONOFFERTE"} <= set(codes)
        assert codes["BIENVENUE10"].first_order_only and codes["BIENVENUE10"].value == Decimal("10")
        assert codes["MARDISOIR"].weekdays == [2] and codes["MARDISOIR"].category.slug == "pizzas-tomate"
        assert codes["LIVRAISONOFFERTE"].kind == "free_delivery"
        assert codes["LIVRAISONOFFERTE"].minimum_order == Decimal("25")

    def test_the_formules_of_the_demo_are_offered_where_everything_can_be_made(self, loaded_demo):
        midi = Formule.objects.get(name_fr="Menu Midi")
        assert (midi.name_en, midi.price, [c.label for c in midi.components.all()]) == (
            "Lunch menu",
            Decimal("19.90"),
            ["Pizza", "Boisson", "Dessert"],
        )
        third = Formule.objects.get(name_fr="3 pizzas, la 3e offerte")
        assert (third.price_rule, [c.quantity for c in third.components.all()]) == ("cheapest_free", [3])
        bellecour = Restaurant.objects.get(slug="lyon-bellecour")
        assert {offer.formule.pk for offer in offers_at(bellecour)} == {midi.pk, third.pk}

    def test_customers_earned_the_points_of_their_handed_over_orders_and_can_try_a_reward(self, loaded_demo):
        rewards = {reward.name: reward for reward in Reward.objects.all()}
        assert {"Une boisson offerte", "Un dessert offert", "Une Margherita offerte"} <= set(rewards)
        assert rewards["Une Margherita offerte"].product.slug == "margherita"
        earned = Entry.objects.filter(kind=Kind.EARNED).select_related("order", "customer")
        assert earned and all(
            entry.order.customer == entry.customer
            and entry.order.status in (Status.DELIVERED, Status.PICKED_UP)
            and entry.created_at == entry.order.completed_at
            and entry.points == points_for(entry.order.total)
            for entry in earned
        )
        camille = User.objects.get(email="camille.lefevre@example.com")
        assert balance_of(camille) >= min(reward.points for reward in rewards.values())

    def test_every_stock_equals_the_sum_of_its_movements_and_none_is_negative(self, loaded_demo):
        stocks = list(Stock.objects.select_related("restaurant", "ingredient"))
        assert len(stocks) == 5 * Stock.objects.values("ingredient").distinct().count()
        for stock in stocks:
            assert stock.quantity >= 0, stock
            assert ledger_sum(stock) == stock.quantity, stock
        assert Stock.objects.filter(quantity__lt=F("alert_threshold")).count() >= 3

    def test_salmon_ran_out_at_batignolles_so_the_saumon_pizza_cannot_be_made_there(self, loaded_demo):
        sold_out = set()
        for restaurant in Restaurant.objects.all():
            stock = dict(restaurant.stocks.values_list("ingredient_id", "quantity"))
            for product in Product.objects.prefetch_related("recipe_lines"):
                if any(
                    stock.get(line.ingredient_id, 0) < line.quantity for line in product.recipe_lines.all()
                ):
                    sold_out.add((restaurant.slug, product.slug))
        assert ("paris-batignolles", "saumon") in sold_out
        assert ("paris-marais", "saumon") not in sold_out
        salmon = Stock.objects.get(restaurant__slug="paris-batignolles", ingredient__name="Saumon fumé")
        assert salmon.quantity == 0

    def test_every_restaurant_has_orders_in_every_status(self, loaded_demo):
        for restaurant in Restaurant.objects.all():
            statuses = set(restaurant.orders.values_list("status", flat=True))
            assert statuses == set(Status.values), restaurant
        assert {number[:7] for number in Order.objects.values_list("number", flat=True)} == {
            "DEM-LB-",
            "DEM-LC-",
            "DEM-LP-",
            "DEM-PM-",
            "DEM-PB-",
        }

    def test_orders_add_up_and_their_history_leads_to_their_status(self, loaded_demo):
        now = timezone.now()

        orders = Order.objects.prefetch_related("lines__extras", "status_changes", "payments__refunds")
        for order in orders:
            lines = list(order.lines.all())
            assert lines
            for line in lines:
                extras = sum((extra.unit_price for extra in line.extras.all()), Decimal("0"))
                assert line.line_total == (line.unit_price + extras) * line.quantity
            assert order.subtotal == sum(line.line_total for line in lines)
            assert order.total == order.subtotal + order.delivery_fee
            if order.fulfilment == Fulfilment.PICKUP:
                assert order.delivery_fee == 0 and not order.delivery_street
            else:
                assert order.delivery_street and order.delivery_postal_code
                assert order.restaurant.delivery_zones.filter(postal_code=order.delivery_postal_code).exists()
                assert order.subtotal >= order.restaurant.minimum_order
            assert order.customer_name and order.customer_phone
            changes = list(order.status_changes.all())
            assert changes[0].from_status == ""
            assert changes[-1].to_status == order.status
            assert all(a.to_status == b.from_status for a, b in pairwise(changes))
            times = [change.created_at for change in changes]
            assert times == sorted(times) and times[0] == order.created_at and times[-1] <= now
        assert Order.objects.filter(lines__removed_ingredients__isnull=False).distinct().count() >= 5
        assert Order.objects.filter(lines__extras__isnull=False).distinct().count() >= 5
        assert set(Order.objects.values_list("channel", flat=True)) == {"web", "phone", "counter"}

    def test_payments_match_the_payment_method_and_status(self, loaded_demo):
        for order in Order.objects.prefetch_related("payments__refunds"):
            succeeded = [
                payment for payment in order.payments.all() if payment.status == PaymentState.SUCCEEDED
            ]
            if order.payment_method == PaymentMethod.ONLINE:
                if order.status == Status.AWAITING_PAYMENT:
                    assert order.payment_status == PaymentStatus.PENDING
                    assert order.payments.get().status == PaymentState.PENDING
                elif order.confirmed_at is None:  # expired before payment
                    assert order.payment_status == PaymentStatus.UNPAID and not succeeded
                else:
                    (payment,) = succeeded
                    assert payment.provider == Provider.DEMO and payment.amount == order.total
                    refunded = payment.refunds.exists()
                    assert refunded == (order.status == Status.CANCELLED)
                    assert order.payment_status == (
                        PaymentStatus.REFUNDED if refunded else PaymentStatus.PAID
                    )
            elif order.status in (Status.DELIVERED, Status.PICKED_UP):
                (payment,) = succeeded
                assert payment.provider in (Provider.CASH, Provider.CARD) and payment.recorded_by is not None
                if order.payment_method == PaymentMethod.CASH_ON_DELIVERY:
                    assert payment.provider == Provider.CASH
                assert order.payment_status == PaymentStatus.PAID
            else:
                assert order.payment_status == PaymentStatus.UNPAID and not succeeded

    def test_orders_hold_their_ingredients_unless_cancelled_before_preparation(self, loaded_demo):
        for order in Order.objects.prefetch_related("lines__extras__extra", "lines__removed_ingredients"):
            needed: Counter = Counter()
            for line in order.lines.all():
                removed = {ingredient.id for ingredient in line.removed_ingredients.all()}
                for recipe_line in line.product.recipe_lines.all():
                    if recipe_line.ingredient_id not in removed:
                        needed[recipe_line.ingredient_id] += recipe_line.quantity * line.quantity
                for line_extra in line.extras.all():
                    needed[line_extra.extra.ingredient_id] += line_extra.extra.quantity * line.quantity
            taken = Counter()
            given_back = Counter()
            for movement in order.stock_movements.select_related("stock"):
                if movement.reason == MovementReason.ORDER:
                    taken[movement.stock.ingredient_id] -= movement.delta
                else:
                    assert movement.reason == MovementReason.ORDER_CANCELLED
                    given_back[movement.stock.ingredient_id] += movement.delta
            assert taken == needed, order
            cancelled_early = order.status == Status.CANCELLED and order.preparing_at is None
            assert given_back == (needed if cancelled_early else Counter()), order

    def test_it_prints_the_logins_and_they_work(self, loaded_demo):
        output = loaded_demo.output

        assert re.search(r"Role\s+Restaurant\s+Email\s+Password", output)
        assert re.search(
            r"manager\s+OC Pizza Lyon Bellecour\s+manager\.bellecour@ocpizza\.example\s+demo-pizza", output
        )
        emails = set(re.findall(r"\S+@\S+", output))
        assert len(emails) == 33  # head office, 2 customers, 6 staff at 5 restaurants
        assert emails == set(User.objects.values_list("email", flat=True))
        assert authenticate(email="pizzaiolo1.marais@ocpizza.example", password=PUBLIC_PASSWORD) is not None
        assert authenticate(email="camille.lefevre@example.com", password=PUBLIC_PASSWORD) is not None


def test_it_refuses_to_run_with_debug_off_without_both_flag_and_password(media_root, settings, monkeypatch):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="allow-production"):
        load_demo()
    with pytest.raises(CommandError, match="DEMO_PASSWORD"):
        load_demo("--allow-production")
    monkeypatch.setenv("DEMO_PASSWORD", "a-chosen-password-2026")
    with pytest.raises(CommandError):
        load_demo()

    assert not Restaurant.objects.exists()
    assert not User.objects.exists()


def test_with_debug_off_the_flag_and_demo_password_load_and_reset_the_passwords(
    media_root, settings, monkeypatch
):
    load_demo()
    counts = snapshot(media_root)["counts"]
    settings.DEBUG = False
    monkeypatch.setenv("DEMO_PASSWORD", "a-chosen-password-2026")

    output = load_demo("--allow-production")

    assert "a-chosen-password-2026" in output and PUBLIC_PASSWORD not in output
    assert snapshot(media_root)["counts"] == counts
    assert authenticate(email="manager.marais@ocpizza.example", password="a-chosen-password-2026") is not None
    assert authenticate(email="manager.marais@ocpizza.example", password=PUBLIC_PASSWORD) is None


# Seven days from a Monday, each at 03:00 and 12:00 Paris time, plus the night of the spring DST change.
_LOAD_TIMES = [datetime(2027, 1, 11 + day, hour, tzinfo=PARIS) for day in range(7) for hour in (3, 12)] + [
    datetime(2027, 3, 28, 1, 30, tzinfo=PARIS),
    datetime(2027, 12, 31, 23, 50, tzinfo=PARIS),
]


@pytest.mark.parametrize("now", _LOAD_TIMES, ids=lambda now: now.strftime("%a-%Y%m%d-%H%M"))
def test_the_history_falls_in_each_restaurants_opening_hours_whatever_the_day_of_the_load(now):
    """Loaded on any day at any hour, every past order was placed while its restaurant served (so none on
    the Monday Croix-Rousse closes); the live orders are placed minutes before the load, as a live screen
    needs."""
    for index, spec in enumerate(RESTAURANTS):
        for plan in order_plans(spec, index):
            placed = timezone.localtime(plan.placed_at(now))
            assert placed < now
            if plan.when.days:
                periods = [(opens, closes) for day, opens, closes in spec.hours if day == placed.weekday()]
                assert any(opens <= placed.time() < closes for opens, closes in periods), (spec.slug, plan)
            else:
                assert now - placed <= timedelta(minutes=plan.when.minutes)
