"""Cells of an exported workbook, written through XlsxWriter's documented worksheet API.

Every piece of user text passes through :func:`xml_text` on its way in: a
workbook is XML, which cannot carry most control characters, so a name or
note that holds one (however it got into the project) must not break the file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from planner.formula import EXCEL_FORMULA_CHARS

# Characters XML 1.0 refuses: C0 controls but tab, line feed and carriage
# return, lone surrogates, and the non-characters U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Size of the note boxes, as a multiple of XlsxWriter's default box.
NOTE_SCALE = {"x_scale": 2.2, "y_scale": 1.6}
# Excel's limits on one formula: its length in characters and functions nested in functions.
FORMULA_LENGTH_LIMIT = EXCEL_FORMULA_CHARS
NESTING_LIMIT = 64
_STRING_LITERAL = re.compile('"(?:[^"]|"")*"')


class ExportError(ValueError):
    """The workbook could not be written; the message says why."""


def check_formula(what: str, formula: str) -> None:
    """Refuse a formula (without ``=``) that Excel would not open; ``what`` names its row."""
    if len(formula) + 1 > FORMULA_LENGTH_LIMIT:
        raise ExportError(
            f"{what}: its Excel formula would be {len(formula) + 1:,} characters long, "
            f"over Excel's limit of {FORMULA_LENGTH_LIMIT:,}; split it into shorter line items"
        )
    depth = function_nesting(formula)
    if depth > NESTING_LIMIT:
        raise ExportError(
            f"{what}: its Excel formula nests {depth} functions in one another, over Excel's "
            f"limit of {NESTING_LIMIT}; split it into shorter line items"
        )


def function_nesting(formula: str) -> int:
    """How deep functions nest in ``formula``: SUM(1) is 1, IF(A1,SUM(1),0) is 2.

    Brackets that only group, as in (A1+1)*2, do not count.
    """
    text = _STRING_LITERAL.sub('""', formula)
    calls: list[bool] = []  # per open bracket: whether it opened a function's arguments
    depth = deepest = 0
    for n, char in enumerate(text):
        if char == "(":
            is_call = n > 0 and (text[n - 1].isalnum() or text[n - 1] in "._")
            calls.append(is_call)
            depth += is_call
            deepest = max(deepest, depth)
        elif char == ")" and calls:
            depth -= calls.pop()
    return deepest


def xml_text(text: str) -> str:
    """``text`` without the characters an XML file cannot hold."""
    return _NOT_XML.sub("", text)


def write_text(ws: Any, row: int, col: int, text: str, cell_format: Any = None) -> None:
    """A string cell; text starting with "=" stays text."""
    ws.write_string(row, col, xml_text(text), cell_format)


def write_texts(ws: Any, row: int, cells: Sequence[tuple[int, str, Any]]) -> None:
    """String cells given as ``(column, text, format)`` on one row."""
    for col, text, cell_format in cells:
        write_text(ws, row, col, text, cell_format)


def write_formula(
    ws: Any, row: int, col: int, formula: str, cell_format: Any, value: float | str
) -> None:
    """A formula (without ``=``) and the value it computes, cached for viewers."""
    if isinstance(value, str):
        value = xml_text(value)
    ws.write_formula(row, col, "=" + formula, cell_format, value)


def write_formula_row(
    ws: Any,
    row: int,
    first_col: int,
    formulas: Sequence[str],
    cell_format: Any,
    values: Sequence[float | str],
) -> None:
    """Formulas (without ``=``) with their cached values, from ``first_col`` rightwards."""
    if len(formulas) != len(values):
        raise ValueError("one cached value per formula")
    for offset, (formula, value) in enumerate(zip(formulas, values, strict=True)):
        write_formula(ws, row, first_col + offset, formula, cell_format, value)


def write_note(ws: Any, row: int, col: int, text: str) -> None:
    """A note (comment) on a cell; nothing when no visible text is left."""
    text = xml_text(text)
    if text:
        ws.write_comment(row, col, text, dict(NOTE_SCALE))
