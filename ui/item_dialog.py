"""The dialog that adds a line item or edits one: label, id, unit, group, kind, note, formula."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from planner.commands import Command, CommandError, Macro, SetFormula, SetNote
from planner.formula import FormulaError, check_names, parse
from planner.model import EVENT_SERIES, LineItem
from planner.structure import (
    KIND_NAMES,
    AddItem,
    ChangeItemId,
    Kind,
    MoveItem,
    SetItemKind,
    SetItemText,
    group_title,
    id_problem,
    make_item_id,
    new_item,
)
from ui.document import Document
from ui.style import ERROR_FG

COMMON_UNITS = ("$B", "$M", "GW", "%", "M users", "$/month", "x", "years")


class ItemDialog(QDialog):
    """Add a line item to ``group`` (at ``position``), or edit ``item`` when one is given.

    OK pushes one undo step; a refusal is shown in the dialog, which stays open.
    """

    def __init__(
        self,
        document: Document,
        group: str,
        item: LineItem | None = None,
        position: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.item = item
        self.position = position
        project = document.project
        self.setWindowTitle("Edit line item" if item else "Add line item")
        self.label_edit = QLineEdit(item.label if item else "")
        self.label_edit.setPlaceholderText("e.g. Licensing revenue")
        self.id_edit = QLineEdit(item.id if item else "")
        self.id_edit.setToolTip("How formulas name this item; made from the label")
        self._id_typed = item is not None
        self.unit_combo = QComboBox()
        self.unit_combo.setEditable(True)
        units = dict.fromkeys([*COMMON_UNITS, *(i.unit for i in project.items if i.unit)])
        self.unit_combo.addItems(list(units))
        self.unit_combo.setCurrentText(item.unit if item else "$B")
        self.group_combo = QComboBox()
        for name in project.group_order():
            self.group_combo.addItem(group_title(name), name)
        self.group_combo.setCurrentIndex(max(self.group_combo.findData(group), 0))
        self.kind_combo = QComboBox()
        for kind, name in KIND_NAMES.items():
            self.kind_combo.addItem(name.capitalize(), kind)
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(item.kind if item else "input"))
        self.formula_edit = QLineEdit(item.formula or "" if item else "")
        self.formula_edit.setPlaceholderText("e.g. enterprise_api * 0.1")
        self.note_edit = QPlainTextEdit(item.note if item else "")
        self.note_edit.setPlaceholderText("where the number comes from")
        self.note_edit.setFixedHeight(60)
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {ERROR_FG.name()};")
        form = QFormLayout()
        form.addRow("Label:", self.label_edit)
        form.addRow("Id:", self.id_edit)
        form.addRow("Unit:", self.unit_combo)
        form.addRow("Group:", self.group_combo)
        form.addRow("Kind:", self.kind_combo)
        form.addRow("Formula:", self.formula_edit)
        form.addRow("Source note:", self.note_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        self.label_edit.textChanged.connect(self._label_changed)
        self.id_edit.textEdited.connect(self._id_edited)
        for signal in (self.id_edit.textChanged, self.formula_edit.textChanged):
            signal.connect(self._check)
        self.kind_combo.currentIndexChanged.connect(self._check)
        self._check()

    # --- reading the fields ----------------------------------------------------------

    @property
    def kind(self) -> Kind:
        kind: Kind = self.kind_combo.currentData()
        return kind

    @property
    def group(self) -> str:
        return str(self.group_combo.currentData())

    def _label_changed(self) -> None:
        if not self._id_typed:
            taken = {i.id for i in self.document.project.items}
            label = self.label_edit.text()
            self.id_edit.setText(make_item_id(label, taken) if label.strip() else "")
        self._check()

    def _id_edited(self) -> None:
        self._id_typed = True

    def problem_text(self) -> str:
        """What stops OK, or "" when the fields make a line item."""
        project = self.document.project
        if not self.label_edit.text().strip():
            return "Give the line item a label."
        item_id = self.id_edit.text().strip()
        problem = id_problem(project, item_id, current=self.item.id if self.item else None)
        if problem is not None:
            return problem[0].upper() + problem[1:] + "."
        if self.kind == "formula":
            text = self.formula_edit.text()
            if not text.strip():
                return "Give the formula."
            known = {i.id for i in project.items} | set(EVENT_SERIES) | {item_id}
            try:
                check_names(item_id, parse(text, item_id), known, set(project.group_order()))
            except FormulaError as exc:
                return exc.problem[0].upper() + exc.problem[1:] + "."
        return ""

    def _check(self) -> None:
        self.formula_edit.setEnabled(self.kind == "formula")
        problem = self.problem_text()
        self.problem.setText(problem)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(not problem)

    # --- the edit ------------------------------------------------------------------------

    def command(self) -> Command:
        """The one undo step the fields ask for; CommandError if they cannot make one."""
        label, note = self.label_edit.text(), self.note_edit.toPlainText()
        unit, formula = self.unit_combo.currentText(), self.formula_edit.text()
        item_id = self.id_edit.text().strip()
        if self.item is None:
            item = new_item(
                self.document.project,
                label,
                group=self.group,
                kind=self.kind,
                unit=unit,
                note=note,
                formula=formula,
                item_id=item_id,
            )
            return AddItem(item, self.position)
        old = self.item
        steps: list[Command] = []
        if " ".join(label.split()) != old.label:
            steps.append(SetItemText(old.id, "label", label))
        if unit.strip() != old.unit:
            steps.append(SetItemText(old.id, "unit", unit))
        if note.strip() != old.note:
            steps.append(SetNote(old.id, None, note))
        if self.kind != old.kind:
            steps.append(SetItemKind(old.id, self.kind, formula))
        elif self.kind == "formula" and formula.strip() != old.formula:
            steps.append(SetFormula(None, old.id, formula))
        if self.group != old.group:
            members = [i for i in self.document.project.items if i.group == self.group]
            steps.append(MoveItem(old.id, self.group, len(members)))
        if item_id != old.id:
            steps.append(ChangeItemId(old.id, item_id))
        if not steps:
            raise CommandError("nothing changed")
        return steps[0] if len(steps) == 1 else Macro(tuple(steps), f"Edit {old.label}")

    def submit(self) -> None:
        if self.problem_text():
            return
        try:
            command = self.command()
        except CommandError as exc:
            if str(exc) == "nothing changed":
                self.accept()
                return
            self.problem.setText(str(exc))
            return
        refusals: list[str] = []
        self.document.message.connect(refusals.append)
        try:
            pushed = self.document.push(command)
        finally:
            self.document.message.disconnect(refusals.append)
        if pushed:
            self.accept()
        else:
            self.problem.setText(refusals[-1] if refusals else "Not applied.")
