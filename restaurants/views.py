from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from restaurants.models import OpeningHours, Restaurant


def home(request: HttpRequest) -> HttpResponse:
    restaurants = Restaurant.objects.active().prefetch_related(
        Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens"))
    )
    return render(request, "restaurants/home.html", {"restaurants": restaurants})


def restaurant_detail(request: HttpRequest, slug: str) -> HttpResponse:
    restaurant = get_object_or_404(Restaurant.objects.active(), slug=slug)
    return render(request, "restaurants/restaurant_detail.html", {"restaurant": restaurant})
