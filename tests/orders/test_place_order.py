from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum

from orders.errors import AlreadyPlaced, OrderError, ProductUnavailable
from orders.models import Order, OrderStatusChange, Payment, Status
from orders.services import Contact, DeliveryAddress, LineRequest, place_order
from restaurants.models import MovementReason, Stock, StockMovement


def quantities(stock_a):
    return {name: Stock.objects.get(pk=stock.pk).quantity for name, stock in stock_a.items()}


def assert_ledger_matches():
    for stock in Stock.objects.all():
        assert stock.movements.aggregate(total=Sum("delta"))["total"] == stock.quantity
        assert stock.quantity >= 0


def test_it_places_a_pickup_order_and_reserves_its_ingredients(order_for, customer, menu, stock_a, noon):
    order = order_for(customer, LineRequest(product_id=menu["regina"].id, quantity=2))

    assert order.status == Status.RECEIVED
    assert order.total == Decimal("24.00") and order.delivery_fee == 0
    assert order.due_at == noon + timedelta(minutes=15)
    line = order.lines.get()
    assert (line.product_name, line.quantity, line.unit_price, line.line_total) == (
        "Regina",
        2,
        Decimal("12.00"),
        Decimal("24.00"),
    )
    left = quantities(stock_a)
    assert left["Jambon"] == Decimal("0") and left["Mozzarella"] == Decimal("250")
    assert set(StockMovement.objects.filter(order=order).values_list("reason", flat=True)) == {
        MovementReason.ORDER
    }
    change = OrderStatusChange.objects.get(order=order)
    assert (change.from_status, change.to_status, change.actor) == ("", Status.RECEIVED, customer)
    assert_ledger_matches()


def test_modifiers_change_the_price_and_what_is_taken_from_stock(
    order_for, customer, menu, ingredients, stock_a
):
    line = LineRequest(
        product_id=menu["margherita"].id,
        quantity=2,
        removed_ids=frozenset({ingredients["Basilic"].id}),
        extra_ids=frozenset({menu["extra_mozzarella"].id}),
    )
    order = order_for(customer, line)

    assert order.subtotal == Decimal("22.00")  # (9.50 + 1.50) x 2
    order_line = order.lines.get()
    assert list(order_line.removed_ingredients.values_list("name", flat=True)) == ["Basilic"]
    assert list(order_line.extras.values_list("name", "unit_price")) == [("Mozzarella", Decimal("1.50"))]
    left = quantities(stock_a)
    assert left["Basilic"] == Decimal("100")
    assert left["Mozzarella"] == Decimal("500") - 2 * (125 + 50)


def test_it_refuses_a_pizza_whose_ham_ran_out_and_writes_nothing(order_for, customer, menu, stock_a):
    before = quantities(stock_a)
    with pytest.raises(ProductUnavailable) as error:
        order_for(
            customer,
            LineRequest(product_id=menu["margherita"].id, quantity=1),
            LineRequest(product_id=menu["regina"].id, quantity=3),
        )
    assert error.value.products == ["Regina"]
    assert "Regina" in error.value.message
    assert Order.objects.count() == 0
    assert quantities(stock_a) == before
    assert not StockMovement.objects.filter(reason=MovementReason.ORDER).exists()


@pytest.mark.parametrize(
    ("line", "code"),
    [
        (lambda m, i: LineRequest(product_id=999_999, quantity=1), "unknown_product"),
        (lambda m, i: LineRequest(product_id=m["margherita"].id, quantity=0), "invalid_quantity"),
        (lambda m, i: LineRequest(product_id=m["margherita"].id, quantity=-2), "invalid_quantity"),
        (lambda m, i: LineRequest(product_id=m["margherita"].id, quantity=10_000), "invalid_quantity"),
        (
            lambda m, i: LineRequest(
                product_id=m["margherita"].id, quantity=1, removed_ids=frozenset({i["Pâte à pizza"].id})
            ),
            "ingredient_not_removable",
        ),
        (
            lambda m, i: LineRequest(
                product_id=m["margherita"].id, quantity=1, removed_ids=frozenset({i["Jambon"].id})
            ),
            "ingredient_not_removable",
        ),
        (
            lambda m, i: LineRequest(
                product_id=m["margherita"].id, quantity=1, extra_ids=frozenset({424242})
            ),
            "extra_not_offered",
        ),
    ],
)
def test_tampered_lines_are_refused_with_a_code(order_for, customer, menu, ingredients, stock_a, line, code):
    with pytest.raises(OrderError) as error:
        order_for(customer, line(menu, ingredients))
    assert error.value.code == code
    assert Order.objects.count() == 0
    assert StockMovement.objects.count() == len(stock_a)


def test_an_inactive_product_cannot_be_ordered(order_for, customer, menu):
    menu["regina"].is_active = False
    menu["regina"].save()
    with pytest.raises(OrderError) as error:
        order_for(customer, LineRequest(product_id=menu["regina"].id, quantity=1))
    assert error.value.code == "unknown_product"


def test_a_delivery_adds_the_fee_and_copies_the_address(order_for, customer, menu, delivery_to, restaurant_a):
    order = order_for(
        customer,
        LineRequest(product_id=menu["margherita"].id, quantity=2),
        fulfilment="delivery",
        address=delivery_to,
    )
    assert order.delivery_fee == restaurant_a.delivery_fee
    assert order.total == Decimal("19.00") + restaurant_a.delivery_fee
    assert order.delivery_street == delivery_to.street
    assert order.address_id == delivery_to.address_id
    # Ready 20 minutes before the customer's time: the driver's travel.
    assert order.due_at is not None


def test_a_delivery_outside_the_zones_is_refused(order_for, customer, menu):
    address = DeliveryAddress(street="1 rue de Rivoli", postal_code="75001", city="Paris")
    with pytest.raises(OrderError) as error:
        order_for(
            customer,
            LineRequest(product_id=menu["margherita"].id, quantity=2),
            fulfilment="delivery",
            address=address,
        )
    assert error.value.code == "postal_code_not_served"


def test_a_delivery_below_the_minimum_is_refused(order_for, customer, menu, delivery_to):
    with pytest.raises(OrderError) as error:
        order_for(
            customer,
            LineRequest(product_id=menu["margherita"].id, quantity=1),
            fulfilment="delivery",
            address=delivery_to,
        )
    assert error.value.code == "below_minimum"
    assert Order.objects.count() == 0


def test_payment_at_the_counter_is_not_offered_on_the_website(order_for, customer):
    with pytest.raises(OrderError) as error:
        order_for(customer, payment_method="at_counter")
    assert error.value.code == "invalid_payment_method"


def test_an_online_order_awaits_its_payment(order_for, customer, noon):
    order = order_for(customer, payment_method="online")
    assert order.status == Status.AWAITING_PAYMENT
    assert order.payment_status == "pending"
    assert order.payment_expires_at == noon + timedelta(minutes=30)
    payment = Payment.objects.get(order=order)
    assert (payment.status, payment.amount, payment.provider) == ("pending", order.total, "demo")


def test_a_requested_time_must_be_an_offered_slot(order_for, customer, noon):
    with pytest.raises(OrderError) as error:
        order_for(customer, requested_time=noon + timedelta(minutes=7))
    assert error.value.code == "invalid_slot"
    with pytest.raises(OrderError) as error:
        order_for(customer, requested_time=noon - timedelta(hours=1))
    assert error.value.code == "invalid_slot"
    later = order_for(customer, requested_time=noon + timedelta(hours=2))
    assert later.due_at == noon + timedelta(hours=2)


def test_a_full_slot_sends_asap_orders_to_the_next_one(order_for, customer, restaurant_a, menu, noon):
    restaurant_a.pizzas_per_slot = 2
    restaurant_a.save()
    first = order_for(customer, LineRequest(product_id=menu["margherita"].id, quantity=2))
    second = order_for(customer, LineRequest(product_id=menu["margherita"].id, quantity=1))
    assert first.due_at == noon + timedelta(minutes=15)
    assert second.due_at == noon + timedelta(minutes=30)
    with pytest.raises(OrderError) as error:
        order_for(customer, requested_time=noon + timedelta(minutes=15))
    assert error.value.code == "fully_booked"


def test_a_closed_restaurant_takes_pre_orders_for_its_next_opening(order_for, customer, time_machine, noon):
    night = noon.replace(hour=23, minute=40)
    time_machine.move_to(night, tick=False)
    order = order_for(customer, now=night)
    assert order.due_at == (night + timedelta(days=1)).replace(hour=11, minute=45)


def test_a_phone_order_needs_a_phone_number(restaurant_a, menu, stock_a, pizzaiolo, noon):
    with pytest.raises(OrderError) as error:
        place_order(
            restaurant=restaurant_a,
            lines=[LineRequest(product_id=menu["margherita"].id, quantity=1)],
            fulfilment="pickup",
            payment_method="cash_on_delivery",
            contact=Contact(name="M. Dupont"),
            channel="phone",
            taken_by=pizzaiolo,
            now=noon,
        )
    assert error.value.code == "phone_required"


@pytest.mark.django_db
def test_a_checkout_token_places_one_order_and_a_second_call_writes_nothing(
    restaurant_a, menu, stock_a, customer, noon
):
    def place():
        return place_order(
            restaurant=restaurant_a,
            lines=[LineRequest(product_id=menu["margherita"].pk, quantity=1)],
            fulfilment="pickup",
            payment_method="cash_on_delivery",
            contact=Contact(name="Alice", phone="0600000000", email=customer.email),
            customer=customer,
            now=noon,
            checkout_token="a" * 32,
        )

    order = place()
    movements = StockMovement.objects.count()
    with pytest.raises(AlreadyPlaced) as refused:
        place()
    assert refused.value.number == order.number
    assert Order.objects.count() == 1
    assert StockMovement.objects.count() == movements
