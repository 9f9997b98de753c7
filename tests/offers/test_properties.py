"""The offers' properties over random carts, offers and modifications, through the real services on
PostgreSQL (place_order, modify_order, cancel_order and the refunds they make), time frozen: totals never
negative, the receipt's VAT by rate equal to the sum of its lines, the stock reserved equal to the recipes of
what is made (formule components included), a refund never beyond what was paid.

Each example runs in a savepoint rolled back at its end, so the examples do not see each other's orders (a
code's uses, the oven's slots, the stock)."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from loyalty.models import Entry, Reward
from loyalty.models import Kind as LoyaltyKind
from menu.models import RecipeLine
from offers.models import Formule, FormuleComponent, PriceRule, PromoCode, Target
from offers.models import Kind as PromoKind
from orders.errors import OrderError
from orders.models import Order, PaymentState, RefundState, Status
from orders.payments import paid_amount
from orders.receipts import vat_breakdown
from orders.services import (
    Contact,
    DeliveryAddress,
    FormulePart,
    LineRequest,
    cancel_order,
    confirm_payment,
    modify_order,
    place_order,
    reserved_stock,
)
from restaurants.models import Stock
from tests import factories as f
from tests.orders.conftest import NOON

D = Decimal
CENT = D("0.01")
REFUSALS = {
    "promo_minimum",
    "promo_nothing_concerned",
    "reward_nothing_covered",
    "below_minimum",
    "nothing_to_pay_online",  # an offer covering the whole order, paid online: nothing to charge
}


@pytest.fixture
def offers_world(settings, menu, stock_a, ingredients, restaurant_a, customer, time_machine):
    """Restaurant A's menu (two pizzas at 10 %, a soda at 5.5 %, a beer at 20 %), plenty of stock, two
    formules (« Menu Midi » pizza + drink at 12,00 €; three pizzas, the cheapest free), a reward and the
    customer's points to spend it; payments online through the demo provider; the clock on a Monday noon."""
    time_machine.move_to(NOON, tick=False)
    settings.STRIPE_SECRET_KEY = ""
    settings.DEMO_PAYMENTS = True
    drinks = f.CategoryFactory(name="Boissons", slug="boissons")
    products = {"margherita": menu["margherita"], "regina": menu["regina"]}
    for name, price, rate in (("soda", "3.00", "5.5"), ("beer", "4.50", "20")):
        can = f.IngredientFactory(name=f"Canette {name}", unit="pc")
        product = f.ProductFactory(
            name=name.title(), category=drinks, price=D(price), vat_rate=D(rate), baking_minutes=None
        )
        f.RecipeLineFactory(product=product, ingredient=can, quantity=D("1"), removable=False)
        f.StockFactory(restaurant=restaurant_a, ingredient=can, quantity=D("0"), alert_threshold=D("1"))
        products[name] = product
    Stock.objects.filter(restaurant=restaurant_a).update(quantity=D("1000000"))
    midi = Formule.objects.create(name="Menu Midi", price=D("12.00"))
    midi_pizza = FormuleComponent.objects.create(formule=midi, label="Pizza", position=1)
    midi_pizza.products.set([menu["margherita"], menu["regina"]])
    midi_drink = FormuleComponent.objects.create(formule=midi, label="Boisson", category=drinks, position=2)
    three = Formule.objects.create(name="3 pour 2", price_rule=PriceRule.CHEAPEST_FREE)
    three_pizzas = FormuleComponent.objects.create(formule=three, label="Pizza", quantity=3)
    three_pizzas.products.set([menu["margherita"], menu["regina"]])
    reward = Reward.objects.create(name="Une pizza offerte", points=100, category=menu["margherita"].category)
    Entry.objects.create(customer=customer, kind=LoyaltyKind.ADJUSTED, points=1_000_000)
    return {
        "restaurant": restaurant_a,
        "products": products,
        "extra": menu["extra_mozzarella"],
        "removable": [ingredients[name].id for name in ("Sauce tomate", "Mozzarella", "Basilic")],
        "midi": (midi, midi_pizza, midi_drink),
        "three": (three, three_pizzas),
        "reward": reward,
        "category": menu["margherita"].category,
        "drinks": drinks,
    }


# -- Strategies: what a cart, an offer and a modification are made of ---------------------------------------

pizza = st.sampled_from(["margherita", "regina"])
drink = st.sampled_from(["soda", "beer"])
# A pizza's modifiers: some of its removable ingredients left out (indexes in world["removable"]), the extra.
modifiers = st.tuples(st.sets(st.integers(0, 2), max_size=3), st.booleans())
plain_line = st.one_of(
    st.tuples(pizza, st.integers(1, 3), modifiers),
    st.tuples(drink, st.integers(1, 3), st.just((frozenset(), False))),
)
formule_group = st.one_of(
    st.tuples(st.just("midi"), st.tuples(pizza, modifiers), drink),
    st.tuples(st.just("three"), st.lists(st.tuples(pizza, modifiers), min_size=3, max_size=3)),
)
cart = st.tuples(st.lists(plain_line, max_size=3), st.lists(formule_group, max_size=2)).filter(
    lambda parts: parts[0] or parts[1]
)
offer = st.one_of(
    st.none(),
    st.just(("reward",)),
    st.tuples(
        st.sampled_from([PromoKind.PERCENT, PromoKind.AMOUNT, PromoKind.FREE_DELIVERY]),
        st.sampled_from([Target.ORDER, Target.CATEGORY]),
        st.integers(1, 10_000).map(lambda cents: D(cents) / 100),  # up to 100.00: a percent is capped below
        st.sampled_from([D("0"), D("15"), D("30")]),  # the code's minimum order
    ),
)


def requests(world, drawn) -> list[LineRequest]:
    """The LineRequests of a drawn cart: plain lines, then each formule's components as one group."""
    plain, groups = drawn
    products, removable = world["products"], world["removable"]

    def request(name, quantity, mods, formule=None) -> LineRequest:
        removed, extra = mods
        return LineRequest(
            product_id=products[name].id,
            quantity=quantity,
            removed_ids=frozenset(removable[index] for index in removed),
            extra_ids=frozenset({world["extra"].id}) if extra else frozenset(),
            formule=formule,
        )

    lines = [request(name, quantity, mods) for name, quantity, mods in plain]
    for number, group in enumerate(groups):
        key = f"g{number}"
        if group[0] == "midi":
            formule, pizza_part, drink_part = world["midi"]
            (name, mods), drink_name = group[1], group[2]
            lines.append(request(name, 1, mods, FormulePart(formule.pk, pizza_part.pk, key)))
            lines.append(request(drink_name, 1, (set(), False), FormulePart(formule.pk, drink_part.pk, key)))
        else:
            formule, pizzas = world["three"]
            for name, mods in group[1]:
                lines.append(request(name, 1, mods, FormulePart(formule.pk, pizzas.pk, key)))
    return lines


def make_code(world, drawn) -> str:
    kind, target, value, minimum = drawn
    if kind == PromoKind.PERCENT:
        value = min(value, D("100"))
    PromoCode.objects.create(
        code="PROP",
        label="Propriété",
        kind=kind,
        value=D("0") if kind == PromoKind.FREE_DELIVERY else value,
        target=Target.ORDER if kind == PromoKind.FREE_DELIVERY else target,
        category=world["category"] if target == Target.CATEGORY and kind != PromoKind.FREE_DELIVERY else None,
        minimum_order=minimum,
    )
    return "PROP"


# -- The properties --------------------------------------------------------------------------------------


def expected_stock(order: Order) -> dict[int, Decimal]:
    """The recipes of the order's lines (its formule components are lines too), read here from the menu:
    each product's recipe less what the line leaves out, plus its extras, times its quantity."""
    needs: dict[int, Decimal] = defaultdict(Decimal)
    for line in order.lines.prefetch_related("removed_ingredients", "extras__extra"):
        removed = {ingredient.id for ingredient in line.removed_ingredients.all()}
        for recipe in RecipeLine.objects.filter(product_id=line.product_id):
            if recipe.ingredient_id not in removed:
                needs[recipe.ingredient_id] += recipe.quantity * line.quantity
        for chosen in line.extras.all():
            needs[chosen.extra.ingredient_id] += chosen.extra.quantity * line.quantity
    return {ingredient: quantity for ingredient, quantity in needs.items() if quantity}


def check_properties(order: Order) -> None:
    order.refresh_from_db()
    lines = list(order.lines.all())
    # Totals never negative, and what they are made of.
    for amount in (
        order.subtotal,
        order.discount,
        order.delivery_fee,
        order.delivery_fee_waived,
        order.total,
    ):
        assert amount >= 0 and amount == amount.quantize(CENT)
    assert order.total == order.subtotal - order.discount + order.delivery_fee
    assert order.subtotal == sum((line.line_total for line in lines), D("0"))
    assert order.discount == sum((line.discount for line in lines), D("0"))
    assert all(0 <= line.discount <= line.line_total for line in lines)
    # The receipt's VAT by rate: each rate's gross is its lines' discounted amounts (plus its share of the
    # fee), the rates add up to the total, and each rate's VAT is its gross's, to the cent.
    breakdown = vat_breakdown(lines, order.delivery_fee)
    assert sum((rate.gross for rate in breakdown), D("0")) == order.total
    for rate in breakdown:
        lines_gross = sum((line.amount for line in lines if line.vat_rate == rate.rate), D("0"))
        assert lines_gross <= rate.gross <= lines_gross + order.delivery_fee
        assert rate.vat == (rate.gross * rate.rate / (100 + rate.rate)).quantize(CENT, rounding=ROUND_HALF_UP)
    if not order.delivery_fee:
        assert {rate.rate: rate.gross for rate in breakdown} == {
            rate: sum((line.amount for line in lines if line.vat_rate == rate), D("0"))
            for rate in {line.vat_rate for line in lines}
        }
    # The stock reserved: the recipes of what is made; nothing once cancelled.
    assert reserved_stock(order) == ({} if order.status == Status.CANCELLED else expected_stock(order))
    # A refund never exceeds what was paid: per payment, and for the order; what is held is never more
    # than the total (a fall refunds the difference) and nothing once cancelled.
    for payment in order.payments.filter(status=PaymentState.SUCCEEDED):
        refunded = sum(
            (refund.amount for refund in payment.refunds.exclude(status=RefundState.FAILED)), D("0")
        )
        assert 0 <= refunded <= payment.amount
    held = paid_amount(order)
    assert held >= 0
    if order.is_paid_online:
        assert held == (0 if order.status == Status.CANCELLED else order.total)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
    # Each example places and modifies real orders: shrinking a failure would take minutes. The failing
    # example is printed as drawn.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(
    drawn_cart=cart,
    drawn_offer=offer,
    delivered=st.booleans(),
    online=st.booleans(),
    modifications=st.lists(cart, max_size=2),
    cancel=st.booleans(),
)
def test_any_cart_any_offer_any_modification(
    offers_world, customer, drawn_cart, drawn_offer, delivered, online, modifications, cancel
):
    world = offers_world
    address = customer.addresses.get()
    with transaction.atomic():
        options = {
            "restaurant": world["restaurant"],
            "fulfilment": "delivery" if delivered else "pickup",
            "address": DeliveryAddress(
                street=address.street,
                postal_code=address.postal_code,
                city=address.city,
                address_id=address.id,
            )
            if delivered
            else None,
            "payment_method": "online" if online else "cash_on_delivery",
            "contact": Contact(name=customer.get_full_name(), phone=customer.phone, email=customer.email),
            "customer": customer,
            "now": NOON,
        }
        if drawn_offer == ("reward",):
            options["reward"] = world["reward"]
        elif drawn_offer is not None:
            options["promo_code"] = make_code(world, drawn_offer)
        try:
            order = place_order(lines=requests(world, drawn_cart), **options)
        except OrderError as refused:
            event(f"placement refused: {refused.code}")
            # A code's minimum (or the delivery's) not reached, or a reward with no pizza to cover: refused,
            # nothing placed.
            assert refused.code in REFUSALS, refused.code
            assert not Order.objects.exists()
            transaction.set_rollback(True)
            return
        event(
            f"placed with {order.promo_code.kind if order.promo_code else 'a reward' if order.discount else 'no offer'}"
        )
        if online:
            confirm_payment(payment=order.payments.get(), provider_payment_id=f"demo_pi_{order.pk}")
        check_properties(order)
        if drawn_offer is not None and drawn_offer[0] == PromoKind.FREE_DELIVERY and delivered:
            assert order.delivery_fee == 0 and order.delivery_fee_waived == order.restaurant.delivery_fee

        for drawn in modifications:
            try:
                modify_order(order=order, lines=requests(world, drawn), by=customer)
                event("modified")
            except OrderError as refused:
                event(f"modification refused: {refused.code}")
                # A reward with nothing left to cover, a delivery below its minimum: nothing changed.
                assert refused.code in REFUSALS, refused.code
            order.refresh_from_db()
            check_properties(order)
        if cancel:
            cancel_order(order=order, by=customer)
            check_properties(order)
        transaction.set_rollback(True)
