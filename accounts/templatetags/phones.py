from __future__ import annotations

from django import template

from accounts.phones import display_phone, phone_link

register = template.Library()

# {{ user.phone|phone }} shows "06 12 34 56 78"; <a href="tel:{{ user.phone|tel }}"> dials it.
register.filter("phone", display_phone)
register.filter("tel", phone_link)
