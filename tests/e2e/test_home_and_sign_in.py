"""The home page in French, and the sign-in form: the right password lets a customer in, a wrong one
keeps them out with a message."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import fill_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_customer_opens_the_home_page_and_signs_in(live_server, page, screenshot, restaurant_a, customer):
    page.goto(live_server.url + "/")
    expect(page.locator("body")).to_contain_text(restaurant_a.name)
    assert page.locator("html").get_attribute("lang") == "fr"
    screenshot("home")

    page.goto(live_server.url + "/accounts/login/")
    submit = fill_sign_in(page, customer.email)
    screenshot("login")
    submit.click()

    page.wait_for_url(live_server.url + "/")
    expect(page.locator("header")).to_contain_text(customer.first_name)
    screenshot("signed-in")


def test_a_wrong_password_keeps_the_visitor_signed_out(live_server, page, customer):
    page.goto(live_server.url + "/accounts/login/")
    fill_sign_in(page, customer.email, "not-the-password").click()
    expect(page.locator("main")).to_contain_text("mot de passe")
    assert page.url.startswith(live_server.url + "/accounts/login/")
