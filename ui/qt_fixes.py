"""Work around a reference-count bug in ``SignalInstance.emit`` (PySide6 6.12 on Python 3.11).

``emit`` returns ``True`` without taking a reference, so every signal emitted
from Python takes one reference away from ``True``. After a few thousand
emits (pyqtgraph emits on every redraw) ``True`` is freed and the interpreter
aborts with "bool_dealloc: deallocating True or False", at the latest when the
app exits. The fix adds the missing reference after each call. It is only
installed when a probe at import time shows the bug, so a fixed PySide6 (or a
Python where ``True`` is immortal) runs untouched.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

PROBE_EMITS = 8
_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


class _Probe(QObject):
    ping = Signal()


def _emit_leaks() -> int:
    """How many references to True ``PROBE_EMITS`` emits lost (0 when emit is sound)."""
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(PROBE_EMITS):
        probe.ping.emit()
    lost = before - sys.getrefcount(True)
    probe.deleteLater()
    return lost if lost == PROBE_EMITS else 0


def install() -> bool:
    """Patch ``SignalInstance.emit`` if it leaks; True when the patch was installed."""
    if getattr(SignalInstance, "_burnrate_patched", False):
        return True
    lost = _emit_leaks()
    if not lost:
        return False
    for _ in range(lost):
        _incref(True)
    original = SignalInstance.emit

    def emit(self: SignalInstance, *args: Any) -> Any:
        result = original(self, *args)
        if result is True or result is False:
            _incref(result)
        return result

    SignalInstance.emit = emit  # type: ignore[method-assign]
    SignalInstance._burnrate_patched = True  # type: ignore[attr-defined]
    return True
