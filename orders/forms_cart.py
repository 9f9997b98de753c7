"""The cart's forms: its promo code and its loyalty reward, each taken or given up (the customer's cart and
the counter's)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class _ApplyOrRemoveForm(forms.Form):
    """A choice of the cart taken (`applies`: its field is then required, `missing` says so) or given up."""

    choice_field: str
    applies: str
    missing: str

    def clean(self):
        data = super().clean()
        if data.get("action") == self.applies and not data.get(self.choice_field):
            self.add_error(self.choice_field, self.missing)
        return data


class PromoCodeForm(_ApplyOrRemoveForm):
    """The cart's promo code field: apply a code (checked by offers.rules in the view) or remove it."""

    choice_field, applies, missing = "code", "apply", _("Type a promo code.")
    code = forms.CharField(label=_("Promo code"), max_length=32, required=False, strip=True)
    action = forms.ChoiceField(choices=[("apply", _("Apply")), ("remove", _("Remove"))], initial="apply")


class RewardForm(_ApplyOrRemoveForm):
    """The cart's loyalty reward: take one (checked by orders.services.rewards in the view) or give it up."""

    choice_field, applies, missing = "reward", "take", _("Choose a reward.")
    reward = forms.IntegerField(min_value=1, max_value=2**31 - 1, required=False)
    action = forms.ChoiceField(choices=[("take", _("Take")), ("remove", _("Remove"))], initial="take")
