"""The strip of KPI cards above the charts."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontMetrics, QPalette, QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from planner.kpis import KpiValue, format_kpi, reference_year
from ui.document import Document
from ui.style import ERROR_FG

CARDS = (
    ("cash_zero", "Cash runs out", "first month below zero"),
    ("breakeven_year", "Break-even year", "burn ≤ 0 from then on"),
    ("cumulative_burn", "Cumulative burn", "costs − revenue, all years"),
    ("total_raised", "Total raised", "all funding in the horizon"),
    ("peak_funding_need", "Peak funding need", "largest cumulative burn"),
    ("commitments_to_revenue", "Commitments / revenue", "contracts ÷ {ref} revenue"),
)


CAPTIONS = {kpi: caption for kpi, _, caption in CARDS}
VALUE_STYLE = "font-size: {size}px; font-weight: 600;"
# A long figure ("not in horizon") in a narrow card takes the next smaller size that fits.
VALUE_SIZES = (20, 17, 14, 12)


class KpiCard(QFrame):
    def __init__(self, title: str, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Colours come from the palette, so the cards follow light and dark mode.
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.title = self._label(title, "font-size: 11px;", QPalette.ColorRole.PlaceholderText)
        self.value = self._label(
            "", VALUE_STYLE.format(size=VALUE_SIZES[0]), QPalette.ColorRole.Text
        )
        self.value_size = VALUE_SIZES[0]
        # A new figure must not make the window lay itself out again.
        self.value.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.value.setMinimumHeight(26)
        self.alarm = False
        self.caption = self._label(caption, "font-size: 10px;", QPalette.ColorRole.PlaceholderText)
        self.caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        # Two lines, wrapped: a narrow card (a 1024-pixel window) shows the whole caption.
        self.caption.setWordWrap(True)
        self.caption.setFixedHeight(2 * self.caption.fontMetrics().lineSpacing() + 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 4)
        layout.setSpacing(0)
        layout.addWidget(self.title)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)

    @staticmethod
    def _label(text: str, style: str, role: QPalette.ColorRole) -> QLabel:
        label = QLabel(text)
        label.setStyleSheet(style)
        label.setForegroundRole(role)
        return label

    def show_value(self, text: str, alarm: bool = False) -> None:
        if text != self.value.text():
            self.value.setText(text)
        self._style_value(alarm, self._fitting_size())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._style_value(self.alarm, self._fitting_size())

    def _fitting_size(self) -> int:
        """The largest of the value sizes at which the figure fits the card's width."""
        width = self.contentsRect().width() - 20  # the layout's side margins
        font = QFont(self.value.font())
        font.setWeight(QFont.Weight.DemiBold)
        for size in VALUE_SIZES:
            font.setPixelSize(size)
            if QFontMetrics(font).horizontalAdvance(self.value.text()) <= width:
                return size
        return VALUE_SIZES[-1]

    def _style_value(self, alarm: bool, size: int) -> None:
        # Style sheets are costly to re-apply: only when the colour or size changes.
        if alarm != self.alarm or size != self.value_size:
            self.alarm, self.value_size = alarm, size
            tint = f" color: {ERROR_FG.name()};" if alarm else ""
            self.value.setStyleSheet(VALUE_STYLE.format(size=size) + tint)


class KpiStrip(QWidget):
    """Six cards for the scenario on screen; updated from the document's results."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.cards: dict[str, KpiCard] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for kpi, title, caption in CARDS:
            card = KpiCard(title, caption)
            self.cards[kpi] = card
            layout.addWidget(card)
        self.values: dict[str, KpiValue] = {}

    def update_cards(self) -> None:
        document = self.document
        result = document.result
        self.values = document.kpis()
        base_name = document.project.base_name
        base = document.kpis(base_name) if document.scenario != base_name else None
        reference = reference_year(result.periods, result.resolved.reference_period)
        for kpi, card in self.cards.items():
            value = self.values[kpi]
            alarm = (kpi == "cash_zero" and value is not None) or (
                kpi == "breakeven_year" and value is None
            )
            text = format_kpi(kpi, value)
            card.show_value(text, alarm)
            # Beside a scenario's figure, the base's: the comparison people make first.
            caption = (
                f"{base_name}: {format_kpi(kpi, base[kpi])}"
                if base is not None
                else CAPTIONS[kpi].format(ref=reference)
            )
            if card.caption.text() != caption:
                card.caption.setText(caption)
                card.setToolTip(f"{card.title.text()}: {text} ({document.scenario})")
