from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from restaurants import selectors


def home(request: HttpRequest) -> HttpResponse:
    postal_code = request.GET.get("postal_code", "").replace(" ", "").strip()
    postal_code_valid = postal_code.isdigit() and len(postal_code) == 5
    restaurants = selectors.restaurants_for_home(postal_code=postal_code if postal_code_valid else "")
    return render(
        request,
        "restaurants/home.html",
        {
            "restaurants": restaurants,
            "postal_code": postal_code,
            "postal_code_invalid": bool(postal_code) and not postal_code_valid,
            "searched": postal_code_valid,
        },
    )


def restaurant_detail(request: HttpRequest, slug: str) -> HttpResponse:
    restaurant = selectors.get_restaurant_for_page(slug)
    return render(
        request,
        "restaurants/restaurant_detail.html",
        {
            "restaurant": restaurant,
            "opening_week": selectors.opening_week(restaurant),
            "menu_sections": selectors.menu_sections(restaurant),
            "today": timezone.localdate().weekday(),
        },
    )
