"""The restaurants' texts in every language of the site (django-modeltranslation, as menu/translation.py):
a restaurant's presentation and its chefs' short presentations. Names and addresses are proper names."""

from modeltranslation.translator import TranslationOptions, register

from restaurants.models import Restaurant, StaffMember


@register(Restaurant)
class RestaurantTranslation(TranslationOptions):
    fields = ("description",)


@register(StaffMember)
class StaffMemberTranslation(TranslationOptions):
    fields = ("bio",)
