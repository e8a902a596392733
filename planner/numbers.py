"""Numbers as people type and paste them: ``1,234.5``, ``12%``, ``$3.5``, ``(5)``, ``−2``.

The parser is strict about what it refuses (text, NaN, infinity, stray
characters) so that a paste never turns a word into a zero.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

MINUS_SIGNS = "\u2212\u2012\u2013\ufe63\uff0d"
SPACES = " \u00a0\u202f\u2009'"
CURRENCY = "$€£¥"


class NumberError(ValueError):
    """Text that is not a number; the message quotes it and says why."""


@dataclass(frozen=True)
class Parsed:
    """A parsed number; ``percent`` is True when the text ended in ``%``."""

    value: float
    percent: bool


def parse_number(text: str, decimal_point: str = ".", group_separator: str = ",") -> Parsed:
    """Parse one typed or pasted number; raise :class:`NumberError` for anything else.

    ``decimal_point`` and ``group_separator`` come from the user's locale; a
    decimal comma locale passes ``","`` and ``"."``.
    """
    original = text
    shown = original.strip()
    if len(shown) > 40:
        shown = shown[:37] + "..."
    s = original.strip()
    if not s:
        raise NumberError("an empty cell is not a number")
    for sign in MINUS_SIGNS:
        s = s.replace(sign, "-")
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative = True
        s = s[1:-1].strip()
    if s.startswith(("-", "+")):
        negative ^= s[0] == "-"
        s = s[1:].strip()
    percent = s.endswith("%")
    if percent:
        s = s[:-1].strip()
    if s[:1] in CURRENCY:
        s = s[1:].strip()
        if s.startswith("-") and not negative:
            negative, s = True, s[1:].strip()
    if s[-1:] in CURRENCY:
        s = s[:-1].strip()
    for space in SPACES:
        s = s.replace(space, "")
    if group_separator and group_separator != decimal_point:
        s = _drop_group_separators(s, group_separator, decimal_point, shown)
    if decimal_point != ".":
        if "." in s:
            raise NumberError(f"'{shown}' is not a number (the decimal mark is '{decimal_point}')")
        s = s.replace(decimal_point, ".")
    if not re.fullmatch(r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", s):
        raise NumberError(f"'{shown}' is not a number")
    value = float(s)
    if not math.isfinite(value):
        raise NumberError(f"'{shown}' is too large")
    return Parsed(-value if negative else value, percent)


def _drop_group_separators(s: str, separator: str, decimal_point: str, shown: str) -> str:
    if separator not in s:
        return s
    whole = s.split(decimal_point, 1)[0]
    groups = whole.split(separator)
    if not groups[0] or len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:]):
        raise NumberError(f"'{shown}' is not a number (misplaced '{separator}')")
    return s.replace(separator, "")


def parse_cell(text: str, unit: str, decimal_point: str = ".", group_separator: str = ",") -> float:
    """The stored value of text typed into a cell of ``unit``.

    Percent units are stored as fractions and shown as percent, so "12" and
    "12%" both mean 0.12 there; elsewhere "12%" also means 0.12.
    """
    parsed = parse_number(text, decimal_point, group_separator)
    if parsed.percent or unit == "%":
        return parsed.value / 100.0
    return parsed.value


def format_value(value: float, unit: str) -> str:
    """A cell's display text: percent units as percent, precision by magnitude."""
    if not math.isfinite(value):
        return "—"
    if unit == "%":
        text = f"{value * 100:,.1f}%"
        return text.replace("-", "\u2212")
    magnitude = abs(value)
    if magnitude >= 100 or (magnitude >= 10 and value == round(value)):
        text = f"{value:,.0f}"
    elif magnitude >= 1:
        text = f"{value:,.1f}"
    elif magnitude == 0:
        text = "0"
    elif magnitude >= 0.01:
        text = f"{value:.2f}"
    else:
        text = f"{value:.2g}"
    return text.replace("-", "\u2212") if value < 0 else text


def edit_text(value: float, unit: str, decimal_point: str = ".") -> str:
    """Full-precision text for an editor or the clipboard, in the unit people see.

    It uses the locale's decimal mark, so that what the editor shows parses back.
    """
    shown = value * 100 if unit == "%" else value
    return f"{shown:.10g}".replace(".", decimal_point)
