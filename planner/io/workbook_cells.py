"""A worksheet that stores cells a row at a time and writes its own ``<sheetData>``.

XlsxWriter's public per-cell calls and its per-cell XML writer took about half
of an export's time. This worksheet keeps XlsxWriter's cell table
(so charts, dimensions and everything else still read it) but fills whole rows
at once and renders the common cell kinds with plain string formatting. A row
whose formula is one text filled right is written as an Excel shared formula
(ECMA-376 Part 1, 18.3.1.40): the text once, the other cells pointing to it.
Only its first cell goes in the table; the others are put there when a chart
reads the row, or cell by cell when one of them is written again.

It relies on private parts of XlsxWriter, pinned in pyproject.toml: the cell
``table`` and its tuples (``CellFormulaTuple`` and friends), ``_get_range_data``
(where charts read the table), ``comments`` and the attributes of
``CommentType``, the ``dim_*`` used range that ``_check_dimensions`` keeps,
``_prepare_formula``, ``_write_rows``, and ``_write_row`` / ``_write_cell``, which
it calls for anything unusual (rows with options, cells without a format,
booleans, dates, errors, rich strings, array formulas).
tests/planner/test_xlsx_cells.py checks that the bytes equal XlsxWriter's own,
so an upgrade that changes those internals fails there first.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Iterator, Sequence
from itertools import repeat
from operator import add
from typing import Any, NamedTuple

from xlsxwriter.comments import CommentType
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import (
    CellBlankTuple,
    CellFormulaTuple,
    CellNumberTuple,
    CellStringTuple,
    Worksheet,
)

from planner.io.workbook_xml import FastXml

# A formula whose cached value is one of these is marked as an error (t="e").
_ERROR_CODES = frozenset(("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"))
# XlsxWriter checks the exact length only for strings longer than half a cell's limit.
_SHORT_STRING = 32767 // 2


def escape_text(text: str) -> str:
    """Text inside an XML element, escaped as XlsxWriter does: & < > only, quotes kept."""
    if "&" in text or "<" in text or ">" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


class FastWorksheet(FastXml, Worksheet):  # type: ignore[misc]
    """An XlsxWriter worksheet with row-at-a-time writes and a faster cell writer."""

    # the used range, None until a cell is written (declared for the type checker)
    dim_rowmin: Any
    dim_rowmax: Any
    dim_colmin: Any
    dim_colmax: Any

    def __init__(self) -> None:
        super().__init__()
        # row -> its shared formulas, each kept out of the table but for its first cell
        self._shared: dict[int, list[_Shared]] = {}
        self.float_texts = FloatTexts()  # the workbook shares its own
        # (x scale, y scale) -> the attributes of a note of that size, options applied
        self._note_models: dict[tuple[float, float], dict[str, Any]] = {}

    def write_formula_row(
        self,
        row: int,
        first_col: int,
        formulas: Sequence[str],
        cell_format: Any,
        values: Sequence[float | str],
        shared_from: int | None = None,
    ) -> None:
        """Formulas (without ``=``) with their cached values, from ``first_col`` rightwards.

        From index ``shared_from`` on, the caller vouches that each formula is the
        first one's filled right (only relative columns moved): those cells are
        written as one shared formula, each still with its own cached value.

        Unlike ``write_formula`` this skips the check for dynamic array functions
        and the ``_xlfn.`` prefixes; the exported formulas use neither.
        """
        if len(formulas) != len(values):
            raise ValueError("one cached value per formula")
        if not formulas:
            return
        last_col = first_col + len(formulas) - 1
        self._claim(row, first_col, last_col)
        stored = len(formulas)
        if (
            shared_from is not None
            and stored - shared_from > 1
            # The plain writer takes over cells without a format or with unusual values;
            # a shared formula's cells must all be written here, master first.
            and cell_format is not None
            and _SHARED_VALUE_KINDS.issuperset(map(type, values[shared_from:]))
        ):
            stored = shared_from + 1  # the master, in the table for the row's other readers
            group = _Shared(
                first_col + shared_from,
                tuple(formulas[shared_from:]),
                cell_format,
                tuple(values[shared_from:]),
            )
            self._shared.setdefault(row, []).append(group)
        # repeat() never ends; zip stops at the cells kept
        cells = map(
            _make_formula, zip(formulas[:stored], repeat(cell_format), values, strict=False)
        )
        self.table[row].update(zip(range(first_col, first_col + stored), cells, strict=True))

    def row_cells(self, row: int) -> dict[int, Any]:
        """The cells of ``row`` as XlsxWriter would keep them: shared formulas cell by cell."""
        cells = dict(self.table.get(row, {}))
        for group in self._shared.get(row, ()):
            cells.update(group.later_cells())
        return cells

    def put_formula(
        self, row: int, col: int, formula: str, cell_format: Any, value: float | str
    ) -> None:
        """One formula (without ``=``) and its cached value."""
        self._claim(row, col, col)
        self.table[row][col] = _make_formula((formula, cell_format, value))

    def put_number(self, row: int, col: int, number: float, cell_format: Any) -> None:
        """A number; NaN and infinities go through ``write_number``, which makes them errors."""
        if not math.isfinite(number):
            self.write_number(row, col, number, cell_format)
            return
        self._claim(row, col, col)
        self.table[row][col] = _make_number((number, cell_format))

    def put_cells(
        self,
        row: int,
        formulas: Sequence[tuple[int, str, Any, float | str]],
        numbers: Sequence[tuple[int, float, Any]],
    ) -> None:
        """Formulas as ``(column, text, format, cached value)`` and numbers as ``(column, number,
        format)`` on one row; NaN and infinities go through ``write_number``."""
        cols = [c[0] for c in formulas] + [c[0] for c in numbers]
        if not cols:
            return
        self._claim(row, min(cols), max(cols))
        cells = self.table[row]
        for col, formula, cell_format, value in formulas:
            cells[col] = _make_formula((formula, cell_format, value))
        for col, number, cell_format in numbers:
            if math.isfinite(number):
                cells[col] = _make_number((number, cell_format))
            else:
                self.write_number(row, col, number, cell_format)

    def put_strings(self, row: int, cells: Sequence[tuple[int, str, Any]]) -> None:
        """Strings as ``(column, text, format)``, kept in the shared strings table."""
        if not cells:
            return
        cols = [cell[0] for cell in cells]
        self._claim(row, min(cols), max(cols))
        index = self.str_table._get_shared_string_index
        row_cells = self.table[row]
        for col, text, cell_format in cells:
            if len(text) > _SHORT_STRING:
                self.write_string(row, col, text, cell_format)  # truncates what is too long
            else:
                row_cells[col] = _make_string((index(text), cell_format))

    def put_blanks(self, row: int, cols: Iterable[int], cell_format: Any) -> None:
        """Formatted empty cells."""
        cols = list(cols)
        if not cols:
            return
        self._claim(row, min(cols), max(cols))
        cells = self.table[row]
        blank = CellBlankTuple(cell_format)
        for col in cols:
            cells[col] = blank

    def put_comment(self, row: int, col: int, text: str, x_scale: float, y_scale: float) -> None:
        """A note on a cell, stored as ``write_comment`` with these scales stores it.

        XlsxWriter parses a note's options anew for each note; here notes of one
        size copy the first one's attributes and set their own cell and text.
        """
        if len(text) > _SHORT_STRING:  # XlsxWriter checks the exact length
            self.write_comment(row, col, text, {"x_scale": x_scale, "y_scale": y_scale})
            return
        self._claim(row, col, col, overwrite=False)  # a note leaves the cell as it is
        model = self._note_models.get((x_scale, y_scale))
        if model is None:
            options = {"x_scale": x_scale, "y_scale": y_scale}
            model = self._note_models[(x_scale, y_scale)] = vars(CommentType(0, 0, "", options))
        comment = CommentType.__new__(CommentType)
        vars(comment).update(model)
        comment.row, comment.col, comment.text, comment.vertices = row, col, text, []
        comment.set_offsets(row, col)
        self.has_vml = self.has_comments = True
        self.comments[row][col] = comment

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        """XlsxWriter's formula preparation without its ~30 regex passes per formula.

        Those passes only prefix Excel 2010+ function names with ``_xlfn.``; the
        formulas written here use none of them (planner.formula emits IF, MIN, MAX,
        ABS, SUM, AND, OR, NOT; the sheets add MATCH, INDEX, IFERROR, TEXT, VALUE,
        LEFT, RIGHT, LEN, INT, ISNUMBER, ISBLANK, SUMPRODUCT, PRODUCT and LOOKUP).
        """
        if formula.startswith("{"):
            formula = formula[1:]
        if formula.startswith("="):
            formula = formula[1:]
        return formula[:-1] if formula.endswith("}") else formula

    def _check_dimensions(
        self, row: int, col: int, ignore_row: bool = False, ignore_col: bool = False
    ) -> int:
        # XlsxWriter checks every cell it writes here first
        self._unshare(row, col, col)
        return int(super()._check_dimensions(row, col, ignore_row, ignore_col))

    def _unshare(self, row: int, first_col: int, last_col: int) -> None:
        """Put the shared formulas of ``row`` that these cells are about to overwrite
        back in the table cell by cell, to be written that way."""
        groups = self._shared.get(row)
        if not groups:
            return
        kept = []
        for group in groups:
            if last_col < group.first or first_col > group.last:
                kept.append(group)
            else:
                self.table[row].update(group.later_cells())
        self._shared[row] = kept

    def _get_range_data(self, row_start: int, col_start: int, row_end: int, col_end: int) -> Any:
        # Charts cache their data from the table: lend it the shared formulas' cells.
        shared = self._shared
        rows = [row for row in range(row_start, row_end + 1) if shared.get(row)]
        saved = {row: self.table[row] for row in rows}
        try:
            for row in rows:
                self.table[row] = self.row_cells(row)
            return super()._get_range_data(row_start, col_start, row_end, col_end)
        finally:
            self.table.update(saved)

    def _claim(self, row: int, first_col: int, last_col: int, overwrite: bool = True) -> None:
        """Widen the sheet's used range to these cells, as ``_check_dimensions`` does per cell.

        Every cell is written after its row is claimed (or, by XlsxWriter, checked),
        so a shared formula whose cells are written again is dropped here.
        """
        if overwrite:
            self._unshare(row, first_col, last_col)
        if (
            row < 0
            or first_col < 0
            or first_col > last_col
            or row >= self.xls_rowmax
            or last_col >= self.xls_colmax
            or self.constant_memory
        ):
            raise ValueError(
                f"row {row}, columns {first_col}-{last_col} are outside the sheet, "
                "or the sheet writes rows as it goes (constant_memory)"
            )
        if self.dim_rowmin is None or row < self.dim_rowmin:
            self.dim_rowmin = row
        if self.dim_rowmax is None or row > self.dim_rowmax:
            self.dim_rowmax = row
        if self.dim_colmin is None or first_col < self.dim_colmin:
            self.dim_colmin = first_col
        if self.dim_colmax is None or last_col > self.dim_colmax:
            self.dim_colmax = last_col

    # --- the <sheetData> writer -------------------------------------------------

    def _write_rows(self) -> None:
        if self.constant_memory or self.dim_rowmin is None:
            super()._write_rows()
            return
        table, comments, row_info = self.table, self.comments, self.row_info
        row_min, row_max = self.dim_rowmin, self.dim_rowmax
        col_min, col_max = self.dim_colmin, self.dim_colmax
        self.row_spans = spans = self._spans()
        # A row without options is a bare <row> unless the sheet changes the default height.
        bare_rows = (
            self.default_row_height == self.original_row_height and self.excel_version == 2007
        )
        candidates = {r for r, cells in table.items() if cells}
        candidates.update(row_info, comments)
        letters = [xl_col_to_name(col) for col in range(col_max + 1)]
        # what comes between two cells of a shared formula, ahead of the second's row number
        openers = [f'</v></c><c r="{letter}' for letter in letters]
        styles: dict[Any, str] = {}
        shared, next_index = self._shared, 0
        float_texts = self.float_texts
        out: list[str] = []
        put = out.append

        def flush() -> None:
            self.fh.write("".join(out))
            out.clear()

        for row in sorted(candidates):
            if row < row_min or row > row_max:
                continue
            span = spans.get(row // 16)
            cells = table.get(row)
            info = row_info.get(row)
            if not cells:
                flush()
                self._write_empty_row(row, span, info)
                continue
            number = str(row + 1)
            if info is None and bare_rows:
                put(f'<row r="{number}" spans="{span}">' if span else f'<row r="{number}">')
            else:
                flush()
                self._write_row(row, span, info)
            groups = shared.get(row)
            runs = None
            if groups:
                runs, next_index = self._shared_runs(
                    number, groups, letters, openers, styles, next_index
                )
            for col in sorted(cells):
                if col < col_min or col > col_max:
                    continue
                if runs and col in runs:
                    put(runs[col])
                    continue
                cell = cells[col]
                kind = cell.__class__
                cell_format = None
                if kind in _FAST_KINDS:
                    cell_format = cell[0] if kind is CellBlankTuple else cell[1]
                if cell_format is None:
                    flush()
                    self._write_cell(row, col, cell)
                    continue
                style = styles.get(cell_format)
                if style is None:
                    style = styles[cell_format] = f' s="{cell_format._get_xf_index()}"'
                if kind is CellFormulaTuple:
                    formula, _, value = cell
                    if "&" in formula or "<" in formula or ">" in formula:
                        formula = escape_text(formula)
                    value_kind = value.__class__
                    if value_kind is float or value_kind is int:
                        text = float_texts[value] if value_kind is float else value
                        put(
                            f'<c r="{letters[col]}{number}"{style}><f>{formula}</f>'
                            f"<v>{text}</v></c>"
                        )
                    elif value_kind is str:
                        if value == "":
                            kind_attr = ""
                        elif value in _ERROR_CODES:
                            kind_attr = ' t="e"'
                        else:
                            kind_attr = ' t="str"'
                        put(
                            f'<c r="{letters[col]}{number}"{style}{kind_attr}><f>{formula}</f>'
                            f"<v>{escape_text(value)}</v></c>"
                        )
                    else:
                        flush()
                        self._write_cell(row, col, cell)
                elif kind is CellNumberTuple:
                    put(f'<c r="{letters[col]}{number}"{style}><v>{cell[0]:.16G}</v></c>')
                elif kind is CellStringTuple:
                    put(f'<c r="{letters[col]}{number}"{style} t="s"><v>{cell[0]}</v></c>')
                else:
                    put(f'<c r="{letters[col]}{number}"{style}/>')
            put("</row>")
        flush()

    def _shared_runs(
        self,
        number: str,
        groups: list[_Shared],
        letters: list[str],
        openers: list[str],
        styles: dict[Any, str],
        next_index: int,
    ) -> tuple[dict[int, str], int]:
        """Each shared formula of a row as ``{first column: its cells' XML}``, and the next
        ``si``. Its columns were claimed, so they lie within the sheet's used range."""
        runs: dict[int, str] = {}
        texts = self.float_texts
        for group in groups:
            first, last, cell_format = group.first, group.last, group.cell_format
            master, value = group.formulas[0], group.values[0]
            if "&" in master or "<" in master or ">" in master:
                master = escape_text(master)
            style = styles.get(cell_format)
            if style is None:
                # a format equal to an earlier one looks its index up anew on every call
                style = styles[cell_format] = f' s="{cell_format._get_xf_index()}"'
            head = (
                f'<c r="{letters[first]}{number}"{style}><f t="shared" '
                f'ref="{letters[first]}{number}:{letters[last]}{number}" si="{next_index}">'
                f"{master}</f><v>{value}</v></c>"
            )
            tail = f'{number}"{style}><f t="shared" si="{next_index}"/><v>'
            values = group.values[1:]
            # 2 and 2.0 are one key: only floats go through the float texts
            if _FLOAT.issuperset(map(type, group.values)):
                later = list(map(texts.__getitem__, values))
            else:
                later = list(map(str, values))
            # Each later cell is <c r="{letter}{tail}{value}</v></c>: the values, each
            # followed by the next cell's opening, joined by the tail.
            joined = list(map(add, later, openers[first + 2 : last + 1]))
            joined.append(later[-1])
            runs[first] = f'{head}<c r="{letters[first + 1]}{tail}{tail.join(joined)}</v></c>'
            next_index += 1
        return runs, next_index

    def _spans(self) -> dict[int, str]:
        """The ``spans`` attribute of each block of 16 rows: first and last used column."""
        row_min, row_max = self.dim_rowmin, self.dim_rowmax
        col_min, col_max = self.dim_colmin, self.dim_colmax
        blocks: dict[int, tuple[int, int]] = {}
        for source in (self.table, self.comments):
            for row, cells in source.items():
                if row < row_min or row > row_max or not cells:
                    continue
                low, high = min(cells), max(cells)
                if low < col_min or high > col_max:
                    cols = [c for c in cells if col_min <= c <= col_max]
                    if not cols:
                        continue
                    low, high = min(cols), max(cols)
                for group in self._shared.get(row, ()) if source is self.table else ():
                    high = max(high, group.last)
                block = row // 16
                if block in blocks:
                    old_low, old_high = blocks[block]
                    low, high = min(low, old_low), max(high, old_high)
                blocks[block] = (low, high)
        return {block: f"{low + 1}:{high + 1}" for block, (low, high) in blocks.items()}


_FAST_KINDS = frozenset((CellFormulaTuple, CellNumberTuple, CellStringTuple, CellBlankTuple))
# A shared formula's cells are written in one go: each with a number as its cached value.
_SHARED_VALUE_KINDS = frozenset((float, int))
_FLOAT = frozenset((float,))


class _Shared(NamedTuple):
    """A row's shared formula: the master's text and every cell's cached value."""

    first: int
    formulas: tuple[str, ...]  # every cell's own text, for writing them one by one
    cell_format: Any
    values: tuple[Any, ...]  # numbers: write_formula_row checks

    @property
    def last(self) -> int:
        return self.first + len(self.formulas) - 1

    def later_cells(self) -> Iterator[tuple[int, Any]]:
        """``(column, cell)`` of every cell but the master, as the table keeps cells."""
        # one value per formula (write_formula_row checks); repeat() never ends
        cells = zip(self.formulas[1:], repeat(self.cell_format), self.values[1:], strict=False)
        return zip(range(self.first + 1, self.last + 1), map(_make_formula, cells), strict=True)


class FloatTexts(dict[float, str]):
    """Each float's text as an f-string writes it, worked out once per value.

    Cached values repeat a lot (zeros, ones, a base value on every sheet), and
    the shortest text that reads back as the same float is costly to find.
    Zeros are never kept, since 0.0 and -0.0 are one key with two texts.
    """

    def __missing__(self, value: float) -> str:
        text = repr(value)
        if value and value == value:  # NaN never finds itself again
            self[value] = text
        return text


# XlsxWriter's cell tuples built in C: their classes' own __new__ is a Python call per cell.
_make_formula = functools.partial(tuple.__new__, CellFormulaTuple)
_make_number = functools.partial(tuple.__new__, CellNumberTuple)
_make_string = functools.partial(tuple.__new__, CellStringTuple)
