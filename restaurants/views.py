from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe

from restaurants import menu_cache, selectors


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
    """The menu and the practical information, cached as restaurants.menu_cache explains: rendered with a
    CSRF placeholder, kept when the visitor has no session, then personalised."""
    cacheable = menu_cache.page_cacheable(request)
    if cacheable and (html := menu_cache.cached_page(slug)):
        return HttpResponse(menu_cache.personalise(request, html))
    restaurant = selectors.get_restaurant_for_page(slug)
    menu_html, state = menu_cache.menu_with_state(restaurant)
    response = render(
        request,
        "restaurants/restaurant_detail.html",
        {
            "restaurant": restaurant,
            "opening_week": selectors.opening_week(restaurant),
            "menu_html": mark_safe(menu_html),  # noqa: S308 - rendered by our templates, autoescaped
            "today": timezone.localdate().weekday(),
            "csrf_token": menu_cache.CSRF_PLACEHOLDER,
        },
    )
    html = response.content.decode()
    if cacheable:
        menu_cache.store_page(restaurant, state, html)
    response.content = menu_cache.personalise(request, html)
    return response
