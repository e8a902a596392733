"""Where things go in an exported workbook: columns, sheet names, number formats.

The exporter writes these positions and the importer reads them back, so both
share this one module.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

# Columns (0-based) on every scenario sheet. The timeline starts in the same
# column on every sheet, as the FAST Standard asks.
COL_LABEL = 0
COL_UNIT = 1
COL_ID = 2
COL_VALUE = 3  # constants; first field of an event table row
FIRST_PERIOD_COL = 10
HEADER_ROW = 2  # period labels
FROZEN_ROWS = 3

# Fields of the event tables, in columns COL_VALUE, COL_VALUE + 1, ...
ROUND_FIELDS = (
    ("period", "Period"),
    ("amount", "Amount $B"),
    ("pre_money", "Pre-money $B"),
    ("tranche_per_gw", "Tranche $B/GW"),
    ("period_number", "Period no."),
    ("post_money", "Post-money $B"),
)
CONTRACT_FIELDS = (
    ("gw", "GW"),
    ("total_value", "Value $B"),
    ("first_year", "First year"),
    ("last_year", "Last year"),
    ("custom_chip_share", "Custom chips"),
    ("service_years", "Years paid"),
)

SUMMARY_SHEET = "Summary"
SOURCES_SHEET = "Sources"
META_SHEET = "_burnrate"
META_FORMAT = "burnrate-workbook"
META_VERSION = 1
META_CHUNK = 30000  # characters per metadata cell; a cell holds at most 32767

_RESERVED = {SUMMARY_SHEET.lower(), SOURCES_SHEET.lower(), META_SHEET.lower()}
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


@functools.lru_cache(maxsize=4096)
def column_letter(col: int) -> str:
    """0-based column index to Excel letters: 0 -> A, 26 -> AA."""
    letters = ""
    n = col + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_name(row: int, col: int, *, absolute: bool = False) -> str:
    """0-based row and column to an A1 reference."""
    dollar = "$" if absolute else ""
    return f"{dollar}{column_letter(col)}{dollar}{row + 1}"


def sheet_ref(sheet: str) -> str:
    """A sheet name quoted for use in a formula: 'Bull case'!"""
    return "'" + sheet.replace("'", "''") + "'!"


def sheet_names(scenarios: Iterable[str]) -> list[str]:
    """Unique, valid Excel sheet names for scenario names, in order."""
    used = set(_RESERVED)
    names = []
    for scenario in scenarios:
        base = _BAD_SHEET_CHARS.sub(" ", scenario).strip().strip("'").strip() or "Scenario"
        base = base[:31]
        name, n = base, 2
        while name.lower() in used:
            suffix = f" ({n})"
            name = base[: 31 - len(suffix)] + suffix
            n += 1
        used.add(name.lower())
        names.append(name)
    return names


def number_format(unit: str) -> str:
    """An Excel number format for a line item's unit."""
    unit = unit.strip()
    if unit == "%":
        return "0.0%"
    if unit == "x":
        return '0.0"x";-0.0"x"'
    if unit.startswith("$B"):
        return "#,##0.0;[Red]-#,##0.0"
    if unit == "GW":
        return "#,##0.00"
    if unit.startswith("M "):
        return "#,##0"
    return "#,##0.00"
