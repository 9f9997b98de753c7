"""The manager dashboard per offer: for each promo code and each loyalty reward, its uses, the discount it gave
and the revenue of the orders that used it, in the range and the manager's restaurants only; in the CSV, each
order's discount and offer."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from loyalty.models import Entry, Kind, Reward
from offers.models import Kind as PromoKind
from offers.models import PromoCode
from orders.models import Order
from orders.services import LineRequest, cancel_order
from orders.staff.dashboard.offers import OfferFigures, offer_figures
from restaurants.services import restock

D = Decimal


@pytest.fixture
def offers_day(
    order_for, customer, other_customer, menu, stock_a, delivery_to, noon, time_machine, restaurant_b
):
    """At A on the noon day: PROMO (10 %) used once and once more by an order cancelled since, LIVRAISON
    (free delivery) once on a 19.00 delivery, « Une pizza offerte » once; at B, PROMO once (not A's)."""
    time_machine.move_to(noon)
    restock(stock=stock_a["Mozzarella"], quantity=D("2000"), by=None)
    promo = PromoCode.objects.create(code="PROMO", label="Dix", kind=PromoKind.PERCENT, value=D("10"))
    PromoCode.objects.create(code="LIVRAISON", label="Livraison", kind=PromoKind.FREE_DELIVERY, value=D("0"))
    reward = Reward.objects.create(name="Une pizza offerte", points=100, category=menu["margherita"].category)
    Entry.objects.create(customer=customer, kind=Kind.ADJUSTED, points=100)
    one = LineRequest(product_id=menu["margherita"].id, quantity=1)
    two = LineRequest(product_id=menu["margherita"].id, quantity=2)
    coded = order_for(customer, one, promo_code="PROMO")
    cancel_order(order=order_for(other_customer, one, promo_code="PROMO"), by=other_customer)
    free = order_for(customer, two, promo_code="LIVRAISON", fulfilment="delivery", address=delivery_to)
    rewarded = order_for(customer, one, reward=reward)
    Order.objects.create(
        restaurant=restaurant_b,
        customer_name="Bob",
        fulfilment="pickup",
        payment_method="cash_on_delivery",
        subtotal=D("20.00"),
        promo_code=promo,
        discount=D("2.00"),
        total=D("18.00"),
    )
    return {"coded": coded, "free": free, "rewarded": rewarded}


def test_each_offer_shows_its_uses_discount_and_revenue_for_the_managers_restaurant_only(
    client, offers_day, manager_a, noon, restaurant_a
):
    client.force_login(manager_a)

    response = client.get(reverse("staff_dashboard"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response.context["offers"] == [
        # The free delivery's discount is the fee waived (A's 2.50), stored on the order when placed.
        OfferFigures("code", "LIVRAISON", "Livraison", 1, restaurant_a.delivery_fee, D("19.00"), True),
        OfferFigures("code", "PROMO", "Dix", 1, D("0.95"), D("8.55")),
        OfferFigures("reward", "Une pizza offerte", "", 1, D("9.50"), D("0.00")),
    ]
    page = response.content.decode()
    assert "Code PROMO · Dix" in page and "Reward: Une pizza offerte" in page


def test_head_office_sees_the_uses_of_every_restaurant(client, offers_day, head_office):
    client.force_login(head_office)

    offers = client.get(reverse("staff_dashboard")).context["offers"]

    promo = next(offer for offer in offers if offer.name == "PROMO")
    assert (promo.uses, promo.discount, promo.revenue) == (2, D("2.95"), D("26.55"))


def test_the_offers_are_two_queries(offers_day, restaurant_a, restaurant_b, noon, django_assert_num_queries):
    with django_assert_num_queries(2):
        offer_figures(restaurants=[restaurant_a, restaurant_b], start=noon.date(), end=noon.date())


def test_a_range_without_offers_says_so(client, manager_a, noon, time_machine):
    time_machine.move_to(noon)
    client.force_login(manager_a)

    response = client.get(reverse("staff_dashboard"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.context["offers"] == []
    assert "No promo code or loyalty reward was used in this period." in response.content.decode()


def test_the_csv_gives_each_orders_discount_and_offer(client, offers_day, manager_a):
    client.force_login(manager_a)

    response = client.get(reverse("staff_dashboard_csv"), {"format": "plain"}, HTTP_ACCEPT_LANGUAGE="en")

    header, *rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert header[-6:] == ["Subtotal", "Discount", "Delivery fee", "Delivery fee waived", "Total", "Offer"]
    by_number = {row[0]: row for row in rows}
    assert by_number[offers_day["coded"].number][-6:] == ["9.50", "0.95", "0.00", "0.00", "8.55", "PROMO"]
    assert by_number[offers_day["rewarded"].number][-2:] == ["0.00", "Une pizza offerte"]
    assert by_number[offers_day["free"].number][-6:] == [
        "19.00",
        "0.00",
        "0.00",
        "2.50",
        "19.00",
        "LIVRAISON",
    ]
    assert len(rows) == 4  # B's order is not A's manager's


def test_the_free_delivery_counts_the_fee_as_it_was_when_placed(client, offers_day, manager_a, restaurant_a):
    assert offers_day["free"].delivery_fee_waived == D("2.50") == restaurant_a.delivery_fee
    restaurant_a.delivery_fee = D("4.00")
    restaurant_a.save(update_fields=["delivery_fee"])
    client.force_login(manager_a)

    response = client.get(reverse("staff_dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    csv_response = client.get(reverse("staff_dashboard_csv"), {"format": "plain"}, HTTP_ACCEPT_LANGUAGE="en")

    free = next(offer for offer in response.context["offers"] if offer.name == "LIVRAISON")
    assert free.discount == D("2.50")
    assert "(delivery fees waived)" in response.content.decode()
    rows = list(csv.reader(io.StringIO(b"".join(csv_response.streaming_content).decode())))
    assert next(row for row in rows if row[0] == offers_day["free"].number)[-3] == "2.50"
