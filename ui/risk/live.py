"""The risk figures of the scenario on screen, kept fresh in the background after every edit.

:class:`LiveRisk` asks the worker for a new run whenever the document changes
(edits, undo, another scenario, another project) while the risk view is shown,
and keeps the latest finished run for the risk view and the KPI card. The sample count and seed are
settings, so that a figure read today can be reproduced tomorrow.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings, Signal

from planner.uncertainty import ranges_for
from ui.document import Document
from ui.risk.worker import RiskOutcome, RiskRequest, RiskRunner, Run

NO_RANGES = (
    "No input of this scenario has a range yet: add ranges on the Uncertainty tab below"
    " (how far each input could be off), and the risk figures appear here."
)
SAMPLES_KEY = "risk/samples"
SEED_KEY = "risk/seed"
MIN_SAMPLES = 1_000
MAX_SAMPLES = 100_000
DEFAULT_SAMPLES = 10_000
DEFAULT_SEED = 1
MAX_SEED = 2**31 - 1  # what a spin box can hold; the command line takes any 64-bit seed
# Key figures the tornado and the ranking can explain, the default first.
DRIVER_KPIS = ("peak_funding_need", "cumulative_burn", "total_raised")


def _setting(settings: QSettings, key: str, default: int, low: int, high: int) -> int:
    value = settings.value(key, default)
    try:
        number = int(str(value))
    except ValueError:
        return default
    return min(high, max(low, number))


class LiveRisk(QObject):
    """The latest Monte Carlo run of the scenario on screen."""

    updated = Signal()  # a fresher outcome arrived
    busyChanged = Signal(bool)  # a run takes long enough to say so
    settingsChanged = Signal()
    driverChanged = Signal()  # another key figure for the tornado and the ranking

    def __init__(
        self,
        document: Document,
        settings: QSettings,
        run: Run | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.settings = settings
        self.samples = _setting(settings, SAMPLES_KEY, DEFAULT_SAMPLES, MIN_SAMPLES, MAX_SAMPLES)
        self.seed = _setting(settings, SEED_KEY, DEFAULT_SEED, 0, MAX_SEED)
        self.outcome: RiskOutcome | None = None
        self.driver_kpi = DRIVER_KPIS[0]
        # Runs are made only while someone looks: the plan view stays as quick as before.
        self.active = False
        self._stale = True
        self.runner = RiskRunner(run)
        self.runner.finished.connect(self._finished)
        self.runner.busyChanged.connect(self.busyChanged)
        # At once, not with the coalesced redraw: the run starts while the window repaints.
        document.changed.connect(self.refresh)
        document.projectReplaced.connect(self.refresh)

    @property
    def busy(self) -> bool:
        return self.runner.busy

    @property
    def pending(self) -> bool:
        """A run is waiting or in flight: what is shown may be about to change."""
        return self.runner.running

    def set_samples(self, samples: int) -> None:
        samples = min(MAX_SAMPLES, max(MIN_SAMPLES, int(samples)))
        if samples != self.samples:
            self.samples = samples
            self.settings.setValue(SAMPLES_KEY, samples)
            self.settingsChanged.emit()
            self.refresh()

    def set_seed(self, seed: int) -> None:
        seed = min(MAX_SEED, max(0, int(seed)))
        if seed != self.seed:
            self.seed = seed
            self.settings.setValue(SEED_KEY, seed)
            self.settingsChanged.emit()
            self.refresh()

    def set_driver_kpi(self, kpi: str) -> None:
        if kpi in DRIVER_KPIS and kpi != self.driver_kpi:
            self.driver_kpi = kpi
            self.driverChanged.emit()

    def set_active(self, active: bool) -> None:
        """Keep the figures fresh (True) or let edits pile up until they are shown again."""
        self.active = active
        if active and self._stale:
            self.refresh()

    def refresh(self) -> None:
        """Ask for a run of the current project and scenario (the worker drops older ones)."""
        if not self.active:
            self._stale = True
            return
        self._stale = False
        document = self.document
        if not ranges_for(document.project, document.scenario_key):
            self.runner.cancel()
            self._finished(RiskOutcome(self._placeholder(), problem=NO_RANGES))
            return
        self.runner.request(document.project, document.scenario, self.samples, self.seed)

    def _placeholder(self) -> RiskRequest:
        """The request a run would have had: what an outcome without a run is about."""
        document = self.document
        return RiskRequest(
            self.runner.generation, document.project, document.scenario, self.samples, self.seed
        )

    def _finished(self, outcome: RiskOutcome) -> None:
        self.outcome = outcome
        self.updated.emit()

    def shutdown(self) -> None:
        self.runner.shutdown()
