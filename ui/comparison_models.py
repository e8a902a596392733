"""Table models of the Compare and Overrides tabs: thin adapters over planner.comparison
and planner.overrides, refreshed after every edit."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from planner.comparison import ComparedFigure, ComparedKpi, compare_kpis
from planner.overrides import Override, list_overrides
from planner.scenario_colours import scenario_colours
from ui import style
from ui.document import Document
from ui.item_model import READ_ONLY, RIGHT_ALIGNED
from ui.style import swatch

Index = QModelIndex | QPersistentModelIndex
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
DIFFERENCE_HEADER = "vs base"


def _bold() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


class KpiComparisonModel(QAbstractTableModel):
    """One row per key figure; per scenario a column of figures and one of differences.

    The base has no difference column: it is what the others are measured against.
    """

    def __init__(self, document: Document) -> None:
        super().__init__()
        self.document = document
        # The rows, the columns as (scenario, is the difference), the scenarios' colours.
        self._rows, self._columns, self._colours = self._compute()
        document.resultsChanged.connect(self.refresh)
        document.scenariosChanged.connect(self.refresh)
        document.projectReplaced.connect(self.refresh)

    def _compute(
        self,
    ) -> tuple[tuple[ComparedKpi, ...], list[tuple[str, bool]], dict[str, str]]:
        project = self.document.project
        names = project.scenario_names
        kpis = {name: self.document.kpis(name) for name in names if name in self.document.results}
        base = project.base_name
        rows = compare_kpis(kpis, base) if base in kpis else ()
        columns = [(base, False)]
        for name in kpis:
            if name != base:
                columns += [(name, False), (name, True)]
        return rows, columns, scenario_colours(project)

    def refresh(self) -> None:
        rows, columns, colours = self._compute()
        if columns != self._columns or len(rows) != len(self._rows):
            self.beginResetModel()
            self._rows, self._columns, self._colours = rows, columns, colours
            self.endResetModel()
            return
        self._rows, self._colours = rows, colours
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1)
            )
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 1 + len(self._columns)

    def scenario_at(self, column: int) -> str | None:
        """The scenario a column shows (its figures or its differences); None for the labels."""
        return self._columns[column - 1][0] if column >= 1 else None

    def is_difference(self, column: int) -> bool:
        return column >= 1 and self._columns[column - 1][1]

    def figure(self, row: int, column: int) -> ComparedFigure:
        scenario = self.scenario_at(column)
        return next(f for f in self._rows[row].figures if f.scenario == scenario)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or section >= self.columnCount():
            return None
        name = self.scenario_at(section)
        on_screen = name == self.document.scenario
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return LEFT if name is None else RIGHT_ALIGNED
        if role == Qt.ItemDataRole.DisplayRole:
            if name is None:
                return "Key figure"
            return DIFFERENCE_HEADER if self.is_difference(section) else name
        if role == Qt.ItemDataRole.DecorationRole and name and not self.is_difference(section):
            return swatch(self._colours.get(name, "#888888"))
        if role == Qt.ItemDataRole.FontRole and on_screen:
            return _bold()
        if role == Qt.ItemDataRole.ToolTipRole and name is not None:
            base = self.document.project.base_name
            if self.is_difference(section):
                return f"{name} minus {base}: green is better, red is worse"
            if name == base:
                return f"{name}: the base, which the other scenarios are measured against"
            return f"{name}: click to show it"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        compared = self._rows[row]
        if column == 0:
            if role == Qt.ItemDataRole.DisplayRole:
                return compared.label
            if role == Qt.ItemDataRole.ToolTipRole:
                return compared.definition
            return None
        figure = self.figure(row, column)
        difference = self.is_difference(column)
        if role == Qt.ItemDataRole.DisplayRole:
            return figure.difference_text if difference else figure.text
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT_ALIGNED
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(compared.kpi, figure, difference)
        if role == Qt.ItemDataRole.FontRole and figure.scenario == self.document.scenario:
            return _bold()
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(compared, figure, difference)
        return None

    @staticmethod
    def _foreground(kpi: str, figure: ComparedFigure, difference: bool) -> QColor | None:
        if difference:
            return {
                "better": style.BETTER_FG,
                "worse": style.ERROR_FG,
                "same": style.MUTED_FG,
                "undefined": style.MUTED_FG,
            }.get(figure.verdict)
        alarm = (kpi == "cash_zero" and figure.value is not None) or (
            kpi == "breakeven_year" and figure.value is None
        )
        return style.ERROR_FG if alarm else None

    def _tooltip(self, compared: ComparedKpi, figure: ComparedFigure, difference: bool) -> str:
        base = compared.figures[0]
        if not difference:
            return f"{figure.scenario}: {compared.label} {figure.text}"
        if figure.verdict == "undefined":
            return (
                f"No difference to give: {base.scenario} {base.text}, "
                f"{figure.scenario} {figure.text}"
            )
        verdict = {"better": " (better)", "worse": " (worse)"}.get(figure.verdict, "")
        return (
            f"{figure.scenario} {figure.text} against {base.scenario} {base.text}: "
            f"{figure.difference_text}{verdict}"
        )

    def flags(self, index: Index) -> Qt.ItemFlag:
        return READ_ONLY if index.isValid() else Qt.ItemFlag.NoItemFlags


OVERRIDE_COLUMNS = ("Line item or row", "Period", "Base", "Scenario")


class OverrideListModel(QAbstractTableModel):
    """What the scenario on screen overrides, one line per cell, formula or row."""

    def __init__(self, document: Document) -> None:
        super().__init__()
        self.document = document
        self._overrides = self._current()
        self._scenario = document.scenario
        for signal in (
            document.resultsChanged,
            document.scenarioChanged,
            document.scenariosChanged,
            document.projectReplaced,
        ):
            signal.connect(self.refresh)

    def _current(self) -> list[Override]:
        project = self.document.project
        if self.document.scenario not in project.scenario_names:
            return []
        return list_overrides(project, self.document.scenario)

    def refresh(self) -> None:
        overrides = self._current()
        if overrides != self._overrides or self._scenario != self.document.scenario:
            self.beginResetModel()
            self._overrides = overrides
            self._scenario = self.document.scenario
            self.endResetModel()

    def override_at(self, row: int) -> Override:
        return self._overrides[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._overrides)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(OVERRIDE_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if section == 2:
            return f"{self.document.project.base_name} (base)"
        if section == 3:
            return self.document.scenario
        return OVERRIDE_COLUMNS[section]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        override = self._overrides[index.row()]
        column = index.column()
        texts = (override.label, override.period, override.base_text, override.scenario_text)
        if role == Qt.ItemDataRole.DisplayRole:
            return texts[column]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT_ALIGNED if column >= 2 and not _is_text(override) else LEFT
        if role == Qt.ItemDataRole.BackgroundRole and column == 3:
            return style.OVERRIDE_BG
        if role == Qt.ItemDataRole.ForegroundRole and column == 2:
            return style.MUTED_FG
        if role == Qt.ItemDataRole.ToolTipRole:
            where = f" in {override.period}" if override.period else ""
            return (
                f"{override.label}{where}: {override.base_text} in the base, "
                f"{override.scenario_text} here ({override.change}). "
                "Click or press Enter to go to it."
            )
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return READ_ONLY if index.isValid() else Qt.ItemFlag.NoItemFlags


def _is_text(override: Override) -> bool:
    """Formulas and rows read as text, left-aligned; numbers line up on the right."""
    return override.location.table != "items"
