"""Fixtures for window tests: settings and recovery copies in a temporary folder."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from planner.builtin import builtin_project
from planner.recovery import RecoveryCopy
from ui import dialogs
from ui.main_window import MainWindow


class DialogLog:
    """Stands in for every modal dialog; records what would have been shown."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.recovery_offers: list[list[str]] = []  # the project names, each time copies are listed
        self.recovery_answers: list[tuple[str, str]] = []  # ("discard" | "restore", project name)
        self.save_answer = "discard"

    def error(self, parent: object, title: str, text: str) -> None:
        self.errors.append(f"{title}: {text}")

    def ask_recovery(
        self, parent: object, copies: list[RecoveryCopy], discard: Callable[[RecoveryCopy], bool]
    ) -> RecoveryCopy | None:
        self.recovery_offers.append([copy.project_name for copy in copies])
        by_name = {copy.project_name: copy for copy in copies}
        chosen = None
        for answer, name in self.recovery_answers:
            if answer == "discard":
                assert discard(by_name[name])
            else:
                chosen = by_name[name]
        return chosen

    def ask_save_changes(self, parent: object, name: str) -> str:
        return self.save_answer


@pytest.fixture
def dialog_log(monkeypatch: pytest.MonkeyPatch) -> DialogLog:
    log = DialogLog()
    monkeypatch.setattr(dialogs, "error", log.error)
    monkeypatch.setattr(dialogs, "ask_recovery", log.ask_recovery)
    monkeypatch.setattr(dialogs, "ask_save_changes", log.ask_save_changes)
    return log


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def recovery_dir(tmp_path: Path) -> Path:
    return tmp_path / "recovery"


@pytest.fixture
def window(
    qtbot: QtBot, settings: QSettings, recovery_dir: Path, dialog_log: DialogLog
) -> Iterator[MainWindow]:
    win = MainWindow(builtin_project(), None, settings=settings, recovery_dir=recovery_dir)
    qtbot.addWidget(win)
    win.resize(1400, 900)
    yield win
    win.document.undo_stack.setClean()
