"""The ``burnrate`` entry point: opens the app, hands files to a running one, installs itself."""

from __future__ import annotations

import gc
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QFileOpenEvent, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from planner.builtin import builtin_project
from planner.io.project_file import save_project
from ui import launcher
from ui.launcher import DesktopHooks, build_parser
from ui.main_window import MainWindow
from ui.single_instance import NAME_VARIABLE, SingleInstance

ROOT = Path(__file__).resolve().parents[2]
ENTRY = "import sys; from ui.launcher import main; sys.exit(main(sys.argv[1:]))"


def bare_environment(home: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "QT_QPA_PLATFORM": "offscreen",
        **extra,
    }


@pytest.fixture
def instance_name() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="br-") as folder:
        yield str(Path(folder) / "instance")


def test_entry_point_renders_the_app(tmp_path: Path) -> None:
    out = tmp_path / "shot.png"
    done = subprocess.run(
        [sys.executable, "-c", ENTRY, "--screenshot", str(out)],
        cwd=ROOT,
        env=bare_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1400, 900)


def test_second_launch_opens_its_file_in_the_running_app(
    tmp_path: Path, instance_name: str, qtbot: QtBot
) -> None:
    running = SingleInstance(instance_name)
    assert running.listen()
    project_file = tmp_path / "plan.burnrate"
    with qtbot.waitSignal(running.files_received, timeout=60_000) as blocker:
        second = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), str(project_file)],
            cwd=ROOT,
            env=bare_environment(tmp_path, **{NAME_VARIABLE: instance_name}),
            stdout=subprocess.PIPE,
            text=True,
        )
    out, _ = second.communicate(timeout=60)
    running.close()
    assert second.returncode == 0
    assert "already running" in out
    assert blocker.args == [[str(project_file)]]


def test_a_launch_that_loses_the_race_to_listen_hands_over_its_file(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sent: list[list[str]] = []
    answers = iter([False, True])  # nobody yet; then the launch that won is listening

    def send(self: SingleInstance, paths: list[str], timeout_ms: int = 0) -> bool:
        sent.append(list(paths))
        return next(answers)

    monkeypatch.setattr(SingleInstance, "send", send)
    monkeypatch.setattr(SingleInstance, "listen", lambda self, timeout_ms=0: False)
    monkeypatch.setattr("ui.app.run", lambda *args, **kwargs: 7)  # a copy of its own: wrong
    assert launcher.main(["plan.burnrate"]) == 0
    assert sent == [["plan.burnrate"], ["plan.burnrate"]]
    assert "already running: opened plan.burnrate there" in capsys.readouterr().out


def test_memory_is_settled_once_the_window_has_painted(
    window: MainWindow, qapp: QApplication, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    monkeypatch.setattr(launcher, "settle_memory", lambda: calls.append(1))
    DesktopHooks(qapp, None).attach(window)
    qapp.processEvents()
    assert calls == []  # not before the window is on screen
    window.show()
    qtbot.waitUntil(lambda: calls == [1])
    window.repaint()
    qapp.processEvents()
    assert calls == [1]  # once


def test_main_turns_garbage_collection_back_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for variable in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.setenv(variable, str(tmp_path))
    assert launcher.main(["--uninstall-desktop"]) == 0
    assert gc.isenabled()


def test_hooks_give_the_window_icon_help_and_file_opening(
    window: MainWindow, qapp: QApplication, tmp_path: Path, instance_name: str, qtbot: QtBot
) -> None:
    instance = SingleInstance(instance_name)
    hooks = DesktopHooks(qapp, instance)
    hooks.attach(window)
    assert not qapp.windowIcon().isNull()
    assert qapp.desktopFileName() == "burnrate"
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus[-1] == "&Help"
    project_file = tmp_path / "other.burnrate"
    other = builtin_project()
    other.name = "Other lab"
    save_project(other, project_file)
    instance.files_received.emit([str(project_file)])
    assert window.document.path == project_file
    assert window.document.project.name == "Other lab"
    window.showMinimized()
    instance.activation_requested.emit()  # a second launch without a file
    qtbot.waitUntil(lambda: window.isVisible() and not window.isMinimized())


def test_a_file_open_event_opens_the_file(
    window: MainWindow, qapp: QApplication, tmp_path: Path, qtbot: QtBot
) -> None:
    hooks = DesktopHooks(qapp, None, file_open_events=True)
    hooks.attach(window)
    project_file = tmp_path / "from-finder.burnrate"
    save_project(builtin_project(), project_file)
    QApplication.sendEvent(qapp, QFileOpenEvent(str(project_file)))
    assert window.document.path == project_file


def test_install_and_uninstall_desktop_flags(tmp_path: Path) -> None:
    env = bare_environment(tmp_path)
    entry = tmp_path / "data" / "applications" / "burnrate.desktop"
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--install-desktop"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Installed" in done.stdout
    exec_line = next(ln for ln in entry.read_text().splitlines() if ln.startswith("Exec="))
    assert exec_line == f"Exec={sys.executable} {ROOT / 'main.py'} %f"
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--uninstall-desktop"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert not entry.exists()


def test_desktop_flags_exclude_each_other() -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--install-desktop", "--uninstall-desktop"])
