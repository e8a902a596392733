"""Files: saving and opening, a broken file, the recovery copy after a crash, the screenshot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from planner import recovery
from planner.builtin import builtin_project
from planner.io.project_file import load_project, project_json
from planner.model import Project
from tests.planner.crashed_sessions import Unsaved, leave_orphans
from ui import dialogs
from ui.item_model import ItemTableModel
from ui.main_window import MainWindow

from .conftest import DialogLog

ROOT = Path(__file__).resolve().parents[2]


def edit_users(window: MainWindow, value: str) -> None:
    model = window.tables.item_views["drivers"].model()
    assert isinstance(model, ItemTableModel)
    assert model.setData(model.index(0, 5), value)


def test_save_then_open_round_trips(window: MainWindow, tmp_path: Path) -> None:
    edit_users(window, "4321")
    target = tmp_path / "plan.burnrate"
    assert window.files.save_to(target)
    assert not window.isWindowModified()
    assert "plan.burnrate" in window.windowTitle()
    assert load_project(target).item("chatgpt_users").inputs[3] == 4321  # type: ignore[index]
    window.document.replace_project(builtin_project(), None, unsaved=False)
    assert window.files.open_path(target)
    assert window.document.project.item("chatgpt_users").inputs[3] == 4321  # type: ignore[index]
    assert window.files.recent_files()[0] == str(target.resolve())


def test_a_broken_file_leaves_the_open_project_as_it_was(
    window: MainWindow, tmp_path: Path, dialog_log: DialogLog
) -> None:
    edit_users(window, "777")
    before = project_json(window.document.project)
    broken = tmp_path / "broken.burnrate"
    for content in (b"{not json", b'{"schema_version": 1, "periods": []}', b"\xff\xfe"):
        broken.write_bytes(content)
        dialog_log.errors.clear()
        assert not window.files.open_path(broken, ask=False)
        assert len(dialog_log.errors) == 1 and "broken.burnrate" in dialog_log.errors[0]
        assert project_json(window.document.project) == before
        assert window.isWindowModified()
    missing = tmp_path / "missing.burnrate"
    assert not window.files.open_path(missing, ask=False)
    assert "cannot read" in dialog_log.errors[-1]


def start_window(qtbot: QtBot, settings: QSettings, recovery_dir: Path) -> MainWindow:
    window = MainWindow(builtin_project(), settings=settings, recovery_dir=recovery_dir)
    qtbot.addWidget(window)
    return window


def named(name: str) -> Project:
    project = builtin_project()
    project.name = name
    return project


def test_every_crashed_copy_is_offered_until_restored_or_discarded(
    qtbot: QtBot, settings: QSettings, recovery_dir: Path, dialog_log: DialogLog
) -> None:
    leave_orphans(
        recovery_dir,
        [
            Unsaved(named("Oldest"), None, 1_700_000_000),
            Unsaved(named("Middle"), "/somewhere/middle.burnrate", 1_750_000_000),
            Unsaved(named("Newest"), None, 1_780_000_000),
        ],
    )
    first = start_window(qtbot, settings, recovery_dir)
    dialog_log.recovery_answers = [("discard", "Oldest"), ("restore", "Middle")]
    assert first.files.offer_recovery()
    assert dialog_log.recovery_offers == [["Newest", "Middle", "Oldest"]]
    assert first.document.project.name == "Middle"
    assert first.document.path == Path("/somewhere/middle.burnrate")
    assert first.isWindowModified()
    # The restored work is this window's copy now; the copy left alone stays an orphan.
    assert [c.project_name for c in recovery.orphans(recovery_dir)] == ["Newest"]
    first.files.flush_recovery()
    assert load_project(first.files.recovery.copy_path).name == "Middle"
    first.document.undo_stack.setClean()
    first.files.closing()

    second = start_window(qtbot, settings, recovery_dir)
    dialog_log.recovery_answers = []  # "Not now"
    assert not second.files.offer_recovery()
    assert dialog_log.recovery_offers[-1] == ["Newest"]
    second.files.closing()
    assert [c.project_name for c in recovery.orphans(recovery_dir)] == ["Newest"]

    third = start_window(qtbot, settings, recovery_dir)
    dialog_log.recovery_answers = [("discard", "Newest")]
    assert not third.files.offer_recovery()
    assert third.document.project.name == builtin_project().name
    third.files.closing()
    assert list(recovery_dir.iterdir()) == []


def test_a_copy_that_cannot_be_read_is_kept_and_the_problem_shown(
    qtbot: QtBot, settings: QSettings, recovery_dir: Path, dialog_log: DialogLog
) -> None:
    recovery_dir.mkdir()
    broken = recovery_dir / "recovery-broken.burnrate"
    broken.write_text("{half a proj")
    window = start_window(qtbot, settings, recovery_dir)
    dialog_log.recovery_answers = [("restore", "Untitled")]
    assert not window.files.offer_recovery()
    assert "could not be opened" in dialog_log.errors[-1]
    assert broken.exists()
    assert not window.isWindowModified()


def test_a_recovery_copy_is_written_seconds_after_the_last_edit(
    qtbot: QtBot, window: MainWindow
) -> None:
    files = window.files
    timer = files.recovery_timer
    assert files.write_recovery() is None  # nothing unsaved yet
    edit_users(window, "555")
    assert timer.isActive() and timer.isSingleShot() and timer.interval() <= 3000
    files.flush_recovery()
    assert not files.recovery.copy_path.exists()  # not written by the edit itself
    timer.stop()
    edit_users(window, "556")
    assert timer.isActive()  # every edit starts the wait again
    qtbot.waitUntil(files.recovery.copy_path.exists, timeout=20_000)
    copy = load_project(files.recovery.copy_path)
    assert copy.item("chatgpt_users").inputs[3] == 556  # type: ignore[index]
    window.document.undo_stack.undo()
    window.document.undo_stack.undo()
    files.flush_recovery()
    assert not files.recovery.copy_path.exists()  # back to the saved state: nothing to keep


def test_a_recovery_copy_that_cannot_be_written_is_reported_in_the_status_bar(
    qtbot: QtBot, settings: QSettings, tmp_path: Path
) -> None:
    in_the_way = tmp_path / "not a folder"
    in_the_way.write_text("")
    window = MainWindow(builtin_project(), settings=settings, recovery_dir=in_the_way)
    qtbot.addWidget(window)
    edit_users(window, "123")
    with qtbot.waitSignal(window.document.message) as reported:
        written = window.files.write_recovery()
        assert written is not None and written.result() is False
    assert "Could not write a recovery copy" in reported.args[0]
    window.document.undo_stack.setClean()


def test_a_failed_save_shows_why_and_keeps_the_work(
    window: MainWindow, tmp_path: Path, dialog_log: DialogLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "plan.burnrate"
    assert window.files.save_to(target)
    target.chmod(0o444)
    before = target.read_bytes()
    edit_users(window, "999")
    assert not window.files.save()
    assert "read-only" in dialog_log.errors[-1]
    assert target.read_bytes() == before
    assert window.isWindowModified() and window.document.path == target
    monkeypatch.setattr(dialogs, "save_file_name", lambda parent, suggested: "/nowhere/x")
    assert not window.files.save_as()
    assert "/nowhere/x.burnrate was not saved" in dialog_log.errors[-1]
    assert "the folder /nowhere does not exist" in dialog_log.errors[-1]
    assert window.isWindowModified() and window.document.path == target
    assert window.document.project.item("chatgpt_users").inputs[3] == 999  # type: ignore[index]


PROBE = """
import runpy, sys
sys.argv = ["main.py", "--screenshot", sys.argv[1]]
try:
    runpy.run_path("main.py", run_name="__main__")
except SystemExit as done:
    status = done.code
heavy = [m for m in ("pandas", "xlsxwriter", "openpyxl") if m in sys.modules]
print("heavy:", ",".join(heavy))
sys.exit(status)
"""


def test_screenshot_renders_the_window_offscreen_without_heavy_imports(tmp_path: Path) -> None:
    out = tmp_path / "shot.png"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    assert "heavy: \n" in done.stdout  # pandas, XlsxWriter and openpyxl stay off start-up
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert (image.width(), image.height()) == (1400, 900)


def test_chart_saves_as_png(window: MainWindow, tmp_path: Path) -> None:
    window.show()
    out = tmp_path / "cash.png"
    window.charts[1].save_png(out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_closing_with_unsaved_changes_asks_and_can_be_cancelled(
    window: MainWindow, dialog_log: DialogLog
) -> None:
    window.show()
    edit_users(window, "888")
    dialog_log.save_answer = "cancel"
    assert not window.close()
    assert window.isVisible()
    dialog_log.save_answer = "discard"
    assert window.close()


def test_dropping_a_project_file_opens_it(window: MainWindow, tmp_path: Path) -> None:
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    edited = builtin_project()
    edited.item("chatgpt_users").inputs[3] = 2222  # type: ignore[index]
    target = tmp_path / "dropped.burnrate"
    from planner.io.project_file import save_project

    save_project(edited, target)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(target))])
    drop = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(drop)
    assert window.document.path == target
    assert window.document.project.item("chatgpt_users").inputs[3] == 2222  # type: ignore[index]


def test_opening_a_project_with_other_groups_rebuilds_the_tables(
    window: MainWindow, tmp_path: Path
) -> None:
    from tests.planner.helpers import make_project

    small = make_project(
        [
            {"id": "revenue", "inputs": [1.0, 2.0, 3.0, 4.0], "group": "sales"},
            {"id": "total_costs", "inputs": [2.0, 2.0, 2.0, 2.0], "group": "spend"},
            {"id": "funding", "inputs": [5.0, 0.0, 0.0, 0.0], "group": "spend"},
            {"id": "burn", "formula": "total_costs - revenue", "group": "spend"},
            {"id": "cash", "formula": "prev(cash) + funding - burn", "group": "spend"},
            {"id": "capacity_gw", "value": 1.0, "unit": "GW", "group": "spend"},
            {"id": "compute_cost", "value": 1.0, "group": "spend"},
        ]
    )
    window.document.replace_project(small, None)
    window.document.flush()
    assert set(window.tables.item_views) == {"sales", "spend"}
    assert window.charts[0].costs.yData.tolist() == [2.0, 2.0, 2.0, 2.0]  # type: ignore[attr-defined]
    assert window.isWindowModified()
    assert window.kpis.cards["cash_zero"].value.text() == "never"


def test_the_recovery_dialog_discards_row_by_row_and_returns_the_copy_to_restore(
    qtbot: QtBot, tmp_path: Path
) -> None:
    from PySide6.QtWidgets import QDialog, QPushButton

    copies = [
        recovery.RecoveryCopy(tmp_path / f"recovery-{n}.burnrate", None, None, f"Work {n}")
        for n in range(3)
    ]
    discarded: list[recovery.RecoveryCopy] = []

    def discard(copy: recovery.RecoveryCopy) -> bool:
        discarded.append(copy)
        return True

    dialog = dialogs.RecoveryDialog(None, copies, discard)
    qtbot.addWidget(dialog)
    buttons = dialog.findChildren(QPushButton)
    restores = [b for b in buttons if b.text() == "Restore"]
    discards = [b for b in buttons if b.text() == "Discard"]
    assert len(restores) == len(discards) == 3
    discards[0].click()
    assert discarded == [copies[0]] and restores[0].isHidden()
    assert dialog.chosen is None
    restores[2].click()
    assert dialog.chosen is copies[2] and dialog.result() == QDialog.DialogCode.Accepted
    assert discarded == [copies[0]]
