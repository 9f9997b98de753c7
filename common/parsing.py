"""Numbers and codes read from request data (query strings, forms, webhook metadata).

`str.isdigit` accepts "²", "①" and other scripts' digits: "²" then makes `int` raise (a 500), "١٢" is read
as 12, and a 30-digit id overflows the database's integer before any check could refuse it. Everything a
request sends goes through these instead.
"""

from __future__ import annotations


def ascii_digits(value: object) -> bool:
    """True for a non-empty string of the ASCII digits 0-9 only."""
    return isinstance(value, str) and value.isascii() and value.isdigit()


def whole_number(value: object, *, max_digits: int = 9) -> int | None:
    """A whole number (0 included) from request data, or None when it is not one: missing, empty, "abc",
    "-1", "1.5", "²", or longer than `max_digits` (9 fits any id and quantity in a 32-bit integer).
    Surrounding spaces are ignored."""
    text = value.strip() if isinstance(value, str) else value
    if not ascii_digits(text) or len(text) > max_digits:
        return None
    return int(text)


def is_postal_code(value: str) -> bool:
    """A French postal code: five ASCII digits."""
    return ascii_digits(value) and len(value) == 5
