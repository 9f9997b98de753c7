"""Every page in French as French people write it: no English left over, no number written with a dot.

The pages are those of the authorisation sweep's table (tests/test_authorization_sweep.py) that answer 200,
each requested in French as a role that may open it (and as a manager and head office where both may), plus
a cart holding a pizza and its checkout, the sign-in and sign-up pages, the admin's home and changelists, and
the customers' and managers' emails. Each page's visible text (tags, scripts and styles stripped; the
`title`, `placeholder`, `aria-label` and `alt` attributes kept) must hold:

- no English msgid of the catalogue whose French translation differs, standing alone as a text node (or,
  for a msgid of three words or more, anywhere in the text);
- no decimal number written with a dot ("18.00 €", "12.5 g"): a dot between digits that is not part of a
  date "05.12.2026", an address, an email, a URL or a version.
"""

from __future__ import annotations

import html
import re
from decimal import Decimal
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from common import formats
from orders import notifications
from orders.models import Order, PaymentState, Status
from restaurants.availability import MissingIngredient
from restaurants.models import Weekday
from restaurants.notifications import send_low_stock_alert
from scripts.translations_check import LOCALE_DIR, extracted_messages, missing_messages, parse_po
from tests.orders.checkout import shown_fingerprint, terms_accepted
from tests.test_authorization_sweep import ACCESS
from tests.world import ROLES, World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def french_writers():
    """The world is written by French speakers: a ledger note is stored in its writer's language (the
    "Opening stock" of a new stock), and an earlier test may leave English active."""
    with translation.override("fr"):
        yield


FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr"}


class _Text(HTMLParser):
    """The text a reader sees or hears: text nodes and a few attributes, never scripts or styles."""

    SPOKEN = ("title", "placeholder", "aria-label", "alt")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._hidden += 1
        for name, value in attrs:
            if name in self.SPOKEN and value:
                self.nodes.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.nodes.append(data)


def text_nodes(content: str, *, is_html: bool = True) -> list[str]:
    if not is_html:
        return [line for line in content.splitlines() if line.strip()]
    parser = _Text()
    parser.feed(content)
    return [" ".join(node.split()) for node in parser.nodes]


# A msgid's placeholders ("%(name)s", "{{ name }}", "%s") match any text.
_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{\s*\w+\s*\}\}")


@cache
def english_leftovers() -> tuple[set[str], list[re.Pattern]]:
    """The msgids of the French catalogue whose translation differs: whole-node ones, and longer ones as
    patterns to search anywhere."""
    whole: set[str] = set()
    anywhere: list[re.Pattern] = []
    for entry in parse_po(LOCALE_DIR / "fr" / "LC_MESSAGES" / "django.po"):
        if entry.is_header or entry.msgid_plural is not None or entry.msgstr in ("", entry.msgid):
            continue
        msgid = " ".join(entry.msgid.split())
        if not _PLACEHOLDER.search(msgid):
            whole.add(msgid)
        parts = [re.escape(part) for part in _PLACEHOLDER.split(msgid)]
        literal = "".join(parts)
        # Three English words or more (placeholders aside) cannot be French by chance.
        if len(re.findall(r"[A-Za-z]{2,}", literal)) >= 3:
            pattern = r"\b" + r".{1,80}?".join(parts) + r"(?!\w)"
            anywhere.append(re.compile(pattern))
    return whole, anywhere


# A decimal written with a dot: digits, a dot, digits, not inside a longer dotted run (dates "05.12.2026",
# versions "5.2.19", IP addresses), not inside a word, an email or a URL.
DOT_DECIMAL = re.compile(r"(?<![\w.@/])\d+\.\d+(?![\w.@/]|\.\d)")


# The language menu names each language in its own tongue.
NOT_LEFTOVERS = {"English"}


# A weekday or a month capitalised after a word or a number ("passée le Samedi", "5 Déc"): French writes
# them in lower case but at the start of a sentence.
CAPITALISED_DATE = re.compile(
    r"(?<=[\w,] )(Lundi|Mardi|Mercredi|Jeudi|Vendredi|Samedi|Dimanche|Janv\w*|Févr\w*|Avr\w*|Juil\w*|Août"
    r"|Sept\w*|Oct\w*|Nov\w*|Déc\w*)\b"
)
# French puts a no-break space before a colon, a semicolon, an exclamation or a question mark: one glued to
# the word before it, then followed by a space or the end, is English typography ("Bureau: …").
GLUED_PUNCTUATION = re.compile(r"[^\s\d\xa0\u202f][:;!?](?=\s|$)")


def problems(nodes: list[str]) -> list[str]:
    whole, anywhere = english_leftovers()
    found = []
    for node in nodes:
        if node.strip(" :·–-") in whole - NOT_LEFTOVERS:
            found.append(f"English: {node!r}")
        for pattern in anywhere:
            if match := pattern.search(node):
                found.append(f"English: {match.group()!r} in {node!r}")
        for match in DOT_DECIMAL.finditer(node):
            found.append(f"dot decimal: {match.group()!r} in {node!r}")
        for match in CAPITALISED_DATE.finditer(node):
            found.append(f"capitalised date: {match.group()!r} in {node!r}")
        for match in GLUED_PUNCTUATION.finditer(node):
            found.append(f"no space before {match.group()[-1]!r} in {node!r}")
    return found


def check_page(response, where: str) -> list[str]:
    assert response.status_code == 200, (where, response.status_code)
    content = response.content.decode()
    is_html = response["Content-Type"].startswith("text/html")
    return [f"{where}: {problem}" for problem in problems(text_nodes(content, is_html=is_html))]


def get(world: World, role: str, url: str):
    client = world.client(role)
    client.cookies["django_language"] = "fr"
    return client.get(url, **FRENCH)


def sweep_pages(world: World) -> list[tuple[str, str]]:
    """(role, url) of every page of the sweep's table that answers 200 to someone."""
    pages = []
    for name, access in ACCESS.items():
        if name in (
            "healthz",
            "robots_txt",
            "staff_dashboard_csv",
            "staff_sales_archive",
            "account_export_download",
        ):
            continue
        allowed = [role for role, answer in zip(ROLES, access.get, strict=True) if answer == 200]
        roles = {*allowed[:1], *(r for r in ("manager_a", "head_office") if r in allowed)}
        url = reverse(name, args=access.args(world) if access.args else None)
        pages += [(role, url) for role in sorted(roles)]
    return pages


@pytest.fixture
def big_order(world: World) -> Order:
    """An order above a thousand euros, so amounts need their thousands separator."""
    order = world.orders["ready_delivery"]
    Order.objects.filter(pk=order.pk).update(
        subtotal=Decimal("2137.80") - order.delivery_fee, total=Decimal("2137.80")
    )
    order.refresh_from_db()
    return order


def test_every_page_reads_in_french_without_english_or_dot_decimals(world, big_order):
    found = []
    pages = sweep_pages(world)
    assert len(pages) > 40
    for role, url in pages:
        found += check_page(get(world, role, url), f"{url} as {role}")
    for url in (reverse("account_login"), reverse("account_signup")):
        found += check_page(get(world, "anonymous", url), url)
    assert not found, "\n".join(found)


def test_the_cart_and_the_checkout_read_in_french(world, client):
    client.force_login(world.users["customer"])
    client.cookies["django_language"] = "fr"
    data = {"restaurant": world.restaurant_a.pk, "product": world.menu["margherita"].pk, "quantity": "2"}
    assert client.post(reverse("cart_add"), data, **FRENCH).status_code in (200, 302)
    found = []
    for url in (
        reverse("cart"),
        reverse("checkout"),
        reverse("restaurant_detail", args=[world.restaurant_a.slug]),
    ):
        found += check_page(client.get(url, **FRENCH), url)
    assert not found, "\n".join(found)


@pytest.fixture
def admin_manager(world: World):
    """manager_a, let into the admin (where they see their restaurant's objects only)."""
    manager = world.users["manager_a"]
    manager.is_staff = True
    manager.save(update_fields=["is_staff"])
    return manager


def test_the_admin_reads_in_french_for_a_manager_and_head_office(world, admin_manager):
    found = []
    for role in ("manager_a", "head_office"):
        for url in (
            reverse("admin:index"),
            reverse("admin:orders_order_changelist"),
            reverse("admin:restaurants_stock_changelist"),
            reverse("admin:restaurants_stockmovement_changelist"),
            reverse("admin:orders_payment_changelist"),
        ):
            found += check_page(get(world, role, url), f"{url} as {role}")
    assert not found, "\n".join(found)


def test_the_admin_home_is_titled_by_role_and_keeps_djangos_change_links(world, admin_manager):
    manager = get(world, "manager_a", reverse("admin:index")).content.decode()
    head_office = get(world, "head_office", reverse("admin:index")).content.decode()
    assert "Siège" in head_office
    assert "Siège" not in manager
    assert "Mes restaurants" in manager
    # Django's own "Change" link, not the ledger's column ("Variation").
    with translation.override("fr"):
        msgid = "Change"  # through a variable: a literal would be extracted into our own catalogue
        django_change = translation.gettext(msgid)
    assert django_change != "Variation"
    for page in (manager, head_office):
        links = re.findall(r'class="changelink"[^>]*>([^<]+)<', page)
        assert links and {link.strip() for link in links} == {django_change}, links


def test_the_dashboard_and_the_order_pages_write_amounts_with_a_thousands_separator(world, big_order):
    dashboard = get(world, "head_office", reverse("staff_dashboard")).content.decode()
    # The day's revenue holds the big order: over 2 000 €, written with its separator.
    assert re.search(r"\b2\xa0\d{3},\d{2}\xa0€", html.unescape(dashboard))
    orders = get(world, "customer", reverse("order_list")).content.decode()
    assert "2\xa0137,80\xa0€" in html.unescape(orders)


def test_dates_read_with_lower_case_weekdays_and_months(world):
    order = world.orders["received"]
    page = html.unescape(
        get(world, "customer", reverse("order_tracking", args=[order.number])).content.decode()
    )
    assert "Passée le lundi 30 novembre 2026" in page
    ticket = html.unescape(
        get(world, "pizzaiolo", reverse("staff_kitchen_ticket", args=[order.number])).content.decode()
    )
    assert "Déc" not in ticket and "Nov" not in ticket


def test_the_emails_read_in_french(world, big_order, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    order = world.orders["ready_delivery"]
    with translation.override("fr"):
        # What the worker runs for the emails' jobs.
        notifications.send(order_id=order.pk, name="order-confirmed", key="french:confirmed")
        notifications.send(
            order_id=order.pk, name="order-status", key="french:status", from_status=Status.PREPARING
        )
        stock = world.stock_a["Mozzarella"]
        send_low_stock_alert(stock_ids=[stock.pk], alert="french")
    assert len(mail.outbox) >= 3
    found = []
    for message in mail.outbox:
        found += [f"subject: {p}" for p in problems([message.subject])]
        found += [
            f"text of {message.subject}: {p}" for p in problems(text_nodes(message.body, is_html=False))
        ]
        for body, _kind in message.alternatives:
            found += [f"html of {message.subject}: {p}" for p in problems(text_nodes(body))]
    assert not found, "\n".join(found)
    assert "2\xa0137,80\xa0€" in mail.outbox[0].body


def test_a_delivery_below_the_minimum_is_refused_with_the_minimum_written_in_french(world, client):
    client.force_login(world.users["customer"])
    data = {"restaurant": world.restaurant_a.pk, "product": world.menu["margherita"].pk, "quantity": "1"}
    client.post(reverse("cart_add"), data, **FRENCH)
    form = {
        "fulfilment": "delivery",
        "address": str(world.address.pk),
        "delivery_time": "asap",
        "pickup_time": "asap",
        "payment_method": "cash_on_delivery",
        "cart_fingerprint": shown_fingerprint(client),
        **terms_accepted(),
    }

    response = client.post(reverse("checkout"), form, **FRENCH)

    assert response.status_code == 400
    minimum = formats.euros(world.restaurant_a.minimum_order)
    assert minimum.startswith(f"{int(world.restaurant_a.minimum_order)},")
    assert f"Le minimum de commande pour la livraison est de {minimum}." in html.unescape(
        response.content.decode()
    )


def test_the_missing_ingredient_message_writes_quantities_the_french_way():
    missing = MissingIngredient("Câpres", "g", Decimal("0"), Decimal("12.5"))
    pieces = MissingIngredient("Œufs", "piece", Decimal("1"), Decimal("2"))

    with translation.override("fr"):
        assert str(missing) == "Câpres\xa0: il reste 0 g, il en faut 12,5 g"
        assert "pièce" in str(pieces) or "pc" in str(pieces)
        assert "piece" not in str(pieces)
    with translation.override("en"):
        assert str(missing) == "Câpres: 0 g left, 12.5 g needed"


def test_a_cancelled_payment_and_a_cancelled_order_agree_in_gender():
    with translation.override("fr"):
        assert str(PaymentState.CANCELLED.label) == "Annulé"
        assert str(Status.CANCELLED.label) == "Annulée"
        assert str(Weekday.SATURDAY.label) == "Samedi"  # the admin's list of days starts each with a capital
        assert formats.euros(Decimal("2137.8")) == "2\xa0137,80\xa0€"
    with translation.override("en"):
        assert formats.euros(Decimal("2137.8")) == "2,137.80\xa0€"


def test_the_admins_stock_forms_capitalise_their_labels_like_the_model_fields(world):
    page = html.unescape(get(world, "head_office", reverse("admin:restaurants_stock_add")).content.decode())
    assert "Quantité initiale" in page
    assert "quantité initiale" not in page
    page = html.unescape(
        get(world, "head_office", reverse("admin:restaurants_stockmovement_add")).content.decode()
    )
    labels = re.findall(r"<label[^>]*>([^<]+)</label>", page)
    assert labels and all(label[0].isupper() for label in labels if label[0].isalpha()), labels


def test_the_translation_check_names_a_message_of_the_code_missing_from_the_catalogue():
    entries = parse_po(LOCALE_DIR / "fr" / "LC_MESSAGES" / "django.po")
    extracted = extracted_messages()
    assert ("stock movement: how much the quantity changed", "Change") in extracted
    assert ("day of the week", "Monday") in extracted
    assert (None, "Receipt") in extracted  # from a template

    assert missing_messages(Path("django.po"), entries, extracted) == []
    without = [entry for entry in entries if (entry.msgctxt, entry.msgid) != ("payment state", "Cancelled")]
    assert missing_messages(Path("django.po"), without, extracted) == [
        "django.po: in the code, not in the catalogue: [payment state] 'Cancelled'"
    ]
