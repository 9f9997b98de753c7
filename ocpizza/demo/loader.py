"""Write the demo data to the database, and take it out again.

The load is idempotent: every object is looked up by its natural key (slug, ingredient name, email, order
number) and created only when missing; an object that exists is left as it is, so a second run changes
nothing. Stock only changes through `restaurants.services` (an opening inventory, then each order's
reservation), so every stock stays equal to the sum of its movements.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise

from django.apps import apps
from django.contrib.auth.hashers import check_password, make_password
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone

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
    demo_emails,
    staff_email,
    step_ingredients,
)
from ocpizza.demo.scenario import OrderPlan, money, opening_quantities, order_plans, stock_targets
from orders.models import (
    Fulfilment,
    Order,
    OrderLine,
    OrderLineExtra,
    OrderStatusChange,
    Payment,
    PaymentMethod,
    PaymentState,
    PaymentStatus,
    Provider,
    Refund,
    RefundState,
    Status,
)
from restaurants.models import (
    DeliveryZone,
    MovementReason,
    OpeningHours,
    Restaurant,
    Role,
    StaffMember,
    Stock,
    StockMovement,
)
from restaurants.services import apply_stock_changes, create_stock, restock

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
    Their renditions are made here rather than left to the worker (`_attach_picture`, and after the commit
    for pictures of an earlier load that have none): the demo's pages are light from the first view,
    whether a worker runs or not.
    """
    now = now or timezone.now()
    with transaction.atomic():
        if reset:
            reset_demo()
        before = _counts()
        loader = _Loader(password=password, now=now)
        loader.load()
        after = _counts()
    for instance, field_name in renditions.missing_renditions():
        renditions.make(instance, field_name)
    created = {
        label: after[label] - before[label] for label in COUNTED_MODELS if after[label] != before[label]
    }
    return DemoResult(logins=loader.logins, created=created)


def reset_demo() -> None:
    """Delete the demo data: orders of the demo restaurants with their payments and stock movements, then
    stock, the restaurants (with hours, zones and staff), the demo menu and the demo users.

    Movements and status changes are append-only, so they go through queryset deletes (never
    `Model.delete()`), in an order that respects the PROTECT foreign keys. Menu rows still used by orders of
    other restaurants are kept. Stored pictures stay: the next load reuses them.
    """
    # Ids are read first so that every delete is a plain `IN (…)`: subqueries joined by OR get poor plans on
    # freshly loaded tables.
    with transaction.atomic():
        restaurant_ids = _ids(Restaurant.objects.filter(slug__in=[spec.slug for spec in RESTAURANTS]))
        order_ids = _ids(Order.objects.filter(restaurant_id__in=restaurant_ids))
        stock_ids = _ids(Stock.objects.filter(restaurant_id__in=restaurant_ids))
        StockMovement.objects.filter(order_id__in=order_ids).delete()
        StockMovement.objects.filter(stock_id__in=stock_ids).delete()
        payment_ids = _ids(Payment.objects.filter(order_id__in=order_ids))
        Refund.objects.filter(payment_id__in=payment_ids).delete()
        Payment.objects.filter(id__in=payment_ids).delete()
        Order.objects.filter(id__in=order_ids).delete()  # lines, their extras and status changes cascade
        Stock.objects.filter(id__in=stock_ids).delete()
        # Opening hours, delivery zones and staff memberships cascade.
        Restaurant.objects.filter(id__in=restaurant_ids).delete()

        # Menu rows that orders of other restaurants still use are kept (PROTECT, and history).
        used_products = set(OrderLine.objects.values_list("product_id", flat=True))
        Product.objects.filter(slug__in=[spec.slug for spec in PRODUCTS]).exclude(
            id__in=used_products
        ).delete()
        used_extras = set(OrderLineExtra.objects.values_list("extra_id", flat=True))
        Extra.objects.filter(ingredient__name__in=[spec.ingredient for spec in EXTRAS]).exclude(
            id__in=used_extras
        ).delete()
        used_ingredients = (
            set(RecipeLine.objects.values_list("ingredient_id", flat=True))
            | set(Stock.objects.values_list("ingredient_id", flat=True))
            | set(Extra.objects.values_list("ingredient_id", flat=True))
            | set(OrderLine.removed_ingredients.through.objects.values_list("ingredient_id", flat=True))
        )
        Ingredient.objects.filter(name__in=[spec.name for spec in INGREDIENTS]).exclude(
            id__in=used_ingredients
        ).delete()
        used_categories = set(Product.objects.values_list("category_id", flat=True))
        Category.objects.filter(slug__in=[spec.slug for spec in CATEGORIES]).exclude(
            id__in=used_categories
        ).delete()
        User.objects.filter(email__in=demo_emails()).delete()


def _ids(queryset: models.QuerySet) -> list[int]:
    return list(queryset.values_list("id", flat=True))


def _counts() -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in COUNTED_MODELS}


def _attach_picture(
    instance: models.Model, field_name: str, filename: str, render: Callable[[], bytes]
) -> None:
    """Fill an empty image field with a generated picture, reusing a file already stored under its name, and
    make its renditions (so the save defers no job for the worker)."""
    file = getattr(instance, field_name)
    if file:
        return
    name = instance._meta.get_field(field_name).generate_filename(instance, filename)
    if file.storage.exists(name):
        file.name = name
    else:
        file.save(filename, ContentFile(render()), save=False)
    renditions.make_files(file, instance.RENDITIONS[field_name])
    made_of = f"{field_name}_renditions_of"
    setattr(instance, made_of, file.name)
    instance.save(update_fields=[field_name, made_of])


@dataclass
class _Team:
    manager: User
    pizzaiolos: list[User]
    drivers: list[User]
    counter: User


class _Loader:
    def __init__(self, *, password: str, now: datetime) -> None:
        self.password = password
        self.now = now
        self.logins: list[DemoLogin] = []
        self._encoded_password = ""
        self._checked_hashes: dict[str, bool] = {}
        self.ingredients: dict[str, Ingredient] = {}
        self.extras: dict[str, Extra] = {}
        self.products: dict[str, Product] = {}
        self.recipes: dict[int, list[RecipeLine]] = {}
        self.customers: dict[str, User] = {}

    def load(self) -> None:
        self._load_catalogue()
        head_office = self._user(HEAD_OFFICE, is_staff=True, is_superuser=True)
        self.logins.append(DemoLogin("head office", "", head_office.email, self.password))
        for spec in CUSTOMERS:
            self.customers[spec.email] = self._customer(spec)
            self.logins.append(DemoLogin("customer", "", spec.email, self.password))
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
                self._order(restaurant, plan, team)

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
                slug=spec.slug, defaults={"name": spec.name, "position": spec.position}
            )
        for spec in INGREDIENTS:
            ingredient, _ = Ingredient.objects.get_or_create(name=spec.name, defaults={"unit": spec.unit})
            if spec.allergens:
                ingredient.allergens.add(*(allergens[code] for code in spec.allergens))
            self.ingredients[spec.name] = ingredient
        for spec in EXTRAS:
            self.extras[spec.ingredient], _ = Extra.objects.get_or_create(
                ingredient=self.ingredients[spec.ingredient],
                defaults={"price": spec.price, "quantity": spec.quantity},
            )
        looks = {spec.name: spec.look for spec in INGREDIENTS}
        extra_names = tuple(spec.ingredient for spec in EXTRAS)
        for position, spec in enumerate(PRODUCTS, start=1):
            product, _ = Product.objects.get_or_create(
                slug=spec.slug,
                defaults={
                    "category": categories[spec.category],
                    "name": spec.name,
                    "description": spec.description,
                    "price": spec.price,
                    "vat_rate": spec.vat_rate,
                    "position": position,
                    "baking_minutes": spec.baking_minutes,
                    "baking_temperature": spec.baking_temperature,
                },
            )
            # A product's recipe and steps are filled only when it has none: a recipe edited since, or a product
            # of the same slug created by someone else, is left as it is.
            has_recipe = product.recipe_lines.exists()
            for item in () if has_recipe else spec.recipe:
                RecipeLine.objects.get_or_create(
                    product=product,
                    ingredient=self.ingredients[item.ingredient],
                    defaults={"quantity": item.quantity, "removable": item.removable},
                )
            has_steps = product.recipe_steps.exists()
            steps = () if has_steps else zip(spec.steps, step_ingredients(spec, extra_names), strict=True)
            for step_position, (text, names) in enumerate(steps, start=1):
                step, created = RecipeStep.objects.get_or_create(
                    product=product, position=step_position, defaults={"text": text}
                )
                if created:
                    step.ingredients.add(*(self.ingredients[name] for name in names))
            if spec.is_pizza:
                product.extras.add(*self.extras.values())
            _attach_picture(
                product, "image", f"demo-{spec.slug}.jpg", lambda spec=spec: _product_picture(spec, looks)
            )
            self.products[spec.slug] = product
        for line in RecipeLine.objects.filter(product__in=self.products.values()).order_by("id"):
            self.recipes.setdefault(line.product_id, []).append(line)

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
                "description": spec.description,
                "delivery_fee": spec.delivery_fee,
                "minimum_order": spec.minimum_order,
                "preparation_minutes": spec.preparation_minutes,
                "delivery_minutes": spec.delivery_minutes,
                "pizzas_per_slot": spec.pizzas_per_slot,
            },
        )
        # Hours and zones are filled only when the restaurant has none (a manager may have changed them).
        has_hours = restaurant.opening_hours.exists()
        for weekday, opens, closes in () if has_hours else spec.hours:
            OpeningHours.objects.get_or_create(
                restaurant=restaurant, weekday=weekday, opens=opens, defaults={"closes": closes}
            )
        has_zones = restaurant.delivery_zones.exists()
        for postal_code in () if has_zones else spec.zones:
            DeliveryZone.objects.get_or_create(restaurant=restaurant, postal_code=postal_code)
        _attach_picture(
            restaurant,
            "photo",
            f"demo-{spec.slug}.jpg",
            lambda: images.storefront_photo(spec.name, facade=spec.facade, awning=spec.awning),
        )
        return restaurant

    def _team(self, restaurant: Restaurant, spec: RestaurantSpec) -> _Team:
        members: dict[str, list[User]] = {}
        for staff in spec.staff:
            email = staff_email(spec, staff)
            person = PersonSpec(email, staff.first_name, staff.last_name, staff.phone)
            user = self._user(person, is_staff=staff.role == Role.MANAGER)
            member, _ = StaffMember.objects.get_or_create(
                user=user, restaurant=restaurant, defaults={"role": staff.role, "bio": staff.bio}
            )
            if staff.role == Role.PIZZAIOLO:
                _attach_picture(
                    member,
                    "photo",
                    f"demo-{email.split('@')[0]}.jpg",
                    lambda email=email, style=staff.portrait: images.chef_photo(email, style=style),
                )
            members.setdefault(staff.role, []).append(user)
            self.logins.append(DemoLogin(staff.role, spec.name, email, self.password))
        return _Team(
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
            ingredient = self.ingredients[name]
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

    # --- Orders ----------------------------------------------------------------------------------------------

    def _order(self, restaurant: Restaurant, plan: OrderPlan, team: _Team) -> None:
        rng = random.Random(f"order:{plan.number}")
        placed = plan.placed_at(self.now)
        customer = self.customers[plan.customer.email] if plan.customer else None
        taker = customer if customer else team.counter
        steps = _steps(plan, placed, rng, now=self.now)
        reached = {to_status: at for _from, to_status, at in steps}
        pizzaiolo, driver = rng.choice(team.pizzaiolos), rng.choice(team.drivers)
        delivery = plan.fulfilment == Fulfilment.DELIVERY
        confirmed_at = reached.get(Status.RECEIVED)
        requested = None
        if plan.requested_in_minutes:
            slot = placed + timedelta(minutes=plan.requested_in_minutes)
            requested = slot.replace(minute=slot.minute - slot.minute % 15, second=0, microsecond=0)
        due_minutes = restaurant.preparation_minutes + (restaurant.delivery_minutes if delivery else 0)
        due_at = requested or (confirmed_at or placed) + timedelta(minutes=due_minutes)

        lines = []
        for line in plan.lines:
            product = self.products[line.product]
            removed = [self.ingredients[name] for name in line.removed]
            extras = [self.extras[name] for name in line.extras]
            unit_price = product.price + sum((extra.price for extra in extras), Decimal("0"))
            lines.append((product, line.quantity, removed, extras, money(unit_price * line.quantity)))
        subtotal = sum((line_total for *_rest, line_total in lines), Decimal("0"))
        delivery_fee = restaurant.delivery_fee if delivery else Decimal("0")
        address = plan.address
        book_address = None
        if customer and address:
            book_address = customer.addresses.filter(
                street=address.street, postal_code=address.postal_code
            ).first()
        order = Order.objects.create(
            number=plan.number,
            restaurant=restaurant,
            customer=customer,
            customer_name=customer.get_full_name() if customer else plan.guest[0],
            customer_phone=customer.phone if customer else plan.guest[1],
            customer_email=customer.email if customer else plan.guest_email,
            channel=plan.channel,
            fulfilment=plan.fulfilment,
            address=book_address,
            delivery_street=address.street if address else "",
            delivery_complement=address.complement if address else "",
            delivery_postal_code=address.postal_code if address else "",
            delivery_city=address.city if address else "",
            delivery_instructions=address.instructions if address else "",
            requested_time=requested,
            due_at=due_at,
            status=plan.status,
            payment_method=plan.payment_method,
            payment_status=PaymentStatus.UNPAID,
            payment_expires_at=placed + timedelta(minutes=30)
            if plan.payment_method == PaymentMethod.ONLINE
            else None,
            subtotal=subtotal,
            delivery_fee=delivery_fee,
            total=subtotal + delivery_fee,
            note=plan.note,
            taken_by=None if customer else team.counter,
            prepared_by=pizzaiolo if Status.PREPARING in reached else None,
            delivered_by=driver if Status.OUT_FOR_DELIVERY in reached else None,
            confirmed_at=confirmed_at,
            preparing_at=reached.get(Status.PREPARING),
            ready_at=reached.get(Status.READY),
            out_for_delivery_at=reached.get(Status.OUT_FOR_DELIVERY),
            completed_at=reached.get(Status.DELIVERED) or reached.get(Status.PICKED_UP),
            cancelled_at=reached.get(Status.CANCELLED),
        )
        needs: dict[int, Decimal] = defaultdict(Decimal)
        for product, quantity, removed, extras, line_total in lines:
            order_line = OrderLine.objects.create(
                order=order,
                product=product,
                product_name=product.name,
                unit_price=product.price,
                vat_rate=product.vat_rate,
                quantity=quantity,
                line_total=line_total,
            )
            if removed:
                order_line.removed_ingredients.set(removed)
            for extra in extras:
                OrderLineExtra.objects.create(
                    line=order_line, extra=extra, name=extra.ingredient.name, unit_price=extra.price
                )
            # What the line takes from stock: recipe minus removed ingredients, plus extras.
            removed_ids = {ingredient.id for ingredient in removed}
            for recipe_line in self.recipes.get(product.id, []):
                if recipe_line.ingredient_id not in removed_ids:
                    needs[recipe_line.ingredient_id] += recipe_line.quantity * quantity
            for extra in extras:
                needs[extra.ingredient_id] += extra.quantity * quantity

        self._reserve(restaurant, order, needs, by=taker, at=placed)
        if plan.gives_stock_back:
            apply_stock_changes(
                restaurant=restaurant,
                changes=needs,
                reason=MovementReason.ORDER_CANCELLED,
                order=order,
                note=plan.cancel_reason,
            )
            order.stock_movements.filter(reason=MovementReason.ORDER_CANCELLED).update(
                created_at=reached[Status.CANCELLED]
            )

        actors = {
            Status.AWAITING_PAYMENT: taker,
            Status.PREPARING: pizzaiolo,
            Status.READY: pizzaiolo,
            Status.OUT_FOR_DELIVERY: driver,
            Status.DELIVERED: driver,
            Status.PICKED_UP: team.counter,
        }
        for from_status, to_status, at in steps:
            actor, reason = actors.get(to_status), ""
            if not from_status:
                actor = taker
            elif to_status == Status.RECEIVED and from_status == Status.AWAITING_PAYMENT:
                actor, reason = None, "Paiement en ligne confirmé."
            elif to_status == Status.CANCELLED:
                reason = plan.cancel_reason
                actor = {
                    Status.AWAITING_PAYMENT: None,
                    Status.RECEIVED: customer or team.counter,
                    Status.OUT_FOR_DELIVERY: team.manager,
                }[from_status]
            change = OrderStatusChange.objects.create(
                order=order, from_status=from_status, to_status=to_status, actor=actor, reason=reason
            )
            OrderStatusChange.objects.filter(pk=change.pk).update(created_at=at)

        payment_status = self._payments(
            order, plan, reached, placed, rng, driver=driver, counter=team.counter
        )
        last = steps[-1][2]
        Order.objects.filter(pk=order.pk).update(
            created_at=placed, updated_at=last, payment_status=payment_status
        )

    def _reserve(
        self, restaurant: Restaurant, order: Order, needs: dict[int, Decimal], *, by: User, at: datetime
    ) -> None:
        """Take an order's ingredients from stock, as placing it did.

        On a first load the opening inventory covers every demo order. When a later run re-creates an order
        that was deleted, or a product's recipe was edited, stock may be short: the shortfall is recorded as
        a delivery first, so the order can be taken and the ledger stays whole.
        """
        stocks = {
            stock.ingredient_id: stock
            for stock in Stock.objects.filter(restaurant=restaurant, ingredient_id__in=needs)
        }
        missing = Ingredient.objects.in_bulk([id_ for id_ in needs if id_ not in stocks])
        for ingredient in missing.values():
            stocks[ingredient.id] = create_stock(
                restaurant=restaurant,
                ingredient=ingredient,
                quantity=Decimal("0"),
                alert_threshold=Decimal("0"),
                by=None,
            )
        for ingredient_id, needed in needs.items():
            stock = stocks[ingredient_id]
            if stock.quantity < needed:
                restock(
                    stock=stock, quantity=needed - stock.quantity, by=None, note="Réassort (démonstration)"
                )
        apply_stock_changes(
            restaurant=restaurant,
            changes={ingredient_id: -needed for ingredient_id, needed in needs.items()},
            reason=MovementReason.ORDER,
            order=order,
            by=by,
        )
        order.stock_movements.filter(reason=MovementReason.ORDER).update(created_at=at)

    def _payments(
        self,
        order: Order,
        plan: OrderPlan,
        reached: dict[str, datetime],
        placed: datetime,
        rng: random.Random,
        *,
        driver: User,
        counter: User,
    ) -> str:
        """Record the money side of the order; returns its payment status."""
        if plan.payment_method == PaymentMethod.ONLINE:
            reference = f"demo_{order.number}"
            if Status.RECEIVED not in reached:
                # Checkout started and never finished: still pending, or expired and cancelled.
                state = PaymentState.CANCELLED if plan.status == Status.CANCELLED else PaymentState.PENDING
                self._payment(order, Provider.DEMO, state, at=placed, reference=reference)
                return PaymentStatus.UNPAID if state == PaymentState.CANCELLED else PaymentStatus.PENDING
            payment = self._payment(
                order, Provider.DEMO, PaymentState.SUCCEEDED, at=reached[Status.RECEIVED], reference=reference
            )
            if plan.gives_stock_back:
                refund = Refund.objects.create(
                    payment=payment,
                    amount=order.total,
                    reason=plan.cancel_reason,
                    status=RefundState.SUCCEEDED,
                    provider_reference=f"demo_refund_{order.number}",
                    idempotency_key=f"demo-refund-{order.number}",
                )
                cancelled_at = reached[Status.CANCELLED]
                Refund.objects.filter(pk=refund.pk).update(created_at=cancelled_at, updated_at=cancelled_at)
                return PaymentStatus.REFUNDED
            return PaymentStatus.PAID
        completed = reached.get(Status.DELIVERED) or reached.get(Status.PICKED_UP)
        if completed is None:
            return PaymentStatus.UNPAID
        if plan.payment_method == PaymentMethod.CASH_ON_DELIVERY:
            provider = Provider.CASH
        elif plan.payment_method == PaymentMethod.CARD_ON_DELIVERY:
            provider = Provider.CARD
        else:
            provider = rng.choice((Provider.CASH, Provider.CARD))
        recorded_by = driver if Status.DELIVERED in reached else counter
        self._payment(order, provider, PaymentState.SUCCEEDED, at=completed, recorded_by=recorded_by)
        return PaymentStatus.PAID

    @staticmethod
    def _payment(
        order: Order,
        provider: str,
        state: str,
        *,
        at: datetime,
        reference: str = "",
        recorded_by: User | None = None,
    ) -> Payment:
        payment = Payment.objects.create(
            order=order,
            provider=provider,
            amount=order.total,
            status=state,
            provider_reference=reference,
            recorded_by=recorded_by,
            succeeded_at=at if state == PaymentState.SUCCEEDED else None,
        )
        Payment.objects.filter(pk=payment.pk).update(created_at=at, updated_at=at)
        return payment


# How long each step of the lifecycle takes, in minutes (low, high).
_DURATIONS: dict[tuple[str, str], tuple[int, int]] = {
    (Status.AWAITING_PAYMENT, Status.RECEIVED): (1, 2),
    (Status.RECEIVED, Status.PREPARING): (3, 8),
    (Status.PREPARING, Status.READY): (10, 14),
    (Status.READY, Status.OUT_FOR_DELIVERY): (2, 6),
    (Status.OUT_FOR_DELIVERY, Status.DELIVERED): (12, 22),
    (Status.READY, Status.PICKED_UP): (5, 15),
    (Status.AWAITING_PAYMENT, Status.CANCELLED): (30, 30),
    (Status.RECEIVED, Status.CANCELLED): (4, 10),
    (Status.OUT_FOR_DELIVERY, Status.CANCELLED): (25, 35),
}


def _path(plan: OrderPlan) -> list[str]:
    """The statuses the order went through, in order, ending with its current one."""
    start = [Status.AWAITING_PAYMENT] if plan.payment_method == PaymentMethod.ONLINE else []
    last = Status.DELIVERED if plan.fulfilment == Fulfilment.DELIVERY else Status.PICKED_UP
    middle = [Status.OUT_FOR_DELIVERY] if plan.fulfilment == Fulfilment.DELIVERY else []
    full = [*start, Status.RECEIVED, Status.PREPARING, Status.READY, *middle, last]
    if plan.status == Status.CANCELLED:
        return [*full[: full.index(plan.cancelled_from) + 1], Status.CANCELLED]
    return full[: full.index(plan.status) + 1]


def _steps(
    plan: OrderPlan, placed: datetime, rng: random.Random, *, now: datetime
) -> list[tuple[str, str, datetime]]:
    """(from, to, time) for each status change, the first from "" at the time the order was placed."""
    path = _path(plan)
    steps = [("", path[0], placed)]
    at = placed
    for from_status, to_status in pairwise(path):
        low, high = _DURATIONS[(from_status, to_status)]
        # Never in the future: a live order's last step happened just now at the latest.
        at = max(at, min(at + timedelta(minutes=rng.randint(low, high), seconds=rng.randint(0, 59)), now))
        steps.append((from_status, to_status, at))
    return steps


def _product_picture(spec: ProductSpec, looks: dict[str, str]) -> bytes:
    options = spec.picture
    if spec.is_pizza:
        toppings = [looks[item.ingredient] for item in spec.recipe if looks.get(item.ingredient)]
        return images.pizza_photo(spec.name, toppings, base=options["base"], folded=options["folded"])
    if "look" in options:
        return images.dessert_photo(spec.name, look=options["look"])
    return images.drink_photo(
        spec.name,
        shape=options["shape"],
        color=options["color"],
        label=options["label"],
        label_color=options.get("label_color", (255, 255, 255)),
    )
