from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from common import personal
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
    one query when the cache has them, and the visitor's own parts (header, cart, messages) rendered apart."""
    key = menu_cache.page_key(slug)
    if key is None:
        raise Http404("No restaurant open for orders here.")
    whole_page = menu_cache.page_cacheable(request)
    if whole_page and (html := menu_cache.cached_page(key)):
        return HttpResponse(menu_cache.personalise(request, html))
    shell, page = menu_cache.page_shell(request, key)
    html = personal.fill(shell, request)
    if whole_page:
        menu_cache.store_page(page, html)
    return HttpResponse(menu_cache.personalise(request, html))
