"""Phone numbers: read as French unless they start with "+" (PHONENUMBER_DEFAULT_REGION), stored in E.164
("+33612345678"), shown the French way for a French number ("06 12 34 56 78") and in the international
format otherwise ("+44 20 7946 0958"). One place for the rule; templates use the `phone` and `tel` filters.
"""

from __future__ import annotations

import phonenumbers
from django.conf import settings
from phonenumber_field.phonenumber import PhoneNumber, to_python
from phonenumber_field.widgets import RegionalPhoneNumberWidget


def parse_phone(value: object) -> PhoneNumber | None:
    """The valid number `value` stands for, or None (empty, not a number, or not a possible number)."""
    if value in (None, ""):
        return None
    number = to_python(value, region=settings.PHONENUMBER_DEFAULT_REGION) if isinstance(value, str) else value
    return number if isinstance(number, PhoneNumber) and number.is_valid() else None


def display_phone(value: object) -> str:
    """A French number as "06 12 34 56 78", another as "+44 20 7946 0958"; anything else as it was
    stored (an order placed before numbers were checked may hold free text)."""
    number = parse_phone(value)
    if number is None:
        return str(value or "")
    if phonenumbers.region_code_for_number(number) == settings.PHONENUMBER_DEFAULT_REGION:
        return number.as_national
    return number.as_international


def phone_link(value: object) -> str:
    """The number for a tel: or sms: link: E.164, or the digits (and a leading +) of free text."""
    number = parse_phone(value)
    if number is not None:
        return number.as_e164
    text = str(value or "").strip()
    digits = "".join(char for char in text if char.isascii() and char.isdigit())
    return f"+{digits}" if text.startswith("+") else digits


class PhoneInput(RegionalPhoneNumberWidget):
    """A tel input showing a stored number as `display_phone` does (the library's widget would show a
    foreign number in E.164); what the person typed comes back as typed when the form is refused."""

    def format_value(self, value):
        if isinstance(value, PhoneNumber) and value.is_valid():
            return display_phone(value)
        return super().format_value(value)
