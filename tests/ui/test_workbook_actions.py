"""File > Export workbook, Import workbook and Import plain sheet, in the real window."""

from __future__ import annotations

import time
from pathlib import Path
from typing import ClassVar

import openpyxl
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QProgressDialog, QPushButton
from pytestqt.qtbot import QtBot

from planner.io.xlsx_export import export_workbook
from planner.io.xlsx_import import import_workbook
from planner.model import Project
from tests.ui.conftest import DialogLog
from ui import import_review, progress_task, workbook_dialogs
from ui.main_window import MainWindow
from ui.workbook_dialogs import PlainSheetPreview


def menu_texts(window: MainWindow) -> list[str]:
    return [a.text() for a in window.file_menu.actions()]


def plain_sheet(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.append(["Line item", 2025, 2026, 2027])
    ws.append(["ChatGPT monthly active users (year average)", 640, 990, 1300])
    ws.append(["Enterprise API", 4, 11, 20])
    ws.append(["Something else", 1, 2, 3])
    workbook.save(path)
    return path


def test_the_file_menu_offers_the_workbook_actions(window: MainWindow) -> None:
    texts = menu_texts(window)
    for text in ("&Export workbook…", "&Import workbook…", "Import plain &sheet into scenario…"):
        assert text in texts


def test_export_writes_the_workbook_and_says_so(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "plan"
    monkeypatch.setattr(workbook_dialogs, "export_file_name", lambda parent, name: str(target))
    window.workbook_actions.export_action.trigger()
    written = tmp_path / "plan.xlsx"
    assert written.is_file()
    imported = import_workbook(written)
    assert imported == window.document.project
    assert "Exported 4 scenarios" in window.statusBar().currentMessage()


def test_the_risk_sheets_use_the_risk_views_samples_and_seed(
    window: MainWindow, tmp_path: Path
) -> None:
    window.risk.live.samples, window.risk.live.seed = 1_000, 7
    written = tmp_path / "risk.xlsx"
    assert window.workbook_actions.export_workbook(str(written))
    sheet = openpyxl.load_workbook(written, read_only=True)["Risk Leaked plan"]
    subtitle = str(sheet.cell(2, 1).value or "") + str(sheet.cell(2, 2).value or "")
    assert "1,000 samples, seed 7" in subtitle


class CancelOnFirstStep(QProgressDialog):
    """The progress dialog as a user who presses Cancel once the export is under way."""

    shown: ClassVar[list[tuple[int, str]]] = []

    def setValue(self, progress: int) -> None:
        super().setValue(progress)
        CancelOnFirstStep.shown.append((progress, self.labelText()))
        if progress > 0 and not self.wasCanceled():
            button = self.findChild(QPushButton)
            assert button is not None and button.text() == "Cancel"
            button.click()


def test_cancelling_an_export_keeps_the_old_file_and_says_so(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dialog_log: DialogLog
) -> None:
    monkeypatch.setattr(progress_task, "QProgressDialog", CancelOnFirstStep)
    CancelOnFirstStep.shown = []
    target = tmp_path / "plan.xlsx"
    target.write_bytes(b"the workbook exported yesterday")

    assert not window.workbook_actions.export_workbook(str(target))

    assert target.read_bytes() == b"the workbook exported yesterday"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.xlsx"]
    assert window.statusBar().currentMessage() == "Export cancelled: plan.xlsx was not written"
    assert dialog_log.errors == []
    assert any(text.startswith("Running the risk of") for _, text in CancelOnFirstStep.shown)
    # The window is usable again: a second export, not cancelled, writes the file.
    monkeypatch.setattr(progress_task, "QProgressDialog", QProgressDialog)
    assert window.workbook_actions.export_workbook(str(target))
    assert import_workbook(target) == window.document.project


def test_the_export_runs_in_the_background_while_the_window_paints(
    window: MainWindow, tmp_path: Path, qtbot: QtBot
) -> None:
    ticks: list[None] = []
    timer = QTimer(window)
    timer.timeout.connect(lambda: ticks.append(None))
    timer.start(5)
    assert window.workbook_actions.export_workbook(str(tmp_path / "plan.xlsx"))
    timer.stop()
    assert len(ticks) >= 3  # the event loop ran while the workbook was written


def test_export_problem_is_reported_not_raised(
    window: MainWindow, tmp_path: Path, dialog_log: DialogLog
) -> None:
    assert not window.workbook_actions.export_workbook(str(tmp_path / "no" / "such" / "x.xlsx"))
    assert dialog_log.errors and "cannot write" in dialog_log.errors[0]


def colleagues_workbook(window: MainWindow, tmp_path: Path) -> tuple[Project, Path]:
    """The window's project under another name, exported as a colleague would send it."""
    project = window.document.project.model_copy(deep=True)
    project.name = "From a colleague"
    path = tmp_path / "colleague.xlsx"
    export_workbook(project, path)
    return project, path


def test_import_as_a_new_project_replaces_the_project_as_unsaved_work(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, path = colleagues_workbook(window, tmp_path)
    monkeypatch.setattr(workbook_dialogs, "import_file_name", lambda parent, title: str(path))
    monkeypatch.setattr(import_review, "review_import", lambda *args: "new")
    window.workbook_actions.import_action.trigger()
    assert window.document.project == project
    assert window.document.is_modified
    assert "Imported colleague.xlsx" in window.statusBar().currentMessage()


def test_a_workbook_is_read_in_the_background_while_the_window_paints(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from planner.io import xlsx_import

    project, path = colleagues_workbook(window, tmp_path)
    real_import = xlsx_import.import_workbook

    def slow_import(source: str) -> object:
        time.sleep(0.3)  # as a large workbook takes seconds
        return real_import(source)

    monkeypatch.setattr(xlsx_import, "import_workbook", slow_import)
    monkeypatch.setattr(import_review, "review_import", lambda *args: "new")
    ticks: list[None] = []
    timer = QTimer(window)
    timer.timeout.connect(lambda: ticks.append(None))
    timer.start(5)
    assert window.workbook_actions.import_workbook(str(path))
    timer.stop()
    assert len(ticks) >= 10  # the event loop ran while the workbook was read
    assert window.document.project == project


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"not a workbook at all", "not an .xlsx workbook"),
        (b"PK\x03\x04" + b"\x00" * 64, "damaged or truncated"),
    ],
)
def test_hostile_files_are_refused_and_the_project_kept(
    window: MainWindow, tmp_path: Path, dialog_log: DialogLog, content: bytes, problem: str
) -> None:
    before = window.document.project.model_copy(deep=True)
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    assert not window.workbook_actions.import_workbook(str(path))
    assert not window.workbook_actions.import_plain_sheet(str(path))
    assert len(dialog_log.errors) == 2
    assert all(problem in error for error in dialog_log.errors)
    assert window.document.project == before


def test_preview_dialog_shows_the_proposed_mapping(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    from planner.io.workbook_plain import propose_mapping, read_plain_sheet

    project = window.document.project
    sheet = read_plain_sheet(plain_sheet(tmp_path / "plain.xlsx"))
    matches = propose_mapping(sheet, project)
    dialog = PlainSheetPreview(sheet, matches, project, "Bear case")
    qtbot.addWidget(dialog)
    assert dialog.model.rowCount() == 3
    assert dialog.model.item(1, 1).text() == "Enterprise API"
    assert dialog.model.item(0, 4).text() == "2025: 640, 2026: 990, 2027: 1,300"
    assert dialog.mapping() == {2: "chatgpt_users", 3: "enterprise_api"}
    assert dialog.scenario() == "Bear case"
    dialog.combos[1].setCurrentIndex(0)  # "(do not import)"
    assert dialog.mapping() == {2: "chatgpt_users"}


def test_plain_sheet_import_is_one_undoable_edit(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = plain_sheet(tmp_path / "plain.xlsx")
    seen = {}

    def accept(parent, sheet, matches, project, scenario):  # type: ignore[no-untyped-def]
        seen["scenario"] = scenario
        return "Bull case", {m.row: m.item_id for m in matches if m.item_id}

    monkeypatch.setattr(workbook_dialogs, "preview_plain_sheet", accept)
    before = window.document.project.model_copy(deep=True)
    assert window.workbook_actions.import_plain_sheet(str(path))
    assert seen["scenario"] == window.document.scenario
    bull = window.document.project.scenario("Bull case")
    assert bull is not None and bull.inputs["chatgpt_users"]["2026"] == 990.0
    assert window.document.results["Bull case"].series("chatgpt_users")[3] == 990.0
    window.document.undo_stack.undo()
    assert window.document.project == before


def test_cancelling_the_preview_changes_nothing(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = plain_sheet(tmp_path / "plain.xlsx")
    monkeypatch.setattr(workbook_dialogs, "preview_plain_sheet", lambda *args: None)
    before = window.document.project.model_copy(deep=True)
    assert not window.workbook_actions.import_plain_sheet(str(path))
    assert window.document.project == before
    assert not window.document.undo_stack.canUndo()
