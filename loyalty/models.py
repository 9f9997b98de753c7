"""The loyalty programme: an append-only ledger of points per customer, and the rewards head office offers.

A customer's balance is the sum of their entries; nothing is ever updated in place. Orders are named by the
string "orders.Order": orders calls loyalty, never the reverse.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from common.fields import optional_link


class Kind(models.TextChoices):
    EARNED = "earned", _("Earned")
    TAKEN_BACK = "taken_back", _("Taken back (refund)")
    SPENT = "spent", _("Spent")
    GIVEN_BACK = "given_back", _("Given back (cancellation)")
    EXPIRED = "expired", _("Expired")
    ADJUSTED = "adjusted", _("Adjusted by head office")


class Entry(models.Model):
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="loyalty_entries",
        verbose_name=_("customer"),
    )
    order = optional_link("orders.Order", _("order"), related_name="loyalty_entries")
    reward = optional_link("loyalty.Reward", _("reward"), on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # Positive when earned or given back, negative when taken back, spent or expired.
    points = models.IntegerField(_("points"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("loyalty entry")
        verbose_name_plural = _("loyalty entries")
        ordering = ("-created_at", "-pk")
        constraints = [
            # An order earns its points once, however often its status is set to delivered.
            models.UniqueConstraint(
                fields=("order",), condition=Q(kind="earned"), name="loyalty_earned_once_per_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.kind} {self.points:+d}"


def balance_of(customer) -> int:
    """The customer's points: the sum of their ledger."""
    return Entry.objects.filter(customer=customer).aggregate(total=Sum("points"))["total"] or 0


class Reward(models.Model):
    name = models.CharField(_("name"), max_length=120)
    points = models.PositiveIntegerField(_("points"))
    product = optional_link(
        "menu.Product", _("product covered"), on_delete=models.PROTECT, related_name="loyalty_rewards"
    )
    category = optional_link(
        "menu.Category", _("category covered"), on_delete=models.PROTECT, related_name="loyalty_rewards"
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ("points", "name")
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="loyalty_reward_points_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.points})"
