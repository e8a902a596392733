"""File > Import workbook into an open project: review the changes, apply them as one step."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from planner.import_diff import ImportDiff, diff_projects
from planner.io.workbook_layout import FIRST_PERIOD_COL
from planner.io.xlsx_export import export_workbook
from planner.io.xlsx_import import import_workbook
from planner.model import FundingRound, LineItem, Project
from ui import import_review, workbook_dialogs
from ui.import_review import ImportReview
from ui.main_window import MainWindow


def row_of(ws: openpyxl.worksheet.worksheet.Worksheet, ident: str) -> int:
    for row in ws.iter_rows(min_col=3, max_col=3):
        if row[0].value == ident:
            return row[0].row
    raise KeyError(ident)


def edited_workbook(project: Project, tmp_path: Path) -> Path:
    """The project's workbook with a value typed on a scenario sheet, as a colleague would."""
    exported = tmp_path / "plan.xlsx"
    export_workbook(project, exported)
    workbook = openpyxl.load_workbook(exported)
    bull = workbook["Bull case"]
    bull.cell(row_of(bull, "chatgpt_users"), FIRST_PERIOD_COL + 1 + 5).value = 1999.0
    path = tmp_path / "edited.xlsx"
    workbook.save(path)
    return path


class Reviews:
    """Stands in for the review dialog: records each list and gives the planned answer."""

    def __init__(self, answer: str | None) -> None:
        self.answer = answer
        self.shown: list[ImportDiff] = []
        self.no_changes: list[str] = []

    def review(self, parent: object, diff: ImportDiff, workbook: str, project: str) -> str | None:
        self.shown.append(diff)
        return self.answer

    def nothing(self, parent: object, workbook: str, project: str) -> None:
        self.no_changes.append(workbook)


@pytest.fixture
def reviews(monkeypatch: pytest.MonkeyPatch) -> Reviews:
    found = Reviews("apply")
    monkeypatch.setattr(import_review, "review_import", found.review)
    monkeypatch.setattr(import_review, "tell_no_changes", found.nothing)
    return found


def test_accepting_applies_the_workbook_as_one_undoable_step(
    window: MainWindow, tmp_path: Path, reviews: Reviews
) -> None:
    document = window.document
    original = document.project.model_copy(deep=True)
    path = edited_workbook(original, tmp_path)
    imported = import_workbook(path)

    assert window.workbook_actions.import_workbook(str(path))

    (diff,) = reviews.shown
    assert [(c.scenario, c.where, c.old, c.new) for c in diff.changes] == [
        ("Bull case", "2028", "1,450 (base)", "1,999")
    ]
    assert document.project == imported
    assert document.results["Bull case"].series("chatgpt_users")[5] == 1999.0
    assert document.undo_stack.count() == 1
    assert document.undo_stack.undoText() == "Import edited.xlsx"
    assert document.is_modified and document.path is None
    assert "Applied 1 change from edited.xlsx" in window.statusBar().currentMessage()
    document.undo_stack.undo()
    assert document.project == original
    assert document.results["Bull case"].series("chatgpt_users")[5] == 1450.0
    document.undo_stack.redo()
    assert document.project == imported


def test_cancelling_the_review_changes_nothing(
    window: MainWindow, tmp_path: Path, reviews: Reviews
) -> None:
    reviews.answer = None
    original = window.document.project.model_copy(deep=True)
    assert not window.workbook_actions.import_workbook(str(edited_workbook(original, tmp_path)))
    assert len(reviews.shown) == 1
    assert window.document.project == original
    assert not window.document.undo_stack.canUndo() and not window.document.is_modified


def test_a_workbook_that_changes_nothing_says_so(
    window: MainWindow, tmp_path: Path, reviews: Reviews
) -> None:
    path = tmp_path / "same.xlsx"
    export_workbook(window.document.project, path)
    assert not window.workbook_actions.import_workbook(str(path))
    assert reviews.no_changes == ["same.xlsx"] and reviews.shown == []
    assert "same.xlsx changes nothing" in window.statusBar().currentMessage()
    assert not window.document.undo_stack.canUndo()


def test_rows_and_line_items_added_by_the_import_show_in_the_tables_and_undo_removes_them(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, reviews: Reviews
) -> None:
    document = window.document
    original = document.project.model_copy(deep=True)
    changed = original.model_copy(deep=True)
    changed.items.append(
        LineItem(id="headcount", label="Headcount", unit="k", group="drivers", value=3.0)
    )
    changed.funding_rounds.append(
        FundingRound(id="r_new", period="2028", investor="Sovereign fund", amount=40.0)
    )
    path = tmp_path / "grown.xlsx"
    export_workbook(changed, path)
    drivers = window.tables.item_view("drivers").model()
    rows_before = drivers.rowCount()
    rounds = window.tables.funding_tab
    rounds_before = rounds.model.rowCount()

    # the table is rebuilt for its new row, not merely repainted
    with qtbot.waitSignal(drivers.modelReset, timeout=1000):
        assert window.workbook_actions.import_workbook(str(path))

    assert document.project == import_workbook(path)
    assert drivers.rowCount() == rows_before + 1
    assert drivers.item_at(rows_before).label == "Headcount"
    assert rounds.model.rowCount() == rounds_before + 1
    with qtbot.waitSignal(drivers.modelReset, timeout=1000):
        document.undo_stack.undo()
    assert document.project == original
    assert drivers.rowCount() == rows_before
    assert rounds.model.rowCount() == rounds_before


def test_import_as_new_project_keeps_its_old_way(
    window: MainWindow, tmp_path: Path, reviews: Reviews
) -> None:
    reviews.answer = "new"
    path = edited_workbook(window.document.project, tmp_path)
    assert window.workbook_actions.import_workbook(str(path))
    assert window.document.project == import_workbook(path)
    assert not window.document.undo_stack.canUndo()


def test_the_menu_action_opens_the_review(
    window: MainWindow, tmp_path: Path, reviews: Reviews, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = edited_workbook(window.document.project, tmp_path)
    monkeypatch.setattr(workbook_dialogs, "import_file_name", lambda parent, title: str(path))
    window.workbook_actions.import_action.trigger()
    assert len(reviews.shown) == 1 and window.document.undo_stack.count() == 1


# --- the dialog ------------------------------------------------------------------------


@pytest.fixture
def diff(builtin: Project) -> ImportDiff:
    changed = builtin.model_copy(deep=True)
    users = changed.item("chatgpt_users")
    assert users.inputs is not None
    users.inputs = [v + 10 for v in users.inputs]
    changed.item("total_costs").formula = "sum_of(costs) * 1.1"
    changed.funding_rounds[0].amount += 1
    return diff_projects(builtin, changed)


@pytest.fixture
def builtin() -> Project:
    from planner.builtin import builtin_project

    return builtin_project()


def review(qtbot: QtBot, diff: ImportDiff) -> ImportReview:
    dialog = ImportReview(diff, "edited.xlsx", "plan.burnrate")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_the_dialog_lists_every_change_with_counts_per_kind(
    qtbot: QtBot, qtmodeltester: ModelTester, diff: ImportDiff
) -> None:
    dialog = review(qtbot, diff)
    qtmodeltester.check(dialog.model)
    assert dialog.model.rowCount() == len(diff) == 15
    kinds = [dialog.kind_box.itemText(n) for n in range(dialog.kind_box.count())]
    assert kinds == [
        "All changes (15)",
        "Inputs and single values (13)",
        "Formulas (1)",
        "Funding rounds (1)",
    ]
    first = [dialog.model.index(0, column).data() for column in range(7)]
    assert first == [
        "Input or single value",
        "Leaked plan",
        "ChatGPT monthly active users (year average)",
        "2023",
        "M users",
        "100",
        "110",
    ]
    assert (
        dialog.model.index(0, 6).data(Qt.ItemDataRole.TextAlignmentRole)
        & Qt.AlignmentFlag.AlignRight
    )
    assert (
        dialog.model.index(0, 2).data(Qt.ItemDataRole.TextAlignmentRole)
        & Qt.AlignmentFlag.AlignLeft
    )
    assert dialog.shown.text() == "Showing all 15 changes"


def test_searching_and_choosing_a_kind_narrow_the_list(qtbot: QtBot, diff: ImportDiff) -> None:
    dialog = review(qtbot, diff)
    qtbot.keyClick(dialog, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert dialog.focusWidget() is dialog.search
    qtbot.keyClicks(dialog.search, "chatgpt 203")
    assert dialog.proxy.rowCount() == 6  # 2030 to 2035
    assert dialog.shown.text() == "Showing 6 of 15"
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)  # to the list, not an answer
    assert dialog.isVisible() and dialog.choice is None and dialog.focusWidget() is dialog.view
    dialog.search.clear()
    dialog.kind_box.setCurrentIndex(2)
    assert dialog.proxy.rowCount() == 1
    assert dialog.proxy.index(0, 2).data() == "Total costs"


def test_apply_is_the_default_and_escape_cancels(qtbot: QtBot, diff: ImportDiff) -> None:
    dialog = review(qtbot, diff)
    assert dialog.apply_button.isDefault()
    qtbot.keyClick(dialog.view, Qt.Key.Key_Return)
    assert dialog.choice == "apply" and not dialog.isVisible()
    dialog = review(qtbot, diff)
    qtbot.keyClick(dialog.view, Qt.Key.Key_Escape)
    assert dialog.choice is None and not dialog.isVisible()
    dialog = review(qtbot, diff)
    dialog.new_button.click()
    assert dialog.choice == "new"


def test_a_workbook_of_another_model_defaults_to_a_project_of_its_own(
    qtbot: QtBot, builtin: Project
) -> None:
    other = builtin.model_copy(deep=True)
    other.items = other.items[:3]
    dialog = review(qtbot, diff_projects(builtin, other))
    assert dialog.new_button.isDefault() and not dialog.apply_button.isDefault()
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None and buttons.button(QDialogButtonBox.StandardButton.Cancel)
