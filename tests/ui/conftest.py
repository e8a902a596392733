"""Fixtures for window tests: settings and recovery copies in a temporary folder."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from planner.builtin import builtin_project
from planner.recovery import RecoveryCopy
from ui import dialogs, scenario_dialogs
from ui.main_window import MainWindow


class DialogLog:
    """Stands in for every modal dialog; records what would have been shown."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.recovery_offers: list[list[str]] = []  # the project names, each time copies are listed
        self.recovery_answers: list[tuple[str, str]] = []  # ("discard" | "restore", project name)
        self.save_answer = "discard"
        # Scenario questions: a name prompt tries the typed answers in turn until the
        # dialog's check passes one (Cancel when none does); OK on the offered name
        # when nothing was typed.
        self.name_prompts: list[tuple[str, str]] = []  # (title, offered name)
        self.typed_names: list[str] = []
        self.name_refusals: list[str] = []
        self.delete_questions: list[str] = []
        self.delete_answer = True
        self.colour_answer: str | None = None

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

    def ask_scenario_name(
        self,
        parent: object,
        title: str,
        prompt: str,
        name: str,
        check: Callable[[str], str | None],
    ) -> str | None:
        self.name_prompts.append((title, name))
        if not self.typed_names:
            return name  # OK on the offered name
        while self.typed_names:
            typed = self.typed_names.pop(0)
            problem = check(typed)
            if problem is None:
                return typed.strip()
            self.name_refusals.append(problem)  # the dialog stays open: type the next
        return None  # every answer refused: Cancel

    def confirm_delete(self, parent: object, name: str, overrides: int) -> bool:
        self.delete_questions.append(scenario_dialogs.delete_question(name, overrides))
        return self.delete_answer

    def ask_colour(self, parent: object, name: str, colour: str) -> str | None:
        return self.colour_answer


@pytest.fixture
def dialog_log(monkeypatch: pytest.MonkeyPatch) -> DialogLog:
    log = DialogLog()
    monkeypatch.setattr(dialogs, "error", log.error)
    monkeypatch.setattr(dialogs, "ask_recovery", log.ask_recovery)
    monkeypatch.setattr(dialogs, "ask_save_changes", log.ask_save_changes)
    monkeypatch.setattr(scenario_dialogs, "ask_scenario_name", log.ask_scenario_name)
    monkeypatch.setattr(scenario_dialogs, "confirm_delete", log.confirm_delete)
    monkeypatch.setattr(scenario_dialogs, "ask_colour", log.ask_colour)
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
