"""File menu behaviour: new, open, save, save as, recent files and recovery copies."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QStandardPaths, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from planner import recovery
from planner.commands import CommandError
from planner.io.project_file import (
    SUFFIX,
    ProjectFileError,
    load_project,
    project_json,
    save_project,
)
from ui import dialogs, new_project_dialog
from ui.document import Document

MAX_RECENT = 8
RECOVERY_DELAY_MS = 2500  # after the last edit: a crash soon after an edit loses nothing


def recovery_folder() -> Path:
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(location) / "recovery"


class FileActions(QObject):
    """Owns the File menu's actions; talks to the document, never to the widgets inside."""

    recoveryProblem = Signal(str)  # from the writer thread; delivered on the window's thread

    def __init__(
        self,
        window: QWidget,
        document: Document,
        settings: QSettings,
        recovery_dir: Path | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.document = document
        self.settings = settings
        self.recovery_dir = recovery_dir or recovery_folder()
        self.new_action = self._action("&New", QKeySequence.StandardKey.New, self.new)
        self.open_action = self._action("&Open…", QKeySequence.StandardKey.Open, self.open)
        self.save_action = self._action("&Save", QKeySequence.StandardKey.Save, self.save)
        self.save_as_action = self._action(
            "Save &As…", QKeySequence.StandardKey.SaveAs, self.save_as
        )
        self.recent_menu = QMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self.recovery = recovery.RecoverySession(self.recovery_dir)
        # Copies are written on a thread of their own, one at a time and in order, so a
        # slow disk never holds up editing.
        self._recovery_writer = ThreadPoolExecutor(1, thread_name_prefix="recovery")
        self._closed = False
        self.recovery_timer = QTimer(self)
        self.recovery_timer.setSingleShot(True)
        self.recovery_timer.setInterval(RECOVERY_DELAY_MS)
        self.recovery_timer.timeout.connect(self.write_recovery)
        self.recoveryProblem.connect(document.message)
        document.changed.connect(self._project_changed)
        document.modifiedChanged.connect(self._modified_changed)

    def _action(self, text: str, key: QKeySequence.StandardKey, slot: object) -> QAction:
        action = QAction(text, self.window)
        action.setShortcut(QKeySequence(key))
        action.triggered.connect(slot)
        return action

    def fill_menu(self, menu: QMenu) -> None:
        for action in (self.new_action, self.open_action):
            menu.addAction(action)
        menu.addMenu(self.recent_menu)
        menu.addSeparator()
        menu.addAction(self.save_action)
        menu.addAction(self.save_as_action)

    # --- commands ----------------------------------------------------------------

    def new(self) -> None:
        """Ask for a template and a timeline; the new project is untitled until saved."""
        project = new_project_dialog.ask_new_project(self.window)
        if project is None or not self.maybe_save():
            return
        self.document.replace_project(project, None, unsaved=False)
        first, last = project.periods[0], project.periods[-1]
        self.document.message.emit(f"New project: {project.name}, {first} to {last}")

    def open(self) -> None:
        if not self.maybe_save():
            return
        folder = str(self.document.path.parent) if self.document.path else str(Path.home())
        path = dialogs.open_file_name(self.window, folder)
        if path:
            self.open_path(Path(path), ask=False)

    def open_path(self, path: Path, ask: bool = True) -> bool:
        """Open ``path``; on any problem say why and keep the current project."""
        if ask and not self.maybe_save():
            return False
        try:
            project = load_project(path)
            self.document.replace_project(project, path, unsaved=False)
        except (ProjectFileError, CommandError) as exc:
            dialogs.error(
                self.window, "Cannot open project", f"{path.name} was not opened:\n\n{exc}"
            )
            self.document.message.emit(f"Could not open {path.name}")
            return False
        self.add_recent(path)
        self.document.message.emit(f"Opened {path}")
        return True

    def save(self) -> bool:
        if self.document.path is None:
            return self.save_as()
        return self.save_to(self.document.path)

    def save_as(self) -> bool:
        current = self.document.path
        suggested = (
            str(current) if current else str(Path.home() / f"{self.document.display_name}{SUFFIX}")
        )
        path = dialogs.save_file_name(self.window, suggested)
        if not path:
            return False
        target = Path(path)
        if target.suffix != SUFFIX:
            target = target.with_name(target.name + SUFFIX)
        return self.save_to(target)

    def save_to(self, path: Path) -> bool:
        """Save to ``path``; on failure say why and keep the document as it was (modified)."""
        try:
            save_project(self.document.project, path)
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            dialogs.error(self.window, "Cannot save project", f"{path} was not saved:\n\n{reason}")
            self.document.message.emit(f"Not saved: {reason}")
            return False
        self.document.mark_saved(path)
        self.add_recent(path)
        self._in_background(self.recovery.discard)
        self.document.message.emit(f"Saved {path}")
        return True

    def maybe_save(self) -> bool:
        """True when it is fine to drop the current project (saved, discarded or unchanged)."""
        if not self.document.is_modified:
            return True
        answer = dialogs.ask_save_changes(self.window, self.document.display_name)
        if answer == "save":
            return self.save()
        return answer == "discard"

    # --- recent files -------------------------------------------------------------

    def recent_files(self) -> list[str]:
        value = self.settings.value("recentFiles", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in value or []]

    def add_recent(self, path: Path) -> None:
        text = str(path.resolve())
        files = [text, *(f for f in self.recent_files() if f != text)][:MAX_RECENT]
        self.settings.setValue("recentFiles", files)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        files = self.recent_files()
        for n, name in enumerate(files, start=1):
            action = self.recent_menu.addAction(f"&{n} {name}")
            action.triggered.connect(lambda _=False, p=name: self.open_path(Path(p)))
        if not files:
            self.recent_menu.addAction("No recent files").setEnabled(False)

    # --- recovery ------------------------------------------------------------------

    def _project_changed(self) -> None:
        if self.document.is_modified:
            self.recovery_timer.start()  # restarted by every edit: written once editing pauses

    def _modified_changed(self, modified: bool) -> None:
        if modified:
            self.recovery_timer.start()
        else:
            self.recovery_timer.stop()
            self._in_background(self.recovery.discard)

    def write_recovery(self) -> Future[bool] | None:
        """Queue a recovery copy of the unsaved project; None when there is nothing to keep."""
        if not self.document.is_modified or self._closed:
            return None
        # The text is the snapshot: the project itself keeps changing on this thread.
        text = project_json(self.document.project)
        name = self.document.project.name
        source = self.document.path
        return self._in_background(lambda: self.recovery.write(text, name, source))

    def flush_recovery(self) -> None:
        """Wait until every queued recovery write or removal is done."""
        if not self._closed:
            self._recovery_writer.submit(lambda: None).result()

    def _in_background(self, task: Callable[[], None]) -> Future[bool] | None:
        if self._closed:
            return None
        return self._recovery_writer.submit(self._run_recovery_task, task)

    def _run_recovery_task(self, task: Callable[[], None]) -> bool:
        try:
            task()
        except OSError as exc:
            self.recoveryProblem.emit(f"Could not write a recovery copy: {exc.strerror or exc}")
            return False
        return True

    def offer_recovery(self) -> bool:
        """Offer every copy crashed sessions left; True if one was restored.

        Copies the user neither restores nor discards stay, to be offered next time.
        """
        copies = recovery.orphans(self.recovery_dir)
        if not copies:
            return False
        chosen = dialogs.ask_recovery(self.window, copies, self._discard_copy)
        return chosen is not None and self.restore(chosen)

    def restore(self, copy: recovery.RecoveryCopy) -> bool:
        if not self.maybe_save():
            return False
        try:
            project = copy.load()
            source = Path(copy.source) if copy.source else None
            self.document.replace_project(project, source, unsaved=True)
        except (ProjectFileError, CommandError) as exc:
            dialogs.error(
                self.window,
                "Cannot restore",
                f"The recovery copy of {copy.project_name} could not be opened:\n\n{exc}",
            )
            return False
        # This session's own copy must be on disk before the old one goes.
        written = self.write_recovery()
        if written is not None and written.result():
            self._discard_copy(copy)
        self.document.message.emit(f"Restored unsaved work: {copy.project_name}")
        return True

    def _discard_copy(self, copy: recovery.RecoveryCopy) -> bool:
        try:
            copy.remove()
        except OSError as exc:
            dialogs.error(
                self.window,
                "Cannot discard",
                f"The recovery copy {copy.path} could not be deleted:\n\n{exc.strerror or exc}",
            )
            return False
        return True

    def closing(self) -> None:
        """The window closes normally: no recovery copy is needed any more."""
        self.recovery_timer.stop()
        if self._closed:
            return
        self._in_background(self.recovery.close)
        self._closed = True
        self._recovery_writer.shutdown(wait=True)
