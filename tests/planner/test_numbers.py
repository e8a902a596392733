"""Parsing what people type and paste into number cells."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.numbers import NumberError, edit_text, format_value, parse_cell, parse_number


@pytest.mark.parametrize(
    ("text", "value", "percent"),
    [
        ("1,234.5", 1234.5, False),
        ("12%", 12.0, True),
        ("$3.5", 3.5, False),
        ("(5)", -5.0, False),
        ("\u22122", -2.0, False),
        ("-$4", -4.0, False),
        ("$-4", -4.0, False),
        (" 7 ", 7.0, False),
        ("1 000 000", 1e6, False),
        ("1\u00a0000", 1000.0, False),
        (".5", 0.5, False),
        ("1e3", 1000.0, False),
        ("+3", 3.0, False),
        ("(12.5%)", -12.5, True),
        ("3.5€", 3.5, False),
    ],
)
def test_accepts_what_people_type(text: str, value: float, percent: bool) -> None:
    parsed = parse_number(text)
    assert parsed.value == value and parsed.percent is percent


def test_decimal_comma_locale() -> None:
    assert parse_number("1.234,5", ",", ".").value == 1234.5
    assert parse_number("0,25", ",", ".").value == 0.25
    with pytest.raises(NumberError, match="decimal mark"):
        parse_number("1.5", ",", "")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "  ",
        "abc",
        "nan",
        "NaN",
        "inf",
        "-inf",
        "Infinity",
        "1e999",
        "1,23",
        "12abc",
        "1..2",
        "--1",
        "$",
        "%",
        "1 2 3a",
        "0x10",
        "1_000",
    ],
)
def test_refuses_anything_else_with_a_message(text: str) -> None:
    with pytest.raises(NumberError) as caught:
        parse_number(text)
    assert str(caught.value)


def test_percent_cells_store_fractions() -> None:
    assert parse_cell("12", "%") == 0.12
    assert parse_cell("12%", "%") == 0.12
    assert parse_cell("12%", "$B") == 0.12
    assert parse_cell("12", "$B") == 12
    assert format_value(0.125, "%") == "12.5%"
    assert edit_text(0.125, "%") == "12.5"


def test_display_uses_a_real_minus_and_sensible_precision() -> None:
    assert format_value(-9.0, "$B") == "\u22129.0"
    assert format_value(1250, "M users") == "1,250"
    assert format_value(13.04, "$B") == "13.0"
    assert format_value(3.75, "$/month") == "3.8"
    assert format_value(0.35, "$B") == "0.35"
    assert format_value(0.004, "$B") == "0.004"
    assert format_value(float("nan"), "$B") == "—"


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
def test_edit_text_parses_back_to_the_same_value(value: float) -> None:
    for unit in ("$B", "%"):
        back = parse_cell(edit_text(value, unit), unit)
        assert math.isclose(back, value, rel_tol=1e-9, abs_tol=1e-12)


def test_edit_text_uses_the_locale_decimal_mark_and_parses_back() -> None:
    text = edit_text(1234.5, "$B", ",")
    assert text == "1234,5"
    assert parse_cell(text, "$B", ",", ".") == 1234.5
