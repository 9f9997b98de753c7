"""Forms of the counter screen: find a customer, add a line to the order being taken, and its details.

The choices come from the menu and the restaurant as they are now (products, removable ingredients, offered
extras, delivery and pick-up times, the customer's own addresses), so a tampered value is a form error and
never reaches orders.services.place_order, which checks everything once more.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django import forms
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField
from phonenumber_field.phonenumber import PhoneNumber

from accounts.models import User
from accounts.phones import PhoneInput, parse_phone
from orders.forms import PAYMENT_LABELS, FulfilmentFields, note_field, payment_method_field
from orders.models import Channel, Fulfilment, PaymentMethod
from orders.services import MAX_QUANTITY_PER_LINE, PAYMENT_METHODS_BY_CHANNEL, LineRequest
from restaurants.selectors import MenuItem

COUNTER_CHANNELS = [(Channel.PHONE.value, _("By phone")), (Channel.COUNTER.value, _("At the counter"))]
COUNTER_PAYMENT_METHODS = [
    PaymentMethod.CASH_ON_DELIVERY,
    PaymentMethod.CARD_ON_DELIVERY,
    PaymentMethod.AT_COUNTER,
]
COUNTER_PAYMENT_LABELS = {
    **PAYMENT_LABELS,
    PaymentMethod.AT_COUNTER: _("At the counter, cash or card (walk-in customers)"),
}
# A search that reads as (part of) a phone number: digits, spaces, dots, dashes, brackets, a leading "+".
_PHONE_CHARACTERS = re.compile(r"^\+?[0-9 .()\-]+$")
MIN_SEARCH_LENGTH = 2


class CustomerSearchForm(forms.Form):
    """What the clerk types to find an account: part of a name, of a phone number or of an email address."""

    q = forms.CharField(
        label=_("Name, phone or email of the customer"),
        max_length=254,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "placeholder": _("Camille, 06 12 34 56 78 or name@example.com"),
            }
        ),
    )

    def clean_q(self) -> str:
        value = " ".join(self.cleaned_data["q"].split())
        if len(value) < MIN_SEARCH_LENGTH:
            raise forms.ValidationError(
                _("Type at least %(count)d characters.") % {"count": MIN_SEARCH_LENGTH}
            )
        return value

    @property
    def is_email(self) -> bool:
        return "@" in self.cleaned_data.get("q", "")

    @property
    def phone(self) -> PhoneNumber | None:
        """The whole valid phone number typed, if that is what it is."""
        return parse_phone(self.cleaned_data.get("q", ""))

    @property
    def phone_digits(self) -> str:
        """The digits of a search that reads as part of a phone number ("06 12" gives "0612"), else ""."""
        value = self.cleaned_data.get("q", "")
        if not _PHONE_CHARACTERS.match(value):
            return ""
        return ("+" if value.startswith("+") else "") + "".join(char for char in value if char.isdigit())


class AddLineForm(forms.Form):
    """A product of the menu with its quantity and modifiers, for the order being taken."""

    product = forms.TypedChoiceField(
        label=_("Product"),
        coerce=int,
        error_messages={"invalid_choice": _("This product is not on the menu.")},
    )
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=MAX_QUANTITY_PER_LINE,
        initial=1,
        error_messages={
            "invalid": _("A quantity must be between 1 and %(max)d.") % {"max": MAX_QUANTITY_PER_LINE},
            "min_value": _("A quantity must be between 1 and %(max)d.") % {"max": MAX_QUANTITY_PER_LINE},
            "max_value": _("A quantity must be between 1 and %(max)d.") % {"max": MAX_QUANTITY_PER_LINE},
        },
    )
    removed = forms.TypedMultipleChoiceField(
        label=_("Leave out"),
        coerce=int,
        required=False,
        error_messages={"invalid_choice": _("This choice is not offered on this product.")},
    )
    extras = forms.TypedMultipleChoiceField(
        label=_("Extras"),
        coerce=int,
        required=False,
        error_messages={"invalid_choice": _("This choice is not offered on this product.")},
    )

    def __init__(self, *args, items: Mapping[int, MenuItem], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        self.fields["product"].choices = [(pk, item.product.name) for pk, item in items.items()]
        self.fields["removed"].choices = sorted(
            {(ingredient.pk, ingredient.name) for item in items.values() for ingredient in item.removable}
        )
        self.fields["extras"].choices = sorted(
            {(extra.pk, extra.ingredient.name) for item in items.values() for extra in item.extras}
        )

    def clean(self) -> dict:
        data = super().clean()
        item = self.items.get(data.get("product"))
        if item is None:
            return data
        # Each product offers its own modifiers: a choice valid on another product is refused here.
        if not set(data.get("removed", [])) <= {ingredient.pk for ingredient in item.removable}:
            self.add_error("removed", _("This choice is not offered on this product."))
        if not set(data.get("extras", [])) <= {extra.pk for extra in item.extras}:
            self.add_error("extras", _("This choice is not offered on this product."))
        return data

    @property
    def item(self) -> MenuItem:
        return self.items[self.cleaned_data["product"]]

    def line_request(self) -> LineRequest:
        return LineRequest(
            product_id=self.cleaned_data["product"],
            quantity=self.cleaned_data["quantity"],
            removed_ids=frozenset(self.cleaned_data["removed"]),
            extra_ids=frozenset(self.cleaned_data["extras"]),
        )


class CounterOrderForm(FulfilmentFields):
    """How the order was taken, who for, delivery or pick-up, where, when, and how it will be paid."""

    channel = forms.ChoiceField(label=_("Taken"), choices=COUNTER_CHANNELS, widget=forms.RadioSelect)
    name = forms.CharField(
        label=_("Name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    phone = PhoneNumberField(
        label=_("Phone"),
        required=False,
        help_text=_("Needed for a phone order and for a delivery."),
        widget=PhoneInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        help_text=_("The confirmation and the tracking link are sent there."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    payment_method = payment_method_field(
        choices=[(method.value, COUNTER_PAYMENT_LABELS[method]) for method in COUNTER_PAYMENT_METHODS]
    )
    note = note_field(_("A note for the kitchen"))

    NEW_ADDRESS_LABEL = _("Another address")
    # Pick-up first: most orders taken at the counter or on the phone are collected.
    PICKUP_FIRST = True
    NO_TIME_CHOSEN = _("Choose when the order is wanted.")

    def __init__(self, *args, customer: User | None, **kwargs) -> None:
        self.customer = customer
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("channel", Channel.PHONE.value)
        initial.setdefault("fulfilment", Fulfilment.PICKUP.value)
        initial.setdefault("payment_method", PaymentMethod.CASH_ON_DELIVERY.value)
        if customer is not None:
            initial.setdefault("name", customer.display_name)
            initial.setdefault("phone", customer.phone)
            initial.setdefault("email", customer.email)
        super().__init__(*args, **kwargs)

    def clean(self) -> dict:
        data = super().clean()
        channel = data.get("channel")
        method = data.get("payment_method")
        if channel and method and method not in PAYMENT_METHODS_BY_CHANNEL[channel]:
            self.add_error(
                "payment_method",
                _(
                    "Payment at the counter is only for customers ordering at the counter: choose cash or card."
                ),
            )
        needs_phone = channel == Channel.PHONE or data.get("fulfilment") == Fulfilment.DELIVERY
        if needs_phone and not data.get("phone") and "phone" not in self.errors:
            self.add_error("phone", _("A phone number is needed for a phone order or a delivery."))
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the order cancelled?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the order's history."),
    )
