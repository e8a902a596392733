"""File menu behaviour: new, open, save, save as, recent files and recovery copies."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QStandardPaths, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from planner import recovery
from planner.builtin import builtin_project
from planner.commands import CommandError
from planner.io.project_file import SUFFIX, ProjectFileError, load_project, save_project
from ui import dialogs
from ui.document import Document

MAX_RECENT = 8
RECOVERY_INTERVAL_MS = 2 * 60 * 1000


def recovery_folder() -> Path:
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(location) / "recovery"


class FileActions(QObject):
    """Owns the File menu's actions; talks to the document, never to the widgets inside."""

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
        self.recovery_timer = QTimer(self)
        self.recovery_timer.setInterval(RECOVERY_INTERVAL_MS)
        self.recovery_timer.timeout.connect(self.write_recovery)
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
        if self.maybe_save():
            self.document.replace_project(builtin_project(), None, unsaved=False)
            self.document.message.emit("New project from the built-in template")

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
        try:
            save_project(self.document.project, path)
        except OSError as exc:
            dialogs.error(
                self.window,
                "Cannot save project",
                f"{path} was not saved:\n\n{exc.strerror or exc}",
            )
            return False
        self.document.mark_saved(path)
        self.add_recent(path)
        recovery.discard(self.recovery_dir)
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

    def _modified_changed(self, modified: bool) -> None:
        if modified and not self.recovery_timer.isActive():
            self.recovery_timer.start()
        elif not modified:
            self.recovery_timer.stop()
            recovery.discard(self.recovery_dir)

    def write_recovery(self) -> None:
        if not self.document.is_modified:
            return
        try:
            recovery.write_copy(self.recovery_dir, self.document.project, self.document.path)
        except OSError as exc:
            self.document.message.emit(f"Could not write a recovery copy: {exc.strerror or exc}")

    def offer_recovery(self) -> bool:
        """Offer the newest copy a crashed session left; True if one was restored."""
        copies = recovery.orphans(self.recovery_dir)
        restored = False
        if copies:
            newest = copies[0]
            if dialogs.ask_restore(self.window, newest.describe()):
                try:
                    project = newest.load()
                    source = Path(newest.source) if newest.source else None
                    self.document.replace_project(project, source, unsaved=True)
                    restored = True
                    self.write_recovery()
                except (ProjectFileError, CommandError) as exc:
                    dialogs.error(self.window, "Cannot restore", str(exc))
        for copy in copies:
            recovery.remove(copy)
        return restored

    def closing(self) -> None:
        """The window closes normally: no recovery copy is needed any more."""
        self.recovery_timer.stop()
        recovery.discard(self.recovery_dir)
