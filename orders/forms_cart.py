"""The cart's forms: its promo code and its loyalty reward, each taken or given up, and a formule's choices
read as lines (the customer's cart and the counter's)."""

from __future__ import annotations

import secrets

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from common.parsing import whole_number
from offers.formules import FormuleOffer
from orders.errors import OrderError
from orders.services import FormulePart, LineRequest


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


def formule_lines(post: QueryDict, offer: FormuleOffer) -> list[LineRequest]:
    """A line for each choice made (`slot-<component>-<n>` names the product; its removals and extras are
    `slot-<component>-<n>-<product>-removed` / `-extras`). A choice left empty makes no line: price_lines
    then names the component missing."""
    group = secrets.token_hex(8)
    lines = []
    for choice in offer.choices:
        for number in choice.slots():
            name = f"slot-{choice.component.pk}-{number}"
            product_id = whole_number(post.get(name))
            if product_id is None:
                continue
            removed = [whole_number(value) for value in post.getlist(f"{name}-{product_id}-removed")]
            extras = [whole_number(value) for value in post.getlist(f"{name}-{product_id}-extras")]
            if None in removed or None in extras:
                raise OrderError(gettext("This choice is not offered on this product."), code="bad_modifier")
            lines.append(
                LineRequest(
                    product_id=product_id,
                    quantity=1,
                    removed_ids=frozenset(removed),
                    extra_ids=frozenset(extras),
                    formule=FormulePart(
                        formule_id=offer.formule.pk, component_id=choice.component.pk, group=group
                    ),
                )
            )
    if not lines:
        first = offer.choices[0].component
        raise OrderError(
            ngettext(
                "Choose %(count)d « %(component)s » for %(formule)s.",
                "Choose %(count)d « %(component)s » for %(formule)s.",
                first.quantity,
            )
            % {"count": first.quantity, "component": first.label, "formule": offer.formule.name},
            code="formule_missing_component",
        )
    return lines
