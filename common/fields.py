"""Model fields that several apps declare the same way, named once (issue 12, repeated code).

Each helper returns a plain Django field with the same arguments the models spelled out before, so the
migrations do not change: they name an idea ("who did it", "when it happened, if it has") rather than hide
anything.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models


def optional_link(
    to, verbose_name, *, on_delete=models.SET_NULL, related_name: str = "+"
) -> models.ForeignKey:
    """A foreign key that may be empty (null in the database, blank in forms).

    By default the row stays when the target goes (SET_NULL) and the target gets no reverse accessor ("+").
    """
    return models.ForeignKey(
        to, on_delete=on_delete, null=True, blank=True, related_name=related_name, verbose_name=verbose_name
    )


def done_by(verbose_name, *, on_delete=models.SET_NULL, related_name: str = "+") -> models.ForeignKey:
    """Who did it: the user behind a row, kept as empty once their account is erased (SET_NULL)."""
    return optional_link(
        settings.AUTH_USER_MODEL, verbose_name, on_delete=on_delete, related_name=related_name
    )


def moment(verbose_name, **options) -> models.DateTimeField:
    """When something happened, empty until it has."""
    return models.DateTimeField(verbose_name, null=True, blank=True, **options)


def price_field(verbose_name, **options) -> models.DecimalField:
    """An amount in euros that head office or a manager sets (a price, a fee, a minimum): up to 9 999.99,
    never negative."""
    return models.DecimalField(
        verbose_name, max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0"))], **options
    )
