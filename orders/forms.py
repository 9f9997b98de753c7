"""The checkout form: delivery or pick-up, where, when, how to pay, and a note for the restaurant."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime, timedelta

from django import forms
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from phonenumber_field.formfields import PhoneNumberField

from accounts.models import Address, User
from accounts.phones import PhoneInput
from common.parsing import is_postal_code
from legal.models import DocumentKind, LegalDocument
from orders.models import Fulfilment, PaymentMethod
from orders.services import DeliveryAddress, available_times
from restaurants.models import Restaurant

ASAP = "asap"
NEW_ADDRESS = "new"

# A note to the restaurant or the kitchen, and delivery instructions. The textarea's `maxlength` makes the
# browser cut a longer paste without a word: the limit is said under the field, and a longer text sent
# anyway is refused with the limit, never cut.
NOTE_MAX_LENGTH = 500


def _note_help() -> str:
    return ngettext("%(limit)d characters at most.", "%(limit)d characters at most.", NOTE_MAX_LENGTH) % {
        "limit": NOTE_MAX_LENGTH
    }


NOTE_HELP = lazy(_note_help, str)()
NOTE_ERRORS = {
    "max_length": _("Please keep it to %(limit_value)d characters: this text has %(show_value)d."),
}

PAYMENT_LABELS = {
    PaymentMethod.ONLINE: _("Pay online now"),
    PaymentMethod.CASH_ON_DELIVERY: _("Cash, on delivery or at pick-up"),
    PaymentMethod.CARD_ON_DELIVERY: _("Card, on delivery or at pick-up"),
}


def time_choices(times: Sequence[datetime], *, now: datetime) -> list:
    """The choice "as soon as possible" first, then the offered times grouped by day."""
    choices: list = []
    if times:
        choices.append(
            (ASAP, _("As soon as possible (around %(time)s)") % {"time": _clock(times[0], now=now)})
        )
    groups: dict[object, list[tuple[str, str]]] = {}
    for moment in times:
        local = timezone.localtime(moment)
        # "H:i" in every language: strftime is the same, without the cost of the localised formatter.
        groups.setdefault(local.date(), []).append((local.isoformat(), local.strftime("%H:%M")))
    today = timezone.localtime(now).date()
    for day, options in groups.items():
        if day == today:
            label = str(_("Today"))
        elif day == today + timedelta(days=1):
            label = str(_("Tomorrow"))
        else:
            label = capfirst(date_format(day, "l j F"))
        choices.append((label, options))
    return choices


class TimeSelect(forms.Select):
    """The same HTML as Django's select, built in Python: a day of 15-minute slots is a hundred options,
    and a template per option made these two fields the slowest part of the checkout page."""

    def render(self, name, value, attrs=None, renderer=None):
        # Django's optgroups() builds a dictionary of attributes per option (a copy each): read the choices
        # directly instead, the first option whose value is the field's marked selected, as Select does.
        values = self.format_value(value)
        chosen = False
        parts = [format_html('<select name="{}"{}>', name, flatatt(self.build_attrs(self.attrs, attrs)))]
        for group_value, group_label in self.choices:
            group = isinstance(group_label, (list, tuple))
            options = group_label if group else [(group_value, group_label)]
            if group:
                parts.append(format_html('<optgroup label="{}">', group_value))
            for option_value, option_label in options:
                selected = not chosen and str(option_value) in values
                chosen |= selected
                parts.append(
                    f'<option value="{conditional_escape(option_value)}"{" selected" if selected else ""}>'
                    f"{conditional_escape(option_label)}</option>"
                )
            if group:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part escaped (format_html, conditional_escape)


def address_label(address: Address, *, served: bool) -> str:
    if served:
        return str(address)
    return _("%(address)s (outside the delivery area)") % {"address": address}


def _clock(moment: datetime, *, now: datetime) -> str:
    local = timezone.localtime(moment)
    if local.date() == timezone.localtime(now).date():
        return date_format(local, "H:i")
    return f"{date_format(local, 'l')} {date_format(local, 'H:i')}"


def note_field(label: str) -> forms.CharField:
    """A free text of NOTE_MAX_LENGTH characters at most, the limit said under it."""
    return forms.CharField(
        label=label,
        max_length=NOTE_MAX_LENGTH,
        required=False,
        help_text=NOTE_HELP,
        error_messages=NOTE_ERRORS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def time_field(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=False,
        error_messages={"invalid_choice": _("This time is not available; please choose another.")},
        widget=TimeSelect,
    )


def payment_method_field(**kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Payment"),
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("This payment method is not available here.")},
        **kwargs,
    )


def delivery_address_of(address: Address) -> DeliveryAddress:
    """An address of the book as the address an order is delivered to."""
    return DeliveryAddress(
        street=address.street,
        postal_code=address.postal_code,
        city=address.city,
        complement=address.complement,
        instructions=address.instructions,
        address_id=address.pk,
    )


def offered_times(*, restaurant: Restaurant, pizzas: int, now: datetime) -> dict[str, list[datetime]]:
    """The `delivery_times` and `pickup_times` arguments of a FulfilmentFields form, for this many pizzas."""
    return {
        f"{fulfilment}_times": available_times(
            restaurant=restaurant, fulfilment=fulfilment, pizzas=pizzas, now=now
        )
        for fulfilment in (Fulfilment.DELIVERY, Fulfilment.PICKUP)
    }


class FulfilmentFields(forms.Form):
    """Delivery or pick-up, where and when: the fields the website's checkout and the counter share.

    `addresses` are the customer's own (the choices of `address`, beside a new one); a delivery is offered
    only when the restaurant serves some postal code. A valid delivery puts `delivery_address` (a
    DeliveryAddress) in cleaned_data, and either fulfilment its `requested_time` (None: as soon as possible).
    """

    fulfilment = forms.ChoiceField(label=_("Delivery or pick-up"), widget=forms.RadioSelect)
    address = forms.ChoiceField(label=_("Deliver to"), widget=forms.RadioSelect, required=False)
    street = forms.CharField(label=_("Street"), max_length=200, required=False)
    complement = forms.CharField(
        label=_("Complement"), max_length=200, required=False, help_text=_("Floor, door code, building.")
    )
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    instructions = note_field(_("Delivery instructions"))
    delivery_time = time_field(_("Delivery time"))
    pickup_time = time_field(_("Pick-up time"))

    # What a delivery to a new address needs (clean() requires them then). Not `required` for Django or the
    # browser, since a pick-up leaves them empty; the page shows them only for a delivery, marked required.
    DELIVERY_ADDRESS_REQUIRED = ("street", "postal_code", "city")
    NEW_ADDRESS_FIELDS = ("street", "complement", "postal_code", "city", "instructions")
    NEW_ADDRESS_LABEL = _("A new address")
    PICKUP_FIRST = False
    NO_TIME_CHOSEN = _("Choose when you want your order.")

    def __init__(
        self,
        *args,
        addresses: Iterable[Address],
        delivery_times: Sequence[datetime],
        pickup_times: Sequence[datetime],
        now: datetime,
        served_postal_codes: Collection[str] = frozenset(),
        **kwargs,
    ) -> None:
        self.addresses = {str(address.pk): address for address in addresses}
        served = [pk for pk, address in self.addresses.items() if address.postal_code in served_postal_codes]
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("address", served[0] if served else NEW_ADDRESS)
        initial.setdefault("delivery_time", ASAP)
        initial.setdefault("pickup_time", ASAP)
        super().__init__(*args, **kwargs)
        for name in self.DELIVERY_ADDRESS_REQUIRED:
            self.fields[name].required_when_shown = True  # read by includes/form_field.html
            self.fields[name].widget.attrs["aria-required"] = "true"
        choices = reversed(Fulfilment.choices) if self.PICKUP_FIRST else Fulfilment.choices
        self.fields["fulfilment"].choices = [
            (value, label) for value, label in choices if served_postal_codes or value == Fulfilment.PICKUP
        ]
        self.fields["address"].choices = [
            (pk, address_label(address, served=pk in served)) for pk, address in self.addresses.items()
        ] + [(NEW_ADDRESS, self.NEW_ADDRESS_LABEL)]
        self.fields["delivery_time"].choices = time_choices(delivery_times, now=now)
        self.fields["pickup_time"].choices = time_choices(pickup_times, now=now)

    @property
    def new_address_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.NEW_ADDRESS_FIELDS]

    def clean_postal_code(self) -> str:
        value = self.cleaned_data["postal_code"].strip().replace(" ", "")
        if value and not is_postal_code(value):
            raise forms.ValidationError(_("Enter a French postal code of 5 digits."))
        return value

    def clean(self) -> dict:
        data = super().clean()
        fulfilment = data.get("fulfilment")
        if fulfilment == Fulfilment.DELIVERY:
            data["delivery_address"] = self._delivery_address(data)
        if fulfilment in Fulfilment.values:
            name = "delivery_time" if fulfilment == Fulfilment.DELIVERY else "pickup_time"
            value = data.get(name)
            if not self.fields[name].choices:
                self.add_error(None, _("This restaurant takes no orders in the coming days."))
            elif not value:
                self.add_error(name, self.NO_TIME_CHOSEN)
            data["requested_time"] = None if value in (None, "", ASAP) else datetime.fromisoformat(value)
        return data

    def _address_choice(self, data: dict) -> str:
        """The address chosen, NEW_ADDRESS for one typed in; "" (an error said on the form) for none."""
        return data.get("address") or NEW_ADDRESS

    def _delivery_address(self, data: dict) -> DeliveryAddress | None:
        choice = self._address_choice(data)
        if not choice:
            return None
        if choice != NEW_ADDRESS:
            # The choices are this customer's own addresses: any other value failed validation already.
            return delivery_address_of(self.addresses[choice])
        for name in self.DELIVERY_ADDRESS_REQUIRED:
            if not data.get(name, "").strip() and name not in self.errors:
                self.add_error(name, _("This field is required for a delivery."))
        if any(name in self.errors for name in self.DELIVERY_ADDRESS_REQUIRED):
            return None
        return DeliveryAddress(
            street=data["street"],
            postal_code=data["postal_code"],
            city=data["city"],
            complement=data.get("complement", ""),
            instructions=data.get("instructions", ""),
        )


# The customer's browser may fill in their own address; at the counter it is someone else's.
ADDRESS_AUTOCOMPLETE = {
    "street": "address-line1",
    "complement": "address-line2",
    "postal_code": "postal-code",
    "city": "address-level2",
}


class CheckoutForm(FulfilmentFields):
    save_address = forms.BooleanField(label=_("Save this address to my address book"), required=False)
    payment_method = payment_method_field()
    phone = PhoneNumberField(
        label=_("Phone"),
        required=False,
        help_text=_("So the restaurant or the driver can reach you. It is saved to your profile."),
        widget=PhoneInput(attrs={"autocomplete": "tel"}),
    )
    note = note_field(_("A note for the restaurant"))

    NEW_ADDRESS_FIELDS = (*FulfilmentFields.NEW_ADDRESS_FIELDS, "save_address")

    def __init__(
        self,
        *args,
        user: User,
        restaurant: Restaurant,
        online: bool,
        served_postal_codes: Collection[str] = frozenset(),
        below_minimum: bool = False,
        **kwargs,
    ) -> None:
        self.user = user
        self.restaurant = restaurant
        self.terms = LegalDocument.objects.current(DocumentKind.TERMS)
        initial = kwargs.setdefault("initial", {})
        # Delivery first, unless the cart is below the minimum for it.
        delivers = bool(served_postal_codes) and not below_minimum
        initial.setdefault("fulfilment", Fulfilment.DELIVERY if delivers else Fulfilment.PICKUP)
        methods = [PaymentMethod.CASH_ON_DELIVERY, PaymentMethod.CARD_ON_DELIVERY]
        if online:
            methods.insert(0, PaymentMethod.ONLINE)
        initial.setdefault("payment_method", methods[0])
        super().__init__(
            *args,
            addresses=Address.objects.active().filter(user=user),
            served_postal_codes=served_postal_codes,
            **kwargs,
        )
        for name, autocomplete in ADDRESS_AUTOCOMPLETE.items():
            self.fields[name].widget.attrs["autocomplete"] = autocomplete
        self.fields["payment_method"].choices = [(method.value, PAYMENT_LABELS[method]) for method in methods]
        self.asks_phone = not user.phone
        if not self.asks_phone:
            del self.fields["phone"]
        else:
            self.fields["phone"].required = True
        self._add_terms_fields()

    def _add_terms_fields(self) -> None:
        """The required "I accept the terms of sale" box, linking to the version in force, and that version's
        number, so terms published while the page was open are not taken as accepted (clean_terms_version)."""
        if self.terms is None:
            return
        self.fields["accept_terms"] = forms.BooleanField(
            label=_("I have read and accept the terms of sale"),
            error_messages={"required": _("Accept the terms of sale to place your order.")},
            help_text=format_html(
                '<a href="{}" target="_blank" rel="noopener">{}</a>',
                reverse("legal_page_version", args=["cgv", self.terms.version]),
                _("Read the terms of sale (version %(version)s)") % {"version": self.terms.version},
            ),
        )
        self.fields["terms_version"] = forms.IntegerField(
            widget=forms.HiddenInput, initial=self.terms.version
        )

    def clean_terms_version(self) -> int:
        version = self.cleaned_data["terms_version"]
        if version != self.terms.version:
            raise forms.ValidationError(
                _("The terms of sale changed while this page was open: read the new version and accept it."),
                code="terms_changed",
            )
        return version

    def accepted_terms(self) -> LegalDocument | None:
        """The version of the terms the customer accepted (None when no terms were ever published)."""
        return self.terms

    def _address_choice(self, data: dict) -> str:
        choice = data.get("address")
        if not choice:
            self.add_error("address", _("Choose where to deliver."))
        return choice or ""

    def saves_new_address(self) -> bool:
        """Whether save_new_address writes: a delivery to a new address the customer asked to keep."""
        address = self.cleaned_data.get("delivery_address")
        return (
            address is not None
            and self.cleaned_data["fulfilment"] == Fulfilment.DELIVERY
            and address.address_id is None
            and bool(self.cleaned_data.get("save_address"))
        )

    def save_new_address(self) -> DeliveryAddress | None:
        """The delivery address to order with; a new one is added to the book first when asked to.
        Call inside the transaction that places the order, so a refused order leaves no address behind."""
        address = self.cleaned_data.get("delivery_address")
        if not self.saves_new_address():
            return address
        saved = Address.objects.create(
            user=self.user,
            street=address.street.strip(),
            complement=address.complement.strip(),
            postal_code=address.postal_code,
            city=address.city.strip(),
            instructions=address.instructions.strip(),
        )
        return delivery_address_of(saved)
