"""User text quoted in messages is cut to a readable length."""

from __future__ import annotations

from planner.text import ELLIPSIS, QUOTE_LIMIT, quoted, shortened


def test_short_text_is_quoted_whole() -> None:
    assert quoted("five percent") == "'five percent'"
    assert shortened("Plan") == "Plan"
    assert quoted(12.5) == "12.5"
    assert quoted(None) == "None"


def test_long_text_is_cut_with_an_ellipsis() -> None:
    cut = quoted("x" * 40_000)
    assert cut == repr("x" * (QUOTE_LIMIT - 1) + ELLIPSIS)
    assert len(shortened("y" * 1000, 20)) == 20
    assert shortened("y" * 1000, 20).endswith(ELLIPSIS)
    assert len(quoted(list(range(10_000)))) == QUOTE_LIMIT


def test_control_characters_are_shown_escaped() -> None:
    assert quoted("a\nb\x00") == "'a\\nb\\x00'"
