from __future__ import annotations

from restaurants.models import Restaurant


def test_a_restaurant_delivers_to_the_postal_codes_of_its_zones_only(restaurant_a, restaurant_b):
    assert restaurant_a.delivers_to("69001")
    assert restaurant_a.delivers_to(" 69002 ")
    assert not restaurant_a.delivers_to("75004")
    assert restaurant_a.served_postal_codes() == {"69001", "69002"}


def test_the_restaurants_delivering_to_a_postal_code_are_the_ones_whose_zones_hold_it(
    restaurant_a, restaurant_b
):
    assert list(Restaurant.objects.delivering_to("75004")) == [restaurant_b]
    assert list(Restaurant.objects.delivering_to("69001")) == [restaurant_a]
