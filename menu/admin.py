"""Head office's admin of the catalogue shared by every restaurant.

The translated texts (menu/translation.py) show one field per language, French first: "name [fr]",
"name [en]". The English may stay empty: the pages then show the French.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from common import renditions
from common.admin_inlines import LabelledFieldsInline
from common.admin_readonly import ReadOnlyAdminMixin
from menu.models import Allergen, Category, Extra, Ingredient, Product, RecipeLine, RecipeStep


@admin.register(Allergen)
class AllergenAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The 14 regulated allergens, created by a migration: shown, never added, edited or deleted."""

    list_display = ("__str__", "code")
    search_fields = ("code",)
    ordering = ("code",)


@admin.register(Category)
class CategoryAdmin(TranslationAdmin):
    list_display = ("name", "slug", "position")
    list_editable = ("position",)
    search_fields = ("name_fr", "name_en", "slug")
    ordering = ("position", "name")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Ingredient)
class IngredientAdmin(TranslationAdmin):
    list_display = ("name", "unit", "allergen_list")
    list_filter = ("unit", "allergens")
    search_fields = ("name_fr", "name_en")
    ordering = ("name",)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # Boxes to tick (14 allergens): Django's two-list widget fails accessibility checks (unnamed tooltips).
        if db_field.name == "allergens":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("allergens")

    @admin.display(description=Ingredient._meta.get_field("allergens").verbose_name)
    def allergen_list(self, ingredient: Ingredient) -> str:
        return ", ".join(str(allergen) for allergen in ingredient.allergens.all())


@admin.register(Extra)
class ExtraAdmin(admin.ModelAdmin):
    list_display = ("ingredient", "price", "quantity", "is_active")
    list_select_related = ("ingredient",)
    list_filter = ("is_active",)
    search_fields = ("ingredient__name_fr", "ingredient__name_en")
    ordering = ("ingredient__name",)
    autocomplete_fields = ("ingredient",)


class RecipeLineInline(LabelledFieldsInline, admin.TabularInline):
    model = RecipeLine
    extra = 0
    fields = ("ingredient", "quantity", "removable")
    autocomplete_fields = ("ingredient",)

    def get_queryset(self, request):
        # Each row prints its line (product and ingredient names): fetch them with the rows.
        return super().get_queryset(request).select_related("product", "ingredient")


class RecipeStepInline(LabelledFieldsInline, TranslationTabularInline):
    model = RecipeStep
    extra = 0
    fields = ("position", "text", "ingredients")
    autocomplete_fields = ("ingredients",)
    # The French and the English side by side: narrower boxes keep the row within the page.
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 4, "cols": 32})}}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product")


def _image_tag(product: Product, size: int) -> str | None:
    """The dish's 224 px rendition once made (the list shows dozens), the original until then."""
    if not product.image:
        return None
    return format_html(
        '<img src="{}" alt="" width="{}" height="{}" style="object-fit: cover; border-radius: 4px">',
        renditions.largest_url(product.image, product.image_renditions_of, renditions.DISH),
        size,
        size,
    )


@admin.register(Product)
class ProductAdmin(TranslationAdmin):
    list_display = ("thumbnail", "name", "category", "station", "price", "vat_rate", "is_active", "position")
    list_display_links = ("thumbnail", "name")
    list_select_related = ("category",)
    list_filter = ("category", "station", "is_active", "vat_rate")
    search_fields = ("name_fr", "name_en", "slug", "description_fr", "description_en")
    ordering = ("category__position", "position", "name")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("image_preview",)
    fieldsets = (
        (None, {"fields": ("category", "name", "slug", "description", "is_active", "position")}),
        (_("Price"), {"fields": ("price", "vat_rate")}),
        (None, {"fields": ("image", "image_preview")}),
        (_("Recipe card"), {"fields": ("station", "baking_minutes", "baking_temperature")}),
        (None, {"fields": ("extras",)}),
    )
    inlines = [RecipeLineInline, RecipeStepInline]

    @admin.display(description=Product._meta.get_field("image").verbose_name)
    def thumbnail(self, product: Product) -> str | None:
        return _image_tag(product, 48)

    @admin.display(description=Product._meta.get_field("image").verbose_name)
    def image_preview(self, product: Product) -> str | None:
        return _image_tag(product, 240)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "extras":
            # An extra is named after its ingredient: one query for the list, not one per option. Boxes to
            # tick (a dozen extras): Django's two-list widget fails accessibility checks (unnamed tooltips).
            kwargs["queryset"] = Extra.objects.select_related("ingredient")
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(RecipeLine)
class RecipeLineAdmin(admin.ModelAdmin):
    """Every recipe line, to answer "which products use this ingredient?"."""

    list_display = ("product", "ingredient", "quantity", "unit", "removable")
    list_select_related = ("product", "ingredient")
    list_filter = ("removable", "product__category", "ingredient")
    search_fields = ("product__name_fr", "product__name_en", "ingredient__name_fr", "ingredient__name_en")
    ordering = ("product__name", "ingredient__name")
    autocomplete_fields = ("product", "ingredient")

    @admin.display(description=Ingredient._meta.get_field("unit").verbose_name)
    def unit(self, line: RecipeLine) -> str:
        return line.ingredient.get_unit_display()


@admin.register(RecipeStep)
class RecipeStepAdmin(TranslationAdmin):
    list_display = ("product", "position", "text")
    list_select_related = ("product",)
    list_filter = ("product__category",)
    search_fields = ("product__name_fr", "product__name_en", "text_fr", "text_en")
    ordering = ("product__name", "position", "id")
    autocomplete_fields = ("product", "ingredients")
