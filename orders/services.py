"""Domain actions on orders: place, move between statuses, cancel, modify, confirm payment.

Every function here is one transaction. Locks are always taken in the same order (restaurant row, then order
row, then stock rows by id), so two actions never deadlock. Side effects (emails, refunds) leave through
`transaction.on_commit`, never while a row lock is held.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Prefetch, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from phonenumber_field.phonenumber import PhoneNumber

from accounts.models import User
from common import formats
from menu.models import Extra, Ingredient, Product, RecipeLine
from orders import notifications, payments
from orders.errors import AlreadyPlaced, OrderError, ProductUnavailable
from orders.models import (
    CUSTOMER_EDITABLE_STATUSES,
    Channel,
    Fulfilment,
    Order,
    OrderLine,
    OrderLineExtra,
    OrderStatusChange,
    Payment,
    PaymentMethod,
    PaymentState,
    PaymentStatus,
    PendingChange,
    Status,
)
from restaurants import schedule
from restaurants.availability import MAX_QUANTITY_PER_LINE
from restaurants.models import DeliveryZone, MovementReason, Restaurant, StockMovement
from restaurants.services import InsufficientStock, apply_stock_changes

MAX_LINES = 30
PAYMENT_WINDOW = timedelta(minutes=30)

# Which payment methods each channel may use.
PAYMENT_METHODS_BY_CHANNEL = {
    Channel.WEB: {PaymentMethod.ONLINE, PaymentMethod.CASH_ON_DELIVERY, PaymentMethod.CARD_ON_DELIVERY},
    Channel.PHONE: {PaymentMethod.CASH_ON_DELIVERY, PaymentMethod.CARD_ON_DELIVERY},
    Channel.COUNTER: {
        PaymentMethod.AT_COUNTER,
        PaymentMethod.CASH_ON_DELIVERY,
        PaymentMethod.CARD_ON_DELIVERY,
    },
}


@dataclass(frozen=True)
class LineRequest:
    """One line as asked for: a product, a quantity, ingredients to leave out and extras to add."""

    product_id: int
    quantity: int
    removed_ids: frozenset[int] = frozenset()
    extra_ids: frozenset[int] = frozenset()

    def to_dict(self) -> dict:
        """The JSON form kept in the session cart and in a PendingChange."""
        return {
            "product_id": self.product_id,
            "quantity": self.quantity,
            "removed": sorted(self.removed_ids),
            "extras": sorted(self.extra_ids),
        }

    @classmethod
    def from_dict(cls, raw: dict) -> LineRequest:
        """Raises KeyError, TypeError or ValueError on data it does not understand."""
        return cls(
            product_id=int(raw["product_id"]),
            quantity=int(raw["quantity"]),
            removed_ids=frozenset(int(i) for i in raw.get("removed", [])),
            extra_ids=frozenset(int(i) for i in raw.get("extras", [])),
        )


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str | PhoneNumber = ""
    email: str = ""


@dataclass(frozen=True)
class DeliveryAddress:
    street: str
    postal_code: str
    city: str
    complement: str = ""
    instructions: str = ""
    address_id: int | None = None


@dataclass
class PricedLine:
    """A checked line: the product, its modifiers, its price and what it takes from stock."""

    product: Product
    quantity: int
    removed: list[Ingredient] = field(default_factory=list)
    extras: list[Extra] = field(default_factory=list)

    @property
    def unit_price(self) -> Decimal:
        return self.product.price + sum((extra.price for extra in self.extras), Decimal("0"))

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity

    @property
    def is_oven_item(self) -> bool:
        return self.product.baking_minutes is not None

    def stock_needs(self) -> dict[int, Decimal]:
        removed = {ingredient.id for ingredient in self.removed}
        needs: dict[int, Decimal] = defaultdict(Decimal)
        for recipe_line in self.product.recipe_lines.all():
            if recipe_line.ingredient_id not in removed:
                needs[recipe_line.ingredient_id] += recipe_line.quantity * self.quantity
        for extra in self.extras:
            needs[extra.ingredient_id] += extra.quantity * self.quantity
        return needs


def products_for_pricing(product_ids: Sequence[int]) -> dict[int, Product]:
    """Active products with their recipe and offered extras, in three queries."""
    products = (
        Product.objects.active()
        .filter(id__in=set(product_ids))
        .prefetch_related(
            Prefetch("recipe_lines", queryset=RecipeLine.objects.select_related("ingredient")),
            Prefetch("extras", queryset=Extra.objects.filter(is_active=True).select_related("ingredient")),
        )
    )
    return {product.id: product for product in products}


def price_lines(lines: Sequence[LineRequest]) -> list[PricedLine]:
    """Check every requested line against the menu. Raises OrderError naming the first problem."""
    if not lines:
        raise OrderError(_("The order is empty."), code="empty_order")
    if len(lines) > MAX_LINES:
        raise OrderError(_("Too many lines in one order."), code="too_many_lines")
    products = products_for_pricing([line.product_id for line in lines])
    priced = []
    for line in lines:
        if not isinstance(line.quantity, int) or not 1 <= line.quantity <= MAX_QUANTITY_PER_LINE:
            raise OrderError(
                _("A quantity must be between 1 and %(max)d.") % {"max": MAX_QUANTITY_PER_LINE},
                code="invalid_quantity",
            )
        product = products.get(line.product_id)
        if product is None:
            raise OrderError(_("This product is not on the menu."), code="unknown_product")
        recipe = {recipe_line.ingredient_id: recipe_line for recipe_line in product.recipe_lines.all()}
        removed = []
        for ingredient_id in sorted(line.removed_ids):
            recipe_line = recipe.get(ingredient_id)
            if recipe_line is None or not recipe_line.removable:
                raise OrderError(
                    _("This ingredient cannot be removed from %(product)s.") % {"product": product.name},
                    code="ingredient_not_removable",
                )
            removed.append(recipe_line.ingredient)
        offered = {extra.id: extra for extra in product.extras.all()}
        extras = []
        for extra_id in sorted(line.extra_ids):
            if extra_id not in offered:
                raise OrderError(
                    _("This extra is not offered on %(product)s.") % {"product": product.name},
                    code="extra_not_offered",
                )
            extras.append(offered[extra_id])
        priced.append(PricedLine(product=product, quantity=line.quantity, removed=removed, extras=extras))
    return priced


def stock_needs(lines: Sequence[PricedLine]) -> dict[int, Decimal]:
    needs: dict[int, Decimal] = defaultdict(Decimal)
    for line in lines:
        for ingredient_id, quantity in line.stock_needs().items():
            needs[ingredient_id] += quantity
    return dict(needs)


def _unavailable(lines: Sequence[PricedLine], error: InsufficientStock) -> ProductUnavailable:
    short = {shortage.ingredient.id for shortage in error.shortages}
    names = []
    for line in lines:
        if short & set(line.stock_needs()) and line.product.name not in names:
            names.append(line.product.name)
    message = ngettext(
        "Sorry, %(products)s is no longer available in that quantity.",
        "Sorry, %(products)s are no longer available in that quantity.",
        len(names),
    ) % {"products": ", ".join(names)}
    return ProductUnavailable(message, products=names)


def _oven_load(restaurant: Restaurant, *, start: datetime, end: datetime, exclude: Order | None) -> dict:
    """Pizzas already due per 15-minute slot between start and end (cancelled orders excluded)."""
    rows = (
        OrderLine.objects.filter(
            order__restaurant=restaurant,
            order__due_at__gte=start,
            order__due_at__lt=end,
            product__baking_minutes__isnull=False,
        )
        .exclude(order__status=Status.CANCELLED)
        .values_list("order__due_at", "order_id")
        .annotate(pizzas=Sum("quantity"))
    )
    load: dict[datetime, int] = defaultdict(int)
    for due_at, order_id, pizzas in rows:
        if exclude is None or order_id != exclude.pk:
            load[schedule.slot_of(due_at)] += pizzas
    return load


def _slots_with_room(
    restaurant: Restaurant, *, pizzas: int, now: datetime, exclude: Order | None = None
) -> tuple[list[datetime], set[datetime]]:
    """The ready slots of the coming days, and those of them with room for `pizzas` more in the oven.

    A slot has room when its pizzas plus these stay within the capacity; an order larger than the
    capacity takes an empty slot on its own.
    """
    lead = timedelta(minutes=restaurant.preparation_minutes)
    slots = schedule.ready_slots(restaurant, now=now, lead=lead)
    if not slots:
        return [], set()
    load = _oven_load(restaurant, start=slots[0], end=slots[-1] + schedule.SLOT, exclude=exclude)
    with_room = {
        slot
        for slot in slots
        if pizzas == 0 or load.get(slot, 0) + pizzas <= restaurant.pizzas_per_slot or load.get(slot, 0) == 0
    }
    return slots, with_room


def _travel(restaurant: Restaurant, fulfilment: str) -> timedelta:
    if fulfilment == Fulfilment.DELIVERY:
        return timedelta(minutes=restaurant.delivery_minutes)
    return timedelta()


def available_times(*, restaurant: Restaurant, fulfilment: str, pizzas: int, now: datetime) -> list[datetime]:
    """The times a customer may ask for (delivered or ready for pick-up), for the checkout's choice."""
    slots, with_room = _slots_with_room(restaurant, pizzas=pizzas, now=now)
    travel = _travel(restaurant, fulfilment)
    return [slot + travel for slot in slots if slot in with_room]


def schedule_order(
    *,
    restaurant: Restaurant,
    fulfilment: str,
    requested_time: datetime | None,
    pizzas: int,
    now: datetime,
    exclude: Order | None = None,
) -> datetime:
    """When the order must be ready (its due time), from the customer's wish and the oven's capacity.

    ASAP takes the first slot with room, from now plus the preparation time (the next opening when closed).
    A requested time must be one of `available_times`; the kitchen's due time is that time, less the
    delivery time for a delivery.
    """
    slots, with_room = _slots_with_room(restaurant, pizzas=pizzas, now=now, exclude=exclude)
    if not slots:
        raise OrderError(_("This restaurant takes no orders in the coming days."), code="no_opening")
    if requested_time is None:
        for slot in slots:
            if slot in with_room:
                return slot
        raise OrderError(_("The kitchen is fully booked; please choose a later time."), code="fully_booked")
    due = requested_time - _travel(restaurant, fulfilment)
    if due not in slots:
        raise OrderError(_("This time is not available; please choose another."), code="invalid_slot")
    if due not in with_room:
        raise OrderError(_("This time is fully booked; please choose another."), code="fully_booked")
    return due


def _check_delivery(restaurant: Restaurant, address: DeliveryAddress | None, subtotal: Decimal) -> None:
    if address is None or not address.street.strip() or not address.postal_code.strip():
        raise OrderError(_("A delivery needs an address."), code="address_required")
    if not DeliveryZone.objects.filter(
        restaurant=restaurant, postal_code=address.postal_code.strip()
    ).exists():
        raise OrderError(
            _("%(restaurant)s does not deliver to %(postal_code)s; choose pick-up or another restaurant.")
            % {"restaurant": restaurant.name, "postal_code": address.postal_code},
            code="postal_code_not_served",
        )
    if subtotal < restaurant.minimum_order:
        raise OrderError(
            _("The minimum order for delivery is %(minimum)s.")
            % {"minimum": formats.euros(restaurant.minimum_order)},
            code="below_minimum",
        )


def place_order(
    *,
    restaurant: Restaurant,
    lines: Sequence[LineRequest],
    fulfilment: str,
    payment_method: str,
    contact: Contact,
    customer: User | None = None,
    address: DeliveryAddress | None = None,
    requested_time: datetime | None = None,
    channel: str = Channel.WEB,
    taken_by: User | None = None,
    note: str = "",
    now: datetime | None = None,
    checkout_token: str = "",
) -> Order:
    """Create an order and reserve its ingredients, all or nothing.

    Preconditions: the restaurant takes orders; lines name active products with removable ingredients and
    offered extras; a delivery goes to a served postal code and reaches the minimum order; the payment
    method suits the channel; the requested time is an offered slot with room.
    Effects: the order (status `received`, or `awaiting_payment` when paid online), its lines, one `order`
    stock movement per ingredient and the first status change; the confirmation email after commit.
    Errors: OrderError (with a code) for any broken rule; ProductUnavailable, naming the products, when the
    stock is short; AlreadyPlaced when an order already carries `checkout_token` (the same checkout sent
    again). Nothing is written when it raises.
    """
    now = now or timezone.now()
    if fulfilment not in Fulfilment.values:
        raise OrderError(_("Choose delivery or pick-up."), code="invalid_fulfilment")
    if payment_method not in PAYMENT_METHODS_BY_CHANNEL.get(channel, set()):
        raise OrderError(_("This payment method is not available here."), code="invalid_payment_method")
    if not contact.name.strip():
        raise OrderError(_("A name is needed for the order."), code="name_required")
    # A PhoneNumber or text: the order's field stores it in E.164 (a valid number) or as it was given.
    phone = str(contact.phone or "").strip()
    if (fulfilment == Fulfilment.DELIVERY or channel == Channel.PHONE) and not phone:
        raise OrderError(_("A phone number is needed for the order."), code="phone_required")
    priced = price_lines(lines)
    subtotal = sum((line.line_total for line in priced), Decimal("0"))
    if fulfilment == Fulfilment.DELIVERY:
        _check_delivery(restaurant, address, subtotal)
    delivery_fee = restaurant.delivery_fee if fulfilment == Fulfilment.DELIVERY else Decimal("0")
    online = payment_method == PaymentMethod.ONLINE

    with transaction.atomic():
        # The restaurant row serialises slot bookings; stock rows are locked after it, in id order.
        restaurant = Restaurant.objects.select_for_update().get(pk=restaurant.pk)
        if not restaurant.is_active:
            raise OrderError(
                _("This restaurant does not take orders at the moment."), code="restaurant_closed"
            )
        # Under the restaurant's lock, so a checkout sent twice at once sees the first one's order.
        if checkout_token:
            placed = (
                Order.objects.filter(checkout_token=checkout_token).values_list("number", flat=True).first()
            )
            if placed:
                raise AlreadyPlaced(_("This order was already placed."), number=placed)
        due_at = schedule_order(
            restaurant=restaurant,
            fulfilment=fulfilment,
            requested_time=requested_time,
            pizzas=sum(line.quantity for line in priced if line.is_oven_item),
            now=now,
        )
        status = Status.AWAITING_PAYMENT if online else Status.RECEIVED
        order = Order.objects.create(
            restaurant=restaurant,
            customer=customer,
            customer_name=contact.name.strip(),
            customer_phone=phone,
            customer_email=contact.email.strip(),
            language=getattr(customer, "language", "") or "fr",
            channel=channel,
            fulfilment=fulfilment,
            address_id=address.address_id if address and fulfilment == Fulfilment.DELIVERY else None,
            **_address_fields(address if fulfilment == Fulfilment.DELIVERY else None),
            requested_time=requested_time,
            due_at=due_at,
            status=status,
            payment_method=payment_method,
            payment_status=PaymentStatus.PENDING if online else PaymentStatus.UNPAID,
            payment_expires_at=now + PAYMENT_WINDOW if online else None,
            subtotal=subtotal,
            delivery_fee=delivery_fee,
            total=subtotal + delivery_fee,
            note=note.strip(),
            taken_by=taken_by,
            confirmed_at=None if online else now,
            checkout_token=checkout_token,
        )
        try:
            apply_stock_changes(
                restaurant=restaurant,
                changes={ingredient_id: -quantity for ingredient_id, quantity in stock_needs(priced).items()},
                reason=MovementReason.ORDER,
                by=taken_by or customer,
                order=order,
            )
        except InsufficientStock as error:
            raise _unavailable(priced, error) from error
        _write_lines(order, priced)
        OrderStatusChange.objects.create(
            order=order, from_status="", to_status=status, actor=taken_by or customer
        )
        if online:
            payments.start_online_payment(order=order)
        else:
            order_id = order.pk
            transaction.on_commit(lambda: notifications.order_confirmed(order_id))
    return order


def _address_fields(address: DeliveryAddress | None) -> dict[str, str]:
    if address is None:
        return {}
    return {
        "delivery_street": address.street.strip(),
        "delivery_complement": address.complement.strip(),
        "delivery_postal_code": address.postal_code.strip(),
        "delivery_city": address.city.strip(),
        "delivery_instructions": address.instructions.strip(),
    }


def _write_lines(order: Order, priced: Sequence[PricedLine]) -> None:
    order_lines = OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                product=line.product,
                product_name=line.product.name,
                unit_price=line.product.price,
                vat_rate=line.product.vat_rate,
                quantity=line.quantity,
                line_total=line.line_total,
            )
            for line in priced
        ]
    )
    removals = []
    extras = []
    for order_line, line in zip(order_lines, priced, strict=True):
        removals += [
            OrderLine.removed_ingredients.through(orderline_id=order_line.pk, ingredient_id=ingredient.pk)
            for ingredient in line.removed
        ]
        extras += [
            OrderLineExtra(line=order_line, extra=extra, name=extra.ingredient.name, unit_price=extra.price)
            for extra in line.extras
        ]
    OrderLine.removed_ingredients.through.objects.bulk_create(removals)
    OrderLineExtra.objects.bulk_create(extras)


def reserved_stock(order: Order) -> dict[int, Decimal]:
    """What the order holds now, per ingredient (positive quantities), from its movements."""
    rows = (
        StockMovement.objects.filter(order=order)
        .values_list("stock__ingredient_id")
        .annotate(total=Sum("delta"))
    )
    return {ingredient_id: -total for ingredient_id, total in rows if total}


_TIMESTAMPS = {
    Status.RECEIVED: "confirmed_at",
    Status.PREPARING: "preparing_at",
    Status.READY: "ready_at",
    Status.OUT_FOR_DELIVERY: "out_for_delivery_at",
    Status.DELIVERED: "completed_at",
    Status.PICKED_UP: "completed_at",
    Status.CANCELLED: "cancelled_at",
}


def transition_order(
    *, order: Order, to: str, by: User | None = None, reason: str = "", now: datetime | None = None
) -> Order:
    """Move an order to another status: the one door through which every status change passes.

    Locks the order row and re-reads its status. A move to the status it already has is a no-op. A move the
    lifecycle (orders.models.TRANSITIONS) does not allow raises OrderError("invalid_transition"). Handing
    over an order to be paid on delivery needs its payment recorded first ("payment_required"). Cancelling
    before preparation gives the ingredients back (`order_cancelled` movements); after it, nothing comes back.
    Writes an OrderStatusChange; the customer's email leaves after commit.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Order.objects.select_for_update().select_related("restaurant").get(pk=order.pk)
        if locked.status == to:
            return locked
        if not locked.can_move_to(to):
            raise OrderError(
                _("An order that is “%(current)s” cannot become “%(target)s”.")
                % {"current": locked.get_status_display(), "target": Status(to).label},
                code="invalid_transition",
            )
        if to in (Status.DELIVERED, Status.PICKED_UP) and locked.payment_status not in (
            PaymentStatus.PAID,
            PaymentStatus.PARTIALLY_REFUNDED,
        ):
            raise OrderError(_("Record the payment before handing over the order."), code="payment_required")
        from_status = locked.status
        if to == Status.CANCELLED and from_status in CUSTOMER_EDITABLE_STATUSES:
            give_back = reserved_stock(locked)
            if give_back:
                apply_stock_changes(
                    restaurant=locked.restaurant,
                    changes=give_back,
                    reason=MovementReason.ORDER_CANCELLED,
                    by=by,
                    order=locked,
                    note=reason[:300],
                )
        locked.status = to
        update_fields = ["status", "updated_at"]
        timestamp = _TIMESTAMPS.get(to)
        if timestamp:
            setattr(locked, timestamp, now)
            update_fields.append(timestamp)
        if to == Status.PREPARING and by is not None:
            locked.prepared_by = by
            update_fields.append("prepared_by")
        if to == Status.OUT_FOR_DELIVERY and by is not None:
            locked.delivered_by = by
            update_fields.append("delivered_by")
        if to == Status.CANCELLED:
            # A checkout left open is void; money still taken later is refunded by confirm_payment.
            for pending in locked.payments.filter(status=PaymentState.PENDING):
                payments.void_checkout_after_commit(pending)
            locked.payments.filter(status=PaymentState.PENDING).update(status=PaymentState.CANCELLED)
            if locked.payment_status == PaymentStatus.PENDING:
                locked.payment_status = PaymentStatus.UNPAID
                update_fields.append("payment_status")
        locked.save(update_fields=update_fields)
        OrderStatusChange.objects.create(
            order=locked, from_status=from_status, to_status=to, actor=by, reason=reason[:300]
        )
        order_id = locked.pk
        transaction.on_commit(lambda: notifications.status_changed(order_id, from_status))
    return locked


def cancel_order(
    *,
    order: Order,
    by: User | None,
    reason: str = "",
    by_customer: bool = True,
    before_preparation_only: bool = False,
) -> Order:
    """Cancel an order. A customer may do it only while `awaiting_payment` or `received`; staff also later
    (a failed delivery), with a reason, unless `before_preparation_only` (the counter's cancel). Stock comes
    back only before preparation; a paid order is refunded through its payment provider after commit.
    Raises OrderError("too_late") once preparation started when the caller may not cancel then; the check
    is made under the order's lock, so it holds against a pizzaiolo starting the order at the same time."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status == Status.CANCELLED:
            return locked
        if (by_customer or before_preparation_only) and locked.status not in CUSTOMER_EDITABLE_STATUSES:
            raise OrderError(
                _("This order is already being prepared and can no longer be cancelled."), code="too_late"
            )
        if not by_customer and locked.status not in CUSTOMER_EDITABLE_STATUSES and not reason.strip():
            raise OrderError(_("Say why the order is cancelled."), code="reason_required")
        was_paid = locked.payment_status in (PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED)
        cancelled = transition_order(order=locked, to=Status.CANCELLED, by=by, reason=reason)
        if was_paid:
            payments.refund_order_after_commit(cancelled, amount=None, reason=reason or _("Order cancelled"))
    return cancelled


def modify_order(
    *, order: Order, lines: Sequence[LineRequest], by: User | None, now: datetime | None = None
) -> Order:
    """Replace an order's lines while it is `awaiting_payment` or `received`.

    The stock follows the difference (`order_modified` movements), the totals are recomputed and the oven
    slot re-checked. When an online order's total changes (orders.payments.settle_difference_after_commit):
    awaiting payment, its checkout asks for the new total; paid, a fall is refunded, and a rise is not applied
    but kept as a PendingChange with a payment of the difference, applied by confirm_payment once paid
    (apply_pending_change). Raises OrderError("too_late") once preparation started,
    ProductUnavailable when the new lines cannot be made; nothing changes when it raises.
    """
    now = now or timezone.now()
    priced = price_lines(lines)
    subtotal = sum((line.line_total for line in priced), Decimal("0"))
    with transaction.atomic():
        restaurant = Restaurant.objects.select_for_update().get(pk=order.restaurant_id)
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status not in CUSTOMER_EDITABLE_STATUSES:
            raise OrderError(
                _("This order is already being prepared and can no longer be changed."), code="too_late"
            )
        if locked.fulfilment == Fulfilment.DELIVERY and subtotal < restaurant.minimum_order:
            raise OrderError(
                _("The minimum order for delivery is %(minimum)s.")
                % {"minimum": formats.euros(restaurant.minimum_order)},
                code="below_minimum",
            )
        if locked.requested_time is not None or locked.due_at is not None:
            pizzas = sum(line.quantity for line in priced if line.is_oven_item)
            try:
                locked.due_at = schedule_order(
                    restaurant=restaurant,
                    fulfilment=locked.fulfilment,
                    requested_time=locked.requested_time,
                    pizzas=pizzas,
                    now=now,
                    exclude=locked,
                )
            except OrderError:
                # Keeping its slot is fine when the slot is still in the future: it was booked already.
                if locked.due_at is None or locked.due_at < now:
                    raise
        held = reserved_stock(locked)
        needed = stock_needs(priced)
        changes = {
            ingredient_id: held.get(ingredient_id, Decimal("0")) - needed.get(ingredient_id, Decimal("0"))
            for ingredient_id in set(held) | set(needed)
        }
        # Any change still waiting for its payment is replaced by this one.
        _cancel_open_pending_changes(locked)
        owed = subtotal + locked.delivery_fee - payments.paid_amount(locked)
        if locked.is_paid_online and locked.status != Status.AWAITING_PAYMENT and owed > 0:
            # Paid, and the total rises: the change waits for the payment of the difference.
            _check_stock_without_changing_it(restaurant, changes, priced)
            payment = payments.start_online_payment(order=locked, amount=owed)
            PendingChange.objects.create(
                order=locked,
                payment=payment,
                lines=[line.to_dict() for line in lines],
                total=subtotal + locked.delivery_fee,
                requested_by=by,
            )
            return locked
        try:
            apply_stock_changes(
                restaurant=restaurant,
                changes=changes,
                reason=MovementReason.ORDER_MODIFIED,
                by=by,
                order=locked,
            )
        except InsufficientStock as error:
            raise _unavailable(priced, error) from error
        previous_total = locked.total
        locked.lines.all().delete()
        _write_lines(locked, priced)
        locked.subtotal = subtotal
        locked.total = subtotal + locked.delivery_fee
        locked.save(update_fields=["subtotal", "total", "due_at", "updated_at"])
        OrderStatusChange.objects.create(
            order=locked,
            from_status=locked.status,
            to_status=locked.status,
            actor=by,
            reason=_("Order modified"),
        )
        if locked.total != previous_total and locked.is_paid_online:
            # Awaiting payment: the checkout is re-priced. Paid: a fall is refunded (a rise never gets here:
            # it waits above as a PendingChange).
            payments.settle_difference_after_commit(locked, previous_total=previous_total)
        order_id = locked.pk
        transaction.on_commit(lambda: notifications.order_modified(order_id))
    return locked


class _DryRun(Exception):
    pass


def _check_stock_without_changing_it(
    restaurant: Restaurant, changes: dict, priced: Sequence[PricedLine]
) -> None:
    """Raise ProductUnavailable when the changes cannot be made now; change nothing either way."""
    try:
        with transaction.atomic():
            apply_stock_changes(restaurant=restaurant, changes=changes, reason=MovementReason.ORDER_MODIFIED)
            raise _DryRun
    except _DryRun:
        return
    except InsufficientStock as error:
        raise _unavailable(priced, error) from error


def _cancel_open_pending_changes(order: Order, *, now: datetime | None = None) -> None:
    for change in order.pending_changes.filter(applied_at=None, cancelled_at=None).select_related("payment"):
        change.cancelled_at = now or timezone.now()
        change.save(update_fields=["cancelled_at"])
        if change.payment.status == PaymentState.PENDING:
            change.payment.status = PaymentState.CANCELLED
            change.payment.save(update_fields=["status", "updated_at"])
            payments.void_checkout_after_commit(change.payment)


def open_pending_change(order: Order) -> PendingChange | None:
    """The change of a paid order waiting for the payment of its difference, if any."""
    return (
        order.pending_changes.filter(applied_at=None, cancelled_at=None, payment__status=PaymentState.PENDING)
        .select_related("payment")
        .first()
    )


def apply_pending_change(*, change: PendingChange, now: datetime | None = None) -> bool:
    """Apply a change whose difference has just been paid (called by confirm_payment, in its transaction).

    Effects: the order's lines, stock and totals follow the change (modify_order). When the change can no
    longer be made (the kitchen started, a product ran out), it is cancelled and its payment refunded
    after commit. Returns whether it was applied.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            modify_order(
                order=change.order,
                lines=[LineRequest.from_dict(raw) for raw in change.lines],
                by=change.requested_by,
                now=now,
            )
    except OrderError as error:
        PendingChange.objects.filter(pk=change.pk).update(cancelled_at=now)
        payments.refund_payment_after_commit(change.payment, reason=error.message)
        return False
    # modify_order cancelled the open changes, this one included: it is the one applied.
    PendingChange.objects.filter(pk=change.pk).update(applied_at=now, cancelled_at=None)
    return True


def restart_online_payment(*, order: Order, now: datetime | None = None) -> Payment:
    """The payment the customer should pay now for an online order: its pending one, or a new one after a
    declined or abandoned attempt.

    Preconditions: the order is paid online and still owes money (`awaiting_payment`, or a pending
    difference after a change). Effects: at most one new pending payment; the order's payment status is
    `pending` again. Errors: OrderError "nothing_to_pay" when the order is paid or no longer awaits a
    payment, "payment_expired" when its time to pay has run out.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        pending = locked.payments.filter(status=PaymentState.PENDING).order_by("-created_at", "-id").first()
        if pending is not None:
            return pending
        if locked.payment_method != PaymentMethod.ONLINE or locked.status != Status.AWAITING_PAYMENT:
            raise OrderError(_("This order has nothing left to pay."), code="nothing_to_pay")
        if locked.payment_expires_at is not None and locked.payment_expires_at <= now:
            raise OrderError(
                _("The time to pay this order has run out; it will be cancelled."), code="payment_expired"
            )
        payment = payments.start_online_payment(order=locked)
        locked.payment_status = PaymentStatus.PENDING
        locked.save(update_fields=["payment_status", "updated_at"])
    return payment


def hand_over_pickup(
    *, order: Order, by: User | None, payment: str = "", now: datetime | None = None
) -> Order:
    """Hand a ready pick-up over to its customer at the counter, recording what they pay there.

    Preconditions: the order is a pick-up and `ready`; when it is not paid yet, `payment` says how the
    customer paid (`cash` or `card`, orders.models.Provider).
    Effects, in one transaction: the cash or card payment (orders.payments.record_payment_on_delivery) and the
    move to `picked_up` (transition_order), or neither. Handing over an order already picked up is a no-op.
    Errors: OrderError "not_a_pickup" for a delivery, "invalid_transition" when it is not ready,
    "payment_required" when it is unpaid and no payment is given, "invalid_method" for another payment.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.fulfilment != Fulfilment.PICKUP:
            raise OrderError(_("This order is delivered, not picked up."), code="not_a_pickup")
        if locked.status == Status.PICKED_UP:
            return locked
        if not locked.can_move_to(Status.PICKED_UP):
            raise OrderError(
                _("An order that is “%(current)s” cannot become “%(target)s”.")
                % {"current": locked.get_status_display(), "target": Status.PICKED_UP.label},
                code="invalid_transition",
            )
        if locked.payment_status not in (PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED):
            if not payment:
                raise OrderError(
                    _("Record how the customer paid, cash or card, before handing over the order."),
                    code="payment_required",
                )
            payments.record_payment_on_delivery(order=locked, method=payment, by=by, now=now)
        return transition_order(order=locked, to=Status.PICKED_UP, by=by, now=now)


def transition_order_once(
    *, order: Order, to: str, by: User | None = None, reason: str = "", now: datetime | None = None
) -> tuple[Order, bool]:
    """`transition_order`, also telling whether this call made the move: for the staff boards, where two
    people may tap the same order at once and the second must be told that it was done already.

    Preconditions and errors: those of `transition_order` (OrderError "invalid_transition", ...).
    Effects: those of `transition_order`, in one transaction; the order row is locked before its status is
    read, so exactly one of two concurrent calls returns True. Returns (the order, moved by this call).
    """
    with transaction.atomic():
        current = Order.objects.select_for_update().values_list("status", flat=True).get(pk=order.pk)
        moved = transition_order(order=order, to=to, by=by, reason=reason, now=now)
    return moved, current != to


def deliver_order(
    *, order: Order, by: User | None, payment: str = "", now: datetime | None = None
) -> tuple[Order, bool]:
    """Hand an order out for delivery over to its customer, recording what the driver collected.

    Preconditions: the order is a delivery and `out_for_delivery`; when it is paid on delivery and not paid
    yet, `payment` says how the customer paid (`cash` or `card`, orders.models.Provider).
    Effects, in one transaction: the cash or card payment (orders.payments.record_payment_on_delivery) and the
    move to `delivered` (transition_order), or neither. Returns (the order, delivered by this call): an
    order already delivered is left alone and gives False.
    Errors: OrderError "not_a_delivery" for a pick-up, "invalid_transition" when it is not out for delivery,
    "payment_required" when it is unpaid and no payment is given (or an online payment is incomplete),
    "invalid_method" for another payment.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.fulfilment != Fulfilment.DELIVERY:
            raise OrderError(_("This order is picked up, not delivered."), code="not_a_delivery")
        if locked.status == Status.DELIVERED:
            return locked, False
        if not locked.can_move_to(Status.DELIVERED):
            raise OrderError(
                _("An order that is “%(current)s” cannot become “%(target)s”.")
                % {"current": locked.get_status_display(), "target": Status.DELIVERED.label},
                code="invalid_transition",
            )
        if locked.payment_status not in (PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED):
            if locked.payment_method == PaymentMethod.ONLINE:
                raise OrderError(
                    _("The online payment of this order is not complete: call the restaurant."),
                    code="payment_required",
                )
            if not payment:
                raise OrderError(
                    _("Record how the customer paid, cash or card, before handing over the order."),
                    code="payment_required",
                )
            payments.record_payment_on_delivery(order=locked, method=payment, by=by, now=now)
        return transition_order(order=locked, to=Status.DELIVERED, by=by, now=now), True


def expire_unpaid_orders(*, now: datetime, dry_run: bool = False) -> list[str]:
    """Cancel the online orders still awaiting payment past their deadline (`payment_expires_at`), giving
    their stock back; for the scheduler (`manage.py expire_unpaid_orders`). Returns their numbers.

    Preconditions: none; `dry_run` only lists what would be cancelled. Effects: each order is cancelled
    through transition_order (stock back, pending payments cancelled) in its own transaction, after locking
    it and checking again that it still awaits payment past its deadline, so one paid at the last second is
    left alone and one order's failure does not hold the others back; their open checkouts are voided at the
    provider after commit (money still taken later is refunded by orders.payments.confirm_payment).
    Idempotent: a second run finds nothing. Errors: none of its own.
    """
    due = list(
        Order.objects.filter(
            status=Status.AWAITING_PAYMENT,
            payment_method=PaymentMethod.ONLINE,
            payment_expires_at__lte=now,
        )
        .order_by("payment_expires_at", "id")
        .values_list("pk", "number")
    )
    if dry_run:
        return [number for _pk, number in due]
    expired = []
    for pk, number in due:
        with transaction.atomic():
            locked = Order.objects.select_for_update().get(pk=pk)
            if (
                locked.status != Status.AWAITING_PAYMENT
                or locked.payment_expires_at is None
                or locked.payment_expires_at > now
            ):
                continue
            # Cancelling voids the open checkouts too (transition_order), so nobody pays a dead order.
            transition_order(order=locked, to=Status.CANCELLED, reason=_("Not paid in time"), now=now)
        expired.append(number)
    return expired
