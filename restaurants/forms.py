"""Forms that change stock. Each runs its service once the input is valid, so a refusal is a form error."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from restaurants import services
from restaurants.models import MovementReason, Stock, StockMovement

_QUANTITY = {"max_digits": 12, "decimal_places": 3, "min_value": Decimal("0")}


class _ServiceForm(forms.ModelForm):
    """A model form whose saving is a stock service's call (`record`, run once the rest of the form is valid):
    a StockError it raises becomes an error on `error_field`, with nothing written. `by` (who records it) is
    set by the caller on the form class."""

    by: User | None = None
    error_field = "quantity"

    def record(self) -> None:
        raise NotImplementedError

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors:
            return
        try:
            self.record()
        except services.StockError as error:
            self.add_error(self.error_field, error.message)


class StockCreationForm(_ServiceForm):
    """Starts keeping an ingredient at a restaurant through services.create_stock.

    `by` (who records it) is set by the caller on the form class. Once valid, the stock exists and is
    `form.instance`: saving the form writes nothing more.
    """

    error_field = "opening_quantity"

    opening_quantity = forms.DecimalField(
        # The admin shows a model field's label capitalised, and a form field's label as written.
        label=capfirst(_("opening quantity")),
        initial=Decimal("0"),
        help_text=_("What is on the shelves now, in the ingredient's unit; recorded as an inventory count."),
        **_QUANTITY,
    )

    class Meta:
        model = Stock
        fields = ["restaurant", "ingredient", "opening_quantity", "alert_threshold"]

    def record(self) -> None:
        self.instance = services.create_stock(
            restaurant=self.instance.restaurant,
            ingredient=self.instance.ingredient,
            quantity=self.cleaned_data["opening_quantity"],
            alert_threshold=self.instance.alert_threshold,
            by=self.by,
        )


class StockMovementForm(_ServiceForm):
    """Records a delivery, a waste or an inventory count through the matching service.

    The service is the validation: only it, holding the stock row's lock, can tell whether a waste fits in
    what is left. So it runs once the rest of the form is valid, and a StockError becomes an error on the
    quantity, with nothing written. `by` is set by the caller on the form class; once valid, the movement
    exists and is `form.instance`.
    """

    KINDS = (MovementReason.RESTOCK, MovementReason.WASTE, MovementReason.INVENTORY)

    kind = forms.ChoiceField(
        label=capfirst(StockMovement._meta.get_field("reason").verbose_name),
        choices=[(kind.value, kind.label) for kind in KINDS],
    )
    quantity = forms.DecimalField(
        label=capfirst(Stock._meta.get_field("quantity").verbose_name),
        help_text=_(
            "In the ingredient's unit: what was delivered or thrown away, or, for an inventory count, "
            "what was counted."
        ),
        **_QUANTITY,
    )

    class Meta:
        model = StockMovement
        fields = ["stock", "kind", "quantity", "note"]

    def record(self) -> None:
        stock, kind, quantity = self.instance.stock, self.cleaned_data["kind"], self.cleaned_data["quantity"]
        note = self.cleaned_data["note"]
        if kind == MovementReason.RESTOCK:
            movement = services.restock(stock=stock, quantity=quantity, by=self.by, note=note)
        elif kind == MovementReason.WASTE:
            movement = services.record_waste(stock=stock, quantity=quantity, by=self.by, note=note)
        else:
            movement = services.record_inventory_count(stock=stock, counted=quantity, by=self.by, note=note)
        if movement is None:
            self.add_error("quantity", gettext("The count matches the stock: there is nothing to record."))
            return
        self.instance = movement
