"""The "Staff screens" link of the account menu: for staff and head office only, at most one query."""

from __future__ import annotations

from django.template import Context, Template
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
