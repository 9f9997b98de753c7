"""Formules' texts in every language of the site (django-modeltranslation, as menu/translation.py)."""

from modeltranslation.translator import translator

from offers.models import Formule, FormuleComponent

translator.register(Formule, fields=("name", "description"))
translator.register(FormuleComponent, fields=("label",))
