"""The catalogue's texts in every language of the site (django-modeltranslation): each field below gets a
column per language (`name_fr`, `name_en`) on its own row, so reading a product in English costs no join and
no query more than in French. `product.name` gives the active language's text, the French one when the
English is empty (settings.MODELTRANSLATION_FALLBACK_LANGUAGES). Head office edits both in the admin.

Allergen names are not here: the 14 regulated allergens are fixed by EU law and named by `AllergenCode`'s
translated labels (the site's message catalogue), not by head office.
"""

from modeltranslation.translator import translator

from menu.models import Category, Ingredient, Product, RecipeStep

translator.register(Category, fields=("name",))
# The names are unique in each language; an English name left empty is stored as NULL, which the uniqueness
# ignores, and shows the French one.
translator.register(Ingredient, fields=("name",), empty_values={"name": None})
translator.register(Product, fields=("name", "description"))
translator.register(RecipeStep, fields=("text",))
