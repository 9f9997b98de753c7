from __future__ import annotations


def user_display(user) -> str:
    """How the site names a signed-in person: first name, else email (allauth's ACCOUNT_USER_DISPLAY)."""
    return user.first_name or user.email
