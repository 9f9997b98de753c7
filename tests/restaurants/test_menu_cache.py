"""The cached menu (restaurants.menu_cache): served from memory, yet never showing anything out of date,
and never anyone else's CSRF token or "added" mark."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.test import Client, RequestFactory
from django.urls import reverse

from common.csrf import CSRF_PLACEHOLDER
from orders.services import Contact, LineRequest, cancel_order, place_order
from restaurants.menu_cache import DETAILS_SECONDS
from restaurants.services import record_waste, restock

pytestmark = pytest.mark.django_db

# Restaurant A opens 11:30-22:30 every day in the test world.
MONDAY_NOON = datetime(2026, 11, 30, 12, 0, tzinfo=ZoneInfo("Europe/Paris"))
# A visitor without a session is served the whole page from the cache after one query (the key's parts).
PAGE_CACHED_QUERIES = 1
# A signed-in customer: the session, the user (with whether they are staff, for the "Staff screens" link of
# the account menu: ocpizza.auth), the key's parts; the restaurant's part of the page from the cache, the
# header rendered for them.
SIGNED_IN_MENU_CACHED_QUERIES = 3


@pytest.fixture
def url(restaurant_a):
    return reverse("restaurant_detail", args=[restaurant_a.slug])


def get(client, url, **kwargs):
    return client.get(url, HTTP_ACCEPT_LANGUAGE="en", **kwargs).content.decode()


def card(content: str, slug: str) -> str:
    match = re.search(rf'<article class="product[^"]*" id="product-{slug}">.*?</article>', content, re.S)
    assert match, f"no card for {slug}"
    return match.group(0)


def without_tokens(html: str) -> str:
    """The CSRF token is masked anew on every response."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_a_visitor_without_a_session_is_served_from_the_page_cache(
    client, url, stock_a, django_assert_num_queries
):
    first = get(client, url)
    with django_assert_num_queries(PAGE_CACHED_QUERIES):
        second = get(client, url)
    assert without_tokens(second) == without_tokens(first)
    assert CSRF_PLACEHOLDER not in second


def test_a_signed_in_customer_is_served_the_cached_restaurant_part(
    client, url, stock_a, customer, django_assert_num_queries
):
    client.force_login(customer)
    first = get(client, url)
    with django_assert_num_queries(SIGNED_IN_MENU_CACHED_QUERIES):
        second = get(client, url)
    assert without_tokens(card(second, "margherita")) == without_tokens(card(first, "margherita"))
    assert CSRF_PLACEHOLDER not in second


def test_the_page_cache_is_never_used_with_a_cart(client, url, restaurant_a, stock_a, menu):
    get(Client(), url)  # cached for visitors without a session
    client.post(
        reverse("cart_add"), {"restaurant": restaurant_a.pk, "product": menu["margherita"].pk, "quantity": 2}
    )
    content = get(client, url)
    assert "2 items in your cart" in content


def test_a_stock_change_shows_at_once(client, url, stock_a):
    assert "Only 2 left" in card(get(client, url), "regina")

    record_waste(stock=stock_a["Jambon"], quantity=Decimal("60"), by=None)
    assert "Only 1 left" in card(get(client, url), "regina")

    record_waste(stock=stock_a["Jambon"], quantity=Decimal("60"), by=None)
    assert "Sold out" in card(get(client, url), "regina")

    restock(stock=stock_a["Jambon"], quantity=Decimal("1000"), by=None)
    regina = card(get(client, url), "regina")
    assert "Sold out" not in regina
    assert "Add to cart" in regina


def test_an_order_and_its_cancellation_show_at_once(client, url, restaurant_a, stock_a, menu, customer):
    assert "Only 4 left" in card(get(client, url), "margherita")
    order = place_order(
        restaurant=restaurant_a,
        lines=[LineRequest(product_id=menu["margherita"].pk, quantity=3)],
        fulfilment="pickup",
        payment_method="cash_on_delivery",
        contact=Contact(name="Camille", phone="0600000000", email=customer.email),
        customer=customer,
        now=MONDAY_NOON,
    )
    assert "Only 1 left" in card(get(client, url), "margherita")

    # The stock comes back to exactly what it was: the page from before is right again.
    cancel_order(order=order, by=customer, by_customer=True)
    assert "Only 4 left" in card(get(client, url), "margherita")


def test_a_catalogue_change_shows_at_once(client, url, stock_a, menu, django_capture_on_commit_callbacks):
    assert "9.50" in card(get(client, url), "margherita")

    margherita = menu["margherita"]
    with django_capture_on_commit_callbacks(execute=True):
        margherita.price = Decimal("10.90")
        margherita.save()
    assert "10.90" in card(get(client, url), "margherita")

    with django_capture_on_commit_callbacks(execute=True):
        margherita.extras.remove(menu["extra_mozzarella"])
    assert 'name="extras"' not in card(get(client, url), "margherita")

    with django_capture_on_commit_callbacks(execute=True):
        margherita.is_active = False
        margherita.save()
    assert 'id="product-margherita"' not in get(client, url)


def test_each_visitor_gets_a_working_csrf_token_of_their_own(url, restaurant_a, stock_a, menu):
    tokens = []
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        content = get(visitor, url)
        assert CSRF_PLACEHOLDER not in content
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', content).group(1)
        tokens.append(token)
        response = visitor.post(
            reverse("cart_add"),
            {
                "csrfmiddlewaretoken": token,
                "restaurant": restaurant_a.pk,
                "product": menu["margherita"].pk,
                "quantity": 1,
            },
        )
        assert response.status_code == 302
        assert "added=" in response["Location"]
    assert tokens[0] != tokens[1]


def test_the_added_mark_is_only_on_the_product_just_added_and_only_for_that_visitor(
    client, url, stock_a, menu
):
    added = get(client, url, data={"added": menu["regina"].pk})
    assert "Added to your cart" in card(added, "regina")
    assert "Added to your cart" not in card(added, "margherita")
    assert "Added to your cart" not in get(Client(), url)
    # Nonsense in the parameter changes nothing.
    assert "Added to your cart" not in get(client, url, data={"added": "9" * 40})


def test_each_language_has_its_own_menu(url, stock_a):
    french = Client().get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    english = Client().get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Ajouter au panier" in card(french, "margherita")
    assert "Add to cart" in card(english, "margherita")


def test_the_cached_page_follows_the_clock(client, url, stock_a, time_machine):
    """The opening status is part of the page: the cache keeps a page until the status changes."""
    time_machine.move_to(datetime(2026, 11, 30, 22, 29, 30, tzinfo=ZoneInfo("Europe/Paris")), tick=False)
    assert "Open now · until 22:30" in get(client, url)
    time_machine.move_to(datetime(2026, 11, 30, 22, 29, 50, tzinfo=ZoneInfo("Europe/Paris")), tick=False)
    assert "Open now · until 22:30" in get(client, url)
    time_machine.move_to(datetime(2026, 11, 30, 22, 30, 5, tzinfo=ZoneInfo("Europe/Paris")), tick=False)
    assert "Closed · opens tomorrow at 11:30" in get(client, url)


def test_the_details_are_kept_for_minutes_and_an_edit_shows_within_details_seconds(
    client, url, restaurant_a, stock_a, time_machine, django_assert_num_queries
):
    """Kept across minutes while nothing they show of the time changes (they used to be rendered again every
    minute), and a change to the restaurant shows DETAILS_SECONDS later at the latest."""
    time_machine.move_to(datetime(2026, 11, 30, 15, 0, tzinfo=ZoneInfo("Europe/Paris")), tick=False)
    get(client, url)
    restaurant_a.phone = "04 72 00 00 99"
    restaurant_a.save()
    time_machine.move_to(datetime(2026, 11, 30, 15, 3, tzinfo=ZoneInfo("Europe/Paris")), tick=False)
    with django_assert_num_queries(PAGE_CACHED_QUERIES):
        assert "04 72 00 00 99" not in get(client, url)
    time_machine.move_to(
        datetime(2026, 11, 30, 15, 0, tzinfo=ZoneInfo("Europe/Paris")) + timedelta(seconds=DETAILS_SECONDS),
        tick=False,
    )
    assert "04 72 00 00 99" in get(client, url)


def test_today_moves_at_midnight(client, url, stock_a, time_machine):
    time_machine.move_to(datetime(2026, 11, 30, 23, 59, 50, tzinfo=ZoneInfo("Europe/Paris")), tick=False)
    assert "Closed · opens tomorrow at 11:30" in get(client, url)
    time_machine.move_to(datetime(2026, 12, 1, 0, 0, 5, tzinfo=ZoneInfo("Europe/Paris")), tick=False)
    assert "Closed · opens today at 11:30" in get(client, url)


def test_an_unknown_or_closed_restaurant_is_a_404_with_or_without_the_cache(
    client, url, restaurant_a, stock_a
):
    get(client, url)
    assert client.get(reverse("restaurant_detail", args=["nowhere"])).status_code == 404
    restaurant_a.is_active = False
    restaurant_a.save()
    assert client.get(url).status_code == 404


def test_an_order_leaving_plenty_re_renders_nothing_one_crossing_a_step_does(
    client, url, restaurant_a, stock_a, menu, customer, monkeypatch
):
    from restaurants import menu_cache

    for stock in stock_a.values():
        restock(stock=stock, quantity=Decimal("100000"), by=None)
    renders = []
    real_render = menu_cache._render_menu
    monkeypatch.setattr(menu_cache, "_render_menu", lambda *args: renders.append(args) or real_render(*args))
    client.force_login(customer)
    get(client, url)
    assert len(renders) == 1

    place_order(
        restaurant=restaurant_a,
        lines=[LineRequest(product_id=menu["margherita"].pk, quantity=2)],
        fulfilment="pickup",
        payment_method="cash_on_delivery",
        contact=Contact(name="Camille", phone="0600000000", email=customer.email),
        customer=customer,
        now=MONDAY_NOON,
    )
    get(client, url)
    assert len(renders) == 1, "hundreds of portions left either way: the same page"

    ham = stock_a["Jambon"]
    ham.refresh_from_db()
    record_waste(stock=ham, quantity=ham.quantity - Decimal("180"), by=None)
    assert "Only 3 left" in card(get(client, url), "regina")
    assert len(renders) == 2


@pytest.fixture
def regina_formule(menu):
    """A formule made of a Regina only: offered while the Regina can be made."""
    from offers.models import Formule, FormuleComponent

    formule = Formule.objects.create(name="Regina du soir", price=Decimal("10.00"))
    FormuleComponent.objects.create(formule=formule, label="Pizza", position=1).products.set([menu["regina"]])
    return formule


def rendered_templates(monkeypatch) -> list[tuple[str, object]]:
    """(template, product) of each template the menu cache renders from now on."""
    from restaurants import menu_cache

    rendered = []
    real_render = menu_cache.render_to_string

    def render(template_name, context):
        rendered.append((template_name.rsplit("/", 1)[-1], context.get("product")))
        return real_render(template_name, context)

    monkeypatch.setattr(menu_cache, "render_to_string", render)
    return rendered


def test_a_stock_step_renders_only_the_cards_it_changes_and_a_sold_out_the_formules(
    client, url, stock_a, menu, customer, regina_formule, monkeypatch
):
    for stock in stock_a.values():
        restock(stock=stock, quantity=Decimal("100000"), by=None)
    client.force_login(customer)
    rendered = rendered_templates(monkeypatch)
    page = get(client, url)
    assert "Regina du soir" in page
    assert {name for name, _ in rendered} >= {"menu.html", "menu_formules.html", "product_card.html"}
    rendered.clear()

    ham = stock_a["Jambon"]
    ham.refresh_from_db()
    record_waste(stock=ham, quantity=ham.quantity - Decimal("180"), by=None)
    page = get(client, url)
    assert "Only 3 left" in card(page, "regina")
    assert rendered == [("product_card.html", menu["regina"])], "one card, no layout, the same formules"

    rendered.clear()
    ham.refresh_from_db()
    record_waste(stock=ham, quantity=ham.quantity, by=None)
    page = get(client, url)
    assert "Sold out" in card(page, "regina") and "Regina du soir" not in page
    assert sorted(name for name, _ in rendered) == ["menu_formules.html", "product_card.html"]


def test_the_menu_put_together_from_kept_pieces_is_the_menu_rendered_whole(
    client, url, stock_a, menu, customer, regina_formule
):
    for stock in stock_a.values():
        restock(stock=stock, quantity=Decimal("100000"), by=None)
    client.force_login(customer)
    get(client, url)
    ham = stock_a["Jambon"]
    for left in (Decimal("240"), Decimal("60"), Decimal("0")):
        ham.refresh_from_db()
        record_waste(stock=ham, quantity=ham.quantity - left, by=None)
        pieced = get(client, url)
        caches["menus"].clear()
        assert without_tokens(get(client, url)) == without_tokens(pieced)


@pytest.mark.django_db(transaction=True)
def test_threads_missing_the_same_menu_render_it_once(restaurant_a, stock_a, menu, monkeypatch):
    import threading

    from django.db import connection

    from restaurants import menu_cache

    renders = []
    real_render = menu_cache._render_menu
    monkeypatch.setattr(menu_cache, "_render_menu", lambda *args: renders.append(args) or real_render(*args))
    key = menu_cache.page_key(restaurant_a.slug)
    start = threading.Barrier(6)
    results = []

    def view():
        try:
            start.wait()
            results.append(menu_cache.menu_with_state(key)[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=view) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(renders) == 1
    assert len(results) == 6 and len(set(results)) == 1


def test_the_cache_does_not_keep_a_menu_per_order(client, url, restaurant_a, stock_a, menu, customer):
    """Every order moves the stock state; the cache keeps the menu and the page once per availability shown,
    not a copy per stock state (the web workers' memory grew with the orders: docs/architecture.md, "Memory
    under load")."""
    from django.core.cache.backends.locmem import _caches

    for stock in stock_a.values():
        restock(stock=stock, quantity=Decimal("100000"), by=None)
    client.force_login(customer)
    visitor = Client()  # no session: served the whole page from the cache

    def held() -> int:
        """Bytes of the values in the menus cache (LocMemCache keeps them pickled)."""
        return sum(len(value) for value in _caches["menus"].values())

    get(client, url)
    get(visitor, url)
    before = held()
    for _ in range(5):
        place_order(
            restaurant=restaurant_a,
            lines=[LineRequest(product_id=menu["margherita"].pk, quantity=1)],
            fulfilment="pickup",
            payment_method="cash_on_delivery",
            contact=Contact(name="Camille", phone="0600000000", email=customer.email),
            customer=customer,
            now=MONDAY_NOON,
        )
        assert "Add to cart" in card(get(client, url), "margherita")
        assert "Add to cart" in card(get(visitor, url), "margherita")
    # Five orders, five new stock states: each adds the digest of what it shows (well under 1 KiB), where a
    # copy of the menu or of the page is tens of KiB.
    assert held() - before < 5 * 1024


def test_the_page_is_kept_once_for_everyone_with_each_visitors_own_parts(
    url, restaurant_a, stock_a, menu, customer, other_customer, head_office, pizzaiolo
):
    """The page is kept with a mark for each part personal to its visitor (common.personal): whoever rendered
    it, each visitor sees their own name, account links, cart and messages, never another's."""
    alice, bob, staff, chef, visitor = Client(), Client(), Client(), Client(), Client()
    alice.force_login(customer)
    bob.force_login(other_customer)
    staff.force_login(head_office)
    chef.force_login(pizzaiolo)
    alice.post(
        reverse("cart_add"), {"restaurant": restaurant_a.pk, "product": menu["margherita"].pk, "quantity": 2}
    )

    seen = {
        name: get(c, url) for name, c in [("alice", alice), ("bob", bob), ("staff", staff), ("chef", chef)]
    }
    seen["visitor"] = get(visitor, url)
    seen["alice again"] = get(alice, url)

    for name in ("alice", "alice again"):
        assert "Alice" in seen[name] and "2 items in your cart" in seen[name]
    assert "Bob" in seen["bob"] and "Alice" not in seen["bob"] and "in your cart" not in seen["bob"]
    # The administration link for head office only, the staff screens for staff only.
    assert reverse("admin:index") in seen["staff"]
    assert all(reverse("admin:index") not in seen[name] for name in ("alice", "bob", "chef", "visitor"))
    assert reverse("staff_home") in seen["chef"] and reverse("staff_home") not in seen["bob"]
    assert "Sign in" in seen["visitor"] and "Alice" not in seen["visitor"] and "Bob" not in seen["visitor"]
    assert reverse("account_logout") not in seen["visitor"]
    # One page with its parts to fill: the same for all but the parts.
    assert "<!--personal:" not in "".join(seen.values())
    assert card(seen["bob"], "margherita") and without_tokens(
        card(seen["alice"], "margherita")
    ) == without_tokens(card(seen["visitor"], "margherita"))


def test_a_message_shows_once_to_its_visitor_on_the_kept_page(client, url, stock_a, customer):
    client.force_login(customer)
    get(Client(), url)  # the page kept, by another visitor
    waiting = CookieStorage(RequestFactory().get(url))._encode([Message(constants.SUCCESS, "Bon appétit")])
    client.cookies[CookieStorage.cookie_name] = waiting

    assert "Bon appétit" in get(client, url)
    assert "Bon appétit" not in get(client, url)
    assert "Bon appétit" not in get(Client(), url)


def test_the_page_kept_from_a_view_after_adding_to_the_cart_serves_the_next_visitor(
    client, url, restaurant_a, stock_a, menu, customer
):
    """The first view of a new availability is most often the page a customer is sent back to after adding
    (`?added=`): it is kept, and its language switch brings its readers back to the page's path, not to
    another visitor's `?added=`."""
    client.force_login(customer)
    client.post(
        reverse("cart_add"), {"restaurant": restaurant_a.pk, "product": menu["margherita"].pk, "quantity": 1}
    )
    added = get(client, url + f"?added={menu['margherita'].pk}")
    assert f'name="next" value="{url}"' in added
    assert [key for key in caches["menus"]._cache if "shell:" in key]  # kept
    other = Client()
    other.force_login(customer)
    page = get(other, url)
    assert f'name="next" value="{url}"' in page and "?added=" not in page
