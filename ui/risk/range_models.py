"""Table models of the Uncertainty tab: the ranges of the scenario on screen, and the
correlations between them.

Thin adapters in the manner of the other tables: ``data`` reads the project,
``setData`` builds a command of :mod:`planner.risk_commands` and pushes it, so
every edit is one undo step, validated exactly as the project file is.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from planner.commands import Command
from planner.model import Correlation, Uncertainty
from planner.numbers import NumberError, parse_number
from planner.range_text import RangeTextError, format_range, parse_range
from planner.risk_commands import (
    DISTRIBUTIONS,
    PutCorrelation,
    PutRange,
    RemoveCorrelation,
    RemoveRange,
    describe_risk,
)
from planner.uncertainty import ranges_for
from ui.document import Document
from ui.item_model import COPY_ROLE, EDITABLE, READ_ONLY, RIGHT_ALIGNED, number_format
from ui.style import INPUT_FG, OVERRIDE_BG

Index = QModelIndex | QPersistentModelIndex
DEFAULT_RANGE = ("triangular", 0.8, 1.2)  # what a new row starts as, before it is edited

DISTRIBUTION_HELP = {
    "triangular": "low, likeliest at 1, high",
    "uniform": "any factor from low to high alike",
    "pert": "Beta-PERT: smoother than a triangle, likeliest at 1",
    "lognormal": "low and high are the 5th and 95th percentiles",
}


def _bold() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


class _RiskTable(QAbstractTableModel):
    """Shared plumbing: reload on every change, push commands named by their labels."""

    headers: tuple[str, ...] = ()

    def __init__(self, document: Document) -> None:
        super().__init__()
        self.document = document
        self._reload()
        document.changed.connect(self._refresh)
        document.projectReplaced.connect(self._refresh)
        document.scenarioChanged.connect(self._refresh)

    def _reload(self) -> None:
        raise NotImplementedError

    def _keys(self) -> list[object]:
        raise NotImplementedError

    def _refresh(self, *_: object) -> None:
        before = self._keys()
        self._reload()
        if self._keys() != before:
            self.beginResetModel()
            self.endResetModel()
        elif self.rowCount():
            self.dataChanged.emit(
                self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1)
            )

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None

    def label(self, item_id: str) -> str:
        try:
            return self.document.project.item(item_id).label
        except KeyError:
            return item_id

    def push(self, command: Command) -> bool:
        return self.document.push(command, describe_risk(self.document.project, command))

    def refuse(self, text: str) -> bool:
        self.document.message.emit(f"Not applied: {text}")
        return False


class RangeTableModel(_RiskTable):
    """The effective ranges of the scenario on screen; a scenario's own ranges are marked."""

    headers = ("Input", "Distribution", "Low", "High", "Source note")
    ITEM, DISTRIBUTION, LOW, HIGH, NOTE = range(5)

    def _reload(self) -> None:
        document = self.document
        self._ranges: list[Uncertainty] = list(ranges_for(document.project, document.scenario_key))
        scenario = document.project.scenario(document.scenario)
        self._own = {r.item for r in scenario.uncertainty} if scenario is not None else set()
        self._base = {r.item for r in document.project.uncertainty}

    def _keys(self) -> list[object]:
        return [r.item for r in self._ranges]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ranges)

    def range_at(self, row: int) -> Uncertainty:
        return self._ranges[row]

    def row_of(self, item_id: str) -> int | None:
        items = self._keys()
        return items.index(item_id) if item_id in items else None

    def is_overridden(self, row: int) -> bool:
        """The scenario on screen sets this range itself (replacing or adding to the base)."""
        return self._ranges[row].item in self._own

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        spec = self._ranges[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, COPY_ROLE):
            point = number_format()[0]
            values = {
                self.ITEM: self.label(spec.item),
                self.DISTRIBUTION: spec.distribution,
                self.LOW: f"{spec.low:.10g}".replace(".", point),
                self.HIGH: f"{spec.high:.10g}".replace(".", point),
                self.NOTE: spec.note,
            }
            if role == Qt.ItemDataRole.DisplayRole and column == self.NOTE:
                return " ".join(spec.note.split())  # one line in the table; whole in the tooltip
            return values[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (self.LOW, self.HIGH):
            return RIGHT_ALIGNED
        if role == Qt.ItemDataRole.BackgroundRole and self.is_overridden(index.row()):
            return OVERRIDE_BG
        if role == Qt.ItemDataRole.FontRole and self.is_overridden(index.row()):
            return _bold()
        if role == Qt.ItemDataRole.ForegroundRole and column != self.ITEM:
            return INPUT_FG
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(index.row(), column)
        return None

    def _tooltip(self, row: int, column: int) -> str:
        spec = self._ranges[row]
        lines = [
            f"{self.label(spec.item)} ({spec.item}): {spec.distribution} factor "
            f"{format_range(spec.low, spec.high)}"
        ]
        if column == self.DISTRIBUTION:
            lines.append(DISTRIBUTION_HELP[spec.distribution])
        if column in (self.LOW, self.HIGH):
            lines.append("Type one factor, or both as '0.8 to 1.2'.")
        if self.is_overridden(row):
            where = "replaces the base's" if spec.item in self._base else "adds to the base"
            lines.append(f"Set in '{self.document.scenario}': {where} range.")
        if spec.note:
            lines.append(spec.note)
        return "\n".join(lines)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return READ_ONLY if index.column() == self.ITEM else EDITABLE

    # --- editing -----------------------------------------------------------------------

    def edited(self, row: int, column: int, text: str) -> Uncertainty:
        """The range of ``row`` with ``column`` set to typed ``text``; ValueError if it cannot be.

        Typing two factors ("0.8 to 1.2") in the low or the high cell sets both.
        """
        spec = self._ranges[row]
        fields = spec.model_dump()
        point, group = number_format()
        if column == self.DISTRIBUTION:
            chosen = text.strip().lower()
            if chosen not in DISTRIBUTIONS:
                raise ValueError(
                    f"'{text.strip()}' is not a distribution; use {', '.join(DISTRIBUTIONS)}"
                )
            fields["distribution"] = chosen
        elif column in (self.LOW, self.HIGH):
            try:
                fields["low"], fields["high"] = parse_range(text, point, group)
            except RangeTextError:
                try:
                    value = parse_number(text, point, group)
                except NumberError as exc:
                    raise ValueError(str(exc)) from None
                factor = value.value / 100 if value.percent else value.value
                fields["low" if column == self.LOW else "high"] = factor
        elif column == self.NOTE:
            fields["note"] = text.strip()
        else:
            raise ValueError("the input of a range is chosen when the range is added")
        return Uncertainty.model_construct(**fields)  # PutRange validates it as the file does

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        label = self.label(self._ranges[index.row()].item)
        try:
            spec = self.edited(index.row(), index.column(), str(value))
        except ValueError as exc:
            return self.refuse(f"{label}: {exc}")
        if spec == self._ranges[index.row()]:
            return True
        return self.push(PutRange(self.document.scenario_key, spec))

    def add_range(self, item_id: str) -> int | None:
        """Give ``item_id`` a range (triangular 0.8 to 1.2 to start); its row, or None."""
        distribution, low, high = DEFAULT_RANGE
        spec = Uncertainty.model_construct(
            item=item_id, distribution=distribution, low=low, high=high, note=""
        )
        if not self.push(PutRange(self.document.scenario_key, spec)):
            return None
        return self.row_of(item_id)

    def remove_rows(self, rows: list[int]) -> bool:
        """Delete the chosen ranges (in a scenario: drop its own, back to the base's)."""
        key = self.document.scenario_key
        items = [self._ranges[r].item for r in sorted(set(rows)) if 0 <= r < len(self._ranges)]
        if key is not None:
            inherited = [i for i in items if i not in self._own]
            if inherited:
                return self.refuse(
                    f"the range of {self.label(inherited[0])} comes from the base scenario;"
                    " delete it there"
                )
        if not items:
            return False
        if len(items) == 1:
            return self.push(RemoveRange(key, items[0]))
        from planner.commands import Macro

        commands = tuple(RemoveRange(key, i) for i in items)
        verb = "Delete" if key is None else "Reset"
        return self.document.push(Macro(commands, f"{verb} {len(items)} ranges"))

    def candidates(self) -> list[tuple[str, str]]:
        """(id, label) of inputs and constants without a range here, in model order."""
        document = self.document
        scenario = document.project.scenario(document.scenario)
        formulas = scenario.formulas if scenario is not None else {}
        ranged = set(self._keys())
        return [
            (item.id, item.label)
            for item in document.project.items
            if item.kind != "formula" and item.id not in formulas and item.id not in ranged
        ]


class CorrelationTableModel(_RiskTable):
    """Rank correlations between pairs of uncertain inputs (the project's, in every scenario)."""

    headers = ("Input", "with", "Rank correlation", "Source note")
    FIRST, SECOND, RANK, NOTE = range(4)

    def _reload(self) -> None:
        self._correlations: list[Correlation] = list(self.document.project.correlations)

    def _keys(self) -> list[object]:
        return [c.items for c in self._correlations]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._correlations)

    def correlation_at(self, row: int) -> Correlation:
        return self._correlations[row]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        correlation = self._correlations[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, COPY_ROLE):
            if column in (self.FIRST, self.SECOND):
                return self.label(correlation.items[column])
            if column == self.RANK:
                text = f"{correlation.rank:.10g}".replace(".", number_format()[0])
                return text if role != Qt.ItemDataRole.DisplayRole else f"{correlation.rank:+.2f}"
            if role == Qt.ItemDataRole.DisplayRole:
                return " ".join(correlation.note.split())
            return correlation.note
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.RANK:
            return RIGHT_ALIGNED
        if role == Qt.ItemDataRole.ForegroundRole and column in (self.RANK, self.NOTE):
            return INPUT_FG
        if role == Qt.ItemDataRole.ToolTipRole:
            a, b = (self.label(i) for i in correlation.items)
            tip = (
                f"{a} and {b} move together with rank correlation {correlation.rank:+.2f}"
                " (-1 to 1); each keeps its own range."
            )
            return tip + (f"\n{correlation.note}" if correlation.note else "")
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return EDITABLE if index.column() in (self.RANK, self.NOTE) else READ_ONLY

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        old = self._correlations[index.row()]
        fields = old.model_dump()
        if index.column() == self.RANK:
            point, group = number_format()
            try:
                parsed = parse_number(str(value), point, group)
            except NumberError as exc:
                return self.refuse(f"rank correlation: {exc}")
            fields["rank"] = parsed.value / 100 if parsed.percent else parsed.value
        elif index.column() == self.NOTE:
            fields["note"] = str(value).strip()
        else:
            return False
        new = Correlation.model_construct(**fields)
        if new == old:
            return True
        return self.push(PutCorrelation(new))

    def add_correlation(self, first: str, second: str, rank: float, note: str = "") -> bool:
        correlation = Correlation.model_construct(items=(first, second), rank=rank, note=note)
        return self.push(PutCorrelation(correlation))

    def remove_rows(self, rows: list[int]) -> bool:
        pairs = [self._correlations[r].items for r in sorted(set(rows)) if 0 <= r < self.rowCount()]
        if not pairs:
            return False
        if len(pairs) == 1:
            return self.push(RemoveCorrelation(pairs[0]))
        from planner.commands import Macro

        commands = tuple(RemoveCorrelation(p) for p in pairs)
        return self.document.push(Macro(commands, f"Delete {len(pairs)} correlations"))

    def candidates(self) -> list[tuple[str, str]]:
        """(id, label) of the inputs that may be correlated: those with a range in the base."""
        return [(r.item, self.label(r.item)) for r in self.document.project.uncertainty]
