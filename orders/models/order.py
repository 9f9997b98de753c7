"""Orders: their statuses and lifecycle table, their lines and their history."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from common import formats
from common.fields import done_by, moment, optional_link
from common.models import AppendOnly
from menu.models import Extra, Ingredient, Product
from restaurants.models import Restaurant

# Letters and digits that cannot be misread over the phone (no 0/O, 1/I/L, U).
NUMBER_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"


def new_order_number() -> str:
    code = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(6))
    return f"{code[:3]}-{code[3:]}"


def new_tracking_token() -> str:
    return secrets.token_urlsafe(24)


class Channel(models.TextChoices):
    WEB = "web", _("Website")
    PHONE = "phone", _("Phone")
    COUNTER = "counter", _("Counter")


class Fulfilment(models.TextChoices):
    DELIVERY = "delivery", _("Delivery")
    PICKUP = "pickup", _("Pick-up")


class Status(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
    RECEIVED = "received", _("Received")
    PREPARING = "preparing", _("Preparing")
    READY = "ready", _("Ready")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    PICKED_UP = "picked_up", _("Picked up")
    CANCELLED = "cancelled", _("Cancelled")


# The moves the order lifecycle allows (DESIGN §3); everything else is refused. Ready -> preparing is the
# kitchen's recall of a ticket bumped by mistake, while the order is still at the pass
# (orders.services.kitchen.recall_order).
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.AWAITING_PAYMENT: frozenset({Status.RECEIVED, Status.CANCELLED}),
    Status.RECEIVED: frozenset({Status.PREPARING, Status.CANCELLED}),
    Status.PREPARING: frozenset({Status.READY}),
    Status.READY: frozenset({Status.OUT_FOR_DELIVERY, Status.PICKED_UP, Status.PREPARING}),
    Status.OUT_FOR_DELIVERY: frozenset({Status.DELIVERED, Status.CANCELLED}),
    Status.DELIVERED: frozenset(),
    Status.PICKED_UP: frozenset(),
    Status.CANCELLED: frozenset(),
}
ACTIVE_STATUSES = (Status.RECEIVED, Status.PREPARING, Status.READY, Status.OUT_FOR_DELIVERY)
CUSTOMER_EDITABLE_STATUSES = (Status.AWAITING_PAYMENT, Status.RECEIVED)


class PaymentMethod(models.TextChoices):
    ONLINE = "online", _("Online")
    CASH_ON_DELIVERY = "cash_on_delivery", _("Cash on delivery or pick-up")
    CARD_ON_DELIVERY = "card_on_delivery", _("Card on delivery or pick-up")
    AT_COUNTER = "at_counter", _("At the counter")


class PaymentStatus(models.TextChoices):
    UNPAID = "unpaid", _("Unpaid")
    PENDING = "pending", _("Payment pending")
    PAID = "paid", _("Paid")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    REFUNDED = "refunded", _("Refunded")


# "The money is held": the order was paid in full and not refunded in full (Order.is_paid says it of one order).
MONEY_HELD_STATUSES = (PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED)


class OrderQuerySet(models.QuerySet["Order"]):
    def for_restaurant(self, restaurant: Restaurant) -> OrderQuerySet:
        return self.filter(restaurant=restaurant)

    def active(self) -> OrderQuerySet:
        return self.filter(status__in=ACTIVE_STATUSES)


class Order(models.Model):
    number = models.CharField(
        _("number"), max_length=12, unique=True, default=new_order_number, editable=False
    )
    tracking_token = models.CharField(max_length=64, unique=True, default=new_tracking_token, editable=False)
    restaurant = models.ForeignKey(
        Restaurant, on_delete=models.PROTECT, related_name="orders", verbose_name=_("restaurant")
    )
    customer = done_by(_("customer account"), related_name="orders")
    customer_name = models.CharField(_("customer name"), max_length=150)
    # E.164 since the numbers are checked; an order placed before may hold the free text it was given.
    customer_phone = PhoneNumberField(_("customer phone"), max_length=30, blank=True)
    customer_email = models.EmailField(_("customer email"), blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="fr")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    fulfilment = models.CharField(_("fulfilment"), max_length=10, choices=Fulfilment.choices)
    # The delivery address is copied onto the order: editing the address book never rewrites history.
    address = optional_link("accounts.Address", _("address from the book"), related_name="orders")
    delivery_street = models.CharField(_("street"), max_length=200, blank=True)
    delivery_complement = models.CharField(_("complement"), max_length=200, blank=True)
    delivery_postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    delivery_city = models.CharField(_("city"), max_length=100, blank=True)
    delivery_instructions = models.TextField(_("delivery instructions"), blank=True)
    requested_time = models.DateTimeField(
        _("requested time"), null=True, blank=True, help_text=_("Empty means as soon as possible.")
    )
    due_at = moment(_("due at"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    payment_method = models.CharField(_("payment method"), max_length=20, choices=PaymentMethod.choices)
    payment_status = models.CharField(
        _("payment status"), max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.UNPAID
    )
    payment_expires_at = moment(_("payment expires at"))
    needs_attention = models.BooleanField(
        _("needs attention"), default=False, help_text=_("Something went wrong that staff must look at.")
    )
    subtotal = models.DecimalField(_("subtotal"), max_digits=8, decimal_places=2, default=Decimal("0"))
    delivery_fee = models.DecimalField(
        _("delivery fee"), max_digits=6, decimal_places=2, default=Decimal("0")
    )
    # A promo code's discount on the lines (shared across them: OrderLine.discount); a free-delivery code
    # shows as a delivery fee of 0. A use of the code is an order naming it that is not cancelled.
    promo_code = optional_link(
        "offers.PromoCode", _("promo code"), on_delete=models.PROTECT, related_name="orders"
    )
    discount = models.DecimalField(_("discount"), max_digits=8, decimal_places=2, default=Decimal("0"))
    # The delivery fee a free-delivery code took off, as it was when the order was placed (the restaurant's
    # fee may change later): what the dashboard counts as that code's discount. 0 for any other order.
    delivery_fee_waived = models.DecimalField(
        _("delivery fee waived"), max_digits=6, decimal_places=2, default=Decimal("0")
    )
    total = models.DecimalField(_("total"), max_digits=8, decimal_places=2, default=Decimal("0"))
    note = models.TextField(_("note for the restaurant"), blank=True)
    taken_by = done_by(_("taken by"))
    prepared_by = done_by(_("prepared by"))
    delivered_by = done_by(_("delivered by"))
    # The cart's checkout token (orders.cart.Cart.checkout_token): the same checkout sent twice places one
    # order. Empty for orders taken by staff.
    checkout_token = models.CharField(
        _("checkout token"), max_length=32, blank=True, default="", editable=False
    )
    # The version of the terms of sale the customer accepted at checkout (empty for orders taken by staff).
    accepted_terms = optional_link(
        "legal.LegalDocument", _("terms of sale accepted"), on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("placed at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    confirmed_at = moment(_("confirmed at"))
    preparing_at = moment(_("preparation started at"))
    ready_at = moment(_("ready at"))
    out_for_delivery_at = moment(_("left at"))
    completed_at = moment(_("delivered or picked up at"))
    cancelled_at = moment(_("cancelled at"))

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["restaurant", "status"], name="order_restaurant_status"),
            models.Index(fields=["restaurant", "created_at"], name="order_restaurant_created"),
            models.Index(fields=["customer", "created_at"], name="order_customer_created"),
            models.Index(
                fields=["payment_expires_at"],
                name="order_awaiting_payment_expiry",
                condition=Q(status="awaiting_payment"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["checkout_token"], condition=~Q(checkout_token=""), name="order_checkout_token_unique"
            ),
            models.CheckConstraint(condition=Q(subtotal__gte=0), name="order_subtotal_non_negative"),
            models.CheckConstraint(condition=Q(delivery_fee__gte=0), name="order_delivery_fee_non_negative"),
            models.CheckConstraint(
                condition=Q(delivery_fee_waived=0) | (Q(delivery_fee_waived__gt=0) & Q(delivery_fee=0)),
                name="order_delivery_fee_waived_only_when_free",
            ),
            models.CheckConstraint(
                condition=Q(discount__gte=0) & Q(discount__lte=F("subtotal")),
                name="order_discount_within_subtotal",
            ),
            models.CheckConstraint(
                condition=Q(total=F("subtotal") - F("discount") + F("delivery_fee")),
                name="order_total_is_subtotal_less_discount_plus_fee",
            ),
            models.CheckConstraint(
                condition=Q(fulfilment="pickup", delivery_fee=0)
                | (Q(fulfilment="delivery") & ~Q(delivery_street="") & ~Q(delivery_postal_code="")),
                name="order_delivery_has_address",
            ),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="order_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.restaurant.name})"

    @property
    def is_paid_online(self) -> bool:
        return self.payment_method == PaymentMethod.ONLINE

    @property
    def is_paid(self) -> bool:
        """The order holds its money: paid in full, perhaps partly refunded since (a failed refund still held)."""
        return self.payment_status in MONEY_HELD_STATUSES

    @property
    def delivery_address(self) -> str:
        if self.fulfilment != Fulfilment.DELIVERY:
            return ""
        parts = [
            self.delivery_street,
            self.delivery_complement,
            f"{self.delivery_postal_code} {self.delivery_city}",
        ]
        return ", ".join(part for part in parts if part.strip())

    def can_be_changed_by_customer(self) -> bool:
        return self.status in CUSTOMER_EDITABLE_STATUSES

    def can_move_to(self, status: str) -> bool:
        if status in (Status.OUT_FOR_DELIVERY, Status.DELIVERED) and self.fulfilment != Fulfilment.DELIVERY:
            return False
        if status == Status.PICKED_UP and self.fulfilment != Fulfilment.PICKUP:
            return False
        return status in TRANSITIONS[self.status]


class OrderLine(models.Model):
    """A product in an order, with its price and modifiers copied at order time."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order"))
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="order_lines", verbose_name=_("product")
    )
    product_name = models.CharField(_("product name"), max_length=100)
    unit_price = models.DecimalField(_("unit price"), max_digits=6, decimal_places=2)
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=4, decimal_places=2)
    quantity = models.PositiveSmallIntegerField(_("quantity"))
    removed_ingredients = models.ManyToManyField(
        Ingredient, blank=True, related_name="+", verbose_name=_("without")
    )
    line_total = models.DecimalField(_("line total"), max_digits=8, decimal_places=2)
    # This line's share of the order's discount (orders.services.pricing.allocate_discount): its VAT is on
    # line_total - discount.
    discount = models.DecimalField(_("discount"), max_digits=8, decimal_places=2, default=Decimal("0"))
    # A formule's component (offers.Formule): the lines of one formule share `formule_group`; the formule's
    # name is copied; `formule_saving` is this line's share of its saving, already taken off line_total.
    formule = optional_link("offers.Formule", _("formule"), on_delete=models.PROTECT)
    formule_component = optional_link("offers.FormuleComponent", _("formule component"))
    formule_group = models.CharField(_("formule group"), max_length=32, blank=True)
    formule_name = models.CharField(_("formule name"), max_length=100, blank=True)
    formule_saving = models.DecimalField(
        _("formule saving"), max_digits=8, decimal_places=2, default=Decimal("0")
    )
    # The kitchen display's bump of this line (its station's part made): orders.services.kitchen. The order is
    # ready once every line is bumped; a recall clears the bumps.
    bumped_at = moment(_("made at"))
    bumped_by = done_by(_("made by"))

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="order_line_unit_price_non_negative"),
            models.CheckConstraint(
                condition=Q(discount__gte=0) & Q(discount__lte=F("line_total")),
                name="order_line_discount_within_total",
            ),
            models.CheckConstraint(
                condition=Q(formule_saving__gte=0), name="order_line_formule_saving_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_name}"

    @property
    def amount(self) -> Decimal:
        """What the line costs once its share of the discount is taken off."""
        return self.line_total - self.discount


class OrderLineExtra(models.Model):
    """An extra added to a line, with its price copied at order time (per portion of the line)."""

    line = models.ForeignKey(
        OrderLine, on_delete=models.CASCADE, related_name="extras", verbose_name=_("line")
    )
    extra = models.ForeignKey(Extra, on_delete=models.PROTECT, related_name="+", verbose_name=_("extra"))
    name = models.CharField(_("name"), max_length=100)
    unit_price = models.DecimalField(_("price"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("extra of a line")
        verbose_name_plural = _("extras of a line")
        ordering = ["line", "id"]
        constraints = [
            models.UniqueConstraint(fields=["line", "extra"], name="order_line_extra_unique"),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="order_line_extra_price_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"+ {self.name}"


class OrderStatusChange(AppendOnly):
    """One step of an order's history, append-only."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("order")
    )
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices)
    actor = done_by(_("by"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["order", "created_at", "id"]
        indexes = [models.Index(fields=["order", "created_at"], name="status_change_order_time")]

    def __str__(self) -> str:
        return f"{self.order.number}{formats.colon()} {self.from_status or '∅'} → {self.to_status}"
