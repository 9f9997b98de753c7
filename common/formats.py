"""Numbers as the active language writes them, through Django's l10n (its fr formats: "2 137,80", "12,5").

One place for the amounts and quantities written outside of templates (messages, admin labels) and for the
template filters that show them. Values put in form fields, URLs, data attributes or CSV files stay
machine-readable: they never go through here.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext


def euros(value: Decimal | int | str) -> str:
    """An amount with two decimals, grouped by thousands, and the euro sign after a no-break space:
    "2 137,80 €" in French, "2,137.80 €" in English."""
    return f"{number_format(Decimal(value), 2, use_l10n=True, force_grouping=True)}\u00a0€"


def decimal(value: Decimal | int | str) -> str:
    """A quantity without its trailing zeros: "500", "12,5" in French, "0,25"."""
    value = Decimal(value)
    # normalize() turns 500.000 into 5E+2, which number_format writes back as "500".
    return number_format(value.normalize() if value else Decimal("0"), use_l10n=True)


def colon() -> str:
    """The colon after a label, as the active language writes it: "\u00a0:" in French (Django's own ":")."""
    return gettext(":")
