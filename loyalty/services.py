"""The loyalty ledger's only writers. Orders calls them (loyalty never imports orders): it passes the order,
its customer and its amounts as arguments.

Every change of a customer's points happens under a row lock on the customer (SELECT ... FOR UPDATE on the
user row), so two tabs spending at once are served one after the other and cannot spend the same points.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from common.errors import Refusal
from loyalty.models import Entry, Kind, Reward, balance_of


class LoyaltyError(Refusal):
    """A refused spending; `code` says why ("not_enough_points", "reward_inactive", "not_a_customer")."""


def takes_part(customer) -> bool:
    """Customers earn and spend points; guests (no account) and staff accounts (head office, or a job at a
    restaurant: the `memberships` restaurants keeps, named here, not imported) do not."""
    if customer is None or customer.is_staff or customer.is_superuser:
        return False
    return not customer.memberships.exists()


def _lock_customer(customer) -> None:
    get_user_model().objects.select_for_update().only("pk").get(pk=customer.pk)


def points_for(amount: Decimal) -> int:
    """Points earned for `amount` euros paid: LOYALTY_POINTS_PER_EURO per whole euro, rounded down."""
    value = (Decimal(amount) * settings.LOYALTY_POINTS_PER_EURO).quantize(Decimal("1"), rounding=ROUND_DOWN)
    return max(int(value), 0)


def _sum(order, kind: str) -> int:
    return Entry.objects.filter(order=order, kind=kind).aggregate(total=Sum("points"))["total"] or 0


def earn_for_order(*, order, customer, amount: Decimal) -> Entry | None:
    """The points of a handed-over order, once per order (a unique constraint; a second call writes nothing).
    Returns the entry written, or None (guest, staff, nothing paid, already earned)."""
    if not takes_part(customer):
        return None
    points = points_for(amount)
    if points <= 0:
        return None
    with transaction.atomic():
        _lock_customer(customer)
        if Entry.objects.filter(order=order, kind=Kind.EARNED).exists():
            return None
        try:
            with transaction.atomic():
                return Entry.objects.create(customer=customer, order=order, kind=Kind.EARNED, points=points)
        except IntegrityError:
            return None


def take_back_for_refund(*, order, customer, refunded: Decimal, total: Decimal) -> Entry | None:
    """A refund of `refunded` euros out of `total` takes back the same share of the points the order earned,
    never more than what it earned in all."""
    if not takes_part(customer) or total <= 0:
        return None
    with transaction.atomic():
        _lock_customer(customer)
        earned = _sum(order, Kind.EARNED)
        already = -_sum(order, Kind.TAKEN_BACK)
        share = (Decimal(earned) * Decimal(refunded) / Decimal(total)).quantize(
            Decimal("1"), rounding=ROUND_DOWN
        )
        points = min(int(share), earned - already)
        if points <= 0:
            return None
        return Entry.objects.create(customer=customer, order=order, kind=Kind.TAKEN_BACK, points=-points)


def give_back_for_cancellation(*, order, customer) -> Entry | None:
    """A cancelled order gives back the points spent on it (once: what was spent minus what was given back)."""
    if not takes_part(customer):
        return None
    with transaction.atomic():
        _lock_customer(customer)
        owed = -_sum(order, Kind.SPENT) - _sum(order, Kind.GIVEN_BACK)
        if owed <= 0:
            return None
        return Entry.objects.create(customer=customer, order=order, kind=Kind.GIVEN_BACK, points=owed)


def spendable(customer, reward_id: int) -> Reward:
    """The reward `reward_id` if `customer` may spend its points now (the cart asks unlocked; `spend` asks again
    under the customer's row lock). Raises LoyaltyError: "not_a_customer" (guest or staff), "reward_inactive",
    "not_enough_points"."""
    if not takes_part(customer):
        raise LoyaltyError(_("Only customer accounts collect and spend points."), code="not_a_customer")
    reward = Reward.objects.filter(pk=reward_id, active=True).first()
    if reward is None:
        raise LoyaltyError(_("This reward is no longer offered."), code="reward_inactive")
    balance = balance_of(customer)
    if balance < reward.points:
        raise LoyaltyError(
            _("Not enough points: this reward needs %(needed)d, you have %(balance)d.")
            % {"needed": reward.points, "balance": balance},
            code="not_enough_points",
        )
    return reward


def spend(customer, reward: Reward, order) -> Entry:
    """Spend the reward's points on `order`, checked again (`spendable`) with the balance read under the
    customer's row lock. Raises LoyaltyError as `spendable` does."""
    with transaction.atomic():
        if takes_part(customer):
            _lock_customer(customer)
        reward = spendable(customer, reward.pk)
        return Entry.objects.create(
            customer=customer,
            order=order,
            reward=reward,
            kind=Kind.SPENT,
            points=-reward.points,
            note=reward.name,
        )


def redeemable_rewards(customer) -> list[Reward]:
    """The active rewards the customer has enough points for, cheapest first."""
    if not takes_part(customer):
        return []
    return list(
        Reward.objects.filter(active=True, points__lte=balance_of(customer)).order_by("points", "name")
    )
