"""A discount shared across lines: proportional, to the cent, summing exactly, never beyond a line."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orders.services.pricing import allocate_discount

D = Decimal


def test_parts_are_proportional_and_sum_exactly():
    assert allocate_discount([D("20.00"), D("10.00")], D("3.00")) == [D("2.00"), D("1.00")]


def test_the_left_over_cent_goes_to_the_largest_line():
    assert allocate_discount([D("10.00"), D("10.00"), D("20.00")], D("1.00")) == [
        D("0.25"),
        D("0.25"),
        D("0.50"),
    ]
    assert allocate_discount([D("1.00"), D("1.00"), D("1.00")], D("1.00")) == [
        D("0.34"),
        D("0.33"),
        D("0.33"),
    ]
    assert allocate_discount([D("1.00"), D("2.00")], D("1.00")) == [D("0.33"), D("0.67")]


def test_a_discount_above_the_total_is_capped_at_the_total():
    assert allocate_discount([D("4.50"), D("3.20")], D("100")) == [D("4.50"), D("3.20")]


def test_nothing_to_share():
    assert allocate_discount([], D("5")) == []
    assert allocate_discount([D("0.00"), D("0.00")], D("5")) == [D("0.00"), D("0.00")]
    assert allocate_discount([D("3.00")], D("-2")) == [D("0.00")]


def test_a_negative_line_is_refused():
    with pytest.raises(ValueError):
        allocate_discount([D("-1.00")], D("1"))


cents = st.integers(min_value=0, max_value=50_000).map(lambda n: D(n) / 100)


@given(amounts=st.lists(cents, max_size=30), discount=cents)
def test_any_cart_any_discount(amounts, discount):
    parts = allocate_discount(amounts, discount)
    total = sum(amounts, D("0"))
    assert len(parts) == len(amounts)
    assert sum(parts, D("0")) == min(discount, total)
    for part, amount in zip(parts, amounts, strict=True):
        assert D("0") <= part <= amount
        assert part == part.quantize(D("0.01"))
        assert amount - part >= 0
