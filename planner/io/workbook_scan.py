"""What a workbook's XML parts would cost a reader, counted while they stream past.

Each XML part is fed to expat chunk by chunk, so memory stays bounded by the
chunk, whatever the part's size, encoding or layout. The scan refuses a DOCTYPE
anywhere in any part, and counts what openpyxl turns into objects: elements,
cells, merged and hyperlinked cell ranges (openpyxl creates a cell for each
cell they cover), comments and shared strings. A worksheet is judged by the
cells that hold data (a value, a formula or an inline string), not by its
``<dimension>`` or by empty styled rows: LibreOffice writes an empty row
1,048,576 into any sheet once a row has been deleted.

Counting costs a Python call per element, which only openpyxl needs. Without
it (``count=False``) the scan refuses what every reader must be spared at
expat's own speed; ``check_sheet`` judges one sheet's rows and columns alone,
for the streaming reader when the quick check of workbook_positions cannot.
"""

from __future__ import annotations

import math
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from xml.parsers import expat

from planner.text import quoted, shortened

MAX_ROWS = 100_000
MAX_COLUMNS = 2000
# Both readers stream, so these bound the time a file can cost, not its memory; they
# admit the workbook of a project of 1,000 items over 600 periods in 4 scenarios.
MAX_CELLS = 10_000_000  # cells, comments and cells covered by merges or hyperlinks
MAX_ELEMENTS = 40_000_000
MAX_SHARED_STRINGS = 1_000_000
EXCEL_ROWS = 1_048_576  # the most a sheet can have, in Excel and in LibreOffice
EXCEL_COLUMNS = 16_384
MAX_TOKEN_BYTES = 4 * 1024 * 1024  # one tag, comment or attribute; expat holds it whole
MAX_NUMBER_TEXT = 400  # characters in one number's <v>; more cannot be a finite double

_REFERENCE = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,9})$")
_RANGE = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,9})(?::\$?([A-Za-z]{1,3})\$?([0-9]{1,9}))?$")
_DIGITS = "0123456789"
_COLUMN_NUMBERS: dict[str, int] = {}  # "AB" -> 28, filled as plain references are read
_SHEET_ROOTS = frozenset({"worksheet", "dialogsheet"})


class WorkbookError(ValueError):
    """A workbook that cannot be read or is refused; the message names the problem."""


def column_number(letters: str) -> int:
    """Excel column letters to a 1-based number: A -> 1, AA -> 27."""
    n = 0
    for char in letters.upper():
        n = n * 26 + ord(char) - 64
    return n


def column_letters(number: int) -> str:
    """A 1-based column number as Excel letters: 1 -> A, 27 -> AA."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True)
class SheetExtent:
    """The last row and column (1-based) of a sheet's cells that hold data; 0 when none do."""

    rows: int
    columns: int


@dataclass
class Budget:
    """What all parts of one workbook have used so far; shared by their scans."""

    workbook: str  # the file's name, for messages
    elements: int = 0
    cells: int = 0
    shared_strings: int = 0
    sheet_titles: dict[str, str] = field(default_factory=dict)  # part name -> title
    extents: dict[str, SheetExtent] = field(default_factory=dict)  # title -> data's extent

    def refuse(self, message: str) -> WorkbookError:
        return WorkbookError(f"{self.workbook}: {message}")


def looks_like_xml(head: bytes) -> bool:
    """Whether a part's first bytes start XML in any encoding expat reads."""
    return head.lstrip(b"\xef\xbb\xbf\xfe\xff\x00 \t\r\n").startswith(b"<")


class PartScan:
    """One XML part fed to expat in chunks; raises :class:`WorkbookError` on what it refuses."""

    def __init__(
        self, part: str, budget: Budget, *, count: bool = True, end_where_broken: bool = False
    ) -> None:
        """``count=False`` only refuses DOCTYPEs, entities and oversized markup: expat then
        runs without a Python call per element. ``end_where_broken`` ends the scan quietly
        where the XML stops being well-formed, for a part whose reader has parsed what it uses.
        """
        self.part = part
        self.budget = budget
        self.root: str | None = None
        self.fed = 0
        self.end_where_broken = end_where_broken
        self.broken = False
        self.parser = expat.ParserCreate()
        self.parser.buffer_text = True
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._entity
        if count:
            self.parser.StartElementHandler = self._start
        # worksheet state, as openpyxl counts rows and columns
        self.row = 0
        self.column = 0
        self.in_cell = False
        self.cell_has_data = False
        self.cell_is_number = False
        self.number_text: list[str] | None = None
        self.title = budget.sheet_titles.get(part)
        self.sheet = shortened(self.title if self.title is not None else part)
        self.last_row = self.last_column = 0
        # the workbook part and its relationships name the sheets
        self.sheets: list[tuple[str, str]] = []  # (relationship id, title)
        self.targets: dict[str, str] = {}  # relationship id -> part name

    def feed(self, chunk: bytes) -> None:
        if self.broken:
            return
        try:
            self.parser.Parse(chunk, False)
        except expat.ExpatError as exc:
            self._broken(exc)
            return
        self.fed += len(chunk)
        # text streams through expat, but a tag, comment or attribute is buffered whole
        if self.fed - self.parser.CurrentByteIndex > MAX_TOKEN_BYTES:
            raise self.budget.refuse(
                f"part {quoted(self.part)} holds a tag, comment or attribute of more than "
                f"{MAX_TOKEN_BYTES // 1024 // 1024} MB; refused"
            )

    def close(self) -> None:
        if self.broken:
            return
        try:
            self.parser.Parse(b"", True)
        except expat.ExpatError as exc:
            self._broken(exc)

    def _broken(self, exc: expat.ExpatError) -> None:
        if not self.end_where_broken:
            reason = expat.ErrorString(exc.code) if exc.code is not None else str(exc)
            raise self.budget.refuse(
                f"part {quoted(self.part)} is not well-formed XML ({reason}, line {exc.lineno})"
            ) from None
        self.broken = True

    def _doctype(self, *_: object) -> None:
        raise self.budget.refuse(
            f"part {quoted(self.part)} declares a DOCTYPE, which a workbook never needs; "
            "refused for safety"
        )

    def _entity(self, *_: object) -> None:
        raise self.budget.refuse(
            f"part {quoted(self.part)} declares an XML entity, which a workbook never needs; "
            "refused for safety"
        )

    # --- elements ------------------------------------------------------------------------

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        self._count_element()
        local = name.rpartition(":")[2]
        if self.root is None:
            self.root = local
            if local in _SHEET_ROOTS:
                self._record_extent()
                self.parser.StartElementHandler = self._start_in_sheet
                self.parser.EndElementHandler = self._end_in_sheet
                self.parser.CharacterDataHandler = self._text_in_sheet
        elif self.root == "sst" and local == "si":
            self.budget.shared_strings += 1
            if self.budget.shared_strings > MAX_SHARED_STRINGS:
                raise self.budget.refuse(
                    f"it holds more than {MAX_SHARED_STRINGS:,} distinct strings; refused"
                )
        elif self.root == "comments" and local == "comment":
            self._count_cells(1, "comments")
        elif self.root == "workbook" and local == "sheet":
            rel_id = next((v for k, v in attributes.items() if k.endswith(":id")), "")
            self.sheets.append((rel_id, attributes.get("name", "")))
        elif self.root == "Relationships" and local == "Relationship":
            self.targets[attributes.get("Id", "")] = attributes.get("Target", "")

    def _count_element(self) -> None:
        self.budget.elements += 1
        if self.budget.elements > MAX_ELEMENTS:
            raise self.budget.refuse(
                f"its parts hold more than {MAX_ELEMENTS:,} XML elements; "
                "a workbook to import has fewer"
            )

    # A sheet may hold a million cells: this handler runs for each of their
    # elements, so the common case is kept to a few dictionary look-ups.
    def _start_in_sheet(self, name: str, attributes: dict[str, str]) -> None:
        self._count_element()
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "c":
            self._count_cells(1, "cells")
            reference = attributes.get("r")
            if reference is None:
                self.column += 1
            else:
                letters = reference.rstrip(_DIGITS)
                digits = reference[len(letters) :]
                column = _COLUMN_NUMBERS.get(letters)
                if column is None or not 0 < len(digits) <= 9:
                    self._locate(reference)
                else:
                    self.row, self.column = int(digits), column
            if self.row > EXCEL_ROWS or self.column > EXCEL_COLUMNS:
                self._check_position()
            self.in_cell = True
            self.cell_has_data = False
            self.cell_is_number = attributes.get("t", "n") == "n"
        elif name == "v" or name == "f" or name == "is":
            if not self.in_cell:
                return
            if not self.cell_has_data:
                self.cell_has_data = True
                self._check_extent()
            if name == "f":
                self.cell_is_number = False  # a formula's cached value is not read
            elif name == "v" and self.cell_is_number:
                self.number_text = []
        elif name == "row":
            number = attributes.get("r", "")
            if not number:
                self.row += 1
            elif number.isascii() and number.isdigit() and len(number) <= 9:
                self.row = int(number)
            else:
                self._refuse_reference(number)
            self.column = 0
            self._check_position()
        elif name == "mergeCell" or name == "hyperlink":
            area = _area(attributes.get("ref", ""))
            what = "merged cells" if name == "mergeCell" else "hyperlinked cells"
            self._count_cells(area, what)

    def _locate(self, reference: str) -> None:
        """Set the row and column of a cell reference in any form openpyxl reads, or refuse."""
        match = _REFERENCE.match(reference)
        if match is None:
            self._refuse_reference(reference)
            return
        letters, digits = match.groups()
        self.row, self.column = int(digits), column_number(letters)
        if len(letters) == len(reference) - len(digits):  # plain "AB12": remember its letters
            _COLUMN_NUMBERS[letters] = self.column

    def _end_in_sheet(self, name: str) -> None:
        if name == "c" or name.endswith(":c"):
            self.in_cell = False
        elif self.number_text is not None and (name == "v" or name.endswith(":v")):
            text = "".join(self.number_text)
            self.number_text = None
            self._check_number(text)

    def _text_in_sheet(self, text: str) -> None:
        if self.number_text is not None:
            self.number_text.append(text)
            if sum(map(len, self.number_text)) > MAX_NUMBER_TEXT:
                self._check_number("".join(self.number_text))

    # --- limits --------------------------------------------------------------------------

    def _where(self) -> str:
        return f"cell {self.sheet}!{column_letters(self.column)}{self.row}"

    def _check_number(self, text: str) -> None:
        try:
            number = float(text) if len(text) <= MAX_NUMBER_TEXT else math.inf
        except ValueError:
            if not text.strip():
                return  # an empty value reads as an empty cell
            number = math.nan
        if not math.isfinite(number):
            raise self.budget.refuse(
                f"{self._where()} holds {quoted(text, 20)}, not a finite number"
            )

    def _refuse_reference(self, reference: str) -> None:
        raise self.budget.refuse(
            f"sheet {self.sheet} has a row or cell at {quoted(reference)}, which is not a "
            "row number or cell reference"
        )

    def _check_position(self) -> None:
        """Refuse a row or cell no spreadsheet can have: readers would fill the rows before it."""
        if self.row > EXCEL_ROWS:
            raise self.budget.refuse(
                f"sheet {self.sheet} has a row numbered {self.row:,}, past a sheet's last "
                f"row ({EXCEL_ROWS:,})"
            )
        if self.column > EXCEL_COLUMNS:
            raise self.budget.refuse(
                f"sheet {self.sheet} has a cell in column {self.column:,}, past a sheet's "
                f"last column ({EXCEL_COLUMNS:,})"
            )

    def _check_extent(self) -> None:
        if self.row > MAX_ROWS:
            raise self.budget.refuse(
                f"sheet {self.sheet} holds data in row {self.row:,}; a workbook sheet may "
                f"have at most {MAX_ROWS:,} rows"
            )
        if self.column > MAX_COLUMNS:
            raise self.budget.refuse(
                f"sheet {self.sheet} holds data in column {self.column:,}; a workbook sheet "
                f"may have at most {MAX_COLUMNS:,} columns"
            )
        if self.row > self.last_row or self.column > self.last_column:
            self.last_row = max(self.last_row, self.row)
            self.last_column = max(self.last_column, self.column)
            self._record_extent()

    def _record_extent(self) -> None:
        if self.title is not None:
            self.budget.extents[self.title] = SheetExtent(self.last_row, self.last_column)

    def _count_cells(self, count: int, what: str) -> None:
        self.budget.cells += count
        if self.budget.cells > MAX_CELLS:
            raise self.budget.refuse(
                f"part {quoted(self.part)} brings its {what} past {MAX_CELLS:,} cells in all; "
                "a workbook to import has fewer"
            )


class PositionScan(PartScan):
    """A worksheet judged only by where its rows and cells lie, as the full scan judges them.

    For a reader that keeps only the cells it asks for and checks their values
    itself: nothing here is turned into objects, so nothing is counted.
    """

    def _count_element(self) -> None:
        pass

    def _count_cells(self, count: int, what: str) -> None:
        pass

    def _check_number(self, text: str) -> None:
        pass


def check_sheet(chunks: Iterable[bytes], part: str, title: str, workbook: str) -> None:
    """Judge one worksheet element by element against the limits on rows and columns.

    For a sheet a reader has parsed as far as it uses it: where the XML stops
    being well-formed further on, the judging ends there.
    """
    budget = Budget(workbook, sheet_titles={part: title})
    scan = PositionScan(part, budget, end_where_broken=True)
    for chunk in chunks:
        scan.feed(chunk)
        if scan.broken:
            return
    scan.close()


def sheet_titles(book: PartScan, relationships: PartScan) -> dict[str, str]:
    """Worksheet part name -> title, from the scans of the workbook part and its relationships."""
    folder = posixpath.dirname(book.part)
    titles = {}
    for rel_id, title in book.sheets:
        target = relationships.targets.get(rel_id)
        if target is None:
            continue
        if target.startswith("/"):
            path = target.lstrip("/")
        else:
            path = posixpath.normpath(posixpath.join(folder, target))
        titles[path] = title
    return titles


def _area(reference: str) -> int:
    """The number of cells a reference such as ``A1:C3`` covers; a whole sheet's if unreadable."""
    match = _RANGE.match(reference.strip())
    if not match:
        return EXCEL_ROWS * EXCEL_COLUMNS
    first_col, first_row, last_col, last_row = match.groups()
    last_col, last_row = last_col or first_col, last_row or first_row
    rows = abs(int(last_row) - int(first_row)) + 1
    columns = abs(column_number(last_col) - column_number(first_col)) + 1
    return rows * columns
