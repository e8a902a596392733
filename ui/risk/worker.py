"""Monte Carlo runs in a background thread, newest first: the window never waits for one.

Each request gets a generation number. A newer request makes the run in flight
stop at its next chunk; a run that finishes anyway is dropped when it arrives,
so a stale result never replaces a fresher one. A busy signal fires only when
a run takes longer than :data:`BUSY_AFTER_MS`, so quick runs never flicker.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from planner.model import Project

BUSY_AFTER_MS = 333

Run = Callable[..., Any]  # run_montecarlo's signature: (project, scenario, samples, seed, ...)


@dataclass(frozen=True)
class RiskRequest:
    generation: int
    project: Project  # a private copy: the window goes on editing its own
    scenario: str
    samples: int
    seed: int


@dataclass(frozen=True)
class RiskOutcome:
    """A finished run: its figures, or the problem that stopped it."""

    request: RiskRequest
    result: Any = None  # planner.uncertainty.MonteCarlo
    problem: str | None = None
    seconds: float = 0.0  # spent in the run itself, for the benchmark


class RiskRunner(QObject):
    """One worker thread that runs the latest request; results come back in the GUI thread."""

    finished = Signal(object)  # RiskOutcome of the latest request
    busyChanged = Signal(bool)
    progressed = Signal(float)
    _delivered = Signal(object)  # from the worker thread; queued to this object's thread
    _advanced = Signal(int, float)

    def __init__(self, run: Run | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._run = run or _default_run()
        self._generation = 0
        self._pending: RiskRequest | None = None
        self._closing = False
        self._wake = threading.Condition()
        self.busy = False
        self.running = False  # a request is waiting or in flight
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_AFTER_MS)
        self._busy_timer.timeout.connect(self._show_busy)
        self._delivered.connect(self._deliver)
        self._advanced.connect(self._advance)
        self._thread = threading.Thread(target=self._loop, name="burnrate-risk", daemon=True)
        self._thread.start()

    @property
    def generation(self) -> int:
        return self._generation

    def request(self, project: Project, scenario: str, samples: int, seed: int) -> int:
        """Run ``samples`` draws of ``scenario`` in the background; the request's generation."""
        with self._wake:
            self._generation += 1
            self._pending = RiskRequest(
                self._generation, project.model_copy(deep=True), scenario, samples, seed
            )
            self._wake.notify()
        self.running = True
        if not self.busy:
            self._busy_timer.start()
        return self._generation

    def cancel(self) -> None:
        """Drop the request waiting or in flight: nothing it finds will be delivered."""
        with self._wake:
            self._generation += 1
            self._pending = None
        self.running = False
        self._busy_timer.stop()
        if self.busy:
            self.busy = False
            self.busyChanged.emit(False)

    def shutdown(self) -> None:
        """Stop the run in flight and end the thread (for a closing window)."""
        with self._wake:
            self._closing = True
            self._pending = None
            self._wake.notify()
        self._thread.join(timeout=5)

    # --- worker thread ----------------------------------------------------------------

    def _loop(self) -> None:
        while True:
            with self._wake:
                while self._pending is None and not self._closing:
                    self._wake.wait()
                if self._closing:
                    return
                request, self._pending = self._pending, None
            assert request is not None
            outcome = self._execute(request)
            if outcome is not None:
                self._delivered.emit(outcome)

    def _stale(self, request: RiskRequest) -> bool:
        return self._closing or request.generation != self._generation

    def _execute(self, request: RiskRequest) -> RiskOutcome | None:
        from planner.uncertainty import Cancelled

        def should_stop() -> bool:
            return self._stale(request)

        def progress(fraction: float) -> None:
            self._advanced.emit(request.generation, fraction)

        start = time.perf_counter()
        try:
            result = self._run(
                request.project,
                request.scenario,
                request.samples,
                request.seed,
                should_stop=should_stop,
                progress=progress,
            )
        except Cancelled:
            return None
        except MemoryError:
            return RiskOutcome(request, problem="not enough memory for so many samples")
        except Exception as exc:  # any failure is shown, never raised in a thread
            return RiskOutcome(request, problem=str(exc) or type(exc).__name__)
        return RiskOutcome(request, result=result, seconds=time.perf_counter() - start)

    # --- GUI thread ------------------------------------------------------------------

    def _deliver(self, outcome: RiskOutcome) -> None:
        if outcome.request.generation != self._generation:
            return  # made stale by a newer request while it ran
        self.running = False
        self._busy_timer.stop()
        if self.busy:
            self.busy = False
            self.busyChanged.emit(False)
        self.finished.emit(outcome)

    def _advance(self, generation: int, fraction: float) -> None:
        if generation == self._generation:
            self.progressed.emit(fraction)

    def _show_busy(self) -> None:
        if self.running and not self.busy:
            self.busy = True
            self.busyChanged.emit(True)


def _default_run() -> Run:
    from planner.uncertainty import run_montecarlo

    return run_montecarlo
