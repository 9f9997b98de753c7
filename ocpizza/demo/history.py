"""The demo's orders, written as if each had been taken, prepared, delivered and paid over the past week.

An order is written straight to the tables with its past dates (status changes, stock movements, payments
and refunds back-dated), rather than through the order services, which only know "now". Its stock goes
through `restaurants.services` all the same, so every stock stays equal to the sum of its movements.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise

from accounts.models import User
from common.languages import copied
from menu.models import Extra, Ingredient, Product, RecipeLine
from ocpizza.demo.scenario import OrderPlan, money
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
from restaurants.models import MovementReason, Restaurant, Stock
from restaurants.services import apply_stock_changes, create_stock, restock

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

# A line as written: product, quantity, removed ingredients, extras, line total.
_Line = tuple[Product, int, list[Ingredient], list[Extra], Decimal]


@dataclass
class Team:
    manager: User
    pizzaiolos: list[User]
    drivers: list[User]
    counter: User


@dataclass
class _Story:
    """What happened to one planned order: when, through which statuses, and who did what."""

    plan: OrderPlan
    placed: datetime
    steps: list[tuple[str, str, datetime]]
    customer: User | None
    team: Team
    pizzaiolo: User
    driver: User
    reached: dict[str, datetime] = field(init=False)

    def __post_init__(self) -> None:
        self.reached = {to_status: at for _from, to_status, at in self.steps}

    @property
    def taker(self) -> User:
        return self.customer or self.team.counter


@dataclass
class Catalogue:
    """The demo's catalogue as the loader wrote it, by natural key: what the orders are made of."""

    ingredients: dict[str, Ingredient] = field(default_factory=dict)  # by name
    extras: dict[str, Extra] = field(default_factory=dict)  # by ingredient name
    products: dict[str, Product] = field(default_factory=dict)  # by slug
    recipes: dict[int, list[RecipeLine]] = field(default_factory=dict)  # product id → its recipe lines


@dataclass
class OrderWriter:
    """Writes the planned orders of a restaurant, given the demo's catalogue and customers."""

    now: datetime
    catalogue: Catalogue
    customers: dict[str, User]  # by email

    def write(self, restaurant: Restaurant, plan: OrderPlan, team: Team) -> None:
        rng = random.Random(f"order:{plan.number}")
        placed = plan.placed_at(self.now)
        steps = _steps(plan, placed, rng, now=self.now)
        story = _Story(
            plan=plan,
            placed=placed,
            steps=steps,
            customer=self.customers[plan.customer.email] if plan.customer else None,
            team=team,
            pizzaiolo=rng.choice(team.pizzaiolos),
            driver=rng.choice(team.drivers),
        )
        lines = self._lines(plan)
        order = _create_order(restaurant, story, lines)
        needs = self._write_lines(order, lines)
        self._reserve(restaurant, order, needs, by=story.taker, at=placed)
        if plan.gives_stock_back:
            apply_stock_changes(
                restaurant=restaurant,
                changes=needs,
                reason=MovementReason.ORDER_CANCELLED,
                order=order,
                note=plan.cancel_reason,
            )
            order.stock_movements.filter(reason=MovementReason.ORDER_CANCELLED).update(
                created_at=story.reached[Status.CANCELLED]
            )
        _write_status_changes(order, story)
        payment_status = _payments(order, story, rng)
        last = steps[-1][2]
        Order.objects.filter(pk=order.pk).update(
            created_at=placed, updated_at=last, payment_status=payment_status
        )

    def _lines(self, plan: OrderPlan) -> list[_Line]:
        lines = []
        for line in plan.lines:
            product = self.catalogue.products[line.product]
            removed = [self.catalogue.ingredients[name] for name in line.removed]
            extras = [self.catalogue.extras[name] for name in line.extras]
            unit_price = product.price + sum((extra.price for extra in extras), Decimal("0"))
            lines.append((product, line.quantity, removed, extras, money(unit_price * line.quantity)))
        return lines

    def _write_lines(self, order: Order, lines: list[_Line]) -> dict[int, Decimal]:
        """Write the order's lines; returns what they take from stock, by ingredient id."""
        needs: dict[int, Decimal] = defaultdict(Decimal)
        for product, quantity, removed, extras, line_total in lines:
            order_line = OrderLine.objects.create(
                order=order,
                product=product,
                **copied("product_name", product, "name"),
                unit_price=product.price,
                vat_rate=product.vat_rate,
                quantity=quantity,
                line_total=line_total,
            )
            if removed:
                order_line.removed_ingredients.set(removed)
            for extra in extras:
                OrderLineExtra.objects.create(
                    line=order_line,
                    extra=extra,
                    unit_price=extra.price,
                    **copied("name", extra.ingredient, "name"),
                )
            # What the line takes from stock: recipe minus removed ingredients, plus extras.
            removed_ids = {ingredient.id for ingredient in removed}
            for recipe_line in self.catalogue.recipes.get(product.id, []):
                if recipe_line.ingredient_id not in removed_ids:
                    needs[recipe_line.ingredient_id] += recipe_line.quantity * quantity
            for extra in extras:
                needs[extra.ingredient_id] += extra.quantity * quantity
        return needs

    @staticmethod
    def _reserve(
        restaurant: Restaurant, order: Order, needs: dict[int, Decimal], *, by: User, at: datetime
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


def _create_order(restaurant: Restaurant, story: _Story, lines: list[_Line]) -> Order:
    plan, customer, reached, placed = story.plan, story.customer, story.reached, story.placed
    delivery = plan.fulfilment == Fulfilment.DELIVERY
    confirmed_at = reached.get(Status.RECEIVED)
    requested = None
    if plan.requested_in_minutes:
        slot = placed + timedelta(minutes=plan.requested_in_minutes)
        requested = slot.replace(minute=slot.minute - slot.minute % 15, second=0, microsecond=0)
    due_minutes = restaurant.preparation_minutes + (restaurant.delivery_minutes if delivery else 0)
    subtotal = sum((line_total for *_rest, line_total in lines), Decimal("0"))
    delivery_fee = restaurant.delivery_fee if delivery else Decimal("0")
    address = plan.address
    book_address = None
    if customer and address:
        book_address = customer.addresses.filter(
            street=address.street, postal_code=address.postal_code
        ).first()
    return Order.objects.create(
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
        due_at=requested or (confirmed_at or placed) + timedelta(minutes=due_minutes),
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
        taken_by=None if customer else story.team.counter,
        prepared_by=story.pizzaiolo if Status.PREPARING in reached else None,
        delivered_by=story.driver if Status.OUT_FOR_DELIVERY in reached else None,
        confirmed_at=confirmed_at,
        preparing_at=reached.get(Status.PREPARING),
        ready_at=reached.get(Status.READY),
        out_for_delivery_at=reached.get(Status.OUT_FOR_DELIVERY),
        completed_at=reached.get(Status.DELIVERED) or reached.get(Status.PICKED_UP),
        cancelled_at=reached.get(Status.CANCELLED),
    )


def _write_status_changes(order: Order, story: _Story) -> None:
    team = story.team
    actors = {
        Status.AWAITING_PAYMENT: story.taker,
        Status.PREPARING: story.pizzaiolo,
        Status.READY: story.pizzaiolo,
        Status.OUT_FOR_DELIVERY: story.driver,
        Status.DELIVERED: story.driver,
        Status.PICKED_UP: team.counter,
    }
    for from_status, to_status, at in story.steps:
        actor, reason = actors.get(to_status), ""
        if not from_status:
            actor = story.taker
        elif to_status == Status.RECEIVED and from_status == Status.AWAITING_PAYMENT:
            actor, reason = None, "Paiement en ligne confirmé."
        elif to_status == Status.CANCELLED:
            reason = story.plan.cancel_reason
            actor = {
                Status.AWAITING_PAYMENT: None,
                Status.RECEIVED: story.customer or team.counter,
                Status.OUT_FOR_DELIVERY: team.manager,
            }[from_status]
        change = OrderStatusChange.objects.create(
            order=order, from_status=from_status, to_status=to_status, actor=actor, reason=reason
        )
        OrderStatusChange.objects.filter(pk=change.pk).update(created_at=at)


def _payments(order: Order, story: _Story, rng: random.Random) -> str:
    """Record the money side of the order; returns its payment status."""
    plan, reached = story.plan, story.reached
    if plan.payment_method == PaymentMethod.ONLINE:
        return _online_payment(order, story)
    completed = reached.get(Status.DELIVERED) or reached.get(Status.PICKED_UP)
    if completed is None:
        return PaymentStatus.UNPAID
    if plan.payment_method == PaymentMethod.CASH_ON_DELIVERY:
        provider = Provider.CASH
    elif plan.payment_method == PaymentMethod.CARD_ON_DELIVERY:
        provider = Provider.CARD
    else:
        provider = rng.choice((Provider.CASH, Provider.CARD))
    recorded_by = story.driver if Status.DELIVERED in reached else story.team.counter
    _payment(order, provider, PaymentState.SUCCEEDED, at=completed, recorded_by=recorded_by)
    return PaymentStatus.PAID


def _online_payment(order: Order, story: _Story) -> str:
    plan, reached = story.plan, story.reached
    reference = f"demo_{order.number}"
    if Status.RECEIVED not in reached:
        # Checkout started and never finished: still pending, or expired and cancelled.
        state = PaymentState.CANCELLED if plan.status == Status.CANCELLED else PaymentState.PENDING
        _payment(order, Provider.DEMO, state, at=story.placed, reference=reference)
        return PaymentStatus.UNPAID if state == PaymentState.CANCELLED else PaymentStatus.PENDING
    payment = _payment(
        order, Provider.DEMO, PaymentState.SUCCEEDED, at=reached[Status.RECEIVED], reference=reference
    )
    if not plan.gives_stock_back:
        return PaymentStatus.PAID
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
