"""A loyalty reward taken in the cart: what it takes off the lines, and the check that the customer can take it.

A reward is a discount like a promo code's (orders.services.promotions.totals_for shares it across the lines
it concerns, so the VAT by rate stays exact): one unit of the cheapest product it covers (its product, a
product of its category, or any product when it names neither), at the product's menu price; extras stay
charged. The points are spent by place_order (loyalty.services.spend, under the customer's row lock).
A reward and a promo code do not combine: an order carries one or the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from accounts.models import User
from common.errors import Refusal
from loyalty import services as loyalty
from loyalty.models import Entry, Kind, Reward
from menu.models import Product
from orders.services.pricing import PricedLine


class RewardRefused(Refusal):
    """A reward that cannot be taken: `code` names the rule (for tests), `message` says it to the customer."""


@dataclass(frozen=True)
class RewardDiscount:
    """What a reward takes off: `amount` off the one line it concerns (`concerned`, one flag per line). It has
    the shape totals_for reads from a promo code's Discount."""

    reward: Reward
    amount: Decimal
    concerned: tuple[bool, ...]
    free_delivery: bool = False


def covers(reward: Reward, product: Product) -> bool:
    if reward.product_id is not None:
        return product.pk == reward.product_id
    if reward.category_id is not None:
        return product.category_id == reward.category_id
    return True


def reward_discount(reward: Reward, lines: Sequence[PricedLine]) -> RewardDiscount:
    """One unit of the cheapest product of `lines` the reward covers, off that line. Raises RewardRefused
    ("nothing_covered") when the cart holds none."""
    covered = [index for index, line in enumerate(lines) if covers(reward, line.product)]
    if not covered:
        raise RewardRefused(
            _("Your cart holds nothing the reward “%(reward)s” covers.") % {"reward": reward.name},
            code="nothing_covered",
        )
    chosen = min(covered, key=lambda index: (lines[index].product.price, index))
    amount = min(lines[chosen].product.price, lines[chosen].line_total)
    return RewardDiscount(
        reward=reward, amount=amount, concerned=tuple(index == chosen for index in range(len(lines)))
    )


def check_reward(reward_id: int, *, customer: User | None, lines: Sequence[PricedLine]) -> RewardDiscount:
    """The reward `reward_id` for `customer` on `lines`, with the balance read now (not locked: placement
    spends the points under the customer's lock and checks again). Raises RewardRefused: "not_a_customer"
    (guest or staff), "reward_inactive", "not_enough_points", "nothing_covered"."""
    try:
        reward = loyalty.spendable(customer, reward_id)
    except loyalty.LoyaltyError as refused:
        raise RewardRefused(refused.message, code=refused.code) from refused
    return reward_discount(reward, lines)


def reward_spent_on(order) -> Reward | None:
    """The reward whose points were spent on `order` (None: none)."""
    entry = Entry.objects.filter(order=order, kind=Kind.SPENT).select_related("reward").first()
    return entry.reward if entry is not None else None
