"""The catalogue's texts in every language of the site (django-modeltranslation): each field below gets a
column per language (`name_fr`, `name_en`) on its own row, so reading a product in English costs no join and
no query more than in French. `product.name` gives the active language's text, the French one when the
English is empty (settings.MODELTRANSLATION_FALLBACK_LANGUAGES). Head office edits both in the admin.

Allergen names are not here: the 14 regulated allergens are fixed by EU law and named by `AllergenCode`'s
translated labels (the site's message catalogue), not by head office.
"""

from modeltranslation.translator import TranslationOptions, register

from menu.models import Category, Ingredient, Product, RecipeStep


@register(Category)
class CategoryTranslation(TranslationOptions):
    fields = ("name",)


@register(Ingredient)
class IngredientTranslation(TranslationOptions):
    fields = ("name",)
    # The names are unique in each language; an English name left empty is stored as NULL, which the
    # uniqueness ignores, and shows the French one.
    empty_values = {"name": None}


@register(Product)
class ProductTranslation(TranslationOptions):
    fields = ("name", "description")


@register(RecipeStep)
class RecipeStepTranslation(TranslationOptions):
    fields = ("text",)
