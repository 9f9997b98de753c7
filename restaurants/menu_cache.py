"""A restaurant's page, rendered once and kept in the memory of each process.

Rendering some thirty product cards, each with its add-to-cart form, is most of the cost of the busiest
page of the site; the rest (hours, delivery zones, chefs, header) costs as much again in queries and
templates. The page is put together from pieces, each cached under a key holding everything it shows,
so nothing is ever invalidated by hand and every process sees a change at once:

- the **menu**: keyed by the catalogue (`menu.models.CatalogueVersion`, raised after every change by
  menu.signals), the language, and what the menu shows of the portions (sold out, "only N left", the
  quantity field's maximum: `shown_portions`), so an order that leaves plenty of everything re-renders
  nothing. Which availability a stock state shows is remembered under `stock_state` (a digest of the
  restaurant's stock quantities computed by PostgreSQL in the page's first query): a page whose stock has
  not moved needs no other query. A state always names the availability read in the same statement,
  never a newer one. Every order moves the stock state, so a state keeps only the name of the menu it
  shows, never a copy of its HTML (see `menu_with_state`). A new availability is put together from
  pieces kept under what they show (`_render_menu`): the layout, the formules (by the products sold
  out) and each product's card (by its portions shown), so a product crossing a step renders one card,
  not the menu (make soak: a render of the whole menu took 120 ms of CPU, most views after an order);
- the **restaurant's details** around it (presentation, opening status, hours, zones, chefs): keyed by
  the catalogue version and the language, and kept until what they show of the time changes (the opening
  status "open until 22:30" at the close, "opens at 11:30" at the opening, the day at midnight) or
  DETAILS_SECONDS (5 minutes) have passed, which bounds how long an edit of the restaurant takes to show.
  They used to be keyed by the minute: at a real evening's traffic (a few views per restaurant and process
  a minute) nearly every view rendered them again (`make soak`'s menu p95 360 ms, session 10);
- the **page's shell**: the whole page with a mark for each part personal to its visitor (common.personal),
  served to everyone, signed in or not, with their parts filled in; and the **whole page** filled for
  visitors without a session (not signed in, empty cart, no message waiting: the first view of most
  visitors, and search engines). Both keyed by the details' rendering and the menu's availability.

What is personal goes in on the way out: the visitor's CSRF token (forms are rendered with common.csrf's placeholder)
and the "added to your cart" mark of the product just added.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, override

from common import personal
from common.csrf import CSRF_PLACEHOLDER, with_csrf_token
from common.parsing import whole_number
from common.prepared import Prepared
from menu.models import CatalogueVersion, Product
from restaurants import schedule, selectors
from restaurants.availability import MAX_QUANTITY_PER_LINE, stock_state, with_portions_left
from restaurants.models import Restaurant

# Where the menu goes in the restaurant's details.
MENU_PLACEHOLDER = "<!--menu-of-the-restaurant-->"
ADDED_MARK = "<!--added:%d-->"


def _cache():
    return caches["menus"]


# One render at a time in a process: when a key changes (new details, a new stock step), the threads
# that miss it wait for the first one's render instead of all rendering the same HTML at once.
_rendering = threading.RLock()


_INDENTATION = re.compile(r"\n\s+")


def _compact(html: str) -> str:
    """Without the templates' indentation: a quarter of the menu's bytes. (No <pre> or <textarea> here.)"""
    return _INDENTATION.sub("\n", html)


# -- The key's parts, one query ----------------------------------------------------------------------


@dataclass(frozen=True)
class PageKey:
    """What a restaurant's page depends on, read in one query."""

    restaurant_id: int
    slug: str
    name: str
    catalogue_version: int
    stock_state: str | None

    def details_key(self) -> str:
        return f"details:{self.restaurant_id}:{self.catalogue_version}:{get_language()}"

    def menu_key(self, state: str | None) -> str:
        return f"menu:{self.restaurant_id}:{self.catalogue_version}:{state}:{get_language()}"

    def shown_key(self, shown: str) -> str:
        return f"menu-shown:{self.restaurant_id}:{self.catalogue_version}:{shown}:{get_language()}"


def _key_parts(slug: str):
    # rewrite(False): django-modeltranslation's values_list() would select the columns in another order
    # than listed (none of them is translated), and the row is read by position.
    return (
        Restaurant.objects.active()
        .rewrite(False)
        .filter(slug=slug)
        .annotate(catalogue_version=Coalesce(Subquery(CatalogueVersion.current()), 0))
        .values_list("pk", "slug", "name", "catalogue_version", stock_state(OuterRef("pk")))[:1]
    )


# Compiled once per process (common.prepared): building it costs more than running it.
_KEY_PARTS = Prepared(_key_parts, slug=str)


def page_key(slug: str) -> PageKey | None:
    """The key's parts of an active restaurant's page, or None (no such restaurant open for orders)."""
    row = _KEY_PARTS.first(slug=slug)
    return PageKey(*row) if row else None


# -- The menu ------------------------------------------------------------------------------------------


def shown_portions(portions_left: int) -> int:
    """What the menu shows of a product's portions: sold out (0), "only N left" up to FEW_LEFT, and the
    quantity field's maximum up to MAX_QUANTITY_PER_LINE (templates/includes/add_to_cart_form.html).
    Beyond that, more portions change nothing on the page."""
    return max(0, min(portions_left, MAX_QUANTITY_PER_LINE))


def _digest(text: str) -> str:
    """The name under which what the menu shows of the stock is kept (not a security measure)."""
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _shown(pairs: list[tuple[int, int]]) -> str:
    """A digest of the availability the menu shows, from (product id, portions left) pairs."""
    text = ",".join(f"{product_id}:{shown_portions(portions)}" for product_id, portions in sorted(pairs))
    return _digest(text)


@dataclass(frozen=True)
class _Layout:
    """The menu's sections with a mark for its formules and for each product's card, and the products in
    the order of their cards."""

    html: str
    product_ids: tuple[int, ...]


_MARK = re.compile(r"<!--(formules|card:(\d+))-->")


def _sold_out_digest(shown: dict[int, int]) -> str:
    sold_out = ",".join(str(product_id) for product_id, portions in sorted(shown.items()) if portions == 0)
    return _digest(sold_out)


def _render_menu(key: PageKey, portions: dict[int, int]) -> tuple[str, str]:
    """The menu showing `portions` (product id -> portions left, one read of the stock), and the digest of the
    availability it shows (`_shown`).

    Put together from pieces kept under what they show, so a new stock step renders only what it changes:
    the layout (sections, headings) by catalogue and language, the formules by the products sold out, and
    each product's card by the portions it shows. Only the products whose card is missing are read (recipe,
    allergens, extras); the whole menu when the layout or the formules are missing.
    """
    cache = _cache()
    prefix = f"{key.restaurant_id}:{key.catalogue_version}:{get_language()}"
    context = {
        "restaurant": Restaurant(pk=key.restaurant_id),
        "csrf_token": CSRF_PLACEHOLDER,
        "cart_max_quantity": MAX_QUANTITY_PER_LINE,
    }
    sections = None
    layout = cache.get(f"menu-layout:{prefix}")
    if layout is None:
        sections = selectors.menu_sections()
        html = render_to_string("restaurants/includes/menu.html", {**context, "menu_sections": sections})
        layout = _Layout(_compact(html), tuple(item.product.pk for s in sections for item in s.items))
        cache.set(f"menu-layout:{prefix}", layout)
    shown = {product_id: shown_portions(portions.get(product_id, 0)) for product_id in layout.product_ids}
    formules_key = f"menu-formules:{prefix}:{_sold_out_digest(shown)}"
    card_keys = {product_id: f"card:{prefix}:{product_id}:{shown[product_id]}" for product_id in shown}
    found = cache.get_many([formules_key, *card_keys.values()])
    missing = [product_id for product_id, card_key in card_keys.items() if card_key not in found]
    if sections is None:
        sections = (
            selectors.menu_sections()
            if formules_key not in found
            else selectors.menu_sections(only=missing)
            if missing
            else []
        )
    items = [item for section in sections for item in section.items if item.product.pk in shown]
    for item in items:
        # As the menu shows them (the card says no more than its key), from the stock's one read.
        item.product.portions_left = shown[item.product.pk]
    rendered = {}
    if (formules := found.get(formules_key)) is None:
        html = render_to_string(
            "restaurants/includes/menu_formules.html", {**context, "menu_sections": sections}
        )
        formules = rendered[formules_key] = _compact(html)
    cards = {product_id: found[card_key] for product_id, card_key in card_keys.items() if card_key in found}
    for item in items:
        if item.product.pk not in cards:
            html = render_to_string(
                "restaurants/includes/product_card.html",
                {**context, "item": item, "product": item.product, "allergens": item.allergens},
            )
            cards[item.product.pk] = rendered[card_keys[item.product.pk]] = _compact(html)
    cache.set_many(rendered)
    html = _MARK.sub(lambda mark: formules if mark[2] is None else cards.get(int(mark[2]), ""), layout.html)
    return html, _shown(list(shown.items()))


def menu_with_state(key: PageKey) -> tuple[str, str]:
    """The menu's HTML (with the CSRF placeholder) and the digest of the availability it shows (`_shown`).

    By the exact stock state first (no query): it names the availability it shows. When the stock moved, by
    what the menu shows of it (one query for the portions left). Only when a product crosses a step the
    page shows is it rendered again.

    The HTML is kept once, under the availability it shows; a stock state keeps that availability's digest
    (a few dozen bytes). It used to keep a copy of the HTML: every order moves the stock state, so each web
    process stored a new copy of the menu (some 90 KiB pickled) per order, until the cache's MAX_ENTRIES
    culled them: the workers' memory grew with the orders under `make soak` (bench/memory_probe.py,
    docs/architecture.md "Memory under load").
    """
    cache = _cache()
    shown = cache.get(key.menu_key(key.stock_state))
    if shown is not None:
        html = cache.get(key.shown_key(shown))
        if html is not None:
            return html, shown
    rows = list(
        with_portions_left(Product.objects.active(), Restaurant(pk=key.restaurant_id)).values_list(
            "pk", "portions_left", "stock_state"
        )
    )
    state = rows[0][2] if rows else key.stock_state
    shown = _shown([(pk, portions) for pk, portions, _ in rows])
    html = cache.get(key.shown_key(shown))
    if html is None:
        with _rendering:
            # Another thread of this process may have rendered it while this one waited.
            html = cache.get(key.shown_key(shown))
            if html is None:
                html, shown = _render_menu(key, {pk: portions for pk, portions, _ in rows})
                cache.set(key.shown_key(shown), html)
    cache.set(key.menu_key(state), shown)
    return html, shown


# -- The restaurant's details and the whole page -------------------------------------------------------


# How long a change to a restaurant's details (its hours, zones, chefs, phone: not the catalogue, whose version
# is in the key) may take to show on its page.
DETAILS_SECONDS = 300


@dataclass(frozen=True)
class _Details:
    """The restaurant's part of the page (with MENU_PLACEHOLDER where the menu goes), valid until its opening
    status or its day changes, or DETAILS_SECONDS have passed; `stamp` names it in the keys of the pages
    built on it."""

    html: str
    until: datetime
    stamp: str


def _valid_details(key: PageKey) -> _Details | None:
    details = _cache().get(key.details_key())
    return details if details is not None and timezone.now() < details.until else None


def _details(key: PageKey) -> _Details:
    details = _valid_details(key)
    if details is not None:
        return details
    with _rendering:
        details = _valid_details(key)
        if details is not None:
            return details
        now = timezone.now()
        restaurant = selectors.get_restaurant_for_page(key.slug)
        html = _compact(
            render_to_string(
                "restaurants/includes/restaurant_page.html",
                {
                    "restaurant": restaurant,
                    "opening_week": selectors.opening_week(restaurant),
                    "menu_html": mark_safe(MENU_PLACEHOLDER),  # noqa: S308 - a constant
                    "today": timezone.localdate(now).weekday(),
                    "csrf_token": CSRF_PLACEHOLDER,
                },
            )
        )
        until = _details_until(restaurant, now)
        details = _Details(html, until, f"{key.details_key()}:{now.timestamp()}")
        _cache().set(key.details_key(), details)
    return details


def _details_until(restaurant: Restaurant, now: datetime) -> datetime:
    """When what the details show of the time changes: the opening status ("open until 22:30" at the close,
    "opens at 11:30" at the opening), the day (today's hours, "tomorrow", the footer's year) at midnight; and
    DETAILS_SECONDS after `now` at the latest."""
    midnight = datetime.combine(
        timezone.localdate(now) + timedelta(days=1), time(), tzinfo=timezone.get_current_timezone()
    )
    changes = [now + timedelta(seconds=DETAILS_SECONDS), midnight]
    period = schedule.current_or_next_period(restaurant, now)
    if period is not None:
        changes.append(period.closes if period.opens <= now else period.opens)
    return min(changes)


def restaurant_part(key: PageKey) -> tuple[str, str, str]:
    """Everything of the page but the header and the cart bar (with the CSRF placeholder), the digest of the
    availability its menu shows and the stamp of its details (what the whole page and its shell are kept
    by)."""
    menu, shown = menu_with_state(key)
    details = _details(key)
    return details.html.replace(MENU_PLACEHOLDER, menu, 1), shown, details.stamp


def warm() -> int:
    """Every active restaurant's menu and details rendered in each language, as the first views after a start
    would render them (gunicorn's master before it forks: ocpizza.warmup). The number of pages warmed."""
    warmed = 0
    for slug in Restaurant.objects.active().order_by("pk").values_list("slug", flat=True):
        for code, _name in settings.LANGUAGES:
            with override(code):
                if (key := page_key(slug)) is not None:
                    restaurant_part(key)
                    warmed += 1
    return warmed


def page_shell(request: HttpRequest, key: PageKey) -> tuple[personal.Shell, str]:
    """The whole page with a mark for each part personal to its visitor (common.personal: the header's cart
    and account menu, the messages, the cart bar), and what names it (its details' stamp and its menu's
    availability). Kept once rendered, whatever the request's query (the language switch brings the reader
    back to the page's path, without `?added=`), and served to every visitor, signed in or not: the first
    view of a new availability is most often the page a customer is sent back to after adding to the cart."""
    page = _current_page(key)
    if page is not None and (shell := _cache().get(f"shell:{page}")) is not None:
        return shell, page
    body, shown, stamp = restaurant_part(key)
    shell = personal.render_shell(
        request,
        "restaurants/restaurant_detail.html",
        {
            "restaurant_name": key.name,
            "page_html": mark_safe(body),  # noqa: S308 - rendered by our templates, autoescaped
            "csrf_token": CSRF_PLACEHOLDER,
            # The only part of the page that reads the query (accounts.languages.path_without_choice).
            "LANGUAGE_NEXT": request.path,
        },
    )
    page = f"{stamp}:{shown}"
    _cache().set(f"shell:{page}", shell)
    return shell, page


def page_cacheable(request: HttpRequest) -> bool:
    """No session (so no user, no cart), no message waiting, no query string."""
    return (
        request.method == "GET"
        and not request.GET
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


def _current_page(key: PageKey) -> str | None:
    """What names the page now (its details' stamp and its menu's availability), when both are known."""
    shown = _cache().get(key.menu_key(key.stock_state))
    details = _valid_details(key)
    return None if shown is None or details is None else f"{details.stamp}:{shown}"


def cached_page(key: PageKey) -> str | None:
    """The whole page, when it was stored on the current details and availability. Keyed by the availability,
    not the stock state: a page per order would grow the memory as the menu did."""
    page = _current_page(key)
    return None if page is None else _cache().get(f"page:{page}")


def store_page(page: str, html: str) -> None:
    """Keeps the whole page under what names it (`page_shell`'s second value)."""
    _cache().set(f"page:{page}", html)


def personalise(request: HttpRequest, html: str) -> str:
    """The visitor's CSRF token in every form, and the mark of the product just added (`?added=`)."""
    html = with_csrf_token(html, get_token(request))
    added = whole_number(request.GET.get("added"))
    if added is not None:
        html = html.replace(ADDED_MARK % added, render_to_string("restaurants/includes/added_mark.html"))
    return html
