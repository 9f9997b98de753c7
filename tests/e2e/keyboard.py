"""Moving through a page with the keyboard only, as a person without a mouse does: Tab until the element
wanted has the focus (never a click, never `focus()`), and the focus always visible."""

from __future__ import annotations

from playwright.sync_api import Locator, Page

# More Tab presses than any page of the site needs to reach any of its controls.
MAX_TABS = 120

_VISIBLE_FOCUS = """() => {
    const element = document.activeElement;
    if (!element || element === document.body) return false;
    const style = getComputedStyle(element);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
    return outline || style.boxShadow !== "none";
}"""


def is_focused(target: Locator) -> bool:
    return target.evaluate("element => element === document.activeElement")


def tab_to(page: Page, target: Locator, *, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab `backwards`) until `target` has the focus; fails after MAX_TABS presses, or on a
    focused element without a visible focus indicator on the way."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        if is_focused(target):
            assert focus_is_visible(page), f"no visible focus on {target}"
            return
    raise AssertionError(f"{MAX_TABS} presses of {key} never reached {target}")


def focus_is_visible(page: Page) -> bool:
    """The focused element shows it: an outline of 2 px or more, or a ring drawn with a shadow."""
    return page.evaluate(_VISIBLE_FOCUS)


def choose_radio(page: Page, target: Locator) -> None:
    """Tab into the radio group of `target`, then move with the arrow keys until `target` is checked."""
    name = target.get_attribute("name")
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("name => document.activeElement?.name === name", name):
            break
    else:
        raise AssertionError(f"Tab never reached the radio group {name!r}")
    for _ in range(10):
        if target.is_checked():
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"the arrow keys never checked {target}")
