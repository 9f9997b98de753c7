"""Money of an order: payments, refunds, the record of payment-provider events, and paid changes waiting."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common import formats
from common.fields import done_by, moment
from orders.models.order import Order


class Provider(models.TextChoices):
    STRIPE = "stripe", _("Stripe")
    DEMO = "demo", _("Demo payment")
    CASH = "cash", _("Cash")
    CARD = "card", _("Card terminal")


class PaymentState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", pgettext_lazy("payment state", "Cancelled")


class Payment(models.Model):
    """Money asked for or taken for an order: online through a provider, or cash / card handed over."""

    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="payments", verbose_name=_("order")
    )
    provider = models.CharField(_("provider"), max_length=10, choices=Provider.choices)
    amount = models.DecimalField(_("amount"), max_digits=8, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    status = models.CharField(
        _("status"), max_length=10, choices=PaymentState.choices, default=PaymentState.PENDING
    )
    provider_reference = models.CharField(
        _("provider reference"), max_length=255, blank=True, help_text=_("Checkout session id.")
    )
    provider_payment_id = models.CharField(
        _("provider payment id"), max_length=255, blank=True, help_text=_("Payment intent id.")
    )
    recorded_by = done_by(_("recorded by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    succeeded_at = moment(_("succeeded at"))

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.UniqueConstraint(
                fields=["provider", "provider_reference"],
                condition=~Q(provider_reference=""),
                name="payment_unique_provider_reference",
            ),
        ]

    def __str__(self) -> str:
        amount = formats.euros(self.amount) if self.currency == "EUR" else f"{self.amount} {self.currency}"
        return f"{self.order.number}{formats.colon()} {amount} ({self.get_provider_display()}, {self.get_status_display()})"


class RefundState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class Refund(models.Model):
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("payment")
    )
    amount = models.DecimalField(_("amount"), max_digits=8, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RefundState.choices, default=RefundState.PENDING
    )
    provider_reference = models.CharField(_("provider reference"), max_length=255, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, unique=True)
    failure_message = models.TextField(_("failure message"), blank=True)
    # Asked of the provider by the worker (orders.services.execute_refund): how many times so far, and when
    # the restaurant's managers were told that it failed for good (so they are told once).
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    failure_notified_at = moment(_("failure notified at"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")]

    def __str__(self) -> str:
        return f"{self.payment.order.number}{formats.colon()} −{formats.euros(self.amount)} ({self.get_status_display()})"


class StripeEvent(models.Model):
    """A webhook event received from Stripe; its unique id makes a replayed event a no-op. Recorded by the
    webhook, handled by the worker (`processed_at` and `outcome` say when and what was done)."""

    event_id = models.CharField(_("event id"), max_length=255, unique=True)
    type = models.CharField(_("type"), max_length=100)
    payload = models.JSONField(_("payload"), default=dict)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    processed_at = moment(_("processed at"))
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class PendingChange(models.Model):
    """A customer's change to a paid order that raised its total: kept here, with the payment of the
    difference, and applied only once that payment is confirmed (orders.services.apply_pending_change)."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="pending_changes", verbose_name=_("order")
    )
    payment = models.OneToOneField(
        Payment,
        on_delete=models.PROTECT,
        related_name="pending_change",
        verbose_name=_("payment of the difference"),
    )
    lines = models.JSONField(_("requested lines"))
    total = models.DecimalField(_("new total"), max_digits=8, decimal_places=2)
    requested_by = done_by(_("requested by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    applied_at = moment(_("applied at"))
    cancelled_at = moment(_("cancelled at"))

    class Meta:
        verbose_name = _("change awaiting payment")
        verbose_name_plural = _("changes awaiting payment")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.order.number}{formats.colon()} → {formats.euros(self.total)}"

    @property
    def is_open(self) -> bool:
        return self.applied_at is None and self.cancelled_at is None
