"""Files: saving and opening, a broken file, the recovery copy after a crash, the screenshot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from planner import recovery
from planner.builtin import builtin_project
from planner.io.project_file import load_project, project_json
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


def test_the_recovery_copy_is_offered_after_a_crash(
    qtbot: QtBot, settings: QSettings, recovery_dir: Path, dialog_log: DialogLog
) -> None:
    crashed = builtin_project()
    crashed.item("chatgpt_users").inputs[3] = 1111  # type: ignore[index]
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    recovery.write_copy(recovery_dir, crashed, None, pid=dead.pid)
    window = MainWindow(builtin_project(), settings=settings, recovery_dir=recovery_dir)
    qtbot.addWidget(window)
    dialog_log.restore_answer = True
    assert window.files.offer_recovery()
    assert len(dialog_log.restore_offers) == 1
    assert window.document.project.item("chatgpt_users").inputs[3] == 1111  # type: ignore[index]
    assert window.isWindowModified()
    assert not recovery.orphans(recovery_dir)
    window.files.closing()
    assert not list(recovery_dir.glob("*.burnrate"))


def test_a_recovery_copy_is_written_while_modified(window: MainWindow, recovery_dir: Path) -> None:
    window.files.write_recovery()
    assert not list(recovery_dir.glob("*.burnrate"))  # nothing unsaved yet
    edit_users(window, "555")
    assert window.files.recovery_timer.isActive()
    window.files.write_recovery()
    copies = list(recovery_dir.glob("*.burnrate"))
    assert len(copies) == 1
    assert load_project(copies[0]).item("chatgpt_users").inputs[3] == 555  # type: ignore[index]
    window.document.undo_stack.undo()
    assert not list(recovery_dir.glob("*.burnrate"))


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
