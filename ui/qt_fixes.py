"""Work around lost references to ``None``, ``True`` and ``False`` in PySide6 6.12 on Python 3.11.

This PySide6 build returns those singletons without taking a reference, as if
they were immortal (they are from Python 3.12 on): every call of a Qt method
that returns nothing takes one reference from ``None``, and every
``Signal.emit`` one from ``True``. ``None`` starts with a few thousand, so after
a few thousand Qt calls the interpreter aborts with "none_dealloc: deallocating
None" (or "bool_dealloc"), mid-session or at exit. The fix does what Python
3.12 does: it gives the three singletons a reference count so large that it
cannot run out. It is applied only when a probe at import time shows the leak,
so a fixed PySide6, or a Python with immortal singletons, runs untouched.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

PROBE_CALLS = 16
EXTRA_REFERENCES = 1 << 40  # more than any session can lose; 3.12 uses a similar count


class _Probe(QObject):
    ping = Signal()


def _leaks() -> bool:
    """True when void Qt calls or signal emits lose references to the singletons."""
    probe = _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(PROBE_CALLS):
        probe.setObjectName("probe")
        probe.ping.emit()
    none_lost = none_before - sys.getrefcount(None)
    true_lost = true_before - sys.getrefcount(True)
    probe.deleteLater()
    return none_lost >= PROBE_CALLS or true_lost >= PROBE_CALLS


def install() -> bool:
    """Make the singletons effectively immortal if PySide6 leaks them; True when applied."""
    if sys.version_info >= (3, 12) or getattr(sys, "_burnrate_singletons_pinned", False):
        return False
    if not _leaks():
        return False
    for singleton in (None, True, False):
        count = ctypes.c_ssize_t.from_address(id(singleton))
        count.value += EXTRA_REFERENCES
    sys._burnrate_singletons_pinned = True  # type: ignore[attr-defined]
    return True
