"""Read the cells and notes an import needs from an .xlsx file, one pass per part.

A workbook's sheets can hold millions of cells that an import never looks at
(the calculations, the charts' data). Each part is inflated in chunks and fed
to expat, and only the cells of the rows and columns asked for are kept, so
memory follows what is read, not the size of the file; a sheet stops being
parsed as soon as the rows asked for are behind. Shared strings are kept
only where a kept cell refers to them. A part declaring a DOCTYPE or
entities is refused, as defusedxml refuses them. Read from a
:class:`CheckedArchive`, no part inflates past its declared size (from a
plain ``zipfile``, a part that inflates further fails its checksum).

This pass is also the check of the sheets it reads, so that the import pays
for each of them once: every byte of a sheet, the rows not parsed included,
passes the C-speed check of where rows and cells lie (workbook_positions);
a sheet it cannot vouch for is judged element by element (workbook_scan).
Cells are not counted: none but those asked for become objects, and a
sheet's time is bounded by its bytes.

openpyxl's read-only mode streams too, but it turns every cell of every row
it passes into Python objects: 80 s for the benchmark's large workbook, whose
calculations the import never needs.
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from collections.abc import (
    Callable,
    Collection,
    Container,
    Hashable,
    Iterator,
    Mapping,
    Sequence,
)
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple
from xml.parsers import expat

from planner.io.workbook_positions import PositionCheck
from planner.io.workbook_safety import MAX_CELL_TEXT, CheckedArchive, WorkbookError
from planner.io.workbook_scan import MAX_TOKEN_BYTES, check_sheet
from planner.text import quoted, shortened

CHUNK_BYTES = 1 << 20
MAX_NOTE_TEXT = 4000
LAST_ROW = 1_048_575  # Excel's last row, 0-based

_MAIN = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_RELS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)


def _names(local: str) -> frozenset[str]:
    """A SpreadsheetML element's name as expat reports it, in both namespaces."""
    return frozenset(f"{uri} {local}" for uri in _MAIN)


_ROW, _CELL, _FORMULA, _VALUE = _names("row"), _names("c"), _names("f"), _names("v")
_TEXT, _PHONETIC, _STRING_ITEM = _names("t"), _names("rPh"), _names("si")
_SHEET, _COMMENT = _names("sheet"), _names("comment")
_RELATIONSHIP = f"{_RELS} Relationship"
_REL_IDS = frozenset(f"{uri} id" for uri in _OFFICE_RELS)


@dataclass(frozen=True)
class ErrorCell:
    """A cell holding an error value such as #REF!, or a broken reference to a shared string."""

    code: str


@dataclass(frozen=True)
class LongText:
    """Text longer than a cell or note may hold; only its length is kept."""

    length: int


class FormulaCell(NamedTuple):
    """A cell holding a formula (a link to the base, or a user's own formula), and the
    value a spreadsheet program saved with it: None where none was saved. Only then is
    the formula's text kept (None if longer than ``MAX_FORMULA_TEXT``): it alone can
    tell a link from a user's formula.

    A tuple, not a dataclass: a scenario sheet's input rows hold a link in every cell.
    """

    cached: float | bool | str | ErrorCell | LongText | None = None
    text: str | None = None

    def __repr__(self) -> str:
        return "a formula"


FORMULA: Final = FormulaCell()
MAX_FORMULA_TEXT: Final = 1000  # far longer than any link the export writes


CellValue = float | bool | str | FormulaCell | ErrorCell | LongText


class EveryRow:
    """Wanted columns for every row, for sheets whose length is not known beforehand."""

    def __init__(self, columns: Collection[int]) -> None:
        self.columns = columns

    def get(self, row: int) -> Collection[int] | None:
        return self.columns


@dataclass
class SheetCells:
    """The kept cells of one sheet: row -> column -> value, all 0-based."""

    title: str
    rows: dict[int, dict[int, CellValue]] = field(default_factory=dict)
    # (row's cells, column, index) of cells whose text is in the shared strings part
    shared: list[tuple[dict[int, CellValue], int, int]] = field(default_factory=list)

    def get(self, row: int, col: int) -> CellValue | None:
        cells = self.rows.get(row)
        return None if cells is None else cells.get(col)


class _Stop(Exception):
    """Raised inside a handler once the rest of a part is not needed."""


class _Refused(Exception):
    """A DOCTYPE or entity declaration."""


def _refuse(*_: object) -> None:
    raise _Refused


def _refuse_external(context: str, base: str | None, system: str | None, public: str | None) -> int:
    raise _Refused


def _parser() -> Any:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse_external
    return parser


_COLUMNS: dict[str, int] = {}


def column_index(letters: str) -> int:
    """Column letters of a reference to a 0-based index; -1 for anything else."""
    found = _COLUMNS.get(letters)
    if found is not None:
        return found
    n = 0
    for char in letters:
        if not "A" <= char <= "Z":
            return -1
        n = n * 26 + ord(char) - 64
    col = n - 1 if 0 < len(letters) <= 3 else -1
    if len(_COLUMNS) < 20_000:
        _COLUMNS[letters] = col
    return col


def cell_position(ref: str) -> tuple[int, int] | None:
    """An A1 reference to a 0-based (row, column), or None when it is not one."""
    letters = ref.rstrip("0123456789")
    digits = ref[len(letters) :]
    col = column_index(letters)
    if col < 0 or not digits or len(digits) > 7:
        return None
    return int(digits) - 1, col


class Package:
    """The parts of one open .xlsx archive, read on request."""

    def __init__(self, archive: zipfile.ZipFile | CheckedArchive, name: str) -> None:
        """Parts of a :class:`CheckedArchive` inflate no further than their declared
        sizes, and are refused if they would."""
        self.archive = archive
        self.name = name
        listed = archive.zip if isinstance(archive, CheckedArchive) else archive
        self._parts = set(listed.namelist())
        self.checked_sheets: set[str] = set()  # worksheets read_cells has checked whole

    # --- plain parts ---------------------------------------------------------------

    def _feed(self, part: str, parser: Any, positions: PositionCheck | None = None) -> None:
        """Parse ``part``; with ``positions``, every byte of it also passes that check,
        the bytes after the point where the parse stops included."""
        with self._opened(part) as chunks:
            try:
                self._parse(chunks, part, parser, positions)
            except _Stop:
                for chunk in chunks:
                    if positions is None or not positions.vouched:
                        break
                    positions.feed(chunk)

    @contextmanager
    def _opened(self, part: str) -> Iterator[Iterator[bytes]]:
        """The part's bytes in chunks; what goes wrong while they are read becomes a
        WorkbookError."""
        if part not in self._parts:
            raise WorkbookError(
                f"{self.name} is not a complete workbook: the part {part} is missing"
            )
        try:
            if isinstance(self.archive, CheckedArchive):
                with closing(self.archive.chunks(part, CHUNK_BYTES)) as chunks:
                    yield chunks
            else:
                with self.archive.open(part) as stream:
                    yield iter(lambda: stream.read(CHUNK_BYTES), b"")
        except _Refused:
            raise WorkbookError(
                f"{self.name}: part {part} declares a DOCTYPE or XML entities; refused for "
                "safety, as a workbook never needs them"
            ) from None
        except expat.ExpatError as exc:
            raise WorkbookError(
                f"{self.name}: part {part} is not well-formed XML "
                f"({expat.errors.messages[exc.code]}, line {exc.lineno})"
            ) from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
            raise WorkbookError(f"{self.name}: part {part} cannot be unpacked ({exc})") from None
        except RuntimeError as exc:  # how zipfile refuses a part that needs a password
            raise WorkbookError(f"{self.name}: part {part} is encrypted ({exc})") from None

    def _parse(
        self, chunks: Iterator[bytes], part: str, parser: Any, positions: PositionCheck | None
    ) -> None:
        fed = 0
        for chunk in chunks:
            if positions is not None:
                positions.feed(chunk)
            parser.Parse(chunk, False)
            fed += len(chunk)
            # text streams through expat, but a tag, comment or attribute is buffered whole
            if fed - parser.CurrentByteIndex > MAX_TOKEN_BYTES:
                raise WorkbookError(
                    f"{self.name}: part {part} holds a tag, comment or attribute of more "
                    f"than {MAX_TOKEN_BYTES // 1024 // 1024} MB; refused"
                )
        parser.Parse(b"", True)

    def relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """Id -> (type, target part) of ``part``'s relationships; none when it has none."""
        folder, base = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", base + ".rels")
        if rels not in self._parts:
            return {}
        found: dict[str, tuple[str, str]] = {}

        def start(name: str, attrs: dict[str, str]) -> None:
            if name != _RELATIONSHIP or attrs.get("TargetMode") == "External":
                return
            target = attrs.get("Target", "")
            if target.startswith("/"):
                resolved = target[1:]
            else:
                resolved = posixpath.normpath(posixpath.join(folder, target))
            found[attrs.get("Id", "")] = (attrs.get("Type", ""), resolved)

        parser = _parser()
        parser.StartElementHandler = start
        self._feed(rels, parser)
        return found

    def sheet_parts(self) -> dict[str, str]:
        """Sheet title -> worksheet part, in the workbook's order."""
        book = "xl/workbook.xml"
        targets = self.relationships(book)
        sheets: dict[str, str] = {}

        def start(name: str, attrs: dict[str, str]) -> None:
            if name not in _SHEET:
                return
            rel_id = next((v for k, v in attrs.items() if k in _REL_IDS), "")
            kind, target = targets.get(rel_id, ("", ""))
            if kind.endswith("/worksheet") and target in self._parts:
                sheets.setdefault(attrs.get("name", ""), target)

        parser = _parser()
        parser.StartElementHandler = start
        self._feed(book, parser)
        return sheets

    # --- cells ---------------------------------------------------------------------

    def read_cells(
        self,
        title: str,
        part: str,
        wanted: Mapping[int, Collection[int]] | EveryRow,
        last_row: int = LAST_ROW,
    ) -> SheetCells:
        """The cells of ``wanted`` rows and columns; rows after ``last_row`` are not read.

        The whole sheet is checked against the limits on rows and columns, its
        unread rows at C speed (workbook_positions); what that check cannot
        vouch for is judged element by element (workbook_scan).
        """
        reader = _SheetReader(self.name, SheetCells(title), wanted, last_row)
        positions = PositionCheck()
        self._feed(part, reader.parser, positions)
        reader.finish()
        if not positions.close():
            with self._opened(part) as chunks:
                check_sheet(chunks, part, title, self.name)
        self.checked_sheets.add(part)
        return reader.sheet

    def fill_shared_strings(self, sheets: Sequence[SheetCells]) -> None:
        """Put the text of shared strings in the kept cells that refer to them."""
        pending = [entry for sheet in sheets for entry in sheet.shared]
        if not pending:
            return
        wanted = {index for _, _, index in pending}
        strings = self._shared_strings(wanted)
        for cells, col, index in pending:
            if index in strings:
                cells[col] = strings[index]
            else:
                cells[col] = ErrorCell(f"a reference to shared string {index}, which is missing")
        for sheet in sheets:
            sheet.shared.clear()

    def _shared_strings(self, wanted: Collection[int]) -> dict[Hashable, str | LongText]:
        kind = "/sharedStrings"
        targets = self.relationships("xl/workbook.xml").values()
        part = next((target for k, target in targets if k.endswith(kind)), None)
        if part is None:
            return {}

        def accept(ordinal: int, attrs: dict[str, str]) -> Hashable | None:
            return ordinal if ordinal in wanted else None

        collector = _TextCollector(_STRING_ITEM, MAX_CELL_TEXT, accept)
        self._feed(part, collector.parser)
        return collector.found

    # --- notes ---------------------------------------------------------------------

    def read_notes(self, part: str, wanted: Container[Hashable]) -> dict[Hashable, str | LongText]:
        """(row, column) -> note text of the sheet ``part``, for the ``wanted`` cells."""
        notes: dict[Hashable, str | LongText] = {}

        def accept(ordinal: int, attrs: dict[str, str]) -> Hashable | None:
            where = cell_position(attrs.get("ref", ""))
            return where if where in wanted else None

        for kind, target in self.relationships(part).values():
            if kind.endswith("/comments") and target in self._parts:
                collector = _TextCollector(_COMMENT, MAX_NOTE_TEXT, accept)
                self._feed(target, collector.parser)
                notes.update(collector.found)
        return notes


class _TextCollector:
    """The text of each ``element`` (a shared string or a note) that ``accept`` keys.

    The text is that of its ``t`` elements, phonetic runs left out, as Excel
    shows it; ``accept`` gets each element's ordinal and attributes and
    returns the key to keep its text under, or None to skip it.
    """

    def __init__(
        self,
        element: frozenset[str],
        limit: int,
        accept: Callable[[int, dict[str, str]], Hashable | None],
    ) -> None:
        self.element = element
        self.limit = limit
        self.accept = accept
        self.found: dict[Hashable, str | LongText] = {}
        self.ordinal = 0
        self.key: Hashable | None = None
        self.parts: list[str] = []
        self.length = 0
        self.phonetic = 0
        self.parser = _parser()
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name in self.element:
            self.key = self.accept(self.ordinal, attrs)
            self.parts, self.length, self.phonetic = [], 0, 0
        elif self.key is None:
            return
        elif name in _PHONETIC:
            self.phonetic += 1
        elif name in _TEXT and not self.phonetic:
            self.parser.CharacterDataHandler = self.text

    def text(self, data: str) -> None:
        if self.length + len(data) <= self.limit:
            self.parts.append(data)
        self.length += len(data)

    def end(self, name: str) -> None:
        if name in self.element:
            if self.key is not None:
                text = "".join(self.parts)
                self.found[self.key] = text if self.length <= self.limit else LongText(self.length)
            self.key = None
            self.ordinal += 1
        elif name in _TEXT:
            self.parser.CharacterDataHandler = None
        elif name in _PHONETIC:
            self.phonetic -= 1


class _SheetReader:
    """Expat handlers that keep the wanted cells of a worksheet.

    The handlers change as the parse moves between skipped rows, skipped
    cells and kept cells, so that a skipped cell costs one call per element.
    A kept cell ends where the next cell or row starts (or the part ends),
    which spares a call at the end of every element.
    """

    def __init__(
        self,
        book: str,
        sheet: SheetCells,
        wanted: Mapping[int, Collection[int]] | EveryRow,
        last_row: int,
    ) -> None:
        self.book = book
        self.sheet = sheet
        self.wanted = wanted
        self.last_row = last_row
        self.row = -1
        self.col = -1
        self.columns: Collection[int] = ()
        self.max_col = -1
        self.cells: dict[int, CellValue] = {}
        self.open = False  # a kept cell has started and not been stored yet
        self.formula = False  # the open cell holds a formula
        self.formula_parts: list[str] = []
        self.formula_length = 0
        self.kind = "n"
        self.parts: list[str] | None = None
        self.length = 0
        self.phonetic = 0
        self.parser = _parser()
        self.parser.StartElementHandler = self.between_rows

    def between_rows(self, name: str, attrs: dict[str, str]) -> None:
        if name in _ROW:
            self.start_row(attrs)

    def start_row(self, attrs: dict[str, str]) -> None:
        self.finish()
        number = attrs.get("r")
        if number is None:
            self.row += 1
        elif number.isdigit() and len(number) <= 7:
            self.row = int(number) - 1
        else:
            raise WorkbookError(
                f"{self.book}: sheet {shortened(self.sheet.title)} has a row at "
                f"{quoted(number, 20)}, which is not a row number of a sheet"
            )
        if self.row > self.last_row:
            raise _Stop
        self.col = -1
        columns = self.wanted.get(self.row)
        if not columns:
            self.parser.StartElementHandler = self.between_rows
            return
        self.columns = columns
        self.max_col = max(columns)
        self.cells = self.sheet.rows.setdefault(self.row, {})
        self.parser.StartElementHandler = self.in_row

    def in_row(self, name: str, attrs: dict[str, str]) -> None:
        if name in _CELL:
            if self.open:
                self.finish()
            ref = attrs.get("r")
            col = self.col + 1 if ref is None else column_index(ref.rstrip("0123456789"))
            self.col = col
            if col in self.columns:
                self.open = True
                self.formula = False
                self.kind = attrs.get("t", "n")
                self.parts = None
                self.phonetic = 0
                self.parser.StartElementHandler = self.in_cell
            elif col > self.max_col:
                self.parser.StartElementHandler = self.between_rows
        elif name in _ROW:
            self.start_row(attrs)

    def in_cell(self, name: str, attrs: dict[str, str]) -> None:
        if name in _FORMULA:
            self.formula = True
            self.formula_parts = []
            self.formula_length = 0
            # kept until the value starts or the cell ends (see finish): no end handler
            self.parser.CharacterDataHandler = self.formula_text
        elif name in _CELL or name in _ROW:
            self.parser.StartElementHandler = self.in_row
            self.in_row(name, attrs)
        elif name in _PHONETIC:
            self.phonetic += 1
            self.parser.EndElementHandler = self.end_text
        elif name in _VALUE or (name in _TEXT and not self.phonetic):
            if self.parts is None:
                self.parts = []
                self.length = 0
            self.parser.CharacterDataHandler = self.text
            self.parser.EndElementHandler = self.end_text

    def text(self, data: str) -> None:
        assert self.parts is not None
        if self.length + len(data) <= MAX_CELL_TEXT:
            self.parts.append(data)
        self.length += len(data)

    def formula_text(self, data: str) -> None:
        self.formula_length += len(data)
        if self.formula_length <= MAX_FORMULA_TEXT:
            self.formula_parts.append(data)

    def end_text(self, name: str) -> None:
        if name in _VALUE:
            # a cell has one value: it is complete
            self.parser.CharacterDataHandler = None
            self.parser.EndElementHandler = None
            self.parser.StartElementHandler = self.in_row
            self.finish()
            return
        if name in _TEXT:
            self.parser.CharacterDataHandler = None
        elif name in _PHONETIC:
            self.phonetic -= 1
        if not self.phonetic:
            self.parser.EndElementHandler = None

    def finish(self) -> None:
        """Store the kept cell that has just ended, if any."""
        if not self.open:
            return
        self.open = False
        formula, self.formula = self.formula, False
        if formula:
            self.parser.CharacterDataHandler = None
            # A formula's saved value is never a shared string; an empty one is how
            # programs that do not calculate (openpyxl) write a formula with no value.
            value = None if self.parts is None or self.kind == "s" else self._value()
            if value is None or value == "":
                fits = self.formula_length <= MAX_FORMULA_TEXT
                text = "".join(self.formula_parts).strip() if fits else None
                self.cells[self.col] = FormulaCell(None, text)
            else:
                self.cells[self.col] = FormulaCell(value)
        elif self.parts is not None:  # else a cell with a style and no value
            if self.kind == "s":
                self._shared_string()
            else:
                self.cells[self.col] = self._value()

    def _value(self) -> float | bool | str | ErrorCell | LongText:
        assert self.parts is not None
        if self.length > MAX_CELL_TEXT:
            return LongText(self.length)
        text = "".join(self.parts)
        kind = self.kind
        if kind == "n":
            try:
                return float(text)
            except ValueError:
                return text
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind == "e":
            return ErrorCell(text)
        return text  # inlineStr, str, and dates as ISO text

    def _shared_string(self) -> None:
        assert self.parts is not None
        if self.length > MAX_CELL_TEXT:
            self.cells[self.col] = LongText(self.length)
            return
        index = "".join(self.parts).strip()
        if index.isdigit():
            self.sheet.shared.append((self.cells, self.col, int(index)))
        else:
            self.cells[self.col] = ErrorCell(f"a broken shared string reference {index[:20]!r}")
