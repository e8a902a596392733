"""Parsing what people type and paste into number cells."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.numbers import (
    NumberError,
    UnitError,
    edit_text,
    format_value,
    grown,
    growth_rate,
    money_text,
    parse_cell,
    parse_number,
    read_unit,
    row_decimals,
    selection_stats,
    selection_text,
)


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
    assert parse_cell("12", "$B") == 12
    assert format_value(0.125, "%") == "12.5%"
    assert edit_text(0.125, "%") == "12.5"


@pytest.mark.parametrize(
    ("text", "unit", "message"),
    [
        ("12%", "$B", "'12%' is a percentage, but this row is in $B"),
        ("12 %", "GW", "'12 %' is a percentage, but this row is in GW"),
        ("€12", "$B", "'€12' is in €, but this row is in $B"),
        ("12£", "$/month", "'12£' is in £, but this row is in $/month"),
        ("$12", "GW", "'$12' is an amount of money, but this row is in GW"),
        ("$5", "%", "'$5' is an amount of money, but this row is in %"),
        ("12k", "%", "'12k' has a scale, but this row is in %"),
        ("2x", "$B", "'2x' is a multiple, but this row is in $B"),
    ],
)
def test_a_number_in_another_unit_is_refused_with_a_message(
    text: str, unit: str, message: str
) -> None:
    with pytest.raises(UnitError) as caught:
        parse_cell(text, unit)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("text", "unit", "value"),
    [
        ("$12B", "$B", 12.0),
        ("$12,000M", "$B", 12.0),
        ("12bn", "$B", 12.0),
        ("$500M", "$B", 0.5),
        ("$1.2T", "$B", 1200.0),
        ("(3)", "$B", -3.0),
        ("(3.5B)", "$B", -3.5),
        ("-$2B", "$B", -2.0),
        ("1,234.5", "$B", 1234.5),
        ("1.2k", "GW", 1200.0),
        ("1.2B", "M users", 1200.0),
        ("650", "M users", 650.0),
        ("$1.2k", "$/month", 1200.0),
        ("$20", "$/month", 20.0),
        ("$3.1B", "$B/GW-yr", 3.1),
        ("1.5x", "x", 1.5),
        ("1.5", "x", 1.5),
        ("12%", "%", 0.12),
        ("0.06", "%", 0.0006),
        ("25%", "", 0.25),
    ],
)
def test_what_a_modeller_types_is_read_in_the_rows_unit(text: str, unit: str, value: float) -> None:
    assert parse_cell(text, unit) == value


def test_units_say_their_currency_and_scale() -> None:
    assert read_unit("$B").currency == "$" and read_unit("$B").scale == 1e9
    assert read_unit("$B/GW-yr").scale == 1e9
    assert read_unit("$/month").currency == "$" and read_unit("$/month").scale == 1
    assert read_unit("M users").currency is None and read_unit("M users").scale == 1e6
    assert read_unit("GW").scale == 1 and not read_unit("GW").counts_money
    assert read_unit("%").percent and read_unit("x").multiple


@pytest.mark.parametrize(
    ("text", "rate"),
    [("+8%", 0.08), ("-3%", -0.03), ("+8 %", 0.08), ("\u22123%", -0.03), ("+0.5%", 0.005)],
)
def test_a_signed_percentage_is_a_growth_entry(text: str, rate: float) -> None:
    assert growth_rate(text) == pytest.approx(rate)


@pytest.mark.parametrize("text", ["8%", "+8", "12", "(3%)", "abc", "+$8%", ""])
def test_other_text_is_not_a_growth_entry(text: str) -> None:
    assert growth_rate(text) is None


def test_a_fall_of_more_than_everything_is_refused() -> None:
    with pytest.raises(NumberError, match="more than everything"):
        growth_rate("-150%")
    assert growth_rate("+8,5%", ",", ".") == pytest.approx(0.085)


def test_growth_compounds_per_period() -> None:
    assert grown(100.0, 0.1, 3) == pytest.approx([110.0, 121.0, 133.1])


def test_display_uses_a_real_minus_and_sensible_precision() -> None:
    assert format_value(-9.0, "$B") == "\u22129"
    assert format_value(-9.5, "$B") == "\u22129.5"
    assert format_value(1250, "M users") == "1,250"
    assert format_value(13.04, "$B") == "13.0"
    assert format_value(3.75, "$/month") == "3.75"
    assert format_value(0.35, "$B") == "0.35"
    assert format_value(0.004, "$B") == "0.004"
    assert format_value(float("nan"), "$B") == "—"
    assert format_value(-0.00001, "$B", 1) == "0.0"


def test_sizes_no_plan_reaches_show_in_powers_of_ten() -> None:
    """1e306 is a valid input; its 307 digits would fill the cell and the card."""
    assert format_value(1e306, "$B") == "1e+306"
    assert format_value(-2.5e20, "M users", 1) == "\u22122.5e+20"
    assert format_value(999e12, "$B") == "999,000,000,000,000"
    assert money_text(-1e306) == "-$1e+306B"
    assert money_text(-1e306, minus="\u2212") == "\u2212$1e+306B"


def test_money_reads_as_people_write_it() -> None:
    assert money_text(1234.4) == "$1,234B"
    assert money_text(-61.84) == "-$61.8B"
    assert money_text(5.0, signed=True) == "+$5.0B"
    assert money_text(-0.04) == money_text(0.04, signed=True) == "$0.0B"  # no sign on zero


def test_small_percentages_keep_their_decimals() -> None:
    assert format_value(0.0006, "%") == "0.06%"
    assert format_value(0.0006, "%", row_decimals([0.0006, 0.05, 0.1], "%")) == "0.06%"
    assert format_value(0.05, "%", row_decimals([0.0006, 0.05, 0.1], "%")) == "5.00%"


@pytest.mark.parametrize(
    ("values", "unit", "decimals"),
    [
        ([100, 350, 650, 1250], "M users", 0),
        ([0.05, 0.06, 0.1], "%", 0),
        ([0.05, 0.055], "%", 1),
        ([3.7, 13.04, 30, 200], "$B", 1),
        ([2.0, 10.7, 150.3, 300.0], "$B", 1),
        ([-5.0, 2.3456, 30.2, 0.00012], "$B", 2),  # the tiny one needs no more than the rest
        ([1 / 3, 2 / 3], "$B", 3),
        ([0.8437, 2.7012, 8.1903, 13.2011, 31.6702, 150.2203, 310.4711], "$B", 1),
        ([0.0006, 0.0512, 0.0634], "%", 2),  # a typed 0.06% keeps its decimals
        ([1e-9, 0.5e-9], "$B", 4),  # at most four decimals
        ([float("nan"), 0.0], "$B", 0),
        ([], "$B", 0),
    ],
)
def test_a_row_uses_one_number_of_decimals(values: list[float], unit: str, decimals: int) -> None:
    assert row_decimals(values, unit) == decimals
    texts = [format_value(v, unit, decimals) for v in values]
    assert len({len(t.rstrip("%").partition(".")[2]) for t in texts if t != "—"}) <= 1


def test_selection_figures_sum_average_and_count() -> None:
    assert selection_text([([1.5, 2.25, 3.0], "$B")]) == (
        "Sum: 6.75 $B    Average: 2.25 $B    Count: 3"
    )
    assert selection_text([([0.05], "%"), ([0.06], "%")]) == (
        "Sum: 11.0%    Average: 5.5%    Count: 2"
    )
    assert selection_text([([1.0], "$B"), ([0.05], "%")]).endswith("Count: 2  (mixed units)")
    assert selection_text([([1.0, float("nan")], "GW"), ([], "%")]) == (
        "Sum: 1 GW    Average: 1 GW    Count: 1"
    )
    assert selection_text([]) == "" and selection_text([([], "$B")]) == ""
    stats = selection_stats([1.0, float("nan"), 3.0])
    assert stats is not None and (stats.total, stats.average, stats.count) == (4.0, 2.0, 2)


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
def test_edit_text_parses_back_to_the_same_value(value: float) -> None:
    for unit in ("$B", "%"):
        back = parse_cell(edit_text(value, unit), unit)
        assert math.isclose(back, value, rel_tol=1e-9, abs_tol=1e-12)


def test_edit_text_uses_the_locale_decimal_mark_and_parses_back() -> None:
    text = edit_text(1234.5, "$B", ",")
    assert text == "1234,5"
    assert parse_cell(text, "$B", ",", ".") == 1234.5
