"""The staff side's one order getter (orders.staff.selectors.get_order_for_staff): who may reach which order.

The kitchen, the delivery board and the counter all fetch the order they act on through it; the screens'
own tests show each use, these pin the rule itself.
"""

from __future__ import annotations

import pytest
from django.http import Http404
from django.test import RequestFactory

from orders.models import Order, Status
from orders.services import LineRequest
from orders.staff.selectors import delivery_orders, get_order_for_staff
from restaurants.models import Role
from restaurants.staff.access import staff_context
from tests import factories as f


def staff_request(user):
    request = RequestFactory().get("/staff/")
    request.user = user
    request.session = {}
    request.staff = staff_context(request)
    return request


@pytest.fixture
def out_with_driver(order_for, customer, menu, delivery_to, driver):
    two = LineRequest(product_id=menu["margherita"].id, quantity=2)  # the delivery minimum
    order = order_for(customer, two, fulfilment="delivery", address=delivery_to)
    Order.objects.filter(pk=order.pk).update(status=Status.OUT_FOR_DELIVERY, delivered_by=driver)
    return order


def test_staff_reach_an_order_of_their_current_restaurant_by_its_number_in_any_case(
    order_for, customer, pizzaiolo
):
    order = order_for(customer)
    assert get_order_for_staff(staff_request(pizzaiolo), order.number.lower()) == order


def test_an_order_of_another_restaurant_is_a_404_even_for_its_manager_elsewhere(
    order_for, customer, manager_b
):
    order = order_for(customer)
    with pytest.raises(Http404):
        get_order_for_staff(staff_request(manager_b), order.number)


def test_a_pick_up_order_is_a_404_among_delivery_orders(order_for, customer, driver):
    order = order_for(customer)
    with pytest.raises(Http404):
        get_order_for_staff(staff_request(driver), order.number, within=delivery_orders())


def test_only_the_driver_who_took_a_delivery_and_managers_reach_it_as_their_own(
    out_with_driver, driver, manager_a, restaurant_a
):
    other_driver = f.StaffMemberFactory(restaurant=restaurant_a, role=Role.DRIVER).user
    number = out_with_driver.number
    for user in (driver, manager_a):
        assert get_order_for_staff(staff_request(user), number, own_delivery=True) == out_with_driver
    assert get_order_for_staff(staff_request(other_driver), number) == out_with_driver  # to look at it
    with pytest.raises(Http404):
        get_order_for_staff(staff_request(other_driver), number, own_delivery=True)
