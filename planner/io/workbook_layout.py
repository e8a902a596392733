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
TITLE_ROW = 0  # the scenario's name, in COL_LABEL
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
    ("latest_post_money", "Latest post-money $B"),
)
# Offset from COL_VALUE of the rounds table's running "latest post-money" column.
LATEST_POST_MONEY_FIELD = 6
CONTRACT_FIELDS = (
    ("gw", "GW"),
    ("total_value", "Value $B"),
    ("first_year", "First year"),
    ("last_year", "Last year"),
    ("custom_chip_share", "Custom chips"),
    ("service_years", "Years paid"),
    ("delivery_periods", "Delivery periods"),
)
# Offset from COL_VALUE of the contracts table's computed number of delivery periods.
DELIVERY_PERIODS_FIELD = 6

SUMMARY_SHEET = "Summary"
SOURCES_SHEET = "Sources"
META_SHEET = "_burnrate"
META_FORMAT = "burnrate-workbook"
META_VERSION = 1
META_CHUNK = 30000  # characters per metadata cell; a cell holds at most 32767

# Excel keeps "History" for its change tracking.
_RESERVED = {name.casefold() for name in (SUMMARY_SHEET, SOURCES_SHEET, META_SHEET, "History")}
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
# Control characters, lone surrogates and non-characters: no XML file can hold them.
_UNWRITABLE = re.compile("[\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
SHEET_NAME_LIMIT = 31  # UTF-16 code units, as Excel counts

# The live scenario switch (planner.io.workbook_active); never a scenario's sheet.
CONTROL_SHEET = "Control"
ACTIVE_SHEET = "Active scenario"
_RESERVED.update(name.casefold() for name in (CONTROL_SHEET, ACTIVE_SHEET))


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


_CELL_REF = re.compile(
    r"(?:'((?:[^']|'')+)'|([^\s'!()=,\"]+))!\$?([A-Za-z]{1,3})\$?([0-9]{1,7})(?![0-9A-Za-z(])"
)
# What the export writes to follow the base: the cell itself, or a blank kept blank.
_LINK_SHAPES = frozenset({"@", 'IF(ISBLANK(@),"",@)'})


def is_link_to(formula: str, sheet: str, row: int, col: int) -> bool:
    """Whether a formula's text is a link to that cell (0-based) of that sheet, as the
    export writes one: ``'Base'!K14`` or ``IF(ISBLANK('Base'!$D$40),"",'Base'!$D$40)``,
    with or without the "=" and the "$", in any case."""
    targets: set[tuple[str, str, int]] = set()

    def mark(found: re.Match[str]) -> str:
        quoted, plain, letters, number = found.groups()
        name = quoted.replace("''", "'") if quoted is not None else plain
        targets.add((name.casefold(), letters.upper(), int(number)))
        return "@"

    shape = _CELL_REF.sub(mark, formula.strip().removeprefix("=")).replace(" ", "").upper()
    target = (sheet.casefold(), column_letter(col), row + 1)
    return shape in _LINK_SHAPES and targets == {target}


def sheet_names(scenarios: Iterable[str]) -> list[str]:
    """Unique, valid Excel sheet names for scenario names, in order.

    Excel's rules: at most 31 characters, none of []:*?/\\, no apostrophe at
    either end, unique whatever the case, and not "History". An apostrophe inside
    becomes a typographic one: Gnumeric cannot read a reference to a sheet whose
    name holds "'" (written "''" in formulas), and Excel's rule does not cover "’".
    """
    used = set(_RESERVED)
    names = []
    for scenario in scenarios:
        cleaned = _BAD_SHEET_CHARS.sub(" ", _UNWRITABLE.sub("", scenario))
        base = _trimmed(cleaned, SHEET_NAME_LIMIT).replace("'", "\u2019") or "Scenario"
        name, n = base, 2
        while name.casefold() in used:
            suffix = f" ({n})"
            name = (_trimmed(base, SHEET_NAME_LIMIT - len(suffix)) or "Scenario") + suffix
            n += 1
        used.add(name.casefold())
        names.append(name)
    return names


def _trimmed(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` UTF-16 code units, without spaces or apostrophes at its ends."""
    text = text.strip().strip("'").strip()
    while len(text.encode("utf-16-le")) > 2 * limit:
        text = text[:-1].rstrip().rstrip("'").rstrip()
    return text


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
