"""The registry of the staff screens: each app registers the screens it owns, the staff entrance reads it.

The staff navigation and the staff entrance (which screen each role lands on) need every app's screens, but
`restaurants` may not name the URLs of `orders` (imports run `orders` -> `restaurants` -> `menu`). So each
app registers its own screens when Django starts (`AppConfig.ready()`), with the roles that may open them
(the same tuples its views pass to `staff_required`), and this module only keeps the list.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class Screen:
    url_name: str
    label: str | Promise
    roles: tuple[str, ...]  # who may open it, besides managers and head office (who open every screen)
    position: int  # its place in the staff navigation, lowest first
    home_of: tuple[str, ...] = ()  # the roles the staff entrance sends to it


_registry: dict[str, Screen] = {}


def register(
    url_name: str,
    *,
    label: str | Promise,
    roles: tuple[str, ...],
    position: int,
    home_of: tuple[str, ...] = (),
) -> None:
    """Add a staff screen to the navigation (registering a URL name again replaces its entry)."""
    _registry[url_name] = Screen(url_name, label, tuple(roles), position, tuple(home_of))


def registered() -> list[Screen]:
    """Every registered screen, in navigation order."""
    return sorted(_registry.values(), key=lambda screen: (screen.position, screen.url_name))


def home_screen(role: str) -> str | None:
    """The URL name of the screen `role` lands on from the staff entrance, if one was registered."""
    return next((screen.url_name for screen in registered() if role in screen.home_of), None)
