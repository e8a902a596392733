"""A long task in a background thread behind a progress dialog with Cancel.

Writing a large workbook takes minutes, reading one seconds: the window keeps
painting, shows how far the task has come and what it is doing, and Cancel stops
it at its next check. The dialog is window-modal, so the project cannot change
under the task.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar, cast

from PySide6.QtCore import QEventLoop, QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from planner.io.workbook_progress import Report

T = TypeVar("T")
Work = Callable[[Report, Callable[[], bool]], T]  # (progress, should_stop) -> result
SHOW_AFTER_MS = 400  # a quicker task never shows the dialog
STEPS = 1000


class BackgroundTask(QObject, Generic[T]):
    """Runs ``work`` once in a thread; its reports and outcome arrive in the GUI thread."""

    progressed = Signal(float, str)
    done = Signal()
    _reported = Signal(float, str)  # from the worker thread, queued to this object's thread
    _finished = Signal()

    def __init__(self, work: Work[T], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._work = work
        self._stop = threading.Event()
        self.result: T | None = None
        self.error: Exception | None = None
        self._reported.connect(self._relay)
        self._finished.connect(self.done)

    def start(self) -> None:
        threading.Thread(target=self._run, name="burnrate-task", daemon=True).start()

    def cancel(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        try:
            self.result = self._work(self._reported.emit, self._stop.is_set)
        except Exception as exc:  # raised again in the GUI thread
            self.error = exc
        self._finished.emit()

    def _relay(self, share: float, text: str) -> None:
        self.progressed.emit(share, text)


def run_with_progress(
    parent: QWidget | None, title: str, work: Work[T], *, cancellable: bool = True
) -> T:
    """Run ``work`` while a progress dialog shows; its result, or its exception raised here.

    A task that is not ``cancellable`` shows a busy bar and no Cancel button, unless
    it reports its progress.
    """
    task: BackgroundTask[T] = BackgroundTask(work)
    dialog = QProgressDialog(title, "Cancel", 0, STEPS if cancellable else 0, parent)
    if not cancellable:
        dialog.setCancelButton(None)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(SHOW_AFTER_MS)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setValue(0)

    def show(share: float, text: str) -> None:
        if not dialog.wasCanceled():
            dialog.setLabelText(text)
            dialog.setMaximum(STEPS)
            dialog.setValue(round(share * STEPS))

    def cancel() -> None:
        dialog.setLabelText("Cancelling…")
        task.cancel()

    task.progressed.connect(show)
    dialog.canceled.connect(cancel)
    loop = QEventLoop()
    task.done.connect(loop.quit)
    task.start()
    loop.exec()
    dialog.close()
    dialog.deleteLater()
    if task.error is not None:
        raise task.error
    return cast(T, task.result)  # the work returned it
