"""Placing an order: the checks on what is asked, the booking of an oven slot, the order and its lines, the
stock reserved, and the first payment or the confirmation email; all or nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import PhoneNumber

from accounts.models import User
from common import formats
from legal.models import LegalDocument
from loyalty import services as loyalty
from loyalty.models import Reward
from offers import rules as offer_rules
from offers.models import PromoCode
from offers.rules import OfferRefused
from orders import notifications
from orders.errors import AlreadyPlaced, OrderError
from orders.models import (
    Channel,
    Fulfilment,
    Order,
    OrderLine,
    OrderStatusChange,
    PaymentMethod,
    PaymentStatus,
    Status,
)
from orders.payments import start_online_payment
from orders.sales_record import record_sale
from orders.services.lines import write_lines
from orders.services.locking import lock_promo_code, lock_restaurant
from orders.services.pricing import LineRequest, PricedLine, oven_items, price_lines, subtotal_of
from orders.services.promotions import Totals, offer_channel, totals_for, usage_of
from orders.services.reservation import reserve_stock
from orders.services.rewards import RewardRefused, reward_discount
from orders.services.scheduling import schedule_order
from restaurants.models import Restaurant

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
    accepted_terms: LegalDocument | None = None,
    promo_code: str = "",
    reward: Reward | None = None,
    priced_lines: Sequence[PricedLine] | None = None,
) -> Order:
    """Create an order and reserve its ingredients, all or nothing.

    Preconditions: the restaurant takes orders; lines name active products with removable ingredients and
    offered extras; a delivery goes to a served postal code and reaches the minimum order; the payment
    method suits the channel; the requested time is an offered slot with room.
    Effects: the order (status `received`, or `awaiting_payment` when paid online), its lines, one `order`
    stock movement per ingredient and the first status change; the confirmation email's job (deferred in
    the same transaction).
    Errors: OrderError (with a code) for any broken rule; ProductUnavailable, naming the products, when the
    stock is short; AlreadyPlaced when an order already carries `checkout_token` (the same checkout sent
    again: the order's insert breaks the token's unique constraint, or a rule refuses what the first order
    used up; the order placed is read only then). Nothing is written when it raises. `accepted_terms` is
    the version of the terms of sale the customer accepted at checkout, recorded on the order.
    `promo_code` (typed, any case) is checked again under its row's lock (offers.rules), so its last use is
    spent once; refused, it raises OrderError with the code's reason (code "promo_<rule>"), and its
    discount is shared across the lines. `reward` (a loyalty
    reward, never with a promo code: "reward_with_code") takes its discount the same way and spends its points
    (loyalty.spend, under the customer's row lock, the last lock taken); refused, it raises OrderError
    ("reward_<rule>": "reward_not_enough_points" when another checkout spent them first).
    `priced_lines` are `lines` as price_lines returned them earlier in the same request (the checkout
    priced the cart once): they are used as they are, not priced again. The restaurant's opening hours and
    delivery zones, when prefetched, are used under the lock too (no query for them).
    """
    now = now or timezone.now()
    phone = _check_request(
        fulfilment=fulfilment, payment_method=payment_method, channel=channel, contact=contact
    )
    priced = list(priced_lines) if priced_lines is not None else price_lines(lines)
    if fulfilment == Fulfilment.DELIVERY:
        _check_delivery(restaurant, address, subtotal_of(priced))
    # The order as asked, not written yet: under the restaurant's lock, its slot, its amounts and its status
    # are settled and it is inserted (_booked).
    asked = Order(
        customer=customer,
        customer_name=contact.name.strip(),
        customer_phone=phone,
        customer_email=contact.email.strip(),
        language=getattr(customer, "language", "") or "fr",
        channel=channel,
        fulfilment=fulfilment,
        **_address_fields(address if fulfilment == Fulfilment.DELIVERY else None),
        requested_time=requested_time,
        payment_method=payment_method,
        note=note.strip(),
        taken_by=taken_by,
        checkout_token=checkout_token,
        accepted_terms=accepted_terms,
    )
    try:
        with transaction.atomic():
            order = _book(
                asked,
                restaurant=restaurant,
                priced=priced,
                promo_code=promo_code,
                reward=reward,
                by=taken_by or customer,
                now=now,
            )
    except (IntegrityError, OrderError) as error:
        # Rolled back. The same checkout placed already (sent twice, its first answer lost): the order's
        # insert broke the checkout token's unique constraint, or a rule refused what the first order used
        # up (the last use of a code, the slot's room, the points). The order placed is the answer.
        placed = _placed_with(checkout_token)
        if placed:
            raise AlreadyPlaced(_("This order was already placed."), number=placed) from error
        raise
    return order


def _book(
    asked: Order,
    *,
    restaurant: Restaurant,
    priced: Sequence[PricedLine],
    promo_code: str,
    reward: Reward | None,
    by: User | None,
    now: datetime,
) -> Order:
    """Inside place_order's transaction, under the restaurant's lock: the order's totals (with its promo code
    or reward), its oven slot, the order inserted, its stock reserved and its lines written, then its first
    status change, payment or email, and the reward's points spent. Raises OrderError; the caller's
    transaction then rolls everything back."""
    # The restaurant row serialises slot bookings; stock rows are locked after it, in id order. An order paid
    # on the spot is confirmed at once: the kitchen display's version is raised with the lock.
    online = asked.payment_method == PaymentMethod.ONLINE
    restaurant = _locked(restaurant, confirmed_at_once=not online)
    _check_restaurant_takes_it(restaurant)
    promo, totals = _totals_with_code(promo_code, asked, restaurant=restaurant, priced=priced, now=now)
    if reward is not None:
        totals = _totals_with_reward(reward, promo=promo, priced=priced, delivery_fee=totals.delivery_fee)
    if online and totals.total <= 0:
        raise OrderError(
            _(
                "Nothing to pay online: your offer covers the whole order. Choose to pay on pick-up or delivery."
            ),
            code="nothing_to_pay_online",
        )
    # The oven slot it is due in, booked under the restaurant's lock.
    due_at = schedule_order(
        restaurant=restaurant,
        fulfilment=asked.fulfilment,
        requested_time=asked.requested_time,
        pizzas=oven_items(priced),
        now=now,
    )
    order = _booked(asked, restaurant=restaurant, due_at=due_at, totals=totals, promo=promo, now=now)
    # No savepoint of its own: a shortage rolls back this whole transaction.
    reserve_stock(order=order, lines=priced, by=by, savepoint=False)
    _start(order, write_lines(order, priced, discounts=totals.parts), by=by)
    if reward is not None:
        _spend_points(asked.customer, reward, order)
    return order


def _locked(restaurant: Restaurant, *, confirmed_at_once: bool) -> Restaurant:
    """The restaurant read again under its row lock, keeping what was prefetched on the one given: opening
    hours and delivery zones are not locked rows, so those read a moment ago are as good as a new read.
    `confirmed_at_once`: the order will be on the kitchen display as soon as it commits (its version raised)."""
    locked = lock_restaurant(restaurant.pk, raising_board_version=confirmed_at_once)
    prefetched = getattr(restaurant, "_prefetched_objects_cache", None)
    if prefetched:
        locked._prefetched_objects_cache = dict(prefetched)
    return locked


def _totals_with_reward(
    reward: Reward, *, promo: PromoCode | None, priced: Sequence[PricedLine], delivery_fee: Decimal
) -> Totals:
    """The order's totals with the reward's discount (one unit of the cheapest product it covers). A reward
    and a promo code do not combine. Raises OrderError("reward_with_code" or "reward_<rule>")."""
    if promo is not None:
        raise OrderError(
            _("A promo code and a loyalty reward do not combine: keep one of them."), code="reward_with_code"
        )
    try:
        discount = reward_discount(reward, priced)
    except RewardRefused as refused:
        raise OrderError(refused.message, code=f"reward_{refused.code}") from refused
    return totals_for(priced, delivery_fee=delivery_fee, discount=discount)


def _spend_points(customer: User | None, reward: Reward, order: Order) -> None:
    """The reward's points spent on the order, the balance read under the customer's row lock. Taken last,
    as transition_order takes it (after the order, stock and sales record rows), so the two never deadlock.
    Raises OrderError("reward_<rule>"); the whole placement is then rolled back."""
    try:
        loyalty.spend(customer, reward, order)
    except loyalty.LoyaltyError as error:
        raise OrderError(error.message, code=f"reward_{error.code}") from error


def _start(order: Order, lines: list[OrderLine], *, by: User | None) -> None:
    """The order's first status change, then its first payment (online) or its confirmation email."""
    OrderStatusChange.objects.create(order=order, from_status="", to_status=order.status, actor=by)
    if order.status == Status.RECEIVED:
        # Confirmed at once (paid at the counter or on delivery): the sale enters the sales record.
        # Its kitchen display's version was raised with the restaurant's lock (_locked).
        record_sale(order=order, by=by, lines=lines, new=True)
    if order.is_paid_online:
        start_online_payment(order=order)
    else:
        notifications.defer_confirmation(order)


def _check_request(*, fulfilment: str, payment_method: str, channel: str, contact: Contact) -> str:
    """The rules of the request itself: a fulfilment, a payment method the channel allows, a name, and a
    phone number for a delivery or a phone order. Returns the phone as the order's field stores it."""
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
    return phone


def _check_delivery(restaurant: Restaurant, address: DeliveryAddress | None, subtotal: Decimal) -> None:
    """A delivery needs an address in one of the restaurant's zones and the minimum order."""
    if address is None or not address.street.strip() or not address.postal_code.strip():
        raise OrderError(_("A delivery needs an address."), code="address_required")
    if not restaurant.delivers_to(address.postal_code):
        raise OrderError(
            _("%(restaurant)s does not deliver to %(postal_code)s; choose pick-up or another restaurant.")
            % {"restaurant": restaurant.name, "postal_code": address.postal_code},
            code="postal_code_not_served",
        )
    check_minimum_order(restaurant, subtotal)


def check_minimum_order(restaurant: Restaurant, subtotal: Decimal) -> None:
    """Raise OrderError "below_minimum" when a delivery's subtotal is under the restaurant's minimum."""
    if subtotal < restaurant.minimum_order:
        raise OrderError(
            _("The minimum order for delivery is %(minimum)s.")
            % {"minimum": formats.euros(restaurant.minimum_order)},
            code="below_minimum",
        )


def _check_restaurant_takes_it(restaurant: Restaurant) -> None:
    """Under the restaurant's lock: it takes orders. Raises OrderError."""
    if not restaurant.is_active:
        raise OrderError(_("This restaurant does not take orders at the moment."), code="restaurant_closed")


def _placed_with(checkout_token: str) -> str | None:
    """The number of the order placed with this checkout token, if any: read only once a placement failed
    (the token's unique constraint, not a read before the insert, keeps a checkout sent twice to one order)."""
    if not checkout_token:
        return None
    return Order.objects.filter(checkout_token=checkout_token).values_list("number", flat=True).first()


def _totals_with_code(
    promo_code: str, asked: Order, *, restaurant: Restaurant, priced: Sequence[PricedLine], now: datetime
) -> tuple[PromoCode | None, Totals]:
    """Under the restaurant's lock: the promo code typed, locked and checked with its uses counted now (for
    the order as asked: its customer, channel and fulfilment), and the order's totals with its discount.
    Raises OrderError("promo_<rule>") when the code is refused."""
    delivery_fee = restaurant.delivery_fee if asked.fulfilment == Fulfilment.DELIVERY else Decimal("0")
    if not promo_code.strip():
        return None, totals_for(priced, delivery_fee=delivery_fee, discount=None)
    promo = lock_promo_code(promo_code)
    try:
        if promo is None:
            offer_rules.find(promo_code)  # raises OfferRefused("unknown"), with its message
        discount = offer_rules.check(
            promo,
            restaurant=restaurant,
            customer=asked.customer,
            channel=offer_channel(asked.channel),
            lines=priced,
            now=now,
            usage=usage_of(promo, asked.customer),
        )
    except OfferRefused as refused:
        raise OrderError(refused.message, code=f"promo_{refused.code}") from refused
    return promo, totals_for(priced, delivery_fee=delivery_fee, discount=discount)


def _booked(
    order: Order,
    *,
    restaurant: Restaurant,
    due_at: datetime,
    totals: Totals,
    promo: PromoCode | None,
    now: datetime,
) -> Order:
    """The order as asked, in its oven slot (`due_at`) with its amounts, inserted: `awaiting_payment` with a
    deadline when paid online, else `received` and confirmed."""
    online = order.payment_method == PaymentMethod.ONLINE
    order.restaurant = restaurant
    order.due_at = due_at
    order.status = Status.AWAITING_PAYMENT if online else Status.RECEIVED
    order.payment_status = PaymentStatus.PENDING if online else PaymentStatus.UNPAID
    order.payment_expires_at = now + PAYMENT_WINDOW if online else None
    order.confirmed_at = None if online else now
    totals.set_on(order, promo)
    order.save(force_insert=True)
    return order


def _address_fields(address: DeliveryAddress | None) -> dict:
    """The order's delivery fields (nothing for a pick-up)."""
    if address is None:
        return {}
    return {
        "address_id": address.address_id,
        "delivery_street": address.street.strip(),
        "delivery_complement": address.complement.strip(),
        "delivery_postal_code": address.postal_code.strip(),
        "delivery_city": address.city.strip(),
        "delivery_instructions": address.instructions.strip(),
    }
