"""A number with a scale suffix never lands in a row as a value too small to show."""

from __future__ import annotations

import pytest

from planner.numbers import UnitError, format_value, parse_cell, row_decimals


def test_thousands_in_a_billions_row_are_refused_rather_than_shown_as_zero() -> None:
    with pytest.raises(UnitError) as caught:
        parse_cell("1.2k", "$B")
    assert str(caught.value) == (
        "'1.2k' is 0.0000012 $B, which shows as 0 here; type the number in $B"
    )


@pytest.mark.parametrize(
    ("text", "unit", "shown"),
    [("500k", "$B", "0.0005"), ("$500M", "$B", "0.5"), ("12k", "M users", "0.012")],
)
def test_a_small_scaled_number_that_shows_is_taken(text: str, unit: str, shown: str) -> None:
    value = parse_cell(text, unit)
    assert format_value(value, unit, row_decimals([value], unit)) == shown
