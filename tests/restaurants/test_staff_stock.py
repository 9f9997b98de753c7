"""The stock screens (/staff/stock/ and its ledger) and the low-stock alert.

Managers record deliveries, waste and counts and set thresholds, each through restaurants.services, so the
ledger always sums to the quantity; pizzaiolos only look; anyone else, or another restaurant's stock, is
refused without anything written. The alert goes to the restaurant's managers once until restocked.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from procrastinate.contrib.django import app

from orders.services import Contact, LineRequest, place_order
from restaurants.availability import why_unavailable
from restaurants.models import MovementReason, Role, Stock, StockMovement
from restaurants.services import (
    alert_low_stock,
    apply_stock_changes,
    record_inventory_count,
    record_waste,
    restock,
    set_alert_threshold,
)
from restaurants.tasks import low_stock_digest
from tests import factories as f
from tests.queue import WorkerOutbox

PARIS = ZoneInfo("Europe/Paris")
MONDAY_NOON = datetime(2026, 11, 30, 12, 0, tzinfo=PARIS)

ROLES = ["pizzaiolo", "driver", "counter", "manager_a", "manager_b", "head_office", "customer", "anonymous"]


@pytest.fixture
def manager_a(manager_a):
    """Restaurant A's manager (tests/conftest.py), reading English."""
    manager_a.language = "en"
    manager_a.save(update_fields=["language"])
    return manager_a


@pytest.fixture
def stock_b(restaurant_b, ingredients):
    return f.StockFactory(
        restaurant=restaurant_b, ingredient=ingredients["Mozzarella"], quantity=Decimal("300")
    )


def sign_in(client, request, role: str):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


def ledger_sum(stock: Stock) -> Decimal:
    return stock.movements.aggregate(total=Sum("delta"))["total"] or Decimal("0")


def assert_ledger_matches(stock: Stock) -> None:
    stock.refresh_from_db()
    assert ledger_sum(stock) == stock.quantity


def action_url(stock: Stock, action: str) -> str:
    return reverse(f"staff_stock_{action}", args=[stock.pk])


def action_data(stock: Stock, action: str, quantity: str, note: str = "") -> dict[str, str]:
    prefix = f"stock-{stock.pk}-{action}"
    return {f"{prefix}-quantity": quantity, f"{prefix}-note": note}


# -- Who may do what ------------------------------------------------------------------------------------

PAGE_STATUS = {
    "pizzaiolo": 200,
    "driver": 403,
    "counter": 403,
    "manager_a": 200,
    "manager_b": 200,  # their own restaurant's stock
    "head_office": 200,
    "customer": 403,
    "anonymous": 302,
}


@pytest.mark.parametrize("url_name", ["staff_stock", "staff_stock_products", "staff_stock_movements"])
@pytest.mark.parametrize("role", ROLES)
def test_who_may_see_the_stock_screens(client, request, stock_a, stock_b, url_name, role):
    sign_in(client, request, role)

    response = client.get(reverse(url_name))

    assert response.status_code == PAGE_STATUS[role]
    if role == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))


# head office works at the first restaurant by city (Lyon, A) unless they pick another.
ACTION_STATUS = {
    "pizzaiolo": 403,
    "driver": 403,
    "counter": 403,
    "manager_a": 302,
    "manager_b": 404,  # A's stock does not exist for them
    "head_office": 302,
    "customer": 403,
    "anonymous": 302,
}


@pytest.mark.parametrize("action", ["restock", "waste", "count", "threshold"])
@pytest.mark.parametrize("role", ROLES)
def test_only_managers_of_the_restaurant_change_its_stock(client, request, stock_a, action, role):
    mozzarella = stock_a["Mozzarella"]
    movements = StockMovement.objects.count()
    sign_in(client, request, role)

    response = client.post(action_url(mozzarella, action), action_data(mozzarella, action, "50"))

    assert response.status_code == ACTION_STATUS[role]
    changed = role in ("manager_a", "head_office")
    if changed:
        assert response["Location"] == f"{reverse('staff_stock')}#stock-{mozzarella.pk}"
    else:
        mozzarella.refresh_from_db()
        assert mozzarella.quantity == Decimal("500")
        assert mozzarella.alert_threshold == Decimal("100")
        assert StockMovement.objects.count() == movements


def test_a_pizzaiolo_sees_the_stock_without_the_forms(client, pizzaiolo, stock_a, manager_a):
    client.force_login(pizzaiolo)
    content = client.get(reverse("staff_stock")).content.decode()
    assert "Mozzarella" in content
    assert 'method="post" action="/staff/stock/' not in content

    client.force_login(manager_a)
    content = client.get(reverse("staff_stock")).content.decode()
    assert f'action="{action_url(stock_a["Mozzarella"], "restock")}"' in content


def test_a_manager_sees_only_their_restaurants_stock(client, manager_b, stock_a, stock_b):
    client.force_login(manager_b)

    response = client.get(reverse("staff_stock"))

    assert [row.stock for row in response.context["rows"]] == [stock_b]
    for stock in stock_a.values():
        assert f'id="stock-{stock.pk}"' not in response.content.decode()


def test_another_restaurants_stock_is_a_404_and_stays_untouched(client, manager_a, stock_a, stock_b):
    client.force_login(manager_a)

    response = client.post(action_url(stock_b, "waste"), action_data(stock_b, "waste", "300"))

    assert response.status_code == 404
    stock_b.refresh_from_db()
    assert stock_b.quantity == Decimal("300")
    assert stock_b.movements.count() == 1


def test_an_unknown_stock_is_a_404(client, manager_a, stock_a):
    client.force_login(manager_a)
    assert client.post("/staff/stock/999999/restock/", {}).status_code == 404


def test_the_action_urls_take_posts_only(client, manager_a, stock_a):
    client.force_login(manager_a)
    assert client.get(action_url(stock_a["Mozzarella"], "restock")).status_code == 405


# -- Each action goes through a movement; the ledger sums to the quantity after every one ---------------


def test_each_action_moves_the_stock_through_the_ledger(english, manager_a, stock_a):
    client, mozzarella = english, stock_a["Mozzarella"]
    client.force_login(manager_a)

    steps = [
        ("restock", "1000", "Livraison Metro", Decimal("1500"), MovementReason.RESTOCK, Decimal("1000")),
        ("waste", "75.5", "Tombé par terre", Decimal("1424.5"), MovementReason.WASTE, Decimal("-75.5")),
        ("waste", "24.5", "", Decimal("1400"), MovementReason.WASTE, Decimal("-24.5")),
        ("count", "1350", "Inventaire du lundi", Decimal("1350"), MovementReason.INVENTORY, Decimal("-50")),
    ]
    for action, quantity, note, expected, reason, delta in steps:
        response = client.post(
            action_url(mozzarella, action), action_data(mozzarella, action, quantity, note)
        )

        assert response.status_code == 302, (action, quantity)
        mozzarella.refresh_from_db()
        assert mozzarella.quantity == expected
        movement = mozzarella.movements.order_by("-id").first()
        assert (movement.reason, movement.delta, movement.user, movement.note) == (
            reason,
            delta,
            manager_a,
            note,
        )
        assert_ledger_matches(mozzarella)

    page = client.get(reverse("staff_stock"))
    assert [str(message) for message in page.context["messages"]] == [
        "Delivery of 1000\u00a0g of Mozzarella recorded.",
        "Waste of 75.5\u00a0g of Mozzarella recorded.",
        "Waste of 24.5\u00a0g of Mozzarella recorded.",
        "Mozzarella counted: the stock is now 1350\u00a0g.",
    ]


def test_a_french_manager_may_type_a_decimal_comma(client, manager_a, stock_a):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    client.force_login(manager_a)
    mozzarella = stock_a["Mozzarella"]

    response = client.post(action_url(mozzarella, "waste"), action_data(mozzarella, "waste", "12,5"))

    assert response.status_code == 302
    mozzarella.refresh_from_db()
    assert mozzarella.quantity == Decimal("487.5")
    assert_ledger_matches(mozzarella)


def test_a_count_that_matches_writes_nothing_and_says_so(english, manager_a, stock_a):
    english.force_login(manager_a)
    ham = stock_a["Jambon"]

    response = english.post(action_url(ham, "count"), action_data(ham, "count", "120"), follow=True)

    assert response.status_code == 200
    assert "matches the stock" in response.content.decode()
    assert ham.movements.count() == 1


def test_changing_the_threshold_leaves_the_quantity_alone(client, manager_a, stock_a):
    client.force_login(manager_a)
    ham = stock_a["Jambon"]

    response = client.post(action_url(ham, "threshold"), action_data(ham, "threshold", "40"))

    assert response.status_code == 302
    ham.refresh_from_db()
    assert (ham.quantity, ham.alert_threshold) == (Decimal("120"), Decimal("40"))
    assert ham.movements.count() == 1


@pytest.mark.parametrize(
    ("action", "quantity"),
    [
        ("restock", "0"),
        ("restock", "-5"),
        ("restock", "abc"),
        ("restock", ""),
        ("restock", "NaN"),
        ("restock", "Infinity"),
        ("restock", "12.3456"),
        ("restock", "99999999999"),
        ("waste", "0"),
        ("waste", "-1"),
        ("waste", "501"),  # more than the 500 g in stock
        ("count", "-1"),
        ("count", "douze"),
        ("threshold", "-1"),
        ("threshold", "1e999"),
    ],
)
def test_bad_quantities_are_refused_with_a_form_error_and_nothing_written(
    english, manager_a, stock_a, action, quantity
):
    english.force_login(manager_a)
    mozzarella = stock_a["Mozzarella"]

    response = english.post(
        action_url(mozzarella, action), action_data(mozzarella, action, quantity), follow=True
    )

    # Back on the stock page (a GET: a reload posts nothing), the refused form open with its input and errors.
    assert response.redirect_chain == [(f"{reverse('staff_stock')}#stock-{mozzarella.pk}", 303)]
    rows = {row.stock.pk: row for row in response.context["rows"]}
    refused = rows[mozzarella.pk]
    assert refused.open
    (form,) = [form for form in refused.forms if form.action == action]
    assert form.errors and form.data[form.add_prefix("quantity")] == quantity
    assert "Nothing was recorded for Mozzarella" in response.content.decode()
    # Shown once: the next visit has every form closed and empty.
    again = english.get(reverse("staff_stock"))
    assert not any(row.open for row in again.context["rows"])
    mozzarella.refresh_from_db()
    assert (mozzarella.quantity, mozzarella.alert_threshold) == (Decimal("500"), Decimal("100"))
    assert mozzarella.movements.count() == 1
    assert_ledger_matches(mozzarella)


def test_wasting_more_than_the_stock_says_how_much_is_left(english, manager_a, stock_a):
    english.force_login(manager_a)
    ham = stock_a["Jambon"]

    response = english.post(action_url(ham, "waste"), action_data(ham, "waste", "121"), follow=True)

    assert response.redirect_chain == [(f"{reverse('staff_stock')}#stock-{ham.pk}", 303)]
    assert "Only 120\u00a0g left: you cannot take away 121\u00a0g." in response.content.decode()


# -- What can still be made, and why not ----------------------------------------------------------------


def test_each_unavailable_product_says_which_ingredient_is_short(english, pizzaiolo, stock_a, menu):
    record_inventory_count(stock=stock_a["Jambon"], counted=Decimal("30"), by=None)
    english.force_login(pizzaiolo)

    response = english.get(reverse("staff_stock"))

    rows = {row.product.name: row for row in response.context["products"]}
    assert rows["Margherita"].portions_left == 4
    assert rows["Margherita"].missing == []
    assert rows["Regina"].portions_left == 0
    with translation.override("en"):
        assert [str(missing) for missing in rows["Regina"].missing] == ["Jambon: 30 g left, 60 g needed"]
        # The same reasons as restaurants.availability.why_unavailable, without its query per product.
        assert rows["Regina"].missing == why_unavailable(menu["regina"], stock_a["Jambon"].restaurant)
    assert "Jambon: 30 g left, 60 g needed" in response.content.decode()
    # What cannot be made comes first.
    assert response.context["products"][0].product.name == "Regina"


def test_an_ingredient_the_restaurant_does_not_keep_is_named_with_none_left(
    english, pizzaiolo, stock_a, menu
):
    basil = f.IngredientFactory(name="Origan", unit="g")
    f.RecipeLineFactory(product=menu["margherita"], ingredient=basil, quantity=Decimal("1"))
    english.force_login(pizzaiolo)

    response = english.get(reverse("staff_stock_products"))

    assert "Origan: 0 g left, 1 g needed" in response.content.decode()
    assert 'hx-trigger="every 5s"' in response.content.decode()


# -- Query counts ---------------------------------------------------------------------------------------


def add_ingredients(restaurant, count: int, start: int) -> None:
    """More stocked ingredients, each the recipe of a product of its own (a drink)."""
    for index in range(start, start + count):
        ingredient = f.IngredientFactory(name=f"Boisson {index}", unit="piece")
        f.StockFactory(restaurant=restaurant, ingredient=ingredient, quantity=Decimal(index % 3))
        product = f.ProductFactory(name=f"Boisson {index}", baking_minutes=None)
        f.RecipeLineFactory(product=product, ingredient=ingredient, quantity=Decimal("1"))


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_stock_page_runs_the_same_queries_for_any_number_of_ingredients(
    client, manager_a, restaurant_a, stock_a, django_assert_num_queries
):
    client.force_login(manager_a)
    add_ingredients(restaurant_a, 2, 0)
    few = count_queries(client, reverse("staff_stock"))
    add_ingredients(restaurant_a, 15, 2)

    # session, user, staff memberships (with their restaurant), stocks (with their ingredient),
    # active products with their portions left, their recipe lines (with their ingredient).
    with django_assert_num_queries(6):
        response = client.get(reverse("staff_stock"))

    assert few == 6
    assert len(response.context["rows"]) == 5 + 17
    # The drinks whose stock is 0 (every third one) cannot be made, and say why.
    assert sum(1 for row in response.context["products"] if row.missing) == 6


def test_the_ledger_runs_the_same_queries_for_any_number_of_movements(
    client, manager_a, stock_a, django_assert_num_queries
):
    client.force_login(manager_a)
    few = count_queries(client, reverse("staff_stock_movements"))
    for _ in range(30):
        restock(stock=stock_a["Basilic"], quantity=Decimal("1"), by=manager_a, note="Jardin")
        record_waste(stock=stock_a["Mozzarella"], quantity=Decimal("1"), by=manager_a)

    # session, user, staff memberships, the ingredients and the staff of the filters' choices, the count
    # of movements, one page of movements (with stock, ingredient, order and user).
    with django_assert_num_queries(7):
        response = client.get(reverse("staff_stock_movements"))

    assert few == 7
    assert response.context["page"].paginator.count == 5 + 60
    assert len(response.context["page"].object_list) == 50


# -- The ledger -----------------------------------------------------------------------------------------


def test_the_ledger_lists_the_restaurants_movements_newest_first_and_filters_them(
    client, manager_a, pizzaiolo, stock_a, stock_b, time_machine
):
    mozzarella, basil = stock_a["Mozzarella"], stock_a["Basilic"]
    # The fixtures' opening movements were written at the real time: the ledger's days come after it.
    first_day = timezone.localdate() + timedelta(days=1)
    third_day = first_day + timedelta(days=2)
    time_machine.move_to(datetime.combine(first_day, time(10), tzinfo=PARIS), tick=False)
    restock(stock=mozzarella, quantity=Decimal("200"), by=manager_a, note="Première livraison")
    time_machine.move_to(datetime.combine(third_day, time(9), tzinfo=PARIS), tick=False)
    record_waste(stock=basil, quantity=Decimal("5"), by=pizzaiolo)
    restock(stock=mozzarella, quantity=Decimal("300"), by=manager_a, note="Seconde livraison")
    client.force_login(manager_a)
    url = reverse("staff_stock_movements")

    everything = list(client.get(url).context["page"].object_list)
    assert everything[0].note == "Seconde livraison"
    assert all(movement.stock.restaurant_id == mozzarella.restaurant_id for movement in everything)
    assert stock_b.movements.get() not in everything

    def listed(**filters) -> list[str]:
        response = client.get(url, filters)
        assert response.status_code == 200
        return [(m.stock.ingredient.name, m.reason, m.note) for m in response.context["page"].object_list]

    assert listed(ingredient=basil.ingredient_id, reason="waste") == [("Basilic", "waste", "")]
    assert listed(user=manager_a.pk) == [
        ("Mozzarella", "restock", "Seconde livraison"),
        ("Mozzarella", "restock", "Première livraison"),
    ]
    assert listed(reason="restock", start=first_day, end=first_day) == [
        ("Mozzarella", "restock", "Première livraison")
    ]
    second_day = first_day + timedelta(days=1)
    assert listed(reason="restock", start=second_day) == [("Mozzarella", "restock", "Seconde livraison")]


@pytest.mark.parametrize(
    "filters",
    [
        {"start": "2026-13-45"},
        {"start": "2026-11-30", "end": "2026-11-01"},
        {"ingredient": "999999"},
        {"reason": "stolen"},
        {"user": "abc"},
    ],
)
def test_bad_ledger_filters_are_a_form_error(client, manager_a, stock_a, filters):
    client.force_login(manager_a)

    response = client.get(reverse("staff_stock_movements"), filters)

    assert response.status_code == 400
    assert response.context["form"].errors


def test_another_restaurants_ingredient_is_not_a_filter_choice(client, manager_b, stock_a, stock_b):
    client.force_login(manager_b)

    response = client.get(reverse("staff_stock_movements"), {"ingredient": stock_a["Jambon"].ingredient_id})

    assert response.status_code == 400


def test_a_page_out_of_range_shows_the_last_page(client, manager_a, stock_a):
    client.force_login(manager_a)

    response = client.get(reverse("staff_stock_movements"), {"page": "99"})

    assert response.status_code == 200
    assert response.context["page"].number == 1


# -- The low-stock alert --------------------------------------------------------------------------------


# These tests commit for real (transaction=True), so the alerts' jobs commit as in production.
committing = pytest.mark.django_db(transaction=True)


@pytest.fixture
def alerts(stock_a, manager_a):
    """The emails the worker sends from now on (the opening stock's own alerts are forgotten)."""
    outbox = WorkerOutbox()
    outbox.clear()
    return outbox


@committing
def test_the_alert_goes_once_until_restocked_then_again(alerts, stock_a, manager_a):
    mozzarella = stock_a["Mozzarella"]

    record_waste(stock=mozzarella, quantity=Decimal("350"), by=None)  # 150 g: above 100 g
    assert alerts == []

    record_waste(stock=mozzarella, quantity=Decimal("60"), by=None)  # 90 g: crosses
    assert len(alerts) == 1
    assert alerts[0].to == [manager_a.email]
    assert alerts[0].subject == "Low stock at OC Pizza Lyon Presqu'île: Mozzarella"
    assert "Mozzarella: 90\u00a0g left (alert at 100\u00a0g)" in alerts[0].body
    assert "/staff/stock/" in alerts[0].body
    mozzarella.refresh_from_db()
    assert mozzarella.low_alert_sent_at is not None

    record_waste(stock=mozzarella, quantity=Decimal("10"), by=None)  # still low: no second email
    restock(stock=mozzarella, quantity=Decimal("5"), by=None)  # restocked, but not above: still silent
    assert len(alerts) == 1

    restock(stock=mozzarella, quantity=Decimal("100"), by=None)  # 185 g: above again
    mozzarella.refresh_from_db()
    assert mozzarella.low_alert_sent_at is None
    assert len(alerts) == 1

    record_waste(stock=mozzarella, quantity=Decimal("85"), by=None)  # 100 g: at the threshold, crosses
    assert len(alerts) == 2


@committing
def test_an_order_that_takes_the_stock_down_raises_the_alert(
    alerts, stock_a, manager_a, menu, customer, time_machine
):
    time_machine.move_to(MONDAY_NOON, tick=False)

    place_order(
        restaurant=stock_a["Jambon"].restaurant,
        lines=[LineRequest(product_id=menu["regina"].id, quantity=1)],
        fulfilment="pickup",
        payment_method="cash_on_delivery",
        contact=Contact(name="Alice Martin", phone="06 00 00 00 00", email=customer.email),
        customer=customer,
        now=MONDAY_NOON,
    )

    # Ham 120 → 60 g and basil 100 → 98 g fall to their 100 g thresholds; basil was there already when
    # it was stocked, so only the ham is news.
    manager_alerts = [message for message in alerts if message.to == [manager_a.email]]
    assert len(manager_alerts) == 1
    assert "Jambon: 60\u00a0g left" in manager_alerts[0].body


@committing
def test_the_alert_goes_to_the_active_managers_of_that_restaurant_only(
    alerts, stock_a, manager_a, manager_b, pizzaiolo, restaurant_a
):
    other = f.StaffMemberFactory(restaurant=restaurant_a, role=Role.MANAGER).user
    f.StaffMemberFactory(restaurant=restaurant_a, role=Role.MANAGER, is_active=False)

    record_waste(stock=stock_a["Jambon"], quantity=Decimal("30"), by=None)

    assert sorted(message.to[0] for message in alerts) == sorted([manager_a.email, other.email])


@committing
def test_the_alert_speaks_each_managers_language(alerts, stock_a, manager_a, restaurant_a):
    french = f.StaffMemberFactory(restaurant=restaurant_a, role=Role.MANAGER).user
    assert french.language == "fr"

    record_waste(stock=stock_a["Jambon"], quantity=Decimal("29.5"), by=None)  # 90.5 g

    by_reader = {message.to[0]: message for message in alerts}
    # Numbers are written the reader's way: the decimal point in English, the comma in French.
    assert "90.5\u00a0g" in by_reader[manager_a.email].body
    assert "90,5\u00a0g" in by_reader[french.email].body
    html, _mimetype = by_reader[french.email].alternatives[0]
    assert "90,5\u00a0g" in html


@committing
def test_one_change_of_several_stocks_sends_one_email_naming_them(alerts, stock_a, manager_a, ingredients):
    apply_stock_changes(
        restaurant=stock_a["Jambon"].restaurant,
        changes={ingredients["Jambon"].id: Decimal("-30"), ingredients["Mozzarella"].id: Decimal("-450")},
        reason=MovementReason.WASTE,
    )

    (message,) = alerts
    assert message.subject == "Low stock at OC Pizza Lyon Presqu'île: Jambon and 1 other ingredient"
    assert "Jambon" in message.body and "Mozzarella" in message.body


@committing
def test_raising_the_threshold_past_the_stock_is_not_an_alert_until_the_next_movement(alerts, stock_a):
    ham = stock_a["Jambon"]

    set_alert_threshold(stock=ham, threshold=Decimal("500"))
    assert alerts == []

    record_waste(stock=ham, quantity=Decimal("1"), by=None)
    assert len(alerts) == 1


@committing
def test_lowering_the_threshold_under_the_stock_clears_the_alert(alerts, stock_a):
    ham = stock_a["Jambon"]
    record_waste(stock=ham, quantity=Decimal("30"), by=None)  # 90 g ≤ 100 g
    assert len(alerts) == 1

    ham = set_alert_threshold(stock=ham, threshold=Decimal("50"))

    assert ham.low_alert_sent_at is None
    record_waste(stock=ham, quantity=Decimal("40"), by=None)  # 50 g ≤ 50 g: a new crossing
    assert len(alerts) == 2


def test_the_alert_costs_no_query_when_nothing_crosses(stock_a, django_assert_num_queries):
    stocks = list(Stock.objects.filter(pk__in=[stock.pk for stock in stock_a.values()], quantity__gt=200))

    with django_assert_num_queries(0):
        assert alert_low_stock(stocks=stocks, reason=MovementReason.ORDER) == []


@committing
def test_a_restock_through_the_screen_clears_the_alert(alerts, client, manager_a, stock_a):
    client.force_login(manager_a)
    ham = stock_a["Jambon"]
    record_waste(stock=ham, quantity=Decimal("30"), by=None)
    assert len(alerts) == 1

    client.post(action_url(ham, "restock"), action_data(ham, "restock", "500"))

    ham.refresh_from_db()
    assert ham.quantity == Decimal("590")
    assert ham.low_alert_sent_at is None


# -- The morning's low-stock digest ---------------------------------------------------------------------

SIX_AM = datetime(2026, 12, 1, 6, 0, tzinfo=ZoneInfo("UTC"))


def test_the_digest_runs_every_morning_before_the_days_orders():
    schedule = {
        periodic.task.name: periodic.cron for periodic in app.periodic_registry.periodic_tasks.values()
    }

    assert schedule["restaurants.low_stock_digest"] == "0 6 * * *"


def test_the_digest_lists_each_restaurants_ingredients_still_low_once_a_day(
    stock_a, manager_a, manager_b, restaurant_b, ingredients, mailoutbox
):
    f.StockFactory(restaurant=restaurant_b, ingredient=ingredients["Jambon"], quantity=Decimal("900"))
    record_waste(stock=stock_a["Jambon"], quantity=Decimal("30"), by=None)  # 90 g ≤ 100 g; its alert left
    mailoutbox.clear()

    assert low_stock_digest(timestamp=int(SIX_AM.timestamp())) == 1

    [email] = mailoutbox
    assert email.to == [manager_a.email]  # restaurant B has nothing low: its manager is not bothered
    assert email.subject == "Low stock at OC Pizza Lyon Presqu'île: Basilic and 1 other ingredient"
    assert "This morning, these ingredients of OC Pizza Lyon Presqu'île are still at or below" in email.body
    assert "Basilic: 100\u00a0g left (alert at 100\u00a0g)" in email.body
    assert "Jambon: 90\u00a0g left (alert at 100\u00a0g)" in email.body
    assert "Mozzarella" not in email.body
    assert "every morning while an ingredient stays low" in email.body

    # The same tick run again (a retry, a second worker) sends nothing; the next morning sends again.
    assert low_stock_digest(timestamp=int(SIX_AM.timestamp()) + 30) == 0
    assert low_stock_digest(timestamp=int((SIX_AM + timedelta(days=1)).timestamp())) == 1
    assert len(mailoutbox) == 2


def test_the_digest_sends_nothing_when_nothing_is_low_or_the_restaurant_is_closed_for_good(
    stock_a, manager_a, restaurant_a, mailoutbox
):
    restaurant_a.is_active = False
    restaurant_a.save(update_fields=["is_active"])

    assert low_stock_digest(timestamp=int(SIX_AM.timestamp())) == 0
    assert mailoutbox == []
