"""What several order admins show alike."""

from __future__ import annotations

from operator import attrgetter

from django.contrib import admin

from common import formats
from menu.models import Extra
from orders.models import Order, OrderLine
from restaurants.admin import ReadOnlyAdminMixin, RestaurantScopedAdminMixin


class RecordInline(ReadOnlyAdminMixin, RestaurantScopedAdminMixin, admin.TabularInline):
    """A read-only table of an order's records, scoped to the manager's restaurants: every field in `fields`
    shown, no empty row to fill; `related` fetched with the rows (select_related), `prefetch` after them."""

    extra = 0
    related: tuple[str, ...] = ()
    prefetch: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.related:  # select_related() with no name would follow every foreign key
            queryset = queryset.select_related(*self.related)
        return queryset.prefetch_related(*self.prefetch)


def field_label(model, field_name: str):
    return model._meta.get_field(field_name).verbose_name


def order_number_column(path: str):
    """A list column showing the number of the order reached from the row through `path` (a lookup such as
    "order" or "payment__order"), sorted by it: `order_number = order_number_column("payment__order")`."""
    number_of = attrgetter(path.replace("__", ".") + ".number")

    @admin.display(description=Order._meta.verbose_name, ordering=f"{path}__number")
    def order_number(self, row) -> str:
        return number_of(row)

    return order_number


class OrderLineDisplayMixin:
    """Shows a line's modifiers; the queryset must prefetch `extras` and `removed_ingredients`."""

    @admin.display(description=Extra._meta.verbose_name_plural)
    def extras_list(self, line: OrderLine) -> str:
        return ", ".join(f"+ {extra.name} ({formats.euros(extra.unit_price)})" for extra in line.extras.all())

    @admin.display(description=field_label(OrderLine, "removed_ingredients"))
    def removed_list(self, line: OrderLine) -> str:
        return ", ".join(ingredient.name for ingredient in line.removed_ingredients.all())
