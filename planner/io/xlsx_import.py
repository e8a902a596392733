"""Import a workbook that Burnrate exported, including one edited in Excel or LibreOffice.

The hidden structure sheet says which rows hold which line items and event
rows and what the formulas are; the values and notes come from the visible
cells, so edits made in a spreadsheet are honoured. On a scenario sheet a cell
that still holds a formula whose saved value is the base's (or, with no value
saved, that is still the export's link) follows the base; a cell holding a
value, text included, or a formula saved with another value, is the scenario's
own override. Elsewhere a formula counts by the value saved with it. A round or
contract typed in the empty row under its table is a new one, and a scenario
sheet renamed in a spreadsheet is found by its heading and ids.

Only the cells the structure names are read (see workbook_stream), each sheet
once, so a large workbook costs what its inputs cost, not what its
calculations cost. That one pass also checks the sheets it reads; every other
part is scanned at C speed (see workbook_safety).
"""

from __future__ import annotations

import json
import math
import os
import re
import zipfile
from collections.abc import Collection, Hashable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from planner.commands import numbered_id
from planner.formula import FormulaError
from planner.io.workbook_evaluation import check_evaluates
from planner.io.workbook_layout import (
    ACTIVE_SHEET,
    COL_ID,
    COL_LABEL,
    COL_VALUE,
    FIRST_PERIOD_COL,
    HEADER_ROW,
    META_FORMAT,
    META_SHEET,
    TITLE_ROW,
    cell_name,
    column_letter,
    is_link_to,
)
from planner.io.workbook_plan import EVENT_COLUMNS, formula_note_suffix, plan_sheet, row_number
from planner.io.workbook_safety import MAX_CELL_TEXT, WorkbookError, open_workbook
from planner.io.workbook_stream import (
    FORMULA,
    MAX_NOTE_TEXT,
    ErrorCell,
    EveryRow,
    FormulaCell,
    LongText,
    Package,
    SheetCells,
)
from planner.io.workbook_write import xml_text
from planner.model import (
    ComputeContract,
    FundingRound,
    LineItem,
    Project,
    Scenario,
    check_text,
)
from planner.scenarios import ProjectError
from planner.text import quoted, shortened

__all__ = ["WorkbookError", "import_workbook"]

MAX_META_CHARS = 32 * 1024 * 1024
_ROW_ID = re.compile(r"[A-Za-z0-9_\-]{1,64}")  # as the project file's row ids

# An event row's fields: (column, how it is read).
_ROUND_CELLS = {
    "investor": (COL_LABEL, "text"),
    "period": (COL_VALUE, "text"),
    "amount": (COL_VALUE + 1, "number"),
    "pre_money": (COL_VALUE + 2, "optional"),
    "tranche_per_gw": (COL_VALUE + 3, "optional"),
}
_CONTRACT_CELLS = {
    "counterparty": (COL_LABEL, "text"),
    "gw": (COL_VALUE, "number"),
    "total_value": (COL_VALUE + 1, "number"),
    "first_year": (COL_VALUE + 2, "year"),
    "last_year": (COL_VALUE + 3, "year"),
    "custom_chip_share": (COL_VALUE + 4, "number"),
    "service_years": (COL_VALUE + 5, "year"),
}


def import_workbook(path: str | os.PathLike[str]) -> Project:
    """Rebuild the project of a workbook Burnrate exported; raise :class:`WorkbookError`."""
    name = Path(path).name
    try:
        with open_workbook(path) as archive:
            # the sheets are left to the reader, which checks what it reads in its one pass
            archive.scan(skip=archive.worksheets(), count=False)
            package = Package(archive, name)
            reader = _read(package)
            archive.scan(skip=package.checked_sheets, count=False)
            project = reader.project()
    except (zipfile.BadZipFile, EOFError) as exc:
        raise WorkbookError(f"{name} cannot be unpacked: {shortened(str(exc))}") from None
    from planner.io.project_file import check_project

    try:
        check_project(project)
    except (ProjectError, FormulaError) as exc:
        raise WorkbookError(f"{name}: {shortened(str(exc), 300)}") from None
    check_evaluates(project, name, reader.cell_of)
    return project


def _quoted(value: object) -> str:
    """A cell's value for a message: quoted text cut to a readable length."""
    if isinstance(value, ErrorCell):
        code = shortened(value.code)
        return f"the error {code}" if code.startswith("#") else code
    return quoted(value)


def _read(package: Package) -> _Reader:
    """Read the structure sheet, then the cells and notes it names on every scenario sheet."""
    name = package.name
    parts = package.sheet_parts()
    if META_SHEET not in parts:
        raise WorkbookError(
            f"{name} was not exported by Burnrate (it has no {META_SHEET} sheet); "
            "use Import plain sheet to read its numbers into a scenario"
        )
    meta_cells = package.read_cells(META_SHEET, parts[META_SHEET], EveryRow({0}))
    package.fill_shared_strings([meta_cells])
    meta = _read_meta(meta_cells, name)
    try:
        reader = _Reader(meta, name)
        plans = [
            plan_sheet(meta, info, len(reader.periods), is_base=info is reader.base_meta)
            for info in reader.sheet_infos
        ]
        titles = _current_titles(package, parts, reader.sheet_infos)
        notes = [package.read_notes(parts[titles[plan.title]], plan.notes) for plan in plans]
        plans = [plan.sign(found) for plan, found in zip(plans, notes, strict=True)]
        cells = [
            package.read_cells(
                titles[plan.title], parts[titles[plan.title]], plan.cells, plan.last_row
            )
            for plan in plans
        ]
        package.fill_shared_strings(cells)
        _check_headings(name, reader.sheet_infos, cells)
        for plan, sheet_cells, found in zip(plans, cells, notes, strict=True):
            reader.sheets[plan.title] = _Sheet(sheet_cells, found, plan.signed_rows)
    except (KeyError, TypeError, AttributeError, IndexError, ValueError) as exc:
        if isinstance(exc, WorkbookError):
            raise
        raise WorkbookError(_damaged_meta(name, exc)) from None
    return reader


def _current_titles(
    package: Package, parts: dict[str, str], infos: list[dict[str, Any]]
) -> dict[str, str]:
    """Each scenario sheet's title now, by the title it was exported with.

    A sheet renamed in a spreadsheet is the one sheet the structure does not name
    that is still headed with its scenario's name and whose id column holds the
    exported sheet's line item ids, row for row.
    """
    titles = {str(info["sheet"]): str(info["sheet"]) for info in infos}
    missing = [info for info in infos if info["sheet"] not in parts]
    if not missing:
        return titles
    # the Active scenario sheet repeats the base sheet's ids; it is never a scenario's
    unclaimed = [t for t in parts if t not in titles and t not in (META_SHEET, ACTIVE_SHEET)]
    if len(missing) > len(unclaimed):  # they cannot all have been renamed
        raise _missing_sheet(package.name, missing[0], [])
    id_rows = [{int(row): str(ident) for ident, row in dict(i["rows"]).items()} for i in missing]
    wanted = {row: (COL_ID,) for ids in id_rows for row in ids} | {TITLE_ROW: (COL_LABEL,)}
    # each candidate is read once, for every missing sheet's rows
    sheets = {t: package.read_cells(t, parts[t], wanted, max(wanted)) for t in unclaimed}
    package.fill_shared_strings(list(sheets.values()))
    for info, ids in zip(missing, id_rows, strict=True):
        alike = [
            title
            for title, cells in sheets.items()
            if cells.get(TITLE_ROW, COL_LABEL) in (_heading(info), info["sheet"])
            and all(cells.get(row, COL_ID) == ident for row, ident in ids.items())
        ]
        if len(alike) != 1:
            raise _missing_sheet(package.name, info, alike)
        titles[str(info["sheet"])] = alike[0]
        del sheets[alike[0]]
    return titles


def _check_headings(name: str, infos: list[dict[str, Any]], sheets: list[SheetCells]) -> None:
    """Refuse a scenario sheet headed with another scenario's name: tabs renamed in a
    spreadsheet (two swapped, say) would give one scenario the other's values."""
    headings = [_heading(info) for info in infos]
    for cells, own in zip(sheets, headings, strict=True):
        heading = cells.get(TITLE_ROW, COL_LABEL)
        if heading != own and heading in headings:
            raise WorkbookError(
                f"{name}: the sheet {_quoted(cells.title)} is headed {_quoted(heading)}, "
                f"which is another scenario's sheet; if sheets were renamed, give each "
                "back the name it was exported with"
            )


def _heading(info: dict[str, Any]) -> str:
    """The heading the export wrote on a scenario's sheet: its name, as a cell holds it."""
    return xml_text(str(info["scenario"]))


def _missing_sheet(name: str, info: dict[str, Any], alike: list[str]) -> WorkbookError:
    exported = _quoted(info["sheet"])
    suspects = " and ".join(_quoted(t) for t in alike[:3])
    found = f"; {suspects} could each be it renamed" if len(alike) > 1 else ""
    return WorkbookError(
        f"{name}: the sheet {exported} is missing{found}; "
        f"if it was renamed, give it back the name {exported} to import the workbook"
    )


def _damaged_meta(name: str, exc: Exception) -> str:
    return (
        f"{name}: the hidden {META_SHEET} sheet does not describe this workbook "
        f"({type(exc).__name__}: {shortened(str(exc))})"
    )


def _read_meta(cells: SheetCells, name: str) -> dict[str, Any]:
    chunks = []
    length = 0
    for row in range(1, len(cells.rows) + 1):
        value = cells.get(row, 0)
        if not isinstance(value, str):
            break
        length += len(value)
        if length > MAX_META_CHARS:
            raise WorkbookError(f"{name}: the hidden {META_SHEET} sheet is too large")
        chunks.append(value)
    try:
        meta = json.loads("".join(chunks))
    except (ValueError, RecursionError):
        raise WorkbookError(f"{name}: the hidden {META_SHEET} sheet is damaged") from None
    if not isinstance(meta, dict) or meta.get("format") != META_FORMAT:
        raise WorkbookError(f"{name}: the hidden {META_SHEET} sheet is not Burnrate's")
    if not isinstance(meta.get("sheets"), list) or not meta["sheets"]:
        raise WorkbookError(f"{name}: the {META_SHEET} sheet lists no scenario sheets")
    titles = [
        str(info.get("sheet")).casefold() for info in meta["sheets"] if isinstance(info, dict)
    ]
    if len(set(titles)) != len(meta["sheets"]):
        # a sheet listed twice would be read twice, and a scenario come from another's sheet
        raise WorkbookError(
            f"{name}: the hidden {META_SHEET} sheet does not describe this workbook "
            "(it lists a scenario sheet twice)"
        )
    return meta


def follows_base(cell: object, base: object, link: tuple[str, int, int]) -> bool:
    """Whether a cell of a scenario sheet follows the base: a formula whose saved value is
    the base's ``base`` (a blank is saved as ""), or, with no value saved (as programs
    that do not calculate write it), the export's link to ``link``: the base sheet's
    title, row and column. Any other formula with no value saved is the user's own."""
    if type(cell) is not FormulaCell:
        return False
    if cell.cached is None:
        return cell.text is not None and is_link_to(cell.text, *link)
    return cell.cached in ("", base)


class _Sheet:
    """A sheet's kept cells and notes."""

    def __init__(
        self,
        cells: SheetCells,
        notes: Mapping[Hashable, str | LongText],
        signed_rows: Collection[int],
    ) -> None:
        self.cells = cells
        self.notes = notes
        self.signed_rows = signed_rows  # formula rows whose note shows they did not move
        self.title = cells.title
        self.note_rows = {where[0] for where in notes if isinstance(where, tuple)}


class _Reader:
    """Builds the project from the cells and notes read from the visible sheets."""

    def __init__(self, meta: dict[str, Any], name: str) -> None:
        self.meta = meta
        self.name = name
        self.periods: list[str] = [str(p) for p in meta["project"]["periods"]]
        self.sheet_infos: list[dict[str, Any]] = list(meta["sheets"])
        self.base_meta = next((s for s in self.sheet_infos if s.get("base")), self.sheet_infos[0])
        self.others = [s for s in self.sheet_infos if s is not self.base_meta]
        self.sheets: dict[str, _Sheet] = {}
        self.project_scenarios: dict[str, Scenario] = {}
        self.timeline = range(FIRST_PERIOD_COL, FIRST_PERIOD_COL + len(self.periods))
        # every event row's id on any sheet: a row typed in a spreadsheet gets a new one
        self.row_ids: set[str] = {
            str(ident)
            for info in self.sheet_infos
            for key in ("round_rows", "contract_rows")
            for ident in dict(info.get(key) or {})
        }

    # --- cells --------------------------------------------------------------------------

    def sheet(self, info: dict[str, Any]) -> _Sheet:
        sheet = self.sheets[str(info["sheet"])]
        self.check_timeline(sheet)
        return sheet

    def where(self, sheet: _Sheet, row: int, col: int) -> str:
        return f"{self.name}: cell {shortened(sheet.title)}!{cell_name(row, col)}"

    def plain(self, text: Any, where: str, *, multiline: bool = False) -> Any:
        """``text`` if a project may hold it; else a WorkbookError saying where it is."""
        if isinstance(text, str):
            try:
                check_text(text, multiline=multiline)
            except ValueError as exc:
                raise WorkbookError(f"{self.name}: {where} {exc}") from None
        return text

    def cell_text(self, sheet: _Sheet, row: int, col: int, text: str, *, multiline: bool) -> str:
        where = f"cell {shortened(sheet.title)}!{cell_name(row, col)}" + (
            ": the note" if multiline else ""
        )
        checked: str = self.plain(text, where, multiline=multiline)
        return checked

    def check_timeline(self, sheet: _Sheet) -> None:
        """The period labels must sit where they were written: columns must not move."""
        header = sheet.cells.rows.get(HEADER_ROW, {})
        found = [self.period_text(header.get(col)) for col in self.timeline]
        if all(
            label in (period, FORMULA) for label, period in zip(found, self.periods, strict=True)
        ):
            return  # a label given by a formula (a link to the base sheet's) is taken on trust
        first = self.periods[0]
        start = next((c for c in sorted(header) if self.period_text(header[c]) == first), None)
        if start is not None and start != FIRST_PERIOD_COL:
            moved = start - FIRST_PERIOD_COL
            how = "inserted" if moved > 0 else "deleted"
            count = "a column was" if abs(moved) == 1 else f"{abs(moved)} columns were"
            raise WorkbookError(
                f"{self.name}: sheet {shortened(sheet.title)}: the first period, {first}, is in "
                f"column {column_letter(start)}, not {column_letter(FIRST_PERIOD_COL)}: "
                f"{count} {how} before the timeline; undo that to import the workbook"
            )
        t = next(t for t, label in enumerate(found) if label not in (self.periods[t], FORMULA))
        col = FIRST_PERIOD_COL + t
        if t + 1 < len(self.periods) and found[t] == self.periods[t + 1]:
            what = f"column {column_letter(col)} (period {self.periods[t]}) was deleted"
        elif self.period_text(header.get(col + 1)) == self.periods[t]:
            what = f"a column was inserted at column {column_letter(col)}"
        else:
            what = "columns were inserted, deleted or moved"
        raise WorkbookError(
            f"{self.where(sheet, HEADER_ROW, col)} should hold the period {self.periods[t]} "
            f"but holds {_quoted(header.get(col))}: {what}; undo that to import the workbook"
        )

    @staticmethod
    def period_text(value: object) -> str | FormulaCell | None:
        if isinstance(value, FormulaCell):
            return FORMULA
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return value if isinstance(value, str) else None

    def check_row(self, sheet: _Sheet, row: int, ident: str) -> None:
        found = sheet.cells.get(row, COL_ID)
        if found != ident:
            raise WorkbookError(
                f"{self.where(sheet, row, COL_ID)} should hold the id '{ident}' but holds "
                f"{_quoted(found)}; rows were inserted, deleted or moved"
            )

    def raw(self, sheet: _Sheet, row: int, col: int) -> float | bool | str | None:
        """A cell's number, text or None; a formula's is the value saved with it.

        A formula with no value saved (as a program that does not calculate writes it)
        and error values are refused.
        """
        value = sheet.cells.get(row, col)
        if isinstance(value, FormulaCell):
            if value.cached is None:
                raise WorkbookError(
                    f"{self.where(sheet, row, col)} holds a formula and no value saved with "
                    "it; type the value itself, or save the workbook in a spreadsheet program "
                    "that calculates it"
                )
            value = value.cached
        if isinstance(value, LongText):
            raise WorkbookError(
                f"{self.where(sheet, row, col)} holds {value.length:,} characters; "
                f"at most {MAX_CELL_TEXT:,}"
            )
        if isinstance(value, ErrorCell):
            raise WorkbookError(f"{self.where(sheet, row, col)} holds {_quoted(value)}")
        return value

    def is_link(self, sheet: _Sheet, row: int, col: int, base: object, base_row: int) -> bool:
        """Whether the cell follows ``base``, in ``base_row`` of the base sheet."""
        link = (self.base_meta["sheet"], base_row, col)
        return follows_base(sheet.cells.get(row, col), base, link)

    def number(self, sheet: _Sheet, row: int, col: int, *, optional: bool = False) -> float | None:
        value = self.raw(sheet, row, col)
        if value is None or (optional and value == ""):
            if optional:
                return None
            raise WorkbookError(f"{self.where(sheet, row, col)} is empty; a number is needed")
        if isinstance(value, bool) or not isinstance(value, float):
            raise WorkbookError(
                f"{self.where(sheet, row, col)} holds {_quoted(value)}, not a number"
            )
        if not math.isfinite(value):
            raise WorkbookError(f"{self.where(sheet, row, col)} is not a finite number ({value})")
        return value

    def value(self, sheet: _Sheet, row: int, col: int) -> float:
        """A required number."""
        number = self.number(sheet, row, col)
        assert number is not None
        return number

    def numbers(self, sheet: _Sheet, row: int) -> list[float]:
        """The required numbers of a row's periods."""
        cells = sheet.cells.rows.get(row, {})
        numbers = []
        for col in self.timeline:
            value = cells.get(col)
            if type(value) is not float or not math.isfinite(value):
                value = self.value(sheet, row, col)  # refused with a message naming the cell
            numbers.append(value)
        return numbers

    def own_numbers(
        self, sheet: _Sheet, row: int, base: list[float], base_row: int, linked: bool
    ) -> dict[str, float]:
        """Period -> value of a scenario row's cells that do not follow the base.

        On a sheet linked to the base sheet, every value typed over a link is
        the scenario's own; on a sheet exported without the base, the values
        that differ from the sheet standing in for the base are.
        """
        cells = sheet.cells.rows.get(row, {})
        base_title = self.base_meta["sheet"]
        own = {}
        for t, col in enumerate(self.timeline):
            value = cells.get(col)
            if linked and follows_base(value, base[t], (base_title, base_row, col)):
                continue
            if type(value) is not float or not math.isfinite(value):
                value = self.value(sheet, row, col)
            if linked or value != base[t]:
                own[self.periods[t]] = value
        return own

    def text(self, sheet: _Sheet, row: int, col: int, limit: int = 200) -> str:
        value = self.raw(sheet, row, col)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        text = str(value)
        if len(text) > limit:
            raise WorkbookError(
                f"{self.where(sheet, row, col)} holds {len(text):,} characters; at most {limit}"
            )
        return self.cell_text(sheet, row, col, text, multiline=False)

    def note(self, sheet: _Sheet, row: int, col: int, strip: str = "") -> str:
        found = sheet.notes.get((row, col))
        if isinstance(found, LongText):
            raise WorkbookError(
                f"{self.where(sheet, row, col)}: the note has {found.length:,} characters; "
                f"at most {MAX_NOTE_TEXT:,}"
            )
        if not found:
            return ""
        text = found.replace("\r\n", "\n")
        if strip and text.endswith(strip):
            text = text[: -len(strip)].rstrip("\n")
        return self.cell_text(sheet, row, col, text, multiline=True)

    def cell_of(self, scenario: str, item_id: str, period: int | None) -> str | None:
        """The cell an input or constant of ``scenario`` was read from, for messages."""
        own = next((s for s in self.others if s["scenario"] == scenario), None)
        chosen = self.project_scenarios.get(scenario)
        info = self.base_meta
        if own is not None and chosen is not None:
            overridden = (
                item_id in chosen.values
                if period is None
                else self.periods[period] in chosen.inputs.get(item_id, {})
            )
            info = own if overridden else self.base_meta
        key = "constants" if period is None else "rows"
        row = info.get(key, {}).get(item_id)
        if not isinstance(row, int):
            return None
        col = COL_VALUE if period is None else FIRST_PERIOD_COL + period
        title = self.sheets[str(info["sheet"])].title  # the title now, if it was renamed
        return f"{shortened(title)}!{cell_name(row, col)}"

    # --- the project ----------------------------------------------------------------

    def project(self) -> Project:
        try:
            return self._project()
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(shortened(str(p)) for p in first["loc"])
            raise WorkbookError(f"{self.name}: {where}: {shortened(first['msg'], 200)}") from None
        except (KeyError, TypeError, AttributeError, IndexError, ValueError) as exc:
            if isinstance(exc, WorkbookError):
                raise
            raise WorkbookError(_damaged_meta(self.name, exc)) from None

    def _project(self) -> Project:
        info = self.meta["project"]
        base_sheet = self.sheet(self.base_meta)
        base_formulas = dict(self.base_meta.get("formulas") or {})
        base_is_base = bool(self.base_meta.get("base"))
        structure = f"the hidden {META_SHEET} sheet:"
        for key in ("name", "base_name", "description"):
            self.plain(
                info.get(key), f"{structure} the project's {key}", multiline=key == "description"
            )
        for sheet in self.meta["sheets"]:
            self.plain(sheet.get("scenario"), f"{structure} the scenario name")
            where = f"{structure} the description of scenario '{sheet.get('scenario')}'"
            self.plain(sheet.get("description"), where)
        data = {
            "name": info.get("name", "Imported"),
            "description": info.get("description", ""),
            "base_name": info.get("base_name") if base_is_base else self.base_meta["scenario"],
            "base_description": self.base_meta.get("description", ""),
            "periods": self.periods,
            "reference_period": info.get("reference_period"),
            "groups": info.get("groups", []),
            "uncertainty": info.get("uncertainty", []),
            "correlations": info.get("correlations", []),
        }
        items = [self.item(base_sheet, spec, base_formulas) for spec in self.meta["items"]]
        rounds, contracts = self.tables(base_sheet, self.base_meta, None)
        project = Project(**data, items=items, funding_rounds=rounds, compute_contracts=contracts)
        project.scenarios = [self.scenario(project, s) for s in self.others]
        self.project_scenarios = {s.name: s for s in project.scenarios}
        return project

    def item(self, sheet: _Sheet, spec: dict[str, Any], formulas: dict[str, str]) -> LineItem:
        ident = spec["id"]
        fields = {k: spec[k] for k in ("id", "label", "unit", "group")}
        for key in ("label", "unit"):
            self.plain(fields[key], f"the hidden {META_SHEET} sheet: the {key} of '{ident}'")
        sheet_meta = self.base_meta
        formula = formulas.get(ident, spec.get("formula"))
        if formula is not None:
            row = sheet_meta["rows"][ident]
            if row not in sheet.signed_rows:
                self.check_row(sheet, row, ident)
            note = self.note(sheet, row, COL_LABEL, strip=formula_note_suffix(formula))
            return LineItem(**fields, formula=formula, note=note)
        if spec["kind"] == "constant":
            row = sheet_meta["constants"][ident]
            self.check_row(sheet, row, ident)
            value = self.value(sheet, row, COL_VALUE)
            return LineItem(**fields, value=value, note=self.note(sheet, row, COL_LABEL))
        row = sheet_meta["rows"][ident]
        self.check_row(sheet, row, ident)
        inputs = self.numbers(sheet, row)
        input_notes = {}
        if row in sheet.note_rows:
            for t, period in enumerate(self.periods):
                note = self.note(sheet, row, FIRST_PERIOD_COL + t)
                if note:
                    input_notes[period] = note
        return LineItem(
            **fields, inputs=inputs, note=self.note(sheet, row, COL_LABEL), input_notes=input_notes
        )

    def tables(
        self, sheet: _Sheet, info: dict[str, Any], base: Project | None
    ) -> tuple[list[FundingRound], list[ComputeContract]]:
        base_rounds = {r.id: r for r in base.funding_rounds} if base else {}
        base_contracts = {c.id: c for c in base.compute_contracts} if base else {}
        spare = dict(info.get("spare_rows") or {})
        rounds = []
        for ident, row in sorted(info["round_rows"].items(), key=lambda kv: kv[1]):
            self.check_row(sheet, row, ident)
            base_row = self.base_meta["round_rows"].get(ident)
            values = self.fields(sheet, row, _ROUND_CELLS, base_rounds.get(ident), base_row)
            rounds.append(FundingRound(id=ident, note=self.note(sheet, row, COL_LABEL), **values))
        typed = self.typed_row(sheet, spare.get("round"), "round")
        if typed is not None:
            row, ident = typed
            rounds.append(
                FundingRound(id=ident, **self.fields(sheet, row, _ROUND_CELLS, None, None))
            )
        contracts = []
        for ident, row in sorted(info["contract_rows"].items(), key=lambda kv: kv[1]):
            self.check_row(sheet, row, ident)
            base_row = self.base_meta["contract_rows"].get(ident)
            values = self.fields(sheet, row, _CONTRACT_CELLS, base_contracts.get(ident), base_row)
            contracts.append(
                ComputeContract(id=ident, note=self.note(sheet, row, COL_LABEL), **values)
            )
        typed = self.typed_row(sheet, spare.get("contract"), "contract")
        if typed is not None:
            row, ident = typed
            contracts.append(
                ComputeContract(id=ident, **self.fields(sheet, row, _CONTRACT_CELLS, None, None))
            )
        return rounds, contracts

    def typed_row(self, sheet: _Sheet, row: object, stem: str) -> tuple[int, str] | None:
        """The row under an event table and the id of what was typed there, if anything was.

        The export leaves that row empty: a round or contract typed there in a spreadsheet
        is read as a new one, with the id typed beside it or a new one.
        """
        if row is None:
            return None
        row = row_number(row)
        columns = (COL_LABEL, COL_ID, *range(COL_VALUE, COL_VALUE + EVENT_COLUMNS))
        if all(sheet.cells.get(row, col) in (None, "") for col in columns):
            return None
        typed = self.text(sheet, row, COL_ID) or numbered_id(stem, self.row_ids)
        if typed in self.row_ids or not _ROW_ID.fullmatch(typed):
            used = "is already used" if typed in self.row_ids else "is not a valid id"
            raise WorkbookError(
                f"{self.where(sheet, row, COL_ID)}: the id {_quoted(typed)} {used}; "
                "use letters, digits, _ and -, or leave it empty for a new one"
            )
        self.row_ids.add(typed)
        return row, typed

    def fields(
        self,
        sheet: _Sheet,
        row: int,
        fields: dict[str, tuple[int, str]],
        base_event: Any,
        base_row: int | None,
    ) -> dict[str, Any]:
        """A table row's fields; those that follow ``base_event``, in ``base_row`` of the
        base sheet, take its values."""
        values: dict[str, Any] = {}
        link_row = None if base_event is None else base_row
        for field, (col, kind) in fields.items():
            base = getattr(base_event, field, None)
            if link_row is not None and self.is_link(sheet, row, col, base, link_row):
                values[field] = base
            elif kind == "text":
                values[field] = self.text(sheet, row, col)
            elif kind == "year":
                values[field] = int(self.value(sheet, row, col))
            else:
                values[field] = self.number(sheet, row, col, optional=kind == "optional")
        return values

    def formula_overrides(self, info: dict[str, Any]) -> dict[str, str]:
        """The sheet's formulas that differ from those of the sheet taken as the base."""
        own = dict(info.get("formulas") or {})
        if self.base_meta.get("base"):
            return own
        # the base scenario was not exported: compare with the sheet that stands in for it
        originals = {spec["id"]: spec.get("formula") for spec in self.meta["items"]}
        stand_in = dict(self.base_meta.get("formulas") or {})
        formulas = {}
        for ident, original in originals.items():
            mine = own.get(ident, original)
            theirs = stand_in.get(ident, original)
            if mine is None and theirs is not None:
                raise WorkbookError(
                    f"{self.name}: sheet {_quoted(info['sheet'])} gives inputs for '{ident}' "
                    f"where sheet {_quoted(self.base_meta['sheet'])} has a formula; a scenario "
                    "cannot express that without the base scenario: export the base scenario too"
                )
            if mine is not None and mine != theirs:
                formulas[ident] = mine
        return formulas

    def scenario(self, project: Project, info: dict[str, Any]) -> Scenario:
        sheet = self.sheet(info)
        linked = bool(info.get("linked"))
        formulas = self.formula_overrides(info)
        inputs: dict[str, dict[str, float]] = {}
        values: dict[str, float] = {}
        for item in project.items:
            if item.id in formulas:
                continue
            if item.inputs is not None:
                row = info["rows"][item.id]
                self.check_row(sheet, row, item.id)
                base_row = self.base_meta["rows"][item.id]
                own = self.own_numbers(sheet, row, item.inputs, base_row, linked)
                if own:
                    inputs[item.id] = own
            elif item.value is not None:
                row = info["constants"][item.id]
                self.check_row(sheet, row, item.id)
                base_row = self.base_meta["constants"][item.id]
                if linked and self.is_link(sheet, row, COL_VALUE, item.value, base_row):
                    continue
                value = self.value(sheet, row, COL_VALUE)
                if linked or value != item.value:
                    values[item.id] = value
        rounds, contracts = self.tables(sheet, info, project)
        marked = set(info.get("row_overrides") or [])
        base_rounds = {r.id: r for r in project.funding_rounds}
        base_contracts = {c.id: c for c in project.compute_contracts}
        own_rounds = {r.id: r for r in rounds if r.id in marked or base_rounds.get(r.id) != r}
        own_contracts = {
            c.id: c for c in contracts if c.id in marked or base_contracts.get(c.id) != c
        }
        present = {r.id for r in rounds} | {c.id for c in contracts}
        # a row typed under a table of the base sheet is on no scenario sheet, yet not removed
        exported = {*self.base_meta["round_rows"], *self.base_meta["contract_rows"]}
        removed = [i for i in (*base_rounds, *base_contracts) if i in exported and i not in present]
        return Scenario(
            name=info["scenario"],
            description=info.get("description", ""),
            colour=info.get("colour"),
            inputs=inputs,
            values=values,
            formulas=formulas,
            funding_rounds=own_rounds,
            compute_contracts=own_contracts,
            removed_rows=removed,
            uncertainty=info.get("uncertainty") or [],
        )
