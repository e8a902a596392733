"""Tab-separated blocks as Excel and LibreOffice put them on the clipboard."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.clipboard import MAX_CELLS, ClipboardError, parse_tsv, to_tsv


def test_crlf_and_trailing_line_end() -> None:
    assert parse_tsv("1\t2\r\n3\t4\r\n") == [["1", "2"], ["3", "4"]]
    assert parse_tsv("1\t2\r3\t4") == [["1", "2"], ["3", "4"]]


def test_ragged_rows_and_empty_fields() -> None:
    assert parse_tsv("1\t\t3\n4\n\t6") == [["1", "", "3"], ["4"], ["", "6"]]


def test_quoted_fields_hold_tabs_quotes_and_line_ends() -> None:
    text = '"1,234"\t"a ""quoted"" word"\t"two\nlines"\r\nplain\t"x"\n'
    assert parse_tsv(text) == [["1,234", 'a "quoted" word', "two\nlines"], ["plain", "x"]]


def test_a_quote_inside_a_field_is_kept_literally() -> None:
    assert parse_tsv('5" screen\t"ok"') == [['5" screen', "ok"]]


def test_huge_blocks_are_refused() -> None:
    with pytest.raises(ClipboardError):
        parse_tsv("1\t" * (MAX_CELLS + 10))


@given(
    st.lists(
        st.lists(
            st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=8),
            min_size=1,
            max_size=4,
        ),
        min_size=1,
        max_size=4,
    )
)
def test_round_trip(rows: list[list[str]]) -> None:
    parsed = parse_tsv(to_tsv(rows))
    expected = [row for row in rows]
    # A row holding one empty field is written as an empty line, which reads back the same.
    assert parsed == expected
