"""Start-up: the application object, the first window, and the offscreen screenshot."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication

from planner.io.project_file import ProjectFileError, load_project
from planner.model import Project

if TYPE_CHECKING:
    from ui.main_window import MainWindow

ORGANIZATION = "Burnrate"
APPLICATION = "Burnrate"
SCREENSHOT_SIZE = (1400, 900)


def create_application(argv: list[str]) -> QApplication:
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv)
    app.setApplicationDisplayName(APPLICATION)
    return app


def initial_project(path: str | None) -> tuple[Project, Path | None, str | None]:
    """The project to open first, its path, and a problem to report (then the built-in one)."""
    from planner.builtin import builtin_project

    if path is None:
        return builtin_project(), None, None
    try:
        return load_project(path), Path(path), None
    except ProjectFileError as exc:
        return builtin_project(), None, str(exc)


def run(
    project_path: str | None,
    screenshot: str | None = None,
    on_window: Callable[[MainWindow], None] | None = None,
    view: str = "plan",
) -> int:
    """Open the window (or render it to ``screenshot`` and exit); the exit status.

    ``on_window`` is called with the new window before it is shown (desktop hooks).
    """
    if screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = create_application(sys.argv[:1])
    from ui import dialogs
    from ui.main_window import MainWindow

    project, path, problem = initial_project(project_path)
    if screenshot and problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    window = MainWindow(project, path)
    if on_window is not None:
        on_window(window)
    if screenshot:
        return save_screenshot(window, Path(screenshot), view)
    window.show()
    if problem:
        QTimer.singleShot(0, lambda: dialogs.error(window, "Cannot open project", problem))
    else:
        QTimer.singleShot(0, window.files.offer_recovery)
    return app.exec()


def save_screenshot(window: QApplication | object, out: Path, view: str = "plan") -> int:
    from ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    window.resize(*SCREENSHOT_SIZE)
    window.show()
    QApplication.processEvents()
    window.document.flush()
    QApplication.processEvents()
    if view == "risk":
        from ui.risk.panel import show_settled_risk

        show_settled_risk(window)
    if not window.grab().save(str(out)):
        print(f"error: cannot write {out}", file=sys.stderr)
        return 2
    window.files.closing()
    return 0
