"""The sales record (the French cash-register law's *inaltérabilité*): an append-only journal of every
event that moves money or a sale, hash-chained per restaurant, and its closings (daily Z, monthly, yearly).

Neither table is ever updated or deleted: the database refuses it (the trigger of migration 0002), and
`save()` of an existing row or `delete()` raise AppendOnlyError before it gets there. The chain's head
(`SalesChain`, one row per restaurant) is the one mutable row: it holds the last number and hash, and its
row lock serialises the writers of a restaurant's journal (sales.journal.append_entry).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.fields import done_by
from common.models import AppendOnly

# AppendOnlyError is raised by AppendOnly's save() and delete(); its callers import it from here.
from common.models import AppendOnlyError as AppendOnlyError


class EntryKind(models.TextChoices):
    SALE = "sale", _("Sale (order confirmed)")
    MODIFICATION = "modification", _("Order modified")
    CANCELLATION = "cancellation", pgettext_lazy("sales record", "Cancellation")
    PAYMENT = "payment", _("Payment received")
    REFUND = "refund", pgettext_lazy("sales record", "Refund")


# The kinds that move the turnover (by VAT rate), and those that move money (by payment method).
SALE_KINDS = (EntryKind.SALE, EntryKind.MODIFICATION, EntryKind.CANCELLATION)
MONEY_KINDS = (EntryKind.PAYMENT, EntryKind.REFUND)


class SalesChain(models.Model):
    """The head of a restaurant's journal: its last entry's number and hash. Locked by every writer."""

    restaurant = models.OneToOneField(
        "restaurants.Restaurant", on_delete=models.PROTECT, related_name="sales_chain"
    )
    last_sequence = models.PositiveIntegerField(_("last entry number"), default=0)
    last_hash = models.CharField(_("last entry hash"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("sales record head")
        verbose_name_plural = _("sales record heads")

    def __str__(self) -> str:
        return f"{self.restaurant_id}: {self.last_sequence}"


class SalesEntry(AppendOnly):
    """One event that moved a sale or money, in an unbroken sequence per restaurant.

    Signs: a sale or a rise is positive, a cancellation or a fall negative (turnover, by VAT rate in `vat`:
    {"10.00": {"gross": "12.00", "vat": "1.09"}}); a payment positive, a refund negative (money, by
    `payment_method`). `hash` is SHA-256 over the fields (sales.journal.payload) and `previous_hash`.
    """

    restaurant = models.ForeignKey(
        "restaurants.Restaurant", on_delete=models.PROTECT, related_name="sales_entries"
    )
    sequence = models.PositiveIntegerField(_("number"))
    recorded_at = models.DateTimeField(_("recorded at"))
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="sales_entries")
    order_number = models.CharField(_("order number"), max_length=20)
    amount = models.DecimalField(_("amount incl. VAT"), max_digits=10, decimal_places=2)
    amount_net = models.DecimalField(
        _("amount excl. VAT"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    vat = models.JSONField(_("VAT by rate"), default=dict, blank=True)
    payment_method = models.CharField(_("payment method"), max_length=30)
    reference = models.CharField(_("reference"), max_length=40, blank=True)
    recorded_by = done_by(_("recorded by"), on_delete=models.PROTECT)
    previous_hash = models.CharField(_("previous hash"), max_length=64, blank=True)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("sales record entry")
        verbose_name_plural = _("sales record entries")
        ordering = ["restaurant_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["restaurant", "sequence"], name="sales_entry_unique_sequence"),
            models.UniqueConstraint(
                fields=["kind", "reference"], condition=~Q(reference=""), name="sales_entry_unique_reference"
            ),
        ]
        indexes = [models.Index(fields=["restaurant", "recorded_at"], name="sales_entry_restaurant_time")]

    def __str__(self) -> str:
        return f"{self.restaurant_id}-{self.sequence}"


class ClosingKind(models.TextChoices):
    DAY = "day", _("Daily closing (Z)")
    MONTH = "month", _("Monthly closing")
    YEAR = "year", _("Yearly closing")


class Closing(AppendOnly):
    """A period closed: the entries numbered `first_sequence`..`last_sequence` of a restaurant (those recorded
    before the period's end and after the previous closing of this kind; none when `first_sequence` is
    empty), their totals, and a perpetual grand total of the sales. Closings of one kind form their own
    chain (`previous_hash`, `hash`)."""

    restaurant = models.ForeignKey(
        "restaurants.Restaurant", on_delete=models.PROTECT, related_name="closings"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ClosingKind.choices)
    sequence = models.PositiveIntegerField(_("number"))
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))  # inclusive
    closed_at = models.DateTimeField(_("closed at"))
    first_sequence = models.PositiveIntegerField(_("first entry"), null=True, blank=True)
    # Every entry up to this number is closed (the previous closing's, when this one has no entry).
    last_sequence = models.PositiveIntegerField(_("last entry"))
    entry_count = models.PositiveIntegerField(_("entries"))
    sales_total = models.DecimalField(_("sales incl. VAT"), max_digits=12, decimal_places=2)
    sales_net = models.DecimalField(_("sales excl. VAT"), max_digits=12, decimal_places=2)
    money_total = models.DecimalField(_("money received"), max_digits=12, decimal_places=2)
    by_rate = models.JSONField(_("sales by VAT rate"), default=dict)
    by_method = models.JSONField(_("money by payment method"), default=dict)
    grand_total = models.DecimalField(_("perpetual grand total"), max_digits=14, decimal_places=2)
    last_entry_hash = models.CharField(_("last entry hash"), max_length=64, blank=True)
    previous_hash = models.CharField(_("previous hash"), max_length=64, blank=True)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("closing")
        verbose_name_plural = _("closings")
        ordering = ["restaurant_id", "kind", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["restaurant", "kind", "sequence"], name="closing_unique_sequence"
            ),
            models.UniqueConstraint(
                fields=["restaurant", "kind", "period_start"], name="closing_unique_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.restaurant_id} {self.kind} {self.period_start}"

    @property
    def sales_vat(self):
        """The VAT the period's sales include."""
        return self.sales_total - self.sales_net
