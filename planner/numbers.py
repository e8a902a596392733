"""Numbers as people type and paste them: ``1,234.5``, ``12%``, ``$3.5B``, ``(5)``, ``−2``.

The parser is strict about what it refuses (text, NaN, infinity, stray
characters, a percentage or a currency the row does not hold) so that a paste
never turns a word into a zero, nor $14B into $0.12B. Display precision is
chosen per row, so a row's numbers line up and small ones are not rounded away.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

MINUS_SIGNS = "\u2212\u2012\u2013\ufe63\uff0d"
SPACES = " \u00a0\u202f\u2009'"
CURRENCY = "$€£¥"
# What a suffix or a unit's leading word counts: "$12,000M" is 12,000 millions of dollars.
SCALES: dict[str, float] = {
    "k": 1e3,
    "K": 1e3,
    "m": 1e6,
    "M": 1e6,
    "mn": 1e6,
    "MM": 1e6,
    "b": 1e9,
    "B": 1e9,
    "bn": 1e9,
    "Bn": 1e9,
    "BN": 1e9,
    "t": 1e12,
    "T": 1e12,
    "tn": 1e12,
    "TN": 1e12,
}
_NUMBER = re.compile(r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_MULTIPLE_SIGNS = "x×"
MAX_DECIMALS = 4
# From here on a number is shown in powers of ten: no plan reaches it, and its digits
# in full would fill the screen (1e306 is a valid input, typed or imported).
HUGE = 1e15
SIGNIFICANT_DIGITS = 3
LARGEST_GROWTH = 100.0  # +10,000%: anything beyond is a typo for a level


class NumberError(ValueError):
    """Text that is not a number; the message quotes it and says why."""


class UnitError(NumberError):
    """A number in another unit than the row's: a percentage or an amount of money."""


@dataclass(frozen=True)
class Parsed:
    """A parsed number: ``percent`` when it ended in ``%``, the currency sign it carried,
    and the scale of a suffix such as ``B`` (None without one)."""

    value: float
    percent: bool
    currency: str | None = None
    scale: float | None = None
    multiple: bool = False


@dataclass(frozen=True)
class Unit:
    """What a unit's text says about the numbers typed into it."""

    text: str
    percent: bool
    currency: str | None
    scale: float
    multiple: bool

    @property
    def counts_money(self) -> bool:
        return self.currency is not None


def read_unit(unit: str) -> Unit:
    """What ``unit`` holds: ``$B`` money in billions, ``M users`` a count in millions,
    ``%`` a fraction shown as percent, ``x`` a multiple."""
    text = unit.strip()
    if text == "%":
        return Unit(text, True, None, 1.0, False)
    if text.lower() == "x":
        return Unit(text, False, None, 1.0, True)
    currency = text[0] if text and text[0] in CURRENCY else None
    rest = text[1:] if currency else text
    word = re.split(r"[\s/]", rest, maxsplit=1)[0]
    return Unit(text, False, currency, SCALES.get(word, 1.0), False)


def _shown(text: str) -> str:
    shown = text.strip()
    return shown[:37] + "..." if len(shown) > 40 else shown


def parse_number(text: str, decimal_point: str = ".", group_separator: str = ",") -> Parsed:
    """Parse one typed or pasted number; raise :class:`NumberError` for anything else.

    ``decimal_point`` and ``group_separator`` come from the user's locale; a
    decimal comma locale passes ``","`` and ``"."``.
    """
    shown = _shown(text)
    s = text.strip()
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
    currency = None
    if s and s[0] in CURRENCY:
        currency, s = s[0], s[1:].strip()
        if s.startswith("-") and not negative:
            negative, s = True, s[1:].strip()
    if s and s[-1] in CURRENCY:
        currency, s = s[-1], s[:-1].strip()
    multiple = bool(s) and s[-1] in _MULTIPLE_SIGNS and not percent
    if multiple:
        s = s[:-1].strip()
    scale: float | None = None
    suffix = re.search(r"[A-Za-z]+$", s)
    if suffix and suffix.group() in SCALES and not percent and not multiple:
        scale = SCALES[suffix.group()]
        s = s[: suffix.start()].strip()
    for space in SPACES:
        s = s.replace(space, "")
    if group_separator and group_separator != decimal_point:
        s = _drop_group_separators(s, group_separator, decimal_point, shown)
    if decimal_point != ".":
        if "." in s:
            raise NumberError(f"'{shown}' is not a number (the decimal mark is '{decimal_point}')")
        s = s.replace(decimal_point, ".")
    if not _NUMBER.fullmatch(s):
        raise NumberError(f"'{shown}' is not a number")
    value = float(s)
    if not math.isfinite(value) or not math.isfinite(value * (scale or 1.0)):
        raise NumberError(f"'{shown}' is too large")
    return Parsed(-value if negative else value, percent, currency, scale, multiple)


def _drop_group_separators(s: str, separator: str, decimal_point: str, shown: str) -> str:
    if separator not in s:
        return s
    whole = s.split(decimal_point, 1)[0]
    groups = whole.split(separator)
    if not groups[0] or len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:]):
        raise NumberError(f"'{shown}' is not a number (misplaced '{separator}')")
    return s.replace(separator, "")


def parse_cell(text: str, unit: str, decimal_point: str = ".", group_separator: str = ",") -> float:
    """The stored value of text typed or pasted into a cell of ``unit``.

    Percent units are stored as fractions and shown as percent, so "12" and
    "12%" both mean 0.12 there. Elsewhere a percentage is refused (except in a
    row without a unit, where it is a fraction), as is money in a row that does
    not count money or in another currency. A scale suffix counts in the row's
    own scale: "$12,000M" in a $B row is 12.
    """
    parsed = parse_number(text, decimal_point, group_separator)
    row = read_unit(unit)
    shown = _shown(text)
    in_unit = f"this row is in {unit}" if unit.strip() else "this row has no unit"
    if parsed.percent and not row.percent and row.text:
        raise UnitError(f"'{shown}' is a percentage, but {in_unit}")
    if parsed.currency is not None:
        if row.currency is None:
            raise UnitError(f"'{shown}' is an amount of money, but {in_unit}")
        if parsed.currency != row.currency:
            raise UnitError(f"'{shown}' is in {parsed.currency}, but {in_unit}")
    if parsed.multiple and not row.multiple:
        raise UnitError(f"'{shown}' is a multiple, but {in_unit}")
    if parsed.scale is not None and row.percent:
        raise UnitError(f"'{shown}' has a scale, but {in_unit}")
    if parsed.percent or row.percent:
        return parsed.value / 100.0
    if parsed.scale is None:
        return parsed.value
    # Dividing by an exact power of ten keeps "500M" in a $B row at exactly 0.5.
    if parsed.scale >= row.scale:
        return parsed.value * (parsed.scale / row.scale)
    value = parsed.value / (row.scale / parsed.scale)
    if value != 0 and abs(value) < 0.5 * 10**-MAX_DECIMALS:
        # "1.2k" in a $B row is $1,200: it would show as 0, as if nothing had been typed.
        small = f"{value:.12f}".rstrip("0")
        raise UnitError(
            f"'{shown}' is {small} {unit}, which shows as 0 here; type the number in {unit}"
        )
    return value


def growth_rate(text: str, decimal_point: str = ".", group_separator: str = ",") -> float | None:
    """The rate of a growth entry such as "+8%" or "-3 %" (0.08, -0.03); None for other text.

    A growth entry is an explicitly signed percentage: it grows the previous
    period's value. A fall of more than 100% would flip the sign, and is refused.
    """
    s = text.strip()
    for sign in MINUS_SIGNS:
        s = s.replace(sign, "-")
    if not re.fullmatch(r"[+-][^()$€£¥]*%", s):
        return None
    parsed = parse_number(s, decimal_point, group_separator)
    if parsed.value < -100:
        raise NumberError(f"'{_shown(text)}' would fall by more than everything there is")
    if parsed.value > LARGEST_GROWTH * 100:
        raise NumberError(f"'{_shown(text)}' is more growth than a period can take")
    return parsed.value / 100.0


def grown(start: float, rate: float, periods: int) -> list[float]:
    """``start`` grown by ``rate`` per period, for ``periods`` periods after it."""
    return [start * (1.0 + rate) ** step for step in range(1, periods + 1)]


# --- display ---------------------------------------------------------------------------


def _shown_value(value: float, unit: str) -> float:
    return value * 100 if unit.strip() == "%" else value


def _decimals_needed(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per value, the fewest decimals that show it exactly or to three significant digits,
    and whether that is exact (a typed value) or rounded (a calculated one)."""
    magnitude = np.abs(values)
    significant = np.clip(SIGNIFICANT_DIGITS - 1 - np.floor(np.log10(magnitude)), 0, MAX_DECIMALS)
    needed = significant.copy()
    exact = np.zeros(values.shape, dtype=bool)
    tolerance = 1e-9 * magnitude
    for decimals in range(MAX_DECIMALS, -1, -1):
        shows_it = (np.abs(np.round(values, decimals) - values) <= tolerance) & (
            decimals <= significant
        )
        needed = np.where(shows_it, decimals, needed)
        exact |= shows_it
    return needed, exact


def row_decimals(values: Iterable[float] | np.ndarray, unit: str) -> int:
    """One number of decimals for a row: enough to show each of its values faithfully.

    A value that a few decimals show exactly (a typed one) keeps them, up to
    three significant digits: 0.06% shows as 0.06%, 1,250 as 1,250. A calculated
    value gets no more decimals than the row's typical (median) value needs for
    three significant digits, so a row running from 0.84 to 310 reads 0.8 to 310.0,
    not 0.84 to 310.47.
    """
    shown = np.asarray(values if isinstance(values, np.ndarray) else list(values), dtype=float)
    shown = shown.ravel() * (100.0 if unit.strip() == "%" else 1.0)
    with np.errstate(invalid="ignore"):
        shown = shown[np.isfinite(shown) & (shown != 0) & (np.abs(shown) < 1e15)]
    if not shown.size:
        return 0
    needed, exact = _decimals_needed(shown)
    typical = float(np.median(np.abs(shown)))
    for_typical = min(
        max(SIGNIFICANT_DIGITS - 1 - math.floor(math.log10(typical)), 0), MAX_DECIMALS
    )
    needed = np.where(exact, needed, np.minimum(needed, for_typical))
    return int(needed.max())


def format_value(value: float, unit: str, decimals: int | None = None) -> str:
    """A cell's display text: percent units as percent, ``decimals`` or the value's own."""
    if not math.isfinite(value):
        return "—"
    if decimals is None:
        decimals = row_decimals([value], unit)
    shown = _shown_value(value, unit)
    text = f"{shown:.3g}" if abs(shown) >= HUGE else f"{shown:,.{decimals}f}"
    if text.lstrip("-").strip("0.,") == "":
        text = text.lstrip("-")  # no "-0.0"
    text = text.replace("-", "\u2212")
    return text + "%" if unit.strip() == "%" else text


def money_text(value: float, *, signed: bool = False, minus: str = "-") -> str:
    """$B as people read them: "$1,400B", "-$47.4B", "+$5.0B" when ``signed``.

    An amount that rounds to zero has no sign; ``minus`` is "\u2212" in the window.
    """
    size = abs(value)
    decimals = 0 if size >= 100 else 1
    digits = f"{size:.3g}" if size >= HUGE else f"{size:,.{decimals}f}"
    if not digits.strip("0.,"):
        return f"${digits}B"
    sign = minus if value < 0 else "+" if signed and value > 0 else ""
    return f"{sign}${digits}B"


def edit_text(value: float, unit: str, decimal_point: str = ".") -> str:
    """Full-precision text for an editor or the clipboard, in the unit people see.

    It uses the locale's decimal mark, so that what the editor shows parses back.
    """
    shown = value * 100 if unit == "%" else value
    return f"{shown:.10g}".replace(".", decimal_point)


@dataclass(frozen=True)
class SelectionStats:
    """Sum, average and count of the numbers in a selection."""

    total: float
    average: float
    count: int


def selection_stats(values: Iterable[float] | np.ndarray) -> SelectionStats | None:
    """The selection's figures, over its finite numbers; None when it holds none."""
    array = np.asarray(values if isinstance(values, np.ndarray) else list(values), dtype=float)
    numbers = array[np.isfinite(array)]
    if not numbers.size:
        return None
    total = math.fsum(numbers.tolist())
    return SelectionStats(total, total / numbers.size, int(numbers.size))


def selection_text(parts: Sequence[tuple[Sequence[float] | np.ndarray, str]]) -> str:
    """The status bar's "Sum: 46.2 $B    Average: 15.4 $B    Count: 3", or "" for no numbers.

    ``parts`` are the selected numbers, grouped with their unit (a row's slice,
    say). Numbers of one unit are summed in that unit, with the decimals a row
    of them would show; a mix is summed as plain numbers and says so.
    """
    arrays = [np.asarray(values, dtype=float).ravel() for values, _unit in parts]
    values = np.concatenate(arrays) if arrays else np.zeros(0)
    stats = selection_stats(values)
    if stats is None:
        return ""
    distinct = {unit for array, (_values, unit) in zip(arrays, parts, strict=True) if array.size}
    unit = next(iter(distinct)) if len(distinct) == 1 else ""
    decimals = row_decimals(np.append(values, [stats.total, stats.average]), unit)
    suffix = f" {unit}" if unit and unit != "%" else ""
    sum_text = format_value(stats.total, unit, decimals) + suffix
    average_text = format_value(stats.average, unit, decimals) + suffix
    text = f"Sum: {sum_text}    Average: {average_text}    Count: {stats.count}"
    return text + ("  (mixed units)" if len(distinct) > 1 else "")
