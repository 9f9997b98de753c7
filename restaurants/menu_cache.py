"""A restaurant's page, rendered once and kept in the memory of each process, at two levels.

Rendering some thirty product cards, each with its add-to-cart form, is most of the cost of the busiest
page of the site; the rest of the page (hours, delivery zones, chefs, header) costs as much again in
queries and templates. So:

- the menu (`menu_with_state`) is cached for every visitor;
- the restaurant's part of the page (everything but the header and the cart bar) is cached for everyone;
- the whole page is cached for visitors without a session: not signed in, nothing in the cart, no
  message waiting: the first view of most visitors, and every search engine.

The keys hold everything the HTML depends on, so nothing is ever invalidated by hand:
- the catalogue (products, prices, recipes, extras, allergens): `Restaurant.catalogue_version`, raised
  after every change (menu.signals);
- the restaurant's stock, through the portions left of each product: first `stock_state`, a digest of
  its stock quantities computed by PostgreSQL in the query that reads the restaurant (no extra query);
  when the stock moved, what the menu shows of the portions (sold out, "only N left", the quantity
  field's maximum: `shown_portions`), so that an order leaving plenty of everything re-renders nothing.
  HTML is always stored under the state read in the same statement as the portions it shows, so never
  under a newer state than it shows;
- the language;
- for the page and its restaurant's part, the current minute: the opening status ("open until 22:30") and the restaurant's
  own details (hours, zones, chefs) are at most one minute old, and the hours are given to the minute.
The keys change as soon as anything shown changes, in every process at once, with no message between them.
What is personal goes in on the way out: the visitor's CSRF token (forms are rendered with a placeholder)
and the "added to your cart" mark of the product just added.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.db import connection
from django.db.models import OuterRef
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language

from menu.models import Product
from orders.services import MAX_QUANTITY_PER_LINE
from restaurants import selectors
from restaurants.availability import stock_state, with_portions_left
from restaurants.models import Restaurant

# Not a possible token (tokens are letters and digits only): the forms of a cached page carry this.
CSRF_PLACEHOLDER = "csrf-placeholder-of-the-cached-page"
ADDED_MARK = "<!--added:%d-->"


def _cache():
    return caches["menus"]


def _menu_key(restaurant_id: int, version: int, state: str | None) -> str:
    return f"menu:{restaurant_id}:{version}:{state}:{get_language()}"


def personalise(request: HttpRequest, html: str) -> str:
    """The visitor's CSRF token in every form, and the mark of the product just added (`?added=`)."""
    html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    added = request.GET.get("added", "")
    if added.isdigit() and len(added) < 10:
        html = html.replace(ADDED_MARK % int(added), render_to_string("restaurants/includes/added_mark.html"))
    return html


def shown_portions(portions_left: int) -> int:
    """What the menu shows of a product's portions: sold out (0), "only N left" up to FEW_LEFT, and the
    quantity field's maximum up to MAX_QUANTITY_PER_LINE (templates/orders/includes/add_to_cart_form.html).
    Beyond that, more portions change nothing on the page."""
    return max(0, min(portions_left, MAX_QUANTITY_PER_LINE))


def _shown(pairs: list[tuple[int, int]]) -> str:
    """A digest of the availability the menu shows, from (product id, portions left) pairs."""
    text = ",".join(f"{product_id}:{shown_portions(portions)}" for product_id, portions in sorted(pairs))
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _shown_key(restaurant: Restaurant, shown: str) -> str:
    return f"menu-shown:{restaurant.pk}:{restaurant.catalogue_version}:{shown}:{get_language()}"


def _render_menu(restaurant: Restaurant) -> tuple[str, str | None, str]:
    """The menu rendered, with the stock state and the availability digest it shows."""
    sections = selectors.menu_sections(restaurant)
    products = [item.product for section in sections for item in section.items]
    state = products[0].stock_state if products else restaurant.stock_state
    html = render_to_string(
        "restaurants/includes/menu.html",
        {
            "restaurant": restaurant,
            "menu_sections": sections,
            "csrf_token": CSRF_PLACEHOLDER,
            "cart_max_quantity": MAX_QUANTITY_PER_LINE,
        },
    )
    return html, state, _shown([(product.pk, product.portions_left) for product in products])


def menu_with_state(restaurant: Restaurant) -> tuple[str, str | None]:
    """The menu's HTML with the CSRF placeholder, and the stock state it shows. `restaurant` comes from
    selectors.get_restaurant_for_page (it carries `stock_state`).

    By the exact stock state first (no query). When the stock moved, by what the menu shows of it (one
    query for the portions left): an order that leaves plenty of everything re-renders nothing. Only when
    a product crosses a step the page shows (sold out, "only N left") is the menu rendered again.
    """
    cache = _cache()
    html = cache.get(_menu_key(restaurant.pk, restaurant.catalogue_version, restaurant.stock_state))
    if html is not None:
        return html, restaurant.stock_state
    rows = list(
        with_portions_left(Product.objects.active(), restaurant).values_list(
            "pk", "portions_left", "stock_state"
        )
    )
    state = rows[0][2] if rows else restaurant.stock_state
    shown = _shown([(pk, portions) for pk, portions, _ in rows])
    html = cache.get(_shown_key(restaurant, shown))
    if html is None:
        html, rendered_state, rendered_shown = _render_menu(restaurant)
        cache.set(_shown_key(restaurant, rendered_shown), html)
        cache.set(_menu_key(restaurant.pk, restaurant.catalogue_version, rendered_state), html)
        return html, rendered_state
    cache.set(_menu_key(restaurant.pk, restaurant.catalogue_version, state), html)
    return html, state


def page_cacheable(request: HttpRequest) -> bool:
    """No session (so no user, no cart), no message waiting, no query string."""
    return (
        request.method == "GET"
        and not request.GET
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


_SLUG = "slug-of-the-page"


@dataclass(frozen=True)
class PageKey:
    """What the restaurant's part of a page depends on, read in one query."""

    slug: str
    name: str
    catalogue_version: int
    stock_state: str | None

    @classmethod
    def rendered_from(cls, restaurant: Restaurant, state: str | None) -> PageKey:
        """The key of HTML rendered from `restaurant` whose menu shows `state`."""
        return cls(restaurant.slug, restaurant.name, restaurant.catalogue_version, state)

    def key(self, part: str) -> str:
        minute = timezone.now().strftime("%Y%m%d%H%M")
        return f"{part}:{self.slug}:{self.catalogue_version}:{self.stock_state}:{get_language()}:{minute}"


@functools.cache
def _key_query() -> tuple[str, tuple, int]:
    """The SQL of the key's parts, built by the ORM once per process: building it costs more than running
    it. Returns the SQL, its parameters and the position of the slug among them."""
    queryset = (
        Restaurant.objects.active()
        .filter(slug=_SLUG)
        .values_list("name", "catalogue_version", stock_state(OuterRef("pk")))[:1]
    )
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params), params.index(_SLUG)


def page_key(slug: str) -> PageKey | None:
    """The key's parts of an active restaurant's page, or None (no such restaurant open for orders)."""
    sql, params, position = _key_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, (*params[:position], slug, *params[position + 1 :]))
        row = cursor.fetchone()
    return PageKey(slug, *row) if row else None


def get(key: PageKey, part: str) -> str | None:
    """`part` is "page" (a whole response, for visitors without a session) or "body" (the restaurant's
    part, for everyone), each with the CSRF placeholder."""
    return _cache().get(key.key(part))


def store(key: PageKey, part: str, html: str) -> None:
    _cache().set(key.key(part), html)
