"""Import a workbook that Burnrate exported, including one edited in Excel or LibreOffice.

The hidden structure sheet says which rows hold which line items and event
rows and what the formulas are; the values and notes come from the visible
cells, so edits made in a spreadsheet are honoured. On a scenario sheet a cell
that still links to the base sheet follows the base; a cell holding a value is
the scenario's own override.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from planner.formula import FormulaError
from planner.io.workbook_layout import (
    COL_ID,
    COL_LABEL,
    COL_VALUE,
    FIRST_PERIOD_COL,
    META_FORMAT,
    META_SHEET,
    cell_name,
)
from planner.io.workbook_safety import MAX_CELL_TEXT, WorkbookError, check_archive
from planner.model import (
    ComputeContract,
    FundingRound,
    LineItem,
    Project,
    Scenario,
    check_text,
)
from planner.scenarios import ProjectError

__all__ = ["WorkbookError", "import_workbook", "open_workbook"]


def open_workbook(path: str | os.PathLike[str]) -> Any:
    """Check ``path`` and load it with openpyxl (formulas as text, comments included)."""
    import openpyxl

    check_archive(path)
    name = Path(path).name
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(path, data_only=False)
    except Exception as exc:  # openpyxl raises many types for damaged parts
        kind = type(exc).__name__
        raise WorkbookError(f"{name} cannot be read as a workbook ({kind}: {exc})") from None


def import_workbook(path: str | os.PathLike[str]) -> Project:
    """Rebuild the project of a workbook Burnrate exported; raise :class:`WorkbookError`."""
    workbook = open_workbook(path)
    name = Path(path).name
    if META_SHEET not in workbook.sheetnames:
        raise WorkbookError(
            f"{name} was not exported by Burnrate (it has no {META_SHEET} sheet); "
            "use Import plain sheet to read its numbers into a scenario"
        )
    meta = _read_meta(workbook[META_SHEET], name)
    try:
        project = _Reader(workbook, meta, name).project()
    except (KeyError, TypeError, AttributeError, IndexError, ValueError) as exc:
        if isinstance(exc, WorkbookError):
            raise
        raise WorkbookError(
            f"{name}: the hidden {META_SHEET} sheet does not describe this workbook "
            f"({type(exc).__name__}: {exc})"
        ) from None
    from planner.io.project_file import check_project

    try:
        check_project(project)
    except (ProjectError, FormulaError) as exc:
        raise WorkbookError(f"{name}: {exc}") from None
    return project


def _read_meta(ws: Any, name: str) -> dict[str, Any]:
    chunks = []
    for row in range(2, ws.max_row + 1):
        value = ws.cell(row, 1).value
        if not isinstance(value, str):
            break
        chunks.append(value)
    try:
        meta = json.loads("".join(chunks))
    except (ValueError, RecursionError):
        raise WorkbookError(f"{name}: the hidden {META_SHEET} sheet is damaged") from None
    if not isinstance(meta, dict) or meta.get("format") != META_FORMAT:
        raise WorkbookError(f"{name}: the hidden {META_SHEET} sheet is not Burnrate's")
    if not isinstance(meta.get("sheets"), list) or not meta["sheets"]:
        raise WorkbookError(f"{name}: the {META_SHEET} sheet lists no scenario sheets")
    return meta


class _Reader:
    """Reads values and notes from the visible sheets following the structure sheet."""

    def __init__(self, workbook: Any, meta: dict[str, Any], name: str) -> None:
        self.workbook = workbook
        self.meta = meta
        self.name = name
        self.periods: list[str] = list(meta["project"]["periods"])
        sheets = meta["sheets"]
        self.base_meta = next((s for s in sheets if s.get("base")), sheets[0])
        self.others = [s for s in sheets if s is not self.base_meta]

    # --- cells ----------------------------------------------------------------------

    def sheet(self, info: dict[str, Any]) -> Any:
        title = info["sheet"]
        if title not in self.workbook.sheetnames:
            raise WorkbookError(f"{self.name}: the sheet '{title}' is missing")
        return self.workbook[title]

    def where(self, ws: Any, row: int, col: int) -> str:
        return f"{self.name}: cell {ws.title}!{cell_name(row, col)}"

    def plain(self, text: Any, where: str, *, multiline: bool = False) -> Any:
        """``text`` if a project may hold it; else a WorkbookError saying where it is."""
        if isinstance(text, str):
            try:
                check_text(text, multiline=multiline)
            except ValueError as exc:
                raise WorkbookError(f"{self.name}: {where} {exc}") from None
        return text

    def cell_text(self, ws: Any, row: int, col: int, text: str, *, multiline: bool) -> str:
        where = f"cell {ws.title}!{cell_name(row, col)}" + (": the note" if multiline else "")
        checked: str = self.plain(text, where, multiline=multiline)
        return checked

    def check_row(self, ws: Any, row: int, ident: str) -> None:
        found = ws.cell(row + 1, COL_ID + 1).value
        if found != ident:
            raise WorkbookError(
                f"{self.where(ws, row, COL_ID)} should hold the id '{ident}' but holds "
                f"{found!r}; rows were inserted, deleted or moved"
            )

    def raw(self, ws: Any, row: int, col: int) -> Any:
        value = ws.cell(row + 1, col + 1).value
        if isinstance(value, str) and len(value) > MAX_CELL_TEXT:
            raise WorkbookError(
                f"{self.where(ws, row, col)} holds {len(value):,} characters; "
                f"at most {MAX_CELL_TEXT:,}"
            )
        return value

    def is_link(self, ws: Any, row: int, col: int) -> bool:
        value = self.raw(ws, row, col)
        return isinstance(value, str) and value.startswith("=")

    def number(self, ws: Any, row: int, col: int, *, optional: bool = False) -> float | None:
        value = self.raw(ws, row, col)
        if value is None or (optional and value == ""):
            if optional:
                return None
            raise WorkbookError(f"{self.where(ws, row, col)} is empty; a number is needed")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise WorkbookError(f"{self.where(ws, row, col)} holds {value!r}, not a number")
        number = float(value)
        if not math.isfinite(number):
            raise WorkbookError(f"{self.where(ws, row, col)} is not a finite number ({number})")
        return number

    def value(self, ws: Any, row: int, col: int) -> float:
        """A required number."""
        number = self.number(ws, row, col)
        assert number is not None
        return number

    def text(self, ws: Any, row: int, col: int, limit: int = 200) -> str:
        value = self.raw(ws, row, col)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        text = str(value)
        if len(text) > limit:
            raise WorkbookError(
                f"{self.where(ws, row, col)} holds {len(text):,} characters; at most {limit}"
            )
        return self.cell_text(ws, row, col, text, multiline=False)

    def note(self, ws: Any, row: int, col: int, strip: str = "") -> str:
        comment = ws.cell(row + 1, col + 1).comment
        if comment is None or not comment.text:
            return ""
        text: str = comment.text.replace("\r\n", "\n")
        if strip and text.endswith(strip):
            text = text[: -len(strip)].rstrip("\n")
        if len(text) > 4000:
            raise WorkbookError(
                f"{self.where(ws, row, col)}: the note has {len(text):,} characters; at most 4,000"
            )
        return self.cell_text(ws, row, col, text, multiline=True)

    # --- the project ----------------------------------------------------------------

    def project(self) -> Project:
        info = self.meta["project"]
        base_ws = self.sheet(self.base_meta)
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
        }
        try:
            items = [self.item(base_ws, spec, base_formulas) for spec in self.meta["items"]]
            rounds, contracts = self.tables(base_ws, self.base_meta, None)
            project = Project(
                **data, items=items, funding_rounds=rounds, compute_contracts=contracts
            )
            project.scenarios = [self.scenario(project, s) for s in self.others]
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise WorkbookError(f"{self.name}: {where}: {first['msg']}") from None
        return project

    def item(self, ws: Any, spec: dict[str, Any], formulas: dict[str, str]) -> LineItem:
        ident = spec["id"]
        fields = {k: spec[k] for k in ("id", "label", "unit", "group")}
        for key in ("label", "unit"):
            self.plain(fields[key], f"the hidden {META_SHEET} sheet: the {key} of '{ident}'")
        sheet_meta = self.base_meta
        formula = formulas.get(ident, spec.get("formula"))
        if formula is not None:
            row = sheet_meta["rows"][ident]
            self.check_row(ws, row, ident)
            note = self.note(ws, row, COL_LABEL, strip=f"Formula: {formula}")
            return LineItem(**fields, formula=formula, note=note)
        if spec["kind"] == "constant":
            row = sheet_meta["constants"][ident]
            self.check_row(ws, row, ident)
            value = self.value(ws, row, COL_VALUE)
            return LineItem(**fields, value=value, note=self.note(ws, row, COL_LABEL))
        row = sheet_meta["rows"][ident]
        self.check_row(ws, row, ident)
        inputs = []
        input_notes = {}
        for t, period in enumerate(self.periods):
            inputs.append(self.value(ws, row, FIRST_PERIOD_COL + t))
            note = self.note(ws, row, FIRST_PERIOD_COL + t)
            if note:
                input_notes[period] = note
        return LineItem(
            **fields, inputs=inputs, note=self.note(ws, row, COL_LABEL), input_notes=input_notes
        )

    def tables(
        self, ws: Any, info: dict[str, Any], base: Project | None
    ) -> tuple[list[FundingRound], list[ComputeContract]]:
        base_rounds = {r.id: r for r in base.funding_rounds} if base else {}
        base_contracts = {c.id: c for c in base.compute_contracts} if base else {}
        rounds = []
        for ident, row in sorted(info["round_rows"].items(), key=lambda kv: kv[1]):
            self.check_row(ws, row, ident)
            fields = {
                "investor": (COL_LABEL, "text"),
                "period": (COL_VALUE, "text"),
                "amount": (COL_VALUE + 1, "number"),
                "pre_money": (COL_VALUE + 2, "optional"),
                "tranche_per_gw": (COL_VALUE + 3, "optional"),
            }
            values = self.fields(ws, row, fields, base_rounds.get(ident))
            rounds.append(FundingRound(id=ident, note=self.note(ws, row, COL_LABEL), **values))
        contracts = []
        for ident, row in sorted(info["contract_rows"].items(), key=lambda kv: kv[1]):
            self.check_row(ws, row, ident)
            fields = {
                "counterparty": (COL_LABEL, "text"),
                "gw": (COL_VALUE, "number"),
                "total_value": (COL_VALUE + 1, "number"),
                "first_year": (COL_VALUE + 2, "year"),
                "last_year": (COL_VALUE + 3, "year"),
                "custom_chip_share": (COL_VALUE + 4, "number"),
                "service_years": (COL_VALUE + 5, "year"),
            }
            values = self.fields(ws, row, fields, base_contracts.get(ident))
            contracts.append(
                ComputeContract(id=ident, note=self.note(ws, row, COL_LABEL), **values)
            )
        return rounds, contracts

    def fields(
        self, ws: Any, row: int, fields: dict[str, tuple[int, str]], base_row: Any
    ) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for field, (col, kind) in fields.items():
            if base_row is not None and self.is_link(ws, row, col):
                values[field] = getattr(base_row, field)
            elif kind == "text":
                values[field] = self.text(ws, row, col)
            elif kind == "year":
                values[field] = int(self.value(ws, row, col))
            else:
                values[field] = self.number(ws, row, col, optional=kind == "optional")
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
                    f"{self.name}: sheet '{info['sheet']}' gives inputs for '{ident}' where "
                    f"sheet '{self.base_meta['sheet']}' has a formula; a scenario cannot "
                    "express that without the base scenario: export the base scenario too"
                )
            if mine is not None and mine != theirs:
                formulas[ident] = mine
        return formulas

    def scenario(self, project: Project, info: dict[str, Any]) -> Scenario:
        ws = self.sheet(info)
        linked = bool(info.get("linked"))
        formulas = self.formula_overrides(info)
        inputs: dict[str, dict[str, float]] = {}
        values: dict[str, float] = {}
        for item in project.items:
            if item.id in formulas:
                continue
            if item.inputs is not None:
                row = info["rows"][item.id]
                self.check_row(ws, row, item.id)
                for t, period in enumerate(self.periods):
                    col = FIRST_PERIOD_COL + t
                    if linked and self.is_link(ws, row, col):
                        continue
                    value = self.value(ws, row, col)
                    if linked or value != item.inputs[t]:
                        inputs.setdefault(item.id, {})[period] = value
            elif item.value is not None:
                row = info["constants"][item.id]
                self.check_row(ws, row, item.id)
                if linked and self.is_link(ws, row, COL_VALUE):
                    continue
                value = self.value(ws, row, COL_VALUE)
                if linked or value != item.value:
                    values[item.id] = value
        rounds, contracts = self.tables(ws, info, project)
        marked = set(info.get("row_overrides") or [])
        base_rounds = {r.id: r for r in project.funding_rounds}
        base_contracts = {c.id: c for c in project.compute_contracts}
        own_rounds = {r.id: r for r in rounds if r.id in marked or base_rounds.get(r.id) != r}
        own_contracts = {
            c.id: c for c in contracts if c.id in marked or base_contracts.get(c.id) != c
        }
        present = {r.id for r in rounds} | {c.id for c in contracts}
        removed = [i for i in (*base_rounds, *base_contracts) if i not in present]
        return Scenario(
            name=info["scenario"],
            description=info.get("description", ""),
            inputs=inputs,
            values=values,
            formulas=formulas,
            funding_rounds=own_rounds,
            compute_contracts=own_contracts,
            removed_rows=removed,
        )
