"""Text people type without spaces (a note, a name) wraps: it never makes a staff page wider than the screen."""

from __future__ import annotations

from decimal import Decimal

import pytest

from restaurants.models import Role
from restaurants.services import record_waste
from tests import factories as f
from tests.e2e.helpers import DESKTOP, PHONE, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_WORD = "Mozzarella" * 30  # 300 characters, the most a note holds, without a space


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_300_character_word_in_a_note_wraps_within_the_ledger(
    live_server, page, screenshot, restaurant_a, stock_a, viewport
):
    manager = f.StaffMemberFactory(
        restaurant=restaurant_a, role=Role.MANAGER, user__first_name=LONG_WORD[:150]
    ).user
    record_waste(stock=stock_a["Mozzarella"], quantity=Decimal("10"), by=manager, note=LONG_WORD)
    page.set_viewport_size(viewport)
    sign_in(page, live_server, manager)

    page.goto(live_server.url + "/staff/stock/movements/")

    assert page.get_by_text(LONG_WORD).count() == 1
    widths = page.evaluate(
        """() => ({
            viewport: window.innerWidth,
            page: document.documentElement.scrollWidth,
            ledger: document.querySelector('.ledger-table').getBoundingClientRect().width,
            note: document.querySelector('.ledger-table__note').getBoundingClientRect().right,
        })"""
    )
    assert widths["page"] <= widths["viewport"], widths
    assert widths["ledger"] <= widths["viewport"], widths
    assert widths["note"] <= widths["viewport"], widths
    screenshot(f"ledger-long-note-{'phone' if viewport == PHONE else 'desktop'}")
