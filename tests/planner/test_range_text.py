"""Reading a range typed into a cell of the Uncertainty table."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.range_text import RangeTextError, format_range, parse_range


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("0.8 to 1.2", 0.8, 1.2),
        ("  0.8   to   1.2 ", 0.8, 1.2),
        ("0.8..1.2", 0.8, 1.2),
        ("0.8 \u2013 1.2", 0.8, 1.2),
        ("0.8-1.2", 0.8, 1.2),
        ("0.8 - 1.2", 0.8, 1.2),
        ("1.2 to 0.8", 0.8, 1.2),
        ("80% to 120%", 0.8, 1.2),
        ("-20% to +15%", 0.8, 1.15),
        ("\u221220% to +15%", 0.8, 1.15),
        ("±20%", 0.8, 1.2),
        ("+/-10%", 0.9, 1.1),
        ("1 to 5", 1.0, 5.0),
    ],
)
def test_reads_the_ways_people_write_a_range(text: str, low: float, high: float) -> None:
    assert parse_range(text) == pytest.approx((low, high))


def test_decimal_comma() -> None:
    assert parse_range("0,8 to 1,2", ",", ".") == pytest.approx((0.8, 1.2))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty"),
        ("1.2", "not a range"),
        ("0.8 to", "not a range"),
        ("0.8 to 1.2 to 1.4", "not a range"),
        ("low to high", "is not a number"),
        ("0.8 to nan", "is not a number"),
        ("-20% to 120%", "mixes a change with a level"),
    ],
)
def test_refuses_what_is_not_a_range_and_says_why(text: str, problem: str) -> None:
    with pytest.raises(RangeTextError, match=problem):
        parse_range(text)


@given(
    st.floats(min_value=0.001, max_value=1.0),
    st.floats(min_value=1.0, max_value=100.0),
)
def test_what_is_shown_reads_back_to_the_same_pair(low: float, high: float) -> None:
    assert parse_range(format_range(low, high)) == pytest.approx((low, high), rel=1e-9)
    assert parse_range(format_range(low, high, ","), ",", ".") == pytest.approx(
        (low, high), rel=1e-9
    )
