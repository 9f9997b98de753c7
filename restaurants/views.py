from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from common.csrf import CSRF_PLACEHOLDER
from common.parsing import is_postal_code
from restaurants import menu_cache, selectors


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    postal_code = request.GET.get("postal_code", "").replace(" ", "").strip()
    postal_code_valid = is_postal_code(postal_code)
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


@require_safe
def restaurant_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The menu and the practical information, put together from cached pieces (restaurants.menu_cache):
    one query when the cache has them."""
    key = menu_cache.page_key(slug)
    if key is None:
        raise Http404("No restaurant open for orders here.")
    whole_page = menu_cache.page_cacheable(request)
    if whole_page and (html := menu_cache.cached_page(key)):
        return HttpResponse(menu_cache.personalise(request, html))
    body, menu_state = menu_cache.restaurant_part(key)
    response = render(
        request,
        "restaurants/restaurant_detail.html",
        {
            "restaurant_name": key.name,
            "page_html": mark_safe(body),  # noqa: S308 - rendered by our templates, autoescaped
            "csrf_token": CSRF_PLACEHOLDER,
        },
    )
    html = response.content.decode()
    if whole_page:
        menu_cache.store_page(key, menu_state, html)
    response.content = menu_cache.personalise(request, html)
    return response
