"""The manager dashboard (/staff/dashboard/) and its CSV export, on a small day of known orders.

The day at restaurant A (Monday 30 November 2026, Paris time), with one order the day before:
- 12:00 pick-up, 2 Margheritas, asked for 12:30: started 12:05, ready 12:20 (15 min), picked up 12:25;
- 12:10 delivery, 2 Margheritas, due 12:30 so promised 12:50: started 12:12, ready 12:32 (20 min),
  left 12:35, delivered 13:05 (30 min on the road): late;
- 13:00 pick-up, 3 Margheritas, cancelled by the customer;
- 13:20 pick-up, 1 Regina, due 13:45 and still waiting at 15:00, when the dashboard is read: late.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.models import Order, Status
from orders.services import LineRequest, cancel_order, record_payment_on_delivery, transition_order
from orders.staff.dashboard.export import safe_cell
from orders.staff.dashboard.figures import dashboard_figures
from restaurants.models import Restaurant
from restaurants.services import restock
from tests import factories as f

ROLES = ["pizzaiolo", "driver", "counter", "manager_a", "manager_b", "head_office", "customer", "anonymous"]


def at(noon, hour: int, minute: int):
    return noon.replace(hour=hour, minute=minute)


@pytest.fixture
def day(
    order_for, customer, other_customer, pizzaiolo, driver, menu, stock_a, delivery_to, noon, time_machine
):
    """The known day at A (see the module's docstring); returns its orders by name. The clock ends at 15:00."""
    restock(stock=stock_a["Mozzarella"], quantity=Decimal("1000"), by=None)
    margherita = LineRequest(product_id=menu["margherita"].id, quantity=2)

    yesterday = noon - timedelta(days=1)
    time_machine.move_to(yesterday)
    before = order_for(customer, now=yesterday)

    time_machine.move_to(at(noon, 12, 0))
    pickup = order_for(customer, margherita, requested_time=at(noon, 12, 30), now=at(noon, 12, 0))
    transition_order(order=pickup, to=Status.PREPARING, by=pizzaiolo, now=at(noon, 12, 5))
    transition_order(order=pickup, to=Status.READY, by=pizzaiolo, now=at(noon, 12, 20))
    record_payment_on_delivery(order=pickup, method="cash", by=pizzaiolo, now=at(noon, 12, 25))
    transition_order(order=pickup, to=Status.PICKED_UP, by=pizzaiolo, now=at(noon, 12, 25))

    time_machine.move_to(at(noon, 12, 10))
    delivery = order_for(
        customer, margherita, fulfilment="delivery", address=delivery_to, now=at(noon, 12, 10)
    )
    assert delivery.due_at == at(noon, 12, 30)
    transition_order(order=delivery, to=Status.PREPARING, by=pizzaiolo, now=at(noon, 12, 12))
    transition_order(order=delivery, to=Status.READY, by=pizzaiolo, now=at(noon, 12, 32))
    transition_order(order=delivery, to=Status.OUT_FOR_DELIVERY, by=driver, now=at(noon, 12, 35))
    record_payment_on_delivery(order=delivery, method="card", by=driver, now=at(noon, 13, 5))
    transition_order(order=delivery, to=Status.DELIVERED, by=driver, now=at(noon, 13, 5))

    time_machine.move_to(at(noon, 13, 0))
    cancelled = order_for(
        customer, LineRequest(product_id=menu["margherita"].id, quantity=3), now=at(noon, 13, 0)
    )
    cancel_order(order=cancelled, by=customer, reason="Erreur")

    time_machine.move_to(at(noon, 13, 20))
    waiting = order_for(
        other_customer, LineRequest(product_id=menu["regina"].id, quantity=1), now=at(noon, 13, 20)
    )
    assert waiting.due_at == at(noon, 13, 45)

    time_machine.move_to(at(noon, 15, 0))
    return {
        "before": before,
        "pickup": pickup,
        "delivery": delivery,
        "cancelled": cancelled,
        "waiting": waiting,
    }


def order_at_b(restaurant_b, *, total: str = "20.00", status: str = Status.RECEIVED) -> Order:
    return Order.objects.create(
        restaurant=restaurant_b,
        customer_name="Bob Durand",
        fulfilment="pickup",
        payment_method="cash_on_delivery",
        subtotal=Decimal(total),
        total=Decimal(total),
        status=status,
    )


# -- Who may see it -------------------------------------------------------------------------------------

STATUS = {
    "pizzaiolo": 403,
    "driver": 403,
    "counter": 403,
    "manager_a": 200,
    "manager_b": 200,
    "head_office": 200,
    "customer": 403,
    "anonymous": 302,
}


@pytest.mark.parametrize("url_name", ["staff_dashboard", "staff_dashboard_csv"])
@pytest.mark.parametrize("role", ROLES)
def test_only_managers_and_head_office_see_the_dashboard(
    client, request, restaurant_a, restaurant_b, url_name, role
):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))

    response = client.get(reverse(url_name))

    assert response.status_code == STATUS[role]
    if role == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))


def test_a_manager_sees_only_their_restaurant(client, day, manager_b, restaurant_b):
    order_at_b(restaurant_b)
    client.force_login(manager_b)

    response = client.get(reverse("staff_dashboard"))

    (figures,) = response.context["figures"]
    assert figures.restaurant == restaurant_b
    assert figures.orders == 1
    assert day["pickup"].number not in response.content.decode()


# -- The figures ----------------------------------------------------------------------------------------


def test_the_figures_of_a_known_day(client, day, manager_a, restaurant_a):
    client.force_login(manager_a)

    response = client.get(reverse("staff_dashboard"))

    assert response.status_code == 200
    (figures,) = response.context["figures"]
    assert figures.orders == 4  # the day before is left out
    assert {status: count for status, count in figures.by_status.items() if count} == {
        Status.PICKED_UP: 1,
        Status.DELIVERED: 1,
        Status.CANCELLED: 1,
        Status.RECEIVED: 1,
    }
    expected_revenue = day["pickup"].total + day["delivery"].total + day["waiting"].total
    assert expected_revenue == Decimal("52.50")  # 2 × 9.50, 2 × 9.50 + 2.50 delivery, 12.00
    assert figures.revenue == expected_revenue
    assert figures.preparation == timedelta(minutes=17, seconds=30)  # (15 + 20) / 2
    assert figures.delivery == timedelta(minutes=30)
    assert figures.late == 2  # delivered 15 min after its promise, and the Regina still waiting
    assert [(p.name, p.quantity) for p in figures.top_products] == [("Margherita", 4), ("Regina", 1)]
    assert {hour: count for hour, count in figures.chart.counts.items() if count} == {12: 2, 13: 2}
    assert [stock.ingredient.name for stock in figures.low_stocks] == ["Jambon", "Basilic"]


def test_the_page_shows_the_figures_and_draws_the_chart_without_script(english, day, manager_a):
    english.force_login(manager_a)

    content = english.get(reverse("staff_dashboard")).content.decode()

    assert "52.50\u00a0€" in content
    assert "18 min" in content and "30 min" in content
    assert '<rect class="hour-chart__bar"' in content
    assert "<script" not in content.split('<main id="main"', 1)[1]
    assert 'hx-trigger="every 5s"' in content  # today's figures refresh themselves


def test_a_past_range_does_not_poll_and_counts_its_own_days(client, day, manager_a):
    client.force_login(manager_a)

    response = client.get(reverse("staff_dashboard"), {"start": "2026-11-29", "end": "2026-11-29"})

    assert response.status_code == 200
    assert response.context["figures"][0].orders == 1
    assert "hx-trigger" not in response.content.decode()
    both = client.get(reverse("staff_dashboard"), {"start": "2026-11-29", "end": "2026-11-30"})
    assert both.context["figures"][0].orders == 5


def test_the_poll_gets_the_figures_alone(client, day, manager_a):
    client.force_login(manager_a)

    response = client.get(reverse("staff_dashboard"), headers={"HX-Request": "true"})

    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith('<div class="dashboard-figures"')
    assert "<html" not in content


def test_head_office_sees_every_restaurant_side_by_side(client, day, head_office, restaurant_a, restaurant_b):
    order_at_b(restaurant_b, total="20.00")
    order_at_b(restaurant_b, total="8.00", status=Status.CANCELLED)
    client.force_login(head_office)

    response = client.get(reverse("staff_dashboard"))

    assert [item.restaurant for item in response.context["figures"]] == [restaurant_a, restaurant_b]
    a, b = response.context["figures"]
    assert (a.orders, b.orders) == (4, 2)
    assert b.revenue == Decimal("20.00")
    total = response.context["total"]
    assert (total.orders, total.revenue, total.late) == (6, Decimal("72.50"), 2)
    assert total.preparation == timedelta(minutes=17, seconds=30)
    content = response.content.decode()
    assert restaurant_a.name.replace("'", "&#x27;") in content and restaurant_b.name in content


# -- Query counts ---------------------------------------------------------------------------------------


def more_orders(restaurant, count: int) -> None:
    for index in range(count):
        Order.objects.create(
            restaurant=restaurant,
            customer_name=f"Client {index}",
            fulfilment="pickup",
            payment_method="cash_on_delivery",
            subtotal=Decimal("10"),
            total=Decimal("10"),
            status=Status.DELIVERED,
        )


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_dashboard_runs_the_same_queries_for_any_number_of_orders(
    client, day, manager_a, restaurant_a, django_assert_num_queries
):
    client.force_login(manager_a)
    url = reverse("staff_dashboard")
    few = count_queries(client, url)
    more_orders(restaurant_a, 25)

    # session, user, staff memberships; then orders.staff.dashboard.figures's four: the orders' aggregate per
    # restaurant, orders per restaurant and hour, quantities per restaurant and product, low stocks; then
    # orders.staff.dashboard.offers's two: per promo code, per loyalty reward.
    with django_assert_num_queries(9):
        response = client.get(url)

    assert few == 9
    assert response.context["figures"][0].orders == 4 + 25


def test_head_offices_dashboard_runs_the_same_queries_for_any_number_of_restaurants(
    client, day, head_office, restaurant_b, django_assert_num_queries
):
    client.force_login(head_office)
    url = reverse("staff_dashboard")
    few = count_queries(client, url)
    for _ in range(3):
        more_orders(f.RestaurantFactory(city="Paris"), 5)

    # session, user, staff memberships, the active restaurants; then the dashboard's four, and the offers' two.
    with django_assert_num_queries(10):
        response = client.get(url)

    assert few == 10
    assert len(response.context["figures"]) == 5


def test_the_figures_are_four_queries(day, restaurant_a, restaurant_b, noon, django_assert_num_queries):
    with django_assert_num_queries(4):
        dashboard_figures(restaurants=[restaurant_a, restaurant_b], start=noon.date(), end=noon.date())


# -- Bad dates ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"start": "abc"},
        {"start": "2026-02-30"},
        {"start": "2026-11-30", "end": "2026-11-01"},
        {"start": "2025-11-29", "end": "2026-11-30"},  # 367 days
        {"end": "30/11/2026x"},
    ],
)
@pytest.mark.parametrize("url_name", ["staff_dashboard", "staff_dashboard_csv"])
def test_bad_dates_are_a_form_error_not_a_crash(client, manager_a, noon, query, url_name):
    client.force_login(manager_a)

    response = client.get(reverse(url_name), query)

    assert response.status_code == 400
    assert response.context["form"].errors
    assert response.context.get("figures") is None


def test_a_range_of_366_days_is_accepted(client, manager_a, noon):
    client.force_login(manager_a)

    response = client.get(reverse("staff_dashboard"), {"start": "2025-11-30", "end": "2026-11-30"})

    assert response.status_code == 200


def test_one_date_alone_means_that_day(client, day, manager_a):
    client.force_login(manager_a)

    response = client.get(reverse("staff_dashboard"), {"end": "2026-11-29"})

    assert (response.context["start"].isoformat(), response.context["end"].isoformat()) == (
        "2026-11-29",
        "2026-11-29",
    )
    assert response.context["figures"][0].orders == 1


# -- CSV export -----------------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    """The rows of the default export, French Excel's: a byte order mark, then cells separated by ";"."""
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:]), delimiter=";"))


def test_the_csv_lists_the_orders_of_the_range(english, day, manager_a, restaurant_b):
    order_at_b(restaurant_b)
    english.force_login(manager_a)

    response = english.get(reverse("staff_dashboard_csv"))

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="orders-lyon-presquile-2026-11-30-2026-11-30.csv"'
    )
    header, *rows = read_csv(response)
    assert header == [
        "Number",
        "Restaurant",
        "Placed at",
        "Channel",
        "Fulfilment",
        "Status",
        "Payment method",
        "Payment status",
        "Subtotal",
        "Discount",
        "Delivery fee",
        "Delivery fee waived",
        "Total",
        "Offer",
    ]
    assert [row[0] for row in rows] == [
        day[name].number for name in ("pickup", "delivery", "cancelled", "waiting")
    ]
    assert rows[1] == [
        day["delivery"].number,
        "OC Pizza Lyon Presqu'île",
        "2026-11-30 12:10",
        "Website",
        "Delivery",
        "Delivered",
        "Cash on delivery or pick-up",
        "Paid",
        "19,00",
        "0,00",
        "2,50",
        "0,00",
        "21,50",
        "",
    ]


def test_the_csv_opens_in_french_excel_by_default_and_plain_on_request(english, day, manager_a, restaurant_a):
    Restaurant.objects.filter(pk=restaurant_a.pk).update(name='Lyon; "Presqu\'île"')
    english.force_login(manager_a)

    french = b"".join(english.get(reverse("staff_dashboard_csv")).streaming_content)
    plain = b"".join(english.get(reverse("staff_dashboard_csv"), {"format": "plain"}).streaming_content)

    # French Excel: the UTF-8 byte order mark, ";" between cells, decimal commas, CRLF line ends.
    assert french.startswith(b"\xef\xbb\xbfNumber;Restaurant;Placed at;Channel;")
    french_lines = french.decode("utf-8").split("\r\n")
    assert french_lines[0].endswith(";Subtotal;Discount;Delivery fee;Delivery fee waived;Total;Offer")
    assert french_lines[2] == (
        f'{day["delivery"].number};"Lyon; ""Presqu\'île""";2026-11-30 12:10;Website;Delivery;Delivered;'
        "Cash on delivery or pick-up;Paid;19,00;0,00;2,50;0,00;21,50;"
    )
    # Plain: no byte order mark, "," between cells, decimal points; the quotes still doubled.
    assert plain.startswith(b"Number,Restaurant,Placed at,Channel,")
    plain_lines = plain.decode("utf-8").split("\r\n")
    assert plain_lines[2] == (
        f'{day["delivery"].number},"Lyon; ""Presqu\'île""",2026-11-30 12:10,Website,Delivery,Delivered,'
        "Cash on delivery or pick-up,Paid,19.00,0.00,2.50,0.00,21.50,"
    )
    assert len(french_lines) == len(plain_lines) == 6  # the header, four orders, the empty end


def test_an_unknown_csv_format_is_a_form_error(client, day, manager_a):
    client.force_login(manager_a)

    response = client.get(reverse("staff_dashboard_csv"), {"format": "xlsx"})

    assert response.status_code == 400
    assert not response.streaming
    assert "xlsx" in response.content.decode()


def test_head_offices_csv_holds_every_restaurant(client, day, head_office, restaurant_b):
    b_order = order_at_b(restaurant_b)
    client.force_login(head_office)

    response = client.get(reverse("staff_dashboard_csv"), {"start": "2026-11-29", "end": "2026-11-30"})

    assert 'filename="orders-all-2026-11-29-2026-11-30.csv"' in response["Content-Disposition"]
    numbers = {row[0] for row in read_csv(response)[1:]}
    assert numbers == {order.number for order in day.values()} | {b_order.number}


def test_the_csv_cannot_carry_a_formula_to_a_spreadsheet(client, day, manager_a, restaurant_a):
    Restaurant.objects.filter(pk=restaurant_a.pk).update(name='=HYPERLINK("https://evil.example","Lyon")')
    client.force_login(manager_a)

    rows = read_csv(client.get(reverse("staff_dashboard_csv")))[1:]

    assert {row[1] for row in rows} == {'\'=HYPERLINK("https://evil.example","Lyon")'}


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+33 6 12", "'+33 6 12"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Margherita", "Margherita"),
        (Decimal("9.50"), "9.50"),
        (None, ""),
    ],
)
def test_a_cell_starting_like_a_formula_is_quoted(value, cell):
    assert safe_cell(value) == cell
