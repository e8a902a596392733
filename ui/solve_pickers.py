"""The two halves of a goal-seek question, picked by label: what to vary, and the target.

Both are fed by the scenario being solved (its items, periods, rounds and contracts)
and turn the choice into planner objects; incomplete or unreadable choices raise
:class:`planner.solve.SolveError` with a message for the dialog to show.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QWidget,
)

from planner.commands import row_label
from planner.model import EVENT_SERIES, LineItem, Project, period_year
from planner.numbers import NumberError, parse_number
from planner.scenarios import ResolvedScenario
from planner.solve import (
    AtMost,
    BreakevenBy,
    CashNeverBelowZero,
    CashZeroChance,
    ConstantValue,
    EventTerm,
    InputCell,
    RowGrowth,
    RowScale,
    SeriesValue,
    SolveError,
    Target,
    Variable,
)
from planner.uncertainty import ranges_for
from ui import style
from ui.appearance import palette_is_dark

VARY_KINDS = (
    ("factor", "Input rows, scaled by one factor"),
    ("cell", "One input cell"),
    ("growth", "Growth of an input row, from a period on"),
    ("value", "A constant"),
    ("amount", "A funding round's amount"),
    ("total_value", "A compute contract's total value"),
    ("gw", "A compute contract's GW"),
)
TARGET_KINDS = (
    ("cash", "Cash never below zero"),
    ("breakeven", "Break-even (burn at or below zero from then on)"),
    ("peak", "Peak funding need at most"),
    ("burn", "Cumulative burn at most"),
    ("series", "A line item's value in a period"),
    ("chance", "Chance that cash runs out, at most"),
)
TO_THE_END = "the end"


def number(text: str, what: str) -> float:
    try:
        return parse_number(text).value
    except NumberError as exc:
        raise SolveError(f"{what}: {exc}") from None


def _shown(item: LineItem) -> str:
    return f"{item.label} ({item.unit})" if item.unit else item.label


def _combo(parent: QWidget) -> QComboBox:
    combo = QComboBox(parent)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(24)
    return combo


def _fill(combo: QComboBox, entries: list[tuple[str, str]]) -> None:
    """Replace the entries (text, data), keeping the chosen one where it is still there."""
    kept = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    for text, data in entries:
        combo.addItem(text, data)
    found = combo.findData(kept)
    combo.setCurrentIndex(found if found >= 0 else 0)
    combo.blockSignals(False)


class _Rows(QGridLayout):
    """Caption and field pairs, one per row, each shown only when it applies."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setContentsMargins(0, 0, 0, 0)
        self.setColumnStretch(1, 1)
        self.captions: dict[QWidget, QLabel] = {}

    def add(self, caption: str, field: QWidget) -> None:
        label = QLabel(caption)
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        row = self.rowCount()
        self.addWidget(label, row, 0)
        self.addWidget(field, row, 1)
        self.captions[field] = label

    def show_only(self, fields: set[QWidget], captions: dict[QWidget, str]) -> None:
        for field, label in self.captions.items():
            field.setVisible(field in fields)
            label.setVisible(field in fields)
            if field in captions:
                label.setText(captions[field])


class VariablePicker(QWidget):
    """What to vary: a kind, then the rows, item, period or event row it needs."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = _combo(self)
        for key, text in VARY_KINDS:
            self.kind.addItem(text, key)
        self.rows = QListWidget(self)
        self.rows.setMaximumHeight(110)
        self.rows.setToolTip(
            "Tick the rows to scale; all ticked rows move by the same factor in every "
            "period after the reference period (the actual figures stay)"
        )
        if palette_is_dark(self.rows.palette()):
            # Fusion outlines a check box in a darker shade of the window colour, which
            # vanishes on a dark list: a lighter shade shows the boxes not ticked.
            palette = self.rows.palette()
            palette.setColor(QPalette.ColorRole.Window, style.MUTED_FG)
            self.rows.setPalette(palette)
        self.item = _combo(self)
        self.period = _combo(self)
        self.event_row = _combo(self)
        layout = _Rows(self)
        layout.add("Vary", self.kind)
        layout.add("Rows", self.rows)
        layout.add("Row", self.item)
        layout.add("Period", self.period)
        layout.add("Round", self.event_row)
        self.layout_rows = layout
        self.resolved: ResolvedScenario | None = None
        self.kind.currentIndexChanged.connect(self._kind_changed)
        for combo in (self.item, self.period, self.event_row):
            combo.currentIndexChanged.connect(self.changed)
        self.rows.itemChanged.connect(self.changed)

    def set_scenario(self, resolved: ResolvedScenario) -> None:
        first = self.resolved is None
        self.resolved = resolved
        self.rows.blockSignals(True)
        checked = {
            self.rows.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.rows.count())
            if self.rows.item(i).checkState() == Qt.CheckState.Checked
        }
        if first:
            # A revenue row is the usual first question: "how much more would it need?"
            revenue = [i.id for i in resolved.items if i.kind == "input" and i.group == "revenue"]
            checked = set(revenue[:1])
        self.rows.clear()
        for item in resolved.items:
            if item.kind == "formula":
                continue
            entry = QListWidgetItem(_shown(item))
            entry.setData(Qt.ItemDataRole.UserRole, item.id)
            entry.setFlags(entry.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            entry.setCheckState(
                Qt.CheckState.Checked if item.id in checked else Qt.CheckState.Unchecked
            )
            self.rows.addItem(entry)
        self.rows.blockSignals(False)
        ticked = [
            self.rows.item(i)
            for i in range(self.rows.count())
            if self.rows.item(i).checkState() == Qt.CheckState.Checked
        ]
        if ticked:
            self.rows.scrollToItem(ticked[0], QListWidget.ScrollHint.PositionAtCenter)
        self._kind_changed()

    def _kind_changed(self) -> None:
        resolved = self.resolved
        if resolved is None:
            return
        kind = self.kind.currentData()
        wanted = "constant" if kind == "value" else "input"
        _fill(
            self.item,
            [
                (f"{i.label} ({i.unit})" if i.unit else i.label, i.id)
                for i in resolved.items
                if i.kind == wanted
            ],
        )
        periods = list(resolved.periods[1:] if kind == "growth" else resolved.periods)
        _fill(self.period, [(p, p) for p in periods])
        events = resolved.funding_rounds if kind == "amount" else resolved.compute_contracts
        _fill(self.event_row, [(row_label(row), row.id) for row in events])
        shown: set[QWidget] = {self.kind}
        if kind == "factor":
            shown.add(self.rows)
        elif kind in ("cell", "growth"):
            shown |= {self.item, self.period}
        elif kind == "value":
            shown.add(self.item)
        else:
            shown.add(self.event_row)
        captions: dict[QWidget, str] = {
            self.period: "From" if kind == "growth" else "Period",
            self.event_row: "Round" if kind == "amount" else "Contract",
            self.item: "Constant" if kind == "value" else "Row",
        }
        self.layout_rows.show_only(shown, captions)
        self.changed.emit()

    def variable(self) -> Variable:
        kind = self.kind.currentData()
        if kind == "factor":
            ids = tuple(
                str(self.rows.item(i).data(Qt.ItemDataRole.UserRole))
                for i in range(self.rows.count())
                if self.rows.item(i).checkState() == Qt.CheckState.Checked
            )
            if not ids:
                raise SolveError("tick at least one row to scale")
            return RowScale(ids)
        if kind in ("amount", "total_value", "gw"):
            row_id = self.event_row.currentData()
            if row_id is None:
                what = "funding rounds" if kind == "amount" else "compute contracts"
                raise SolveError(f"this scenario has no {what}")
            return EventTerm(str(row_id), kind)
        item_id = self.item.currentData()
        if item_id is None:
            raise SolveError(
                "this scenario has no " + ("constants" if kind == "value" else "input rows")
            )
        if kind == "value":
            return ConstantValue(str(item_id))
        period = str(self.period.currentData())
        return (
            InputCell(str(item_id), period) if kind == "cell" else RowGrowth(str(item_id), period)
        )


class TargetPicker(QWidget):
    """The target: a kind, then its year, limit, series, period or chance."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = _combo(self)
        for key, text in TARGET_KINDS:
            self.kind.addItem(text, key)
        self.year = _combo(self)
        self.series = _combo(self)
        self.period = _combo(self)
        self.comparison = _combo(self)
        for text, op in (("at most", "<="), ("at least", ">="), ("equal to", "=")):
            self.comparison.addItem(text, op)
        self.amount = QLineEdit(self)
        self.amount.setPlaceholderText("a number, e.g. 250")
        self.chance = QLineEdit("5%", self)
        layout = _Rows(self)
        layout.add("Target", self.kind)
        layout.add("Through", self.year)
        layout.add("Line item", self.series)
        layout.add("Period", self.period)
        layout.add("Is", self.comparison)
        layout.add("Limit ($B)", self.amount)
        layout.add("Chance", self.chance)
        self.layout_rows = layout
        self.project: Project | None = None
        self.resolved: ResolvedScenario | None = None
        self.kind.currentIndexChanged.connect(self._kind_changed)
        for combo in (self.year, self.series, self.period, self.comparison):
            combo.currentIndexChanged.connect(self.changed)
        self.amount.textChanged.connect(self.changed)
        self.chance.textChanged.connect(self.changed)

    def set_scenario(self, project: Project, resolved: ResolvedScenario) -> None:
        self.project = project
        self.resolved = resolved
        chance = self.kind.model().item(self.kind.findData("chance"))
        chance.setEnabled(bool(ranges_for(project, resolved.name)))
        chance.setToolTip(
            "" if project.uncertainty else "The project defines no ranges to draw from"
        )
        series = [(i.label, i.id) for i in resolved.items]
        series += [(label, sid) for sid, (label, _) in EVENT_SERIES.items()]
        _fill(self.series, series)
        _fill(self.period, [(p, p) for p in resolved.periods])
        self._kind_changed()

    def _kind_changed(self) -> None:
        if self.resolved is None:
            return
        kind = self.kind.currentData()
        years = sorted({period_year(p) for p in self.resolved.periods})
        entries = [(str(y), str(y)) for y in years]
        _fill(self.year, [(TO_THE_END, ""), *entries] if kind == "cash" else entries)
        shown: set[QWidget] = {self.kind}
        if kind in ("cash", "breakeven", "chance"):
            shown.add(self.year)
        if kind == "chance":
            shown.add(self.chance)
        if kind in ("peak", "burn"):
            shown.add(self.amount)
        if kind == "series":
            shown |= {self.series, self.period, self.comparison, self.amount}
        captions: dict[QWidget, str] = {
            self.year: "By" if kind in ("breakeven", "chance") else "Through",
            self.amount: "Value" if kind == "series" else "Limit ($B)",
        }
        self.layout_rows.show_only(shown, captions)
        self.changed.emit()

    def target(self) -> Target:
        kind = self.kind.currentData()
        year_text = str(self.year.currentData() or "")
        if kind == "cash":
            return CashNeverBelowZero(int(year_text) if year_text else None)
        if kind == "breakeven":
            return BreakevenBy(int(year_text))
        if kind in ("peak", "burn"):
            limit = number(self.amount.text(), "the limit")
            return AtMost("peak_funding_need" if kind == "peak" else "cumulative_burn", limit)
        if kind == "series":
            value = number(self.amount.text(), "the value")
            series, period = str(self.series.currentData()), str(self.period.currentData())
            return SeriesValue(series, period, self.comparison.currentData(), value)
        assert self.project is not None
        try:
            parsed = parse_number(self.chance.text())
        except NumberError:
            raise SolveError("the chance: give one such as 5% or 0.05") from None
        chance = parsed.value / 100 if parsed.percent else parsed.value
        if not 0 <= chance <= 1:
            raise SolveError("the chance is from 0% to 100%")
        assert self.resolved is not None
        return CashZeroChance.of_scenario(self.project, self.resolved.name, int(year_text), chance)
