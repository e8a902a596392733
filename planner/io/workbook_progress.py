"""How far an export has come, and a way to stop it: a large workbook takes minutes."""

from __future__ import annotations

from collections.abc import Callable

from planner.io.workbook_write import ExportError

Report = Callable[[float, str], None]  # (share done from 0 to 1, what is being written)
StepShare = Callable[[float], None]  # the share done of the current step

REPORT_EVERY = 0.002  # a share this much larger than the last one reported is reported


class ExportCancelled(ExportError):
    """The export was stopped before it finished; nothing was written."""


class ExportSteps:
    """The export as weighted steps: reports the share done, and stops when asked to."""

    def __init__(
        self,
        total: float,
        report: Report | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> None:
        self.total = max(total, 1e-9)
        self.report = report
        self.should_stop = should_stop
        self.done = 0.0
        self.reported = -1.0
        self.text = ""

    def check(self) -> None:
        """Raise :class:`ExportCancelled` if the user asked to stop."""
        if self.should_stop is not None and self.should_stop():
            raise ExportCancelled("the export was cancelled; nothing was written")

    def step(self, text: str, weight: float = 1.0) -> StepShare:
        """Begin a step of ``weight``; the function returned takes the step's share done."""
        self.check()
        start = self.done
        self.done += weight
        self.text = text
        self._say(start, force=True)

        def within(share: float) -> None:
            self.check()
            self._say(start + weight * min(max(share, 0.0), 1.0))

        return within

    def finish(self) -> None:
        self._say(self.total, force=True)

    def _say(self, done: float, force: bool = False) -> None:
        share = min(done / self.total, 1.0)
        if self.report is not None and (force or share - self.reported >= REPORT_EVERY):
            self.reported = share
            self.report(share, self.text)
