"""French law in a browser (issue #14): the footer links to the three legal pages; a manager prints the day's
Z report of the sales record; head office checks the record's integrity on its screen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from orders.models import Provider
from orders.services import record_payment_on_delivery
from restaurants.models import Role
from sales.closings import close_period
from sales.models import SalesEntry
from tests import factories as f
from tests.e2e.helpers import DESKTOP, order_for, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_footer_links_to_the_three_legal_pages(live_server, page, screenshot, restaurant_a):
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/")
    legal = page.get_by_role("navigation", name="Informations légales")
    for link, heading in (
        ("Mentions légales", "Mentions légales"),
        ("Politique de confidentialité", "Politique de confidentialité"),
        ("Conditions générales de vente", "Conditions générales de vente"),
    ):
        legal.get_by_role("link", name=link).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        screenshot(f"legal-{link.split()[0].lower()}")
        page.go_back()


def test_a_manager_prints_the_z_report_and_head_office_checks_the_record(
    live_server, page, screenshot, restaurant_a, menu, stock_a, customer, head_office
):
    counter = f.StaffMemberFactory(restaurant=restaurant_a, role=Role.COUNTER).user
    manager = f.StaffMemberFactory(restaurant=restaurant_a, role=Role.MANAGER).user
    for _ in range(2):
        order = order_for(customer, restaurant_a, menu)
        record_payment_on_delivery(order=order, method=Provider.CASH, by=counter)
    # The day of the entries (not the clock's), closed once it is over.
    day = timezone.localdate(SalesEntry.objects.latest("sequence").recorded_at)
    closing = close_period(
        restaurant_id=restaurant_a.pk, kind="day", day=day, now=timezone.now() + timedelta(days=1)
    )

    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, manager)
    page.goto(live_server.url + reverse("staff_sales_closing", args=[closing.pk]))
    assert closing.entry_count == 4  # two sales, two payments
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"n° {closing.sequence}")
    expect(page.locator("main")).to_contain_text("4 écritures")
    expect(page.locator("main")).to_contain_text(closing.hash)
    screenshot("legal-z-report-manager")

    page.context.clear_cookies()
    sign_in(page, live_server, head_office)
    page.goto(live_server.url + reverse("staff_sales_integrity"))
    expect(page.locator(".message--success")).to_contain_text("Tout est vérifié : 4 écritures et 1 clôtures")
    screenshot("legal-integrity-head-office")


def test_a_customer_downloads_a_copy_of_their_data_then_deletes_their_account(
    live_server, page, screenshot, restaurant_a, menu, stock_a, customer
):
    from orders.models import Status
    from orders.services import transition_order
    from tests.factories import PASSWORD
    from tests.queue import run_deferred

    order = order_for(customer, restaurant_a, menu)
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, customer)

    # The export: asked, built by the worker, downloaded as a ZIP.
    page.goto(live_server.url + reverse("account_export"))
    page.get_by_role("button", name="Préparer une copie de mes données").click()
    expect(page.locator("main")).to_contain_text("en préparation")
    run_deferred("privacy.build_export")
    page.reload()
    with page.expect_download() as download:
        page.get_by_role("link", name="Copie demandée").click()
    assert download.value.suggested_filename.endswith(".zip")
    screenshot("legal-export-ready")

    # The deletion: refused while the order is in progress, done with the password once it is over.
    page.goto(live_server.url + reverse("account_delete"))
    expect(page.get_by_role("alert")).to_contain_text("Une de vos commandes est en cours")
    expect(page.get_by_role("button", name="Supprimer définitivement mon compte")).to_have_count(0)
    screenshot("legal-delete-refused")
    transition_order(order=order, to=Status.CANCELLED, by=customer)
    page.reload()
    page.locator("input[name=password]").fill("not-my-password")
    page.get_by_role("button", name="Supprimer définitivement mon compte").click()
    expect(page.get_by_role("alert")).to_be_visible()
    screenshot("legal-delete-wrong-password")
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Supprimer définitivement mon compte").click()
    expect(page).to_have_url(live_server.url + reverse("home"))
    customer.refresh_from_db()
    assert not customer.is_active and customer.email.endswith("@erased.invalid")
    screenshot("legal-deleted-home")


def test_checkout_is_refused_without_the_terms_and_records_their_version_with_them(
    live_server, page, screenshot, restaurant_a, menu, stock_a, customer
):
    import re

    from orders.models import Order
    from tests.e2e.helpers import add_to_cart

    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, customer)
    page.goto(f"{live_server.url}/restaurants/{restaurant_a.slug}/")
    add_to_cart(page, "Margherita")
    page.goto(live_server.url + "/checkout/")
    page.get_by_role("radio", name="Retrait sur place").check()
    page.get_by_role("radio", name="Espèces, à la livraison ou au retrait").check()
    terms = page.get_by_label(re.compile("accepte les conditions générales de vente"))
    expect(terms).not_to_be_checked()
    # The browser would stop the form on its own (required); the server refuses it too.
    terms.evaluate("box => box.removeAttribute('required')")
    page.get_by_role("button", name="Valider ma commande").click()
    expect(page.get_by_role("main")).to_contain_text(
        "Acceptez les conditions générales de vente pour passer votre commande."
    )
    assert not Order.objects.exists()
    screenshot("legal-checkout-terms-refused")

    page.get_by_label(re.compile("accepte les conditions générales de vente")).check()
    page.get_by_role("button", name="Valider ma commande").click()
    page.wait_for_url(re.compile(r"/orders/[A-Z0-9]{3}-[A-Z0-9]{3}/$"))
    order = Order.objects.get(customer=customer)
    assert order.accepted_terms is not None and order.accepted_terms.kind == "terms"
    screenshot("legal-checkout-terms-accepted")
