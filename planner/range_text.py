"""Ranges as people type them into a cell: ``0.8 to 1.2``, ``80% to 120%``, ``±20%``.

A range is a pair of factors on an input, the scenario's own numbers being 1.
Whether the pair is a valid uncertainty (``0 < low <= 1 <= high``) is for the
model to say; this module only reads the text.
"""

from __future__ import annotations

import re

from planner.numbers import MINUS_SIGNS, NumberError, parse_number

# "to", "..", an en or em dash, or a hyphen between two numbers (factors are never
# negative, so a hyphen there cannot be a minus sign).
_SEPARATOR = re.compile(r"\s+to\s+|\s*\.\.\s*|\s*[\u2013\u2014]\s*|(?<=[0-9%])\s*-\s*(?=[0-9.+])")
_PLUS_MINUS = re.compile(r"^\s*(?:±|\+/-|\+-)\s*(.+)$")
_SIGNS = "+-" + MINUS_SIGNS


class RangeTextError(ValueError):
    """Text that is not a range; the message quotes it and says what a range looks like."""


def parse_range(
    text: str, decimal_point: str = ".", group_separator: str = ","
) -> tuple[float, float]:
    """The (low, high) factors that ``text`` means, lower first.

    ``0.8 to 1.2`` gives factors as written; ``80% to 120%`` gives them as shares of
    the plan; ``-20% to +15%`` (both signed) and ``±20%`` give changes from the plan.
    """
    shown = text.strip()
    if not shown:
        raise RangeTextError("an empty cell is not a range; type, say, 0.8 to 1.2")
    both_ways = _PLUS_MINUS.match(shown)
    if both_ways:
        change = _number(both_ways.group(1), shown, decimal_point, group_separator)
        return 1.0 - change, 1.0 + change
    parts = _SEPARATOR.split(shown)
    if len(parts) != 2 or not all(p.strip() for p in parts):
        raise RangeTextError(
            f"'{_short(shown)}' is not a range; type the low and high factor, say 0.8 to 1.2"
        )
    signed = [p.strip()[0] in _SIGNS for p in parts]
    if any(signed) and not all(signed):
        raise RangeTextError(
            f"'{_short(shown)}' mixes a change with a level; write -20% to +15% or 0.8 to 1.15"
        )
    values = [_number(p, shown, decimal_point, group_separator) for p in parts]
    if all(signed):
        values = [1.0 + v for v in values]
    low, high = sorted(values)
    return low, high


def _number(part: str, shown: str, decimal_point: str, group_separator: str) -> float:
    try:
        parsed = parse_number(part, decimal_point, group_separator)
    except NumberError as exc:
        raise RangeTextError(f"in '{_short(shown)}': {exc}") from None
    return parsed.value / 100.0 if parsed.percent else parsed.value


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def format_range(low: float, high: float, decimal_point: str = ".") -> str:
    """The text :func:`parse_range` reads back to the same pair: ``0.8 to 1.2``."""
    return f"{low:.10g} to {high:.10g}".replace(".", decimal_point)
