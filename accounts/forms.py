from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from accounts.models import Address, User
from accounts.phones import PhoneInput
from common.parsing import is_postal_code


class SignupForm(forms.Form):
    """Extra fields of allauth's sign-up form (allauth calls `signup` once the user exists)."""

    first_name = forms.CharField(
        label=_("First name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    phone = PhoneNumberField(
        label=_("Phone"),
        help_text=_("So the restaurant or the driver can reach you."),
        widget=PhoneInput(attrs={"autocomplete": "tel"}),
    )

    def signup(self, request, user: User) -> None:
        user.first_name = self.cleaned_data["first_name"]
        user.last_name = self.cleaned_data["last_name"]
        user.phone = self.cleaned_data["phone"]
        user.language = (getattr(request, "LANGUAGE_CODE", "") or "fr")[:2]
        user.save(update_fields=["first_name", "last_name", "phone", "language"])


class ProfileForm(forms.ModelForm):
    """A customer's own details; names and phone stay required, as at sign-up."""

    class Meta:
        model = User
        fields = ["first_name", "last_name", "phone", "language"]
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "phone": PhoneInput(attrs={"autocomplete": "tel"}),
        }
        # Written for the customer; the admin keeps the model's wording for staff.
        labels = {"language": _("Language of the site and of your emails")}
        help_texts = {"language": ""}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name", "phone"):
            self.fields[name].required = True


class AddressForm(forms.ModelForm):
    class Meta:
        model = Address
        fields = ["label", "street", "complement", "postal_code", "city", "instructions"]
        widgets = {
            "street": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "complement": forms.TextInput(attrs={"autocomplete": "address-line2"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "instructions": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_postal_code(self) -> str:
        value = self.cleaned_data["postal_code"].strip().replace(" ", "")
        if not is_postal_code(value):
            raise forms.ValidationError(_("Enter a French postal code of 5 digits."))
        return value
