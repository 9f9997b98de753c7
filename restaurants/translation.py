"""The restaurants' texts in every language of the site (django-modeltranslation, as menu/translation.py):
a restaurant's presentation and its chefs' short presentations. Names and addresses are proper names."""

from modeltranslation.translator import translator

from restaurants.models import Restaurant, StaffMember

translator.register(Restaurant, fields=("description",))
translator.register(StaffMember, fields=("bio",))
