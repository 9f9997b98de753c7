from __future__ import annotations

import pytest
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from restaurants.models import Role
from restaurants.staff.access import SESSION_KEY, staff_context, staff_required
from tests import factories as f


def call(view, user, session=None):
    request = RequestFactory().get("/staff/x/")
    request.user = user
    request.session = session if session is not None else {}
    return view(request)


@staff_required(Role.PIZZAIOLO)
def kitchen_view(request):
    return HttpResponse(f"{request.staff.restaurant.slug}:{request.staff.role}")


def test_a_pizzaiolo_works_at_their_restaurant(pizzaiolo, restaurant_a):
    assert call(kitchen_view, pizzaiolo).content.decode() == f"{restaurant_a.slug}:pizzaiolo"


def test_a_driver_may_not_use_the_kitchen_screen(driver):
    with pytest.raises(PermissionDenied):  # the handler turns it into a 403
        call(kitchen_view, driver)


def test_a_customer_is_refused_and_an_anonymous_visitor_sent_to_sign_in(client, customer):
    assert client.get("/staff/").status_code == 302
    client.force_login(customer)
    assert client.get("/staff/").status_code == 403


def test_a_manager_may_do_what_their_staff_do(manager_b, restaurant_b):
    assert call(kitchen_view, manager_b).content.decode() == f"{restaurant_b.slug}:manager"


def test_a_user_of_several_restaurants_picks_the_current_one(client, pizzaiolo, restaurant_a, restaurant_b):
    f.StaffMemberFactory(user=pizzaiolo, restaurant=restaurant_b, role=Role.MANAGER)
    client.force_login(pizzaiolo)
    response = client.post(
        "/staff/restaurant/", {"restaurant": restaurant_b.pk, "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    assert client.session[SESSION_KEY] == restaurant_b.pk


def test_nobody_picks_a_restaurant_they_do_not_work_at(client, pizzaiolo, restaurant_b):
    client.force_login(pizzaiolo)
    assert client.post("/staff/restaurant/", {"restaurant": restaurant_b.pk}).status_code == 400
    assert client.post("/staff/restaurant/", {"restaurant": "abc"}).status_code == 400
    assert SESSION_KEY not in client.session


def test_head_office_may_work_at_any_restaurant(head_office, restaurant_a, restaurant_b, rf):
    request = rf.get("/")
    request.user = head_office
    request.session = {SESSION_KEY: restaurant_b.pk}
    context = staff_context(request)
    assert context.restaurant == restaurant_b
    assert context.is_head_office and context.can(Role.DRIVER)
    assert set(context.restaurants) == {restaurant_a, restaurant_b}


def test_an_inactive_membership_gives_no_access(client, restaurant_a):
    member = f.StaffMemberFactory(restaurant=restaurant_a, role=Role.DRIVER, is_active=False)
    client.force_login(member.user)
    assert client.get("/staff/").status_code == 403


def test_a_live_board_polling_after_sign_out_sends_the_page_to_sign_in(client, db):
    response = client.get(
        "/staff/", HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/staff/kitchen/"
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=/staff/kitchen/"


@pytest.mark.parametrize(
    ("fragment", "page"),
    [
        ("/staff/kitchen/board/", "/staff/kitchen/"),
        ("/staff/delivery/board/", "/staff/delivery/"),
        ("/staff/counter/orders/", "/staff/counter/?status=ready"),
        ("/staff/stock/products/", "/staff/stock/"),
        ("/staff/dashboard/", "/staff/dashboard/"),
    ],
)
def test_every_polled_staff_fragment_sends_a_signed_out_page_to_sign_in_and_back(client, db, fragment, page):
    """One behaviour for HTMX after the session ended (restaurants.staff.access.to_sign_in): the whole page
    goes to the sign-in page, which brings the user back to the page, never the sign-in form swapped into
    the board, whatever the screen."""
    response = client.get(fragment, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=f"http://testserver{page}")
    assert response.status_code == 200
    assert response["HX-Redirect"] == redirect_to_login(page)["Location"]
    assert not response.has_header("HX-Refresh")
    assert response.content == b""


@pytest.mark.parametrize("target", ["staff_home", "logout", "-1", ".", "/staff/\x00", "//evil.example/"])
def test_switching_restaurant_goes_back_to_a_path_of_the_site_only(client, pizzaiolo, restaurant_a, target):
    """`next` is a path of the site, never a URL name to reverse (a value without "/" was one, or a 500),
    nor another site, nor a header with a control character (found by tests/test_fuzz.py)."""
    client.force_login(pizzaiolo)
    response = client.post("/staff/restaurant/", {"restaurant": restaurant_a.pk, "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/staff/"


def test_switching_restaurant_keeps_the_page_it_was_made_on(client, pizzaiolo, restaurant_a):
    client.force_login(pizzaiolo)
    response = client.post("/staff/restaurant/", {"restaurant": restaurant_a.pk, "next": "/staff/stock/?a=1"})
    assert response["Location"] == "/staff/stock/?a=1"


@pytest.mark.parametrize(
    ("who", "lands_on", "screens"),
    [
        (
            "pizzaiolo",
            "staff_kitchen",
            [
                ("staff_kitchen", "Kitchen"),
                ("staff_expo", "Pass"),
                ("staff_recipes", "Recipes"),
                ("staff_stock", "Stock"),
            ],
        ),
        ("driver", "staff_delivery", [("staff_delivery", "Deliveries")]),
        (
            "counter",
            "staff_counter",
            [("staff_kitchen", "Kitchen"), ("staff_expo", "Pass"), ("staff_counter", "Counter")],
        ),
        ("manager_a", "staff_dashboard", "all"),
        ("head_office", "staff_dashboard", "all"),
    ],
)
def test_each_role_lands_on_its_screen_and_sees_the_screens_it_may_open_in_order(
    client, request, restaurant_a, who, lands_on, screens
):
    """The screens come from a registry each app fills (restaurants.staff.screens): the navigation keeps
    one order whatever app registered first, and each role its home screen."""
    if screens == "all":
        screens = [
            ("staff_kitchen", "Kitchen"),
            ("staff_expo", "Pass"),
            ("staff_recipes", "Recipes"),
            ("staff_delivery", "Deliveries"),
            ("staff_counter", "Counter"),
            ("staff_stock", "Stock"),
            ("staff_dashboard", "Dashboard"),
            ("staff_sales_record", "Sales record"),
        ]
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"] == reverse(lands_on)
    fake = RequestFactory().get("/staff/")
    fake.user, fake.session = user, {}
    with translation.override("en"):
        shown = [(url, str(label)) for url, label in staff_context(fake).screens]
    assert shown == [(reverse(name), label) for name, label in screens]
