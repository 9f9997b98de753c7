"""A reward's name in every language of the site (django-modeltranslation, as menu/translation.py): the cart,
the points page and the dashboard show it in the reader's language, the French where it has no English."""

from modeltranslation.translator import translator

from loyalty.models import Reward

translator.register(Reward, fields=("name",))
