"""The window survives PySide6 builds that lose references to None, True and False."""

from __future__ import annotations

import gc
import sys

from PySide6.QtCore import QObject, Signal

import ui  # noqa: F401  (applies the fix)
from ui.qt_fixes import install


class Emitter(QObject):
    ping = Signal()


def test_many_qt_calls_and_signals_leave_the_singletons_alive() -> None:
    install()  # idempotent
    emitter = Emitter()
    received: list[int] = []
    emitter.ping.connect(lambda: received.append(1))
    # Without the fix, far fewer calls than this free None or True and abort the interpreter.
    for _ in range(20_000):
        emitter.setObjectName("x")
        emitter.ping.emit()
    gc.collect()
    assert len(received) == 20_000
    assert sys.getrefcount(None) > 1_000 and sys.getrefcount(True) > 1_000
