"""The "Staff screens" link of the account menu: for staff and head office only, at most one query."""

from __future__ import annotations

from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from restaurants.context_processors import staff
from restaurants.models import Role
from tests import factories as f


def test_a_staff_member_sees_the_link_to_the_staff_screens(client, pizzaiolo):
    client.force_login(pizzaiolo)
    page = client.get(reverse("home")).content.decode()
    assert page.count(f'href="{reverse("staff_home")}"') == 2  # the dropdown and the mobile menu


def test_head_office_sees_the_link(client, head_office):
    client.force_login(head_office)
    assert f'href="{reverse("staff_home")}"' in client.get(reverse("home")).content.decode()


def test_customers_former_staff_and_visitors_do_not(client, customer, restaurant_a):
    former = f.StaffMemberFactory(restaurant=restaurant_a, role=Role.DRIVER, is_active=False).user
    assert f'href="{reverse("staff_home")}"' not in client.get(reverse("home")).content.decode()
    for user in (customer, former):
        client.force_login(user)
        assert f'href="{reverse("staff_home")}"' not in client.get(reverse("home")).content.decode()


def test_the_membership_is_read_only_when_a_template_asks_and_only_once(
    rf, pizzaiolo, django_assert_num_queries
):
    request = rf.get("/")
    request.user = pizzaiolo
    with django_assert_num_queries(0):
        context = staff(request)
        Template("{{ 1 }}").render(Context(context))
    with django_assert_num_queries(1):
        html = Template("{% if staff_access %}yes{% endif %}{% if staff_access %}again{% endif %}").render(
            Context(context)
        )
    assert html == "yesagain"


def test_the_signed_in_user_comes_with_their_staff_access_in_the_same_query(
    rf, customer, pizzaiolo, restaurant_a, django_assert_num_queries
):
    from ocpizza.auth import AuthenticationBackend, ModelBackend

    former = f.StaffMemberFactory(restaurant=restaurant_a, role=Role.DRIVER, is_active=False).user
    for backend in (ModelBackend(), AuthenticationBackend()):
        for user, expected in ((customer, False), (former, False), (pizzaiolo, True)):
            request = rf.get("/")
            with django_assert_num_queries(1):
                request.user = backend.get_user(user.pk)
                assert bool(staff(request)["staff_access"]) is expected
    assert ModelBackend().get_user(0) is None


def test_a_signed_in_customer_s_page_reads_no_staff_membership(client, customer):
    client.force_login(customer)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("staff_home")}"' not in page
    # The user's query asks it in an EXISTS; no query of its own reads the memberships.
    assert not [
        query for query in queries if 'FROM "restaurants_staffmember"' in query["sql"].split("EXISTS")[0]
    ]
