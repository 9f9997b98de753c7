"""Texts of translated fields (django-modeltranslation) in every language of the site.

An order copies its product's name at order time; it copies it in each language, so the customer's emails and
the kitchen's screens read it in their own language, and a product renamed since never rewrites an order.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import CharField, F, Model, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import translation
from modeltranslation.utils import get_language


def in_every_language(instance: Model, field: str) -> dict[str, str]:
    """{language code: `instance.field` read in that language}: a language without its own text gets the
    fallback's (French), as a page in that language would show. `field` must be translated."""
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = getattr(instance, field)
    return texts


def in_active_language(path: str) -> F | Coalesce:
    """An expression for a query: the translated text at `path` (`"product__name"`) in the active language,
    the French one where it has none, as `product.name` reads it. For `values()` across a relation, which
    django-modeltranslation leaves on the untranslated column."""
    code, french = get_language(), settings.LANGUAGE_CODE
    if code == french:
        return F(f"{path}_{french}")
    return Coalesce(NullIf(F(f"{path}_{code}"), Value("")), F(f"{path}_{french}"), output_field=CharField())


def copied(target: str, instance: Model, field: str) -> dict[str, str]:
    """Keyword arguments setting each language's column of the translated field `target` (`product_name_fr`,
    `product_name_en`...) to `instance.field` in that language: `OrderLine(**copied("product_name", product,
    "name"))`."""
    return {f"{target}_{code}": text for code, text in in_every_language(instance, field).items()}
