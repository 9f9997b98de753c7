"""Query sets that several apps' models share."""

from __future__ import annotations

from django.db import models


class ActiveQuerySet(models.QuerySet):
    """For a model with an `is_active` flag (a product on the menu, a restaurant open for orders, a staff
    member still in the team): `.active()` keeps the rows switched on."""

    def active(self) -> ActiveQuerySet:
        return self.filter(is_active=True)
