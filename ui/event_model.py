"""Tables of event rows: funding rounds and compute contracts of the scenario on screen."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from planner.commands import (
    Command,
    EventRow,
    Macro,
    PutRow,
    RemoveRow,
    ResetRow,
    new_contract_years,
    new_row_id,
    row_label,
    with_delivery_year,
)
from planner.model import ComputeContract, FundingRound, validation_problem
from planner.numbers import NumberError, edit_text, format_value, parse_cell
from planner.scenarios import resolve
from ui.document import Document
from ui.item_model import COPY_ROLE, RESET_KEYS, number_format
from ui.style import FORMULA_BG, INPUT_FG, MUTED_FG, OVERRIDE_BG

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    field: str  # a field of the row model, or "post_money" (calculated)
    title: str
    unit: str = ""  # "" for text; "year" for whole years
    optional: bool = False


FUNDING_COLUMNS = (
    Column("period", "Period", "period"),
    Column("investor", "Investor"),
    Column("amount", "Amount ($B)", "$B"),
    Column("pre_money", "Pre-money ($B)", "$B", optional=True),
    Column("post_money", "Post-money ($B)", "$B"),
    Column("tranche_per_gw", "Tranche ($B per GW)", "$B", optional=True),
    Column("note", "Source note"),
)
CONTRACT_COLUMNS = (
    Column("counterparty", "Counterparty"),
    Column("gw", "Capacity (GW)", "GW"),
    Column("total_value", "Total value ($B)", "$B"),
    Column("first_year", "First year", "year"),
    Column("last_year", "Last year", "year"),
    Column("service_years", "Paid over (years)", "year"),
    Column("custom_chip_share", "On custom chips", "%"),
    Column("note", "Source note"),
)


class EventTableModel(QAbstractTableModel):
    """Funding rounds (``kind="funding"``) or compute contracts (``kind="contracts"``)."""

    def __init__(self, document: Document, kind: str) -> None:
        super().__init__()
        self.document = document
        self.kind = kind
        self.columns = FUNDING_COLUMNS if kind == "funding" else CONTRACT_COLUMNS
        self._rows: list[EventRow] = []
        self._reload()
        document.resultsChanged.connect(self._refresh)
        document.projectReplaced.connect(self._refresh)

    def _reload(self) -> None:
        self._rows, self._removed = self._current_rows()

    def _current_rows(self) -> tuple[list[EventRow], set[str]]:
        """The scenario's rows, then the base rows it removed (shown struck out)."""
        project = self.document.project
        resolved = resolve(project, self.document.scenario)
        funding = self.kind == "funding"
        rows: list[EventRow] = list(
            resolved.funding_rounds if funding else resolved.compute_contracts
        )
        scenario = project.scenario(self.document.scenario)
        removed: set[str] = set()
        if scenario is not None:
            base_rows = project.funding_rounds if funding else project.compute_contracts
            for row in base_rows:
                if row.id in scenario.removed_rows:
                    rows.append(row)
                    removed.add(row.id)
        return rows, removed

    def _refresh(self) -> None:
        rows, removed = self._current_rows()
        if [r.id for r in rows] != [r.id for r in self._rows] or removed != self._removed:
            self.beginResetModel()
            self._rows, self._removed = rows, removed
            self.endResetModel()
            return
        self._rows = rows
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, len(self.columns) - 1)
            )

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def row_at(self, row: int) -> EventRow:
        return self._rows[row]

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.columns[section].title
        return self._rows[section].id

    def _overridden(self, row: EventRow) -> bool:
        scenario = self.document.project.scenario(self.document.scenario)
        if scenario is None:
            return False
        return (
            row.id in scenario.funding_rounds
            or row.id in scenario.compute_contracts
            or row.id in self._removed
        )

    def is_removed(self, row: int) -> bool:
        return self._rows[row].id in self._removed

    def _raw(self, row: EventRow, column: Column) -> Any:
        if column.field == "post_money":
            return row.post_money if isinstance(row, FundingRound) else None
        return getattr(row, column.field)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = self.columns[index.column()]
        value = self._raw(row, column)
        numeric = column.unit not in ("", "period")
        if role == Qt.ItemDataRole.DisplayRole:
            if value is None:
                return ""
            if column.unit == "year":
                return str(value)
            return format_value(float(value), column.unit) if numeric else str(value)
        if role in (Qt.ItemDataRole.EditRole, COPY_ROLE):
            if value is None:
                return ""
            if numeric and column.unit != "year":
                suffix = "%" if column.unit == "%" and role == COPY_ROLE else ""
                return edit_text(float(value), column.unit, number_format()[0]) + suffix
            return str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            if self._overridden(row):
                return OVERRIDE_BG
            return FORMULA_BG if column.field == "post_money" else None
        removed = row.id in self._removed
        if role == Qt.ItemDataRole.ForegroundRole:
            if removed:
                return MUTED_FG
            return INPUT_FG if column.field not in ("post_money", "note") else None
        if role == Qt.ItemDataRole.FontRole and self._overridden(row):
            font = QFont()
            font.setStrikeOut(removed)
            font.setBold(not removed)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and removed:
            return f"Removed in '{self.document.scenario}'. {RESET_KEYS} brings it back."
        if role == Qt.ItemDataRole.ToolTipRole:
            if column.field == "post_money":
                return "Pre-money plus amount (calculated)"
            tip = row.note or None
            if self._overridden(row):
                tip = f"Changed in '{self.document.scenario}'.\n{row.note}".strip()
            return tip
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.columns[index.column()].field != "post_money" and not self.is_removed(index.row()):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def _converted(self, column: Column, text: str) -> Any:
        text = text.strip()
        if column.unit in ("", "period"):
            return text
        if not text and column.optional:
            return None
        if column.unit == "year":
            if not text.isdigit():
                raise NumberError(f"'{text}' is not a year")
            return int(text)
        return parse_cell(text, column.unit, *number_format())

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        row = self._rows[index.row()]
        column = self.columns[index.column()]
        if column.field == "post_money":
            return False
        try:
            converted = self._converted(column, str(value))
            new_row: EventRow
            if isinstance(row, ComputeContract) and column.field in ("first_year", "last_year"):
                new_row = with_delivery_year(row, column.field, converted)
            else:
                data = row.model_dump()
                data[column.field] = converted
                new_row = type(row).model_validate(data)
        except NumberError as exc:
            self.document.message.emit(f"{row_label(row)}, {column.title}: {exc}")
            return False
        except ValidationError as exc:
            problem = validation_problem(exc.errors()[0])
            self.document.message.emit(f"{row_label(row)}, {column.title}: {problem}")
            return False
        if not self.document.push(PutRow(self.document.scenario_key, new_row)):
            return False
        self.dataChanged.emit(index, index)
        return True

    def add_row(self) -> int | None:
        """Append a new row (copying the last one's timing); its position, or None if refused."""
        project = self.document.project
        last = self._rows[-1] if self._rows else None
        row: EventRow
        if self.kind == "funding":
            period = last.period if isinstance(last, FundingRound) else project.periods[-1]
            row = FundingRound(
                id=new_row_id(project, "round"), period=period, investor="New investor", amount=0.0
            )
        else:
            first, last = new_contract_years(project)
            row = ComputeContract(
                id=new_row_id(project, "contract"),
                counterparty="New counterparty",
                gw=0.0,
                total_value=0.0,
                first_year=first,
                last_year=last,
            )
        if not self.document.push(PutRow(self.document.scenario_key, row)):
            return None
        self._refresh()
        return len(self._rows) - 1

    def reset_commands(self, rows: list[int]) -> list[Command]:
        """Commands that return the selected overridden base rows to the base version."""
        scenario = self.document.scenario_key
        if scenario is None:
            return []
        base_ids = {r.id for r in self.document.project.funding_rounds} | {
            c.id for c in self.document.project.compute_contracts
        }
        chosen = {self._rows[r].id: self._rows[r] for r in rows}
        return [
            ResetRow(scenario, row_id)
            for row_id, row in sorted(chosen.items())
            if row_id in base_ids and self._overridden(row)
        ]

    def remove_rows(self, rows: list[int]) -> None:
        scenario = self.document.scenario_key
        removals = tuple(RemoveRow(scenario, self._rows[r].id) for r in sorted(set(rows)))
        if removals:
            self.document.push(Macro(removals, "Delete rows"))
        self._refresh()
