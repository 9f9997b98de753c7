"""Forms of the stock screens: the manager's actions on one stock, and the filters of the ledger.

Each action form checks what it can on its own (a number, positive or not negative, at most 3 decimals),
then `save` calls its service in restaurants.services. Only the service, holding the stock row's lock, can
tell whether a waste fits in what is left: its StockError becomes an error on the form, nothing written.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from menu.models import Ingredient
from restaurants import services
from restaurants.models import MovementReason, Restaurant, Stock, StockMovement
from restaurants.templatetags.stock_tags import quantity as format_quantity

# No single delivery, waste or count is larger (a tonne in grams); the stored quantity holds 9 digits.
MAX_ACTION_QUANTITY = Decimal("1000000")
MAX_STOCK = Decimal("999999999.999")


def _quantity_field(label, help_text="") -> forms.DecimalField:
    # A text field with the decimal keypad: "12,5" (French) and "12.5" are both read, like the stored
    # 3 decimals; a number input would refuse the comma in some browsers.
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        max_digits=12,
        decimal_places=3,
        max_value=MAX_ACTION_QUANTITY,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 8}),
    )


class StockActionForm(forms.Form):
    """One action on one stock. `save(stock=, by=)` returns what to tell the user, or None when it added an
    error to the form instead (nothing was written then)."""

    title = ""
    action = ""
    submit_label = ""

    def save(self, *, stock: Stock, by: User | None) -> str | None:
        try:
            return self.run(stock=stock, by=by)
        except services.InsufficientStock as error:
            shortage = error.shortages[0]
            self.add_error(
                "quantity",
                gettext("Only %(available)s left: you cannot take away %(quantity)s.")
                % {
                    "available": format_quantity(shortage.available, stock.ingredient.unit),
                    "quantity": format_quantity(shortage.needed, stock.ingredient.unit),
                },
            )
        except services.StockError as error:
            self.add_error(None, error.message)
        return None

    def run(self, *, stock: Stock, by: User | None) -> str:
        raise NotImplementedError


class _PositiveQuantityMixin:
    def clean_quantity(self) -> Decimal:
        quantity = self.cleaned_data["quantity"]
        if quantity <= 0:
            raise forms.ValidationError(_("Enter a quantity greater than zero."), code="not_positive")
        return quantity


class _NotNegativeQuantityMixin:
    negative = ""  # the error for a quantity below zero

    def clean_quantity(self) -> Decimal:
        quantity = self.cleaned_data["quantity"]
        if quantity < 0:
            raise forms.ValidationError(self.negative, code="negative")
        return quantity


def _about(message: str, quantity: Decimal, stock: Stock) -> str:
    """`message` with the quantity in the ingredient's unit and the ingredient's name filled in."""
    return message % {
        "quantity": format_quantity(quantity, stock.ingredient.unit),
        "ingredient": stock.ingredient.name,
    }


class _MovementForm(StockActionForm):
    """An action written to the ledger (a delivery, a waste, a count): its quantity, then a note."""

    field_order = ["quantity", "note"]

    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class RestockForm(_PositiveQuantityMixin, _MovementForm):
    title = _("Delivery received")
    action = "restock"
    submit_label = _("Add to stock")

    quantity = _quantity_field(
        pgettext_lazy("quantity received from a supplier", "Delivered"),
        _("What the supplier delivered, in the ingredient's unit."),
    )

    def run(self, *, stock: Stock, by: User | None) -> str:
        quantity = self.cleaned_data["quantity"]
        if stock.quantity + quantity > MAX_STOCK:
            # The database column would overflow (a 500): refuse it as the input error it is.
            raise services.StockError(gettext("This is more than a stock can hold."), code="too_large")
        services.restock(stock=stock, quantity=quantity, by=by, note=self.cleaned_data["note"])
        return _about(gettext("Delivery of %(quantity)s of %(ingredient)s recorded."), quantity, stock)


class WasteForm(_PositiveQuantityMixin, _MovementForm):
    title = _("Waste")
    action = "waste"
    submit_label = _("Record waste")

    quantity = _quantity_field(_("Thrown away"), _("What was thrown away, in the ingredient's unit."))

    def run(self, *, stock: Stock, by: User | None) -> str:
        quantity = self.cleaned_data["quantity"]
        services.record_waste(stock=stock, quantity=quantity, by=by, note=self.cleaned_data["note"])
        return _about(gettext("Waste of %(quantity)s of %(ingredient)s recorded."), quantity, stock)


class InventoryCountForm(_NotNegativeQuantityMixin, _MovementForm):
    title = _("Inventory count")
    action = "count"
    submit_label = _("Record the count")

    quantity = _quantity_field(_("Counted"), _("What is on the shelves now; the stock is set to it."))

    negative = _("A counted quantity cannot be negative.")

    def run(self, *, stock: Stock, by: User | None) -> str:
        counted = self.cleaned_data["quantity"]
        movement = services.record_inventory_count(
            stock=stock, counted=counted, by=by, note=self.cleaned_data["note"]
        )
        if movement is None:
            return gettext("The count of %(ingredient)s matches the stock: nothing to change.") % {
                "ingredient": stock.ingredient.name
            }
        return _about(gettext("%(ingredient)s counted: the stock is now %(quantity)s."), counted, stock)


class ThresholdForm(_NotNegativeQuantityMixin, StockActionForm):
    title = _("Alert threshold")
    action = "threshold"
    submit_label = _("Change the threshold")

    quantity = _quantity_field(_("Alert at"), _("You are emailed when the stock falls to this level."))

    negative = _("A threshold cannot be negative.")

    def run(self, *, stock: Stock, by: User | None) -> str:
        threshold = self.cleaned_data["quantity"]
        services.set_alert_threshold(stock=stock, threshold=threshold)
        return _about(
            gettext("You will be warned when %(ingredient)s falls to %(quantity)s."), threshold, stock
        )


# The action forms by the name their URL carries, in the order the stock page shows them.
ACTION_FORMS: dict[str, type[StockActionForm]] = {
    form.action: form for form in (RestockForm, WasteForm, InventoryCountForm, ThresholdForm)
}


def action_prefix(stock: Stock, action: str) -> str:
    """Every stock row holds the four forms: a prefix keeps their fields' ids apart on the page."""
    return f"stock-{stock.pk}-{action}"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None) -> None:
        # The browser's date picker sends and shows ISO dates, whatever the language.
        super().__init__(attrs, format="%Y-%m-%d")


def local_day_range(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """From the first moment of `start` to the first moment after `end`, in the current time zone."""
    tz = timezone.get_current_timezone()
    since = datetime.combine(start, time.min, tzinfo=tz) if start else None
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz) if end else None
    return since, until


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class MovementFilterForm(forms.Form):
    """The ledger's filters; all optional. Choices are limited to the restaurant's ingredients and staff."""

    ingredient = forms.ModelChoiceField(
        label=_("Ingredient"), queryset=Ingredient.objects.none(), required=False, empty_label=_("All")
    )
    reason = forms.ChoiceField(
        label=_("Reason"), choices=[("", _("All")), *MovementReason.choices], required=False
    )
    user = UserChoiceField(label=_("Who"), queryset=User.objects.none(), required=False, empty_label=_("All"))
    start = forms.DateField(label=_("From"), required=False, widget=DateInput)
    end = forms.DateField(label=_("To"), required=False, widget=DateInput)

    def __init__(self, *args, restaurant: Restaurant, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ingredient"].queryset = Ingredient.objects.filter(
            stocks__restaurant=restaurant
        ).order_by("name")
        # The restaurant's staff (past ones too: the ledger keeps their movements) and head office.
        self.fields["user"].queryset = (
            User.objects.filter(Q(memberships__restaurant=restaurant) | Q(is_superuser=True))
            .distinct()
            .order_by("first_name", "last_name", "email")
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date comes before the start date."))
        return cleaned

    def filter(self, movements: QuerySet[StockMovement]) -> QuerySet[StockMovement]:
        data = self.cleaned_data
        if data["ingredient"]:
            movements = movements.filter(stock__ingredient=data["ingredient"])
        if data["reason"]:
            movements = movements.filter(reason=data["reason"])
        if data["user"]:
            movements = movements.filter(user=data["user"])
        since, until = local_day_range(data["start"], data["end"])
        if since:
            movements = movements.filter(created_at__gte=since)
        if until:
            movements = movements.filter(created_at__lt=until)
        return movements
