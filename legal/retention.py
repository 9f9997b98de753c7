"""How long personal data is kept (RGPD art. 5-1-e), as settings: one place read by the privacy policy's
page and by the code that applies the periods, so the page cannot say something the code does not do."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Period:
    what: str
    days: int


def retention_periods() -> list[Period]:
    """The periods in force, in the privacy policy's order."""
    return [
        Period(
            str(
                _(
                    "The contact and delivery details copied on an order (name, phone, email, address, instructions, note)"
                )
            ),
            settings.RETENTION_DELIVERY_DETAILS_DAYS,
        ),
        Period(
            str(_("A customer's account (name, email, phone, addresses), after their last order")),
            settings.RETENTION_CUSTOMER_DAYS,
        ),
    ]
