"""Statistics of a Monte Carlo run that are gathered block by block, in bounded memory.

Percentile bands of a run whose series fit in :data:`EXACT_CELLS` are exact (the
series are kept whole). A larger run counts its values into a fine histogram per
series and period, whose range a pilot subset of the samples sets; a percentile
is then read within its bin, so it is off by at most one bin's width:
:data:`HISTOGRAM_BINS` bins over the pilot's range widened by a tenth each side,
some 0.06% of the spread of the series in that period. Memory is then fixed by
the number of periods, whatever the number of samples.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from planner.compiled import Array

BAND_PERCENTILES = (5.0, 25.0, 50.0, 75.0, 95.0)
# Below this many cells per series (samples x periods) the series are kept whole.
EXACT_CELLS = 2**21
HISTOGRAM_BINS = 2048
HISTOGRAM_PAD = 0.1  # the share of the pilot's range added each side


def exact_percentiles(values: Array, percents: Sequence[float]) -> Array:
    """``np.percentile(values, percents, axis=0)`` to the bit, for a (samples, periods) array.

    One sort of each period's values (contiguous, so fast) serves every percentile,
    where numpy would select each one from strided memory.
    """
    return _percentiles_of_rows(np.array(values.T, order="C"), percents)


def _percentiles_of_rows(rows: Array, percents: Sequence[float]) -> Array:
    """Percentiles of each row of ``rows`` (periods, samples), which is sorted in place."""
    rows.sort(axis=1)
    count = rows.shape[1]
    position = (count - 1) * (np.asarray(percents, dtype=np.float64) / 100)
    below = np.floor(position)
    gamma = (position - below)[:, None]
    lower_index = np.minimum(below.astype(np.intp), count - 1)
    upper_index = np.minimum(lower_index + 1, count - 1)
    lower, upper = rows[:, lower_index].T, rows[:, upper_index].T
    diff = upper - lower
    # numpy's linear interpolation, from whichever end is nearer
    found: Array = np.where(gamma >= 0.5, upper - diff * (1 - gamma), lower + diff * gamma)
    return found


def virtual_rank(samples: int, percent: float) -> float:
    """The 0-based fractional rank numpy's linear percentile interpolates at."""
    q = percent / 100
    return samples * q + (1 - q) - 1


class _Histogram:
    """Counts of one series per period in equal bins between the pilot's bounds, widened.

    Values outside the bounds fall in the end bins: with bounds from thousands of
    samples and percentiles no further out than the 5th, no band is read from them.
    """

    def __init__(self, pilot: Array) -> None:
        low, high = pilot.min(axis=0), pilot.max(axis=0)
        pad = (high - low) * HISTOGRAM_PAD
        self.low = low - pad
        self.width = np.maximum((high - low + 2 * pad) / HISTOGRAM_BINS, 1e-300)
        self.flat = high == low
        self.value = low  # of a series that does not vary in a period
        periods = pilot.shape[1]
        self.offsets = np.arange(periods) * HISTOGRAM_BINS
        self.counts = np.zeros(periods * HISTOGRAM_BINS, dtype=np.int64)

    def add(self, block: Array) -> None:
        bins = np.floor((block - self.low) / self.width)
        bins = np.clip(bins, 0, HISTOGRAM_BINS - 1).astype(np.int64)
        self.counts += np.bincount((bins + self.offsets).ravel(), minlength=self.counts.size)

    def percentile(self, samples: int, percent: float) -> Array:
        counts = self.counts.reshape(-1, HISTOGRAM_BINS)
        rank = virtual_rank(samples, percent)
        through = np.cumsum(counts, axis=1)
        # The bin holding the value of rank ``rank`` (0-based): the first whose running
        # count passes it; within the bin its values are taken as evenly spread.
        index = np.minimum((through <= rank).sum(axis=1), HISTOGRAM_BINS - 1)
        rows = np.arange(counts.shape[0])
        before = through[rows, index] - counts[rows, index]
        inside = counts[rows, index]
        share = np.clip((rank - before + 0.5) / np.maximum(inside, 1), 0.0, 1.0)
        value: Array = self.low + (index + share) * self.width
        return np.where(self.flat, self.value, value)


class BandCollector:
    """Percentile bands of series over all samples, fed one block of samples at a time."""

    def __init__(
        self, series: Sequence[str], samples: int, pilot: Mapping[str, Array] | None = None
    ) -> None:
        """Without a ``pilot`` (series -> (some samples, periods)) all values are kept."""
        self.samples = samples
        self.whole: dict[str, list[Array]] | None = None
        self.histograms: dict[str, _Histogram] = {}
        if pilot is None:
            self.whole = {sid: [] for sid in series}
        else:
            self.histograms = {sid: _Histogram(pilot[sid]) for sid in series}

    def add(self, values: Mapping[str, Array]) -> None:
        """One block: series -> (block samples, periods)."""
        if self.whole is not None:
            for sid, parts in self.whole.items():
                # kept a period per row, as the percentiles will sort them
                parts.append(np.array(values[sid].T, dtype=np.float64, order="C"))
            return
        for sid, histogram in self.histograms.items():
            histogram.add(values[sid])

    def bands(self) -> dict[str, Array]:
        """series -> (5, periods): rows p5, p25, p50, p75, p95."""
        if self.whole is not None:
            return {
                sid: _percentiles_of_rows(
                    parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1),
                    BAND_PERCENTILES,
                )
                for sid, parts in self.whole.items()
            }
        return {
            sid: np.array([h.percentile(self.samples, p) for p in BAND_PERCENTILES])
            for sid, h in self.histograms.items()
        }


# --- ranking -------------------------------------------------------------------------


def average_ranks(values: Array) -> Array:
    """Ranks from 0, ties sharing the average of their places."""
    count = len(values)
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts_group = np.empty(count, dtype=bool)
    starts_group[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts_group[1:])
    starts = np.flatnonzero(starts_group)
    ends = np.append(starts[1:], count) - 1
    group = np.cumsum(starts_group) - 1
    ranks = np.empty(count)
    ranks[order] = ((starts + ends) / 2)[group]
    return ranks


def rank_correlations(factors: Array, outcomes: Mapping[str, Array]) -> dict[str, Array]:
    """Spearman's correlation of each input (column of ``factors``) with each outcome.

    0 where either does not vary. One column's ranks at a time, to keep memory small.
    """
    centered: dict[str, tuple[Array, float]] = {}
    for name, outcome in outcomes.items():
        if outcome.size == 0 or outcome.min() == outcome.max():
            continue  # nothing varies: no correlation with anything
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
