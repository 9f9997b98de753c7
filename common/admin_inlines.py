"""What the admin's tabular inlines lack for assistive technologies."""

from __future__ import annotations


class LabelledFieldsInline:
    """Mix into a TabularInline: each field of a row (and its deletion box) is named by its column's label.

    Django's tabular inline writes the labels in the table's header only, so a screen reader reaching a field
    hears no name (axe: `label`); `aria-label` gives it one. Its header cells get text too
    (templates/admin/edit_inline/tabular.html).
    """

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class LabelledFormSet(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                for name, field in form.fields.items():
                    if not field.widget.is_hidden:
                        field.widget.attrs.setdefault("aria-label", str(field.label or name))

        LabelledFormSet.__name__ = formset.__name__
        return LabelledFormSet
