"""Forms of the customer's own order pages: modify an order, cancel it.

The choices come from the menu as it is now (removable recipe ingredients, offered extras, active
products), so a tampered value is a form error, never a service call with it.
"""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from menu.models import Product
from orders.models import OrderLine
from orders.services import MAX_QUANTITY_PER_LINE, FormulePart, LineRequest
from restaurants.templatetags.restaurant_extras import euros


class LineForm(forms.Form):
    """One line of the order: its quantity (0 removes it) and its modifiers."""

    quantity = forms.IntegerField(label=_("Quantity"), min_value=0, max_value=MAX_QUANTITY_PER_LINE)
    removed = forms.TypedMultipleChoiceField(
        label=_("Without"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    extras = forms.TypedMultipleChoiceField(
        label=_("Extras"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, line: OrderLine, product: Product | None, **kwargs) -> None:
        self.line = line
        # None when the product left the menu: the line can then only be removed.
        self.product = product
        recipe = list(product.recipe_lines.all()) if product else []
        offered = list(product.extras.all()) if product else []
        removable = {recipe_line.ingredient_id for recipe_line in recipe if recipe_line.removable}
        offered_ids = {extra.id for extra in offered}
        kwargs.setdefault(
            "initial",
            {
                "quantity": line.quantity,
                "removed": [i.id for i in line.removed_ingredients.all() if i.id in removable],
                "extras": [e.extra_id for e in line.extras.all() if e.extra_id in offered_ids],
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["removed"].choices = [
            (recipe_line.ingredient_id, recipe_line.ingredient.name)
            for recipe_line in recipe
            if recipe_line.removable
        ]
        self.fields["extras"].choices = [
            (extra.id, f"{extra.ingredient.name} (+{euros(extra.price)})") for extra in offered
        ]

    def clean_quantity(self) -> int:
        quantity = self.cleaned_data["quantity"]
        if self.product is None and quantity:
            raise forms.ValidationError(
                _("This product is no longer on the menu: set its quantity to 0 to change your order.")
            )
        return quantity

    def line_request(self) -> LineRequest | None:
        quantity = self.cleaned_data["quantity"]
        if not quantity:
            return None
        return LineRequest(
            product_id=self.line.product_id,
            quantity=quantity,
            removed_ids=frozenset(self.cleaned_data["removed"]),
            extra_ids=frozenset(self.cleaned_data["extras"]),
            formule=formule_part_of(self.line),
        )


def formule_part_of(line: OrderLine) -> FormulePart | None:
    """A formule's component stays one (its composition is checked again by price_lines: a component
    removed or a quantity changed is refused with the reason)."""
    if line.formule_id is None:
        return None
    return FormulePart(
        formule_id=line.formule_id, component_id=line.formule_component_id or 0, group=line.formule_group
    )


class AddProductForm(forms.Form):
    """A product of the menu to add to the order (without modifiers: they can be changed afterwards)."""

    product = forms.TypedChoiceField(label=_("Product"), coerce=int, required=False, empty_value=None)
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY_PER_LINE, required=False, initial=1
    )

    def __init__(self, *args, menu: Sequence[Product], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str | int, str]] = [("", _("Choose a product"))]
        for product in menu:
            label = f"{product.name}, {euros(product.price)}"
            if getattr(product, "portions_left", 1) <= 0:
                label = _("%(product)s (sold out)") % {"product": label}
            choices.append((product.id, label))
        self.fields["product"].choices = choices

    def line_request(self) -> LineRequest | None:
        product_id = self.cleaned_data["product"]
        if product_id is None:
            return None
        return LineRequest(product_id=product_id, quantity=self.cleaned_data["quantity"] or 1)


class ModifyOrderForm:
    """A form per line of the order (prefixes line-0, line-1, ...) and one to add a product."""

    def __init__(
        self,
        data=None,
        *,
        lines: Sequence[OrderLine],
        products: dict[int, Product],
        menu: Sequence[Product],
    ) -> None:
        self.line_forms = [
            LineForm(data, prefix=f"line-{index}", line=line, product=products.get(line.product_id))
            for index, line in enumerate(lines)
        ]
        self.add_form = AddProductForm(data, prefix="add", menu=menu)

    def is_valid(self) -> bool:
        return all([form.is_valid() for form in self.line_forms] + [self.add_form.is_valid()])

    def line_requests(self) -> list[LineRequest]:
        """The order's new lines; an added product merges into a line of it without modifiers."""
        requests = [request for form in self.line_forms if (request := form.line_request()) is not None]
        added = self.add_form.line_request()
        if added is None:
            return requests
        for index, request in enumerate(requests):
            if (
                request.product_id == added.product_id
                and not request.removed_ids
                and not request.extra_ids
                and request.quantity + added.quantity <= MAX_QUANTITY_PER_LINE
            ):
                requests[index] = LineRequest(
                    product_id=request.product_id, quantity=request.quantity + added.quantity
                )
                return requests
        return [*requests, added]


def same_lines(lines: Sequence[OrderLine], requests: Sequence[LineRequest]) -> bool:
    """Whether the requested lines are the order's lines as they are (then there is nothing to modify)."""

    def key(product_id, quantity, removed, extras):
        return (product_id, quantity, tuple(sorted(removed)), tuple(sorted(extras)))

    current = sorted(
        key(
            line.product_id,
            line.quantity,
            [ingredient.id for ingredient in line.removed_ingredients.all()],
            [extra.extra_id for extra in line.extras.all()],
        )
        for line in lines
    )
    wanted = sorted(
        key(request.product_id, request.quantity, request.removed_ids, request.extra_ids)
        for request in requests
    )
    return current == wanted


class CancelOrderForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you cancel?"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("It helps the restaurant; you do not have to say."),
    )
