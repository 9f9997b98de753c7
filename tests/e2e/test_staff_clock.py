"""The staff bar's clock reads the restaurant's time, whatever time zone the tablet is set to (a tablet bought
abroad, or left on UTC, still shows the kitchen's hour)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.helpers import TABLET, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_staff_clock_shows_the_restaurant_s_hour_on_a_tablet_set_to_another_time_zone(
    live_server, browser, pizzaiolo
):
    context = browser.new_context(locale="fr-FR", timezone_id="Asia/Tokyo", viewport=TABLET)
    page = context.new_page()
    page.clock.install()
    sign_in(page, live_server, pizzaiolo)
    # The server writes Paris's hour; the bar's script rewrites it every 10 s: blanked, it is written again.
    page.goto(live_server.url + "/staff/kitchen/")
    clock = page.locator("[data-staff-clock]")
    expect(clock).to_have_attribute("data-time-zone", "Europe/Paris")
    clock.evaluate("node => { node.textContent = ''; }")
    page.clock.run_for(10_000)
    expect(clock).not_to_have_text("")
    shown = clock.inner_text()
    paris = timezone.localtime()
    # The minute may turn meanwhile (and the tablet's clock ran 10 s ahead): this minute or a neighbour.
    assert shown in {f"{paris + timedelta(minutes=step):%H:%M}" for step in (-1, 0, 1)}, shown
    tokyo = datetime.now(tz=timezone.get_fixed_timezone(9 * 60))
    assert shown != f"{tokyo:%H:%M}"
    context.close()
