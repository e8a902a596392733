"""Statistics of a Monte Carlo run that are gathered block by block, in bounded memory.

Percentile bands are exact: a small run keeps its series whole; a large one first
estimates each band from a pilot subset of the samples, then keeps only the values
near that estimate (and counts those below), which is enough to find the exact
order statistics. Should an estimate miss, the caller runs the blocks again with a
wider window.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from planner.compiled import Array

BAND_PERCENTILES = (5.0, 25.0, 50.0, 75.0, 95.0)
# Below this many cells per series (samples x periods) the series are kept whole.
EXACT_CELLS = 2**21


def percentile_from_order(lower: Array, upper: Array, samples: int, percent: float) -> Array:
    """numpy's linear percentile from the two order statistics around its position."""
    q = percent / 100
    position = samples * q + (1 - q) - 1
    t = position - math.floor(position)
    diff = upper - lower
    value: Array = lower + diff * t if t < 0.5 else upper - diff * (1 - t)
    return np.where(lower == upper, lower, value)


def order_positions(samples: int, percent: float) -> tuple[int, int]:
    """The 0-based ranks of the order statistics that numpy interpolates between."""
    q = percent / 100
    position = samples * q + (1 - q) - 1
    below = max(0, min(samples - 1, math.floor(position)))
    return below, min(below + 1, samples - 1)


@dataclass
class _Window:
    """Values of one band near its estimate: below ``low`` only counted, between kept."""

    low: Array  # (periods,)
    high: Array
    below: Array  # (periods,) counts
    kept: list[tuple[Array, Array]]  # (period index, value) pairs per block


class BandCollector:
    """Percentile bands of series over all samples, fed one block of samples at a time."""

    def __init__(
        self,
        series: Sequence[str],
        samples: int,
        periods: int,
        pilot: Mapping[str, Array] | None = None,
        margin: float = 0.0,
    ) -> None:
        """``pilot`` (series -> (pilot samples, periods)) and ``margin`` (percentage points
        each side of a band) set the windows of a large run; without a pilot all is kept."""
        self.samples = samples
        self.periods = periods
        self.whole: dict[str, list[Array]] | None = None
        self.windows: dict[str, list[_Window]] = {}
        if pilot is None:
            self.whole = {sid: [] for sid in series}
            return
        for sid in series:
            values = pilot[sid]
            windows = []
            for percent in BAND_PERCENTILES:
                low = (
                    np.full(periods, -np.inf)
                    if percent - margin <= 0
                    else np.percentile(values, percent - margin, axis=0)
                )
                high = (
                    np.full(periods, np.inf)
                    if percent + margin >= 100
                    else np.percentile(values, percent + margin, axis=0)
                )
                windows.append(_Window(low, high, np.zeros(periods, dtype=np.int64), []))
            self.windows[sid] = windows

    def add(self, values: Mapping[str, Array]) -> None:
        """One block: series -> (block samples, periods)."""
        if self.whole is not None:
            for sid, parts in self.whole.items():
                parts.append(np.array(values[sid], dtype=np.float64))
            return
        for sid, windows in self.windows.items():
            block = values[sid]
            for window in windows:
                window.below += (block < window.low).sum(axis=0)
                inside = (block >= window.low) & (block <= window.high)
                rows, columns = np.nonzero(inside)
                window.kept.append((columns.astype(np.int32), block[rows, columns]))

    def bands(self) -> dict[str, Array] | None:
        """series -> (5, periods): rows p5, p25, p50, p75, p95; None if a window missed."""
        if self.whole is not None:
            return {
                sid: np.percentile(np.concatenate(parts), BAND_PERCENTILES, axis=0)
                for sid, parts in self.whole.items()
            }
        found: dict[str, Array] = {}
        for sid, windows in self.windows.items():
            rows = []
            for percent, window in zip(BAND_PERCENTILES, windows, strict=True):
                row = self._band(percent, window)
                if row is None:
                    return None
                rows.append(row)
            found[sid] = np.array(rows)
        return found

    def _band(self, percent: float, window: _Window) -> Array | None:
        columns = np.concatenate([c for c, _ in window.kept])
        values = np.concatenate([v for _, v in window.kept])
        order = np.lexsort((values, columns))
        columns, values = columns[order], values[order]
        starts = np.searchsorted(columns, np.arange(self.periods))
        counts = np.bincount(columns, minlength=self.periods)
        lower_rank, upper_rank = order_positions(self.samples, percent)
        lower_at = lower_rank - window.below
        upper_at = upper_rank - window.below
        if np.any(lower_at < 0) or np.any(upper_at >= counts):
            return None
        lower = values[starts + lower_at]
        upper = values[starts + upper_at]
        return percentile_from_order(lower, upper, self.samples, percent)


# --- ranking -------------------------------------------------------------------------


def average_ranks(values: Array) -> Array:
    """Ranks from 0, ties sharing the average of their places."""
    ordered = np.sort(values)
    first = np.searchsorted(ordered, values, side="left")
    last = np.searchsorted(ordered, values, side="right") - 1
    ranks: Array = (first + last) / 2
    return ranks


def rank_correlations(factors: Array, outcomes: Mapping[str, Array]) -> dict[str, Array]:
    """Spearman's correlation of each input (column of ``factors``) with each outcome.

    0 where either does not vary. One column's ranks at a time, to keep memory small.
    """
    centered: dict[str, tuple[Array, float]] = {}
    for name, outcome in outcomes.items():
        y = average_ranks(outcome)
        y -= y.mean()
        centered[name] = (y, math.sqrt(float(y @ y)))
    found = {name: np.zeros(factors.shape[1]) for name in outcomes}
    for column in range(factors.shape[1]):
        x = average_ranks(factors[:, column])
        x -= x.mean()
        x_norm = math.sqrt(float(x @ x))
        for name, (y, y_norm) in centered.items():
            if x_norm > 0 and y_norm > 0:
                found[name][column] = float(x @ y) / (x_norm * y_norm)
    return found


def variance_shares(correlations: Array) -> Array:
    """Each input's share of the outcome's variance: its squared rank correlation over the
    sum of all of them, the usual contribution-to-variance measure."""
    squares = correlations**2
    total = float(squares.sum())
    shares: Array = squares / total if total > 0 else np.zeros_like(squares)
    return shares
