"""The ``burnrate`` command: argument parsing, desktop set-up, then the app.

``burnrate [PROJECT]`` opens the app (or hands PROJECT to the Burnrate already
running), ``--screenshot OUT.png`` renders the window and exits, and
``--install-desktop`` / ``--uninstall-desktop`` add or remove the launcher
entry and the .burnrate file type for the current user. ``python main.py``
runs the same function.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QFileOpenEvent

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from ui.appearance import Appearance
    from ui.main_window import MainWindow
    from ui.single_instance import SingleInstance


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="burnrate", description="Burnrate: scenario planner for a cash-burning AI lab."
    )
    parser.add_argument(
        "project", nargs="?", help="a .burnrate project (default: the built-in one)"
    )
    parser.add_argument(
        "--screenshot", metavar="OUT.png", help="render the window to a PNG and exit"
    )
    parser.add_argument(
        "--view",
        choices=("plan", "risk"),
        default="plan",
        help="with --screenshot: the plan view (default) or the risk view",
    )
    desktop = parser.add_mutually_exclusive_group()
    desktop.add_argument(
        "--install-desktop",
        action="store_true",
        help="add Burnrate to the application menu and open .burnrate files with it "
        "(current user only)",
    )
    desktop.add_argument("--uninstall-desktop", action="store_true", help="undo --install-desktop")
    parser.add_argument(
        "--new-instance",
        action="store_true",
        help="start a separate copy even when Burnrate is already running",
    )
    return parser


def desktop_command(install: bool) -> int:
    from ui import desktop

    try:
        report = desktop.install() if install else desktop.uninstall()
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    done = "Installed" if install else "Removed"
    print(
        f"{done} the Burnrate desktop entry, icons and file type:"
        if report.changed
        else "Nothing to remove: the desktop entry was not installed."
    )
    for line in report.lines():
        print(line)
    return 0


class DesktopHooks(QObject):
    """What makes the window a desktop app's: icon, Help menu, dark mode, single instance."""

    def __init__(
        self,
        app: QApplication,
        instance: SingleInstance | None,
        file_open_events: bool = sys.platform == "darwin",
    ) -> None:
        from ui.appearance import Appearance, app_icon
        from ui.desktop import APP_ID

        super().__init__(app)
        self.instance = instance
        self.window: MainWindow | None = None
        # macOS hands a double-clicked document to the running app as an event, not argv.
        # Elsewhere the filter would only cost time: it sees every event of the app.
        if file_open_events:
            app.installEventFilter(self)
        app.setWindowIcon(app_icon())
        # Lets Wayland and taskbars match the window with burnrate.desktop and its icon.
        app.setDesktopFileName(APP_ID)
        self.appearance: Appearance = Appearance(app)
        self.appearance.apply()

    def attach(self, window: MainWindow) -> None:
        from ui.help import install_help_menu

        self.window = window
        window.installEventFilter(self)  # until its first paint: see settle_memory
        # Live as long as the window: its event filter and slots go with it.
        self.setParent(window)
        install_help_menu(window)
        self.appearance.follow(window)
        if self.instance is not None:
            self.instance.files_received.connect(self.open_files)
            self.instance.activation_requested.connect(self.bring_forward)

    def open_files(self, paths: list[str]) -> None:
        """Open the first file a later launch asked for (the window holds one project)."""
        self.bring_forward()
        if self.window is not None and paths:
            self.window.files.open_path(Path(paths[0]))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, settle_memory)
        is_file_open = event.type() == QEvent.Type.FileOpen
        if is_file_open and isinstance(event, QFileOpenEvent) and event.file():
            self.open_files([event.file()])
            return True
        return super().eventFilter(watched, event)

    def bring_forward(self) -> None:
        if self.window is not None:
            if self.window.isMinimized():
                self.window.showNormal()
            else:
                self.window.show()
            self.window.raise_()
            self.window.activateWindow()


def settle_memory() -> None:
    """Collect start-up's garbage, then leave its long-lived objects out of later collections.

    Start-up allocates a great many objects that live as long as the app (modules,
    Qt wrappers, the project); collecting among them while they are created cost a
    tenth of the time to the first paint, and every later full collection would
    walk them all again.
    """
    gc.collect()
    gc.freeze()
    gc.enable()


def main(argv: Sequence[str] | None = None) -> int:
    gc.disable()  # until the window has painted (settle_memory) or main returns
    try:
        return _main(argv)
    finally:
        gc.enable()


def _main(argv: Sequence[str] | None) -> int:
    arguments = build_parser().parse_args(sys.argv[1:] if argv is None else list(argv))
    if arguments.install_desktop or arguments.uninstall_desktop:
        return desktop_command(arguments.install_desktop)
    if arguments.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ui.app import create_application, run

    app = create_application(sys.argv[:1])
    instance = None
    if not arguments.screenshot and not arguments.new_instance:
        from ui.single_instance import SingleInstance

        instance = SingleInstance()
        files = [arguments.project] if arguments.project else []
        # A launch at the same moment may win the race to listen: then hand over to it.
        if instance.send(files) or (not instance.listen() and instance.send(files)):
            where = (
                f"opened {arguments.project} there" if arguments.project else "brought it forward"
            )
            print(f"Burnrate is already running: {where}.")
            return 0
        if not instance.is_listening():
            instance = None
    hooks = DesktopHooks(app, instance)
    status = run(
        arguments.project, arguments.screenshot, on_window=hooks.attach, view=arguments.view
    )
    if instance is not None:
        instance.close()
    return status


if __name__ == "__main__":
    raise SystemExit(main())
