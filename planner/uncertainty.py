"""Uncertainty and sensitivity: Monte Carlo over a scenario's inputs, and a tornado table.

Each uncertain input is multiplied by one factor per sample, the same in every
period. All samples go through the engine in a single call (very large runs
in blocks of tens of thousands, to bound memory), and the KPIs of all samples
are computed at once from the (samples, periods) arrays; they follow
:mod:`planner.kpis` exactly, the cash-zero month included.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt

from planner.compiled import Array
from planner.engine import Result, evaluate_resolved, input_arrays
from planner.model import EVENT_SERIES, Project, Uncertainty, period_months, period_year
from planner.scenarios import ResolvedScenario, resolve
from planner.structure import broken_problem

MAX_SAMPLES = 1_000_000
MAX_SEED = 2**64 - 1
NUMERIC_KPIS = ("cumulative_burn", "total_raised", "peak_funding_need")
BAND_SERIES = ("cash", "revenue", "burn")
PERCENTILES = (5.0, 50.0, 95.0)
NEVER = -1  # month or year index of a sample whose event does not happen in the horizon
# Values per engine call (samples x periods x line items): about 0.5 GB of float64. The
# built-in plan fits some 90,000 samples in one call; a million samples of a large model
# would not fit in memory at once.
CELLS_PER_CALL = 2**26

IntArray = npt.NDArray[np.int64]


class UncertaintyError(ValueError):
    """A Monte Carlo run that cannot be done as asked; the message says why."""


# --- drawing and evaluating ------------------------------------------------------


def draw_factors(specs: Sequence[Uncertainty], samples: int, seed: int) -> Array:
    """Factors of shape (samples, len(specs)), drawn in the order of ``specs``."""
    rng = np.random.default_rng(seed)
    factors = np.empty((samples, len(specs)))
    for column, spec in enumerate(specs):
        if spec.low == spec.high:
            factors[:, column] = spec.low  # numpy refuses a triangle without width
        elif spec.distribution == "triangular":
            factors[:, column] = rng.triangular(spec.low, 1.0, spec.high, samples)
        else:
            factors[:, column] = rng.uniform(spec.low, spec.high, samples)
    return factors


def check_varied(resolved: ResolvedScenario, specs: Sequence[Uncertainty]) -> None:
    """Refuse inputs that the scenario calculates by a formula: a factor would be ignored."""
    kinds = {item.id: item.kind for item in resolved.items}
    for spec in specs:
        if kinds.get(spec.item, "formula") == "formula":
            raise UncertaintyError(
                f"scenario '{resolved.name}' calculates '{spec.item}' by a formula, "
                "so its uncertainty cannot apply there"
            )


def evaluate_factors(
    resolved: ResolvedScenario, specs: Sequence[Uncertainty], factors: Array
) -> Result:
    """One engine call for all rows of ``factors`` (samples x specs)."""
    check_varied(resolved, specs)
    base = input_arrays(resolved)
    overrides = {
        spec.item: base[spec.item] * factors[:, column : column + 1]
        for column, spec in enumerate(specs)
    }
    return evaluate_resolved(resolved, overrides)


# --- KPIs of every sample at once ------------------------------------------------


@dataclass(frozen=True)
class SampleKpis:
    """KPIs per sample; events that do not happen hold :data:`NEVER`."""

    cumulative_burn: Array
    total_raised: Array
    peak_funding_need: Array
    breakeven_year: IntArray
    cash_zero_month: IntArray  # months since year 0: year * 12 + month - 1

    def numeric(self, kpi: str) -> Array:
        values: Array = getattr(self, kpi)
        return values


def sample_kpis(result: Result) -> SampleKpis:
    """The KPIs of :func:`planner.kpis.compute_kpis` for every sample, vectorised."""
    burn = result.values["burn"]
    funding = result.values["funding"]
    cash = result.values["cash"]
    samples = burn.shape[0]
    rows = np.arange(samples)
    years = np.array([period_year(p) for p in result.periods], dtype=np.int64)
    first_month = np.array([period_months(p)[0] for p in result.periods], dtype=np.int64)
    months = np.array([period_months(p)[1] for p in result.periods], dtype=np.int64)

    # Sustained, as in kpis.compute_kpis: the period after the last one with burn above zero.
    losing = burn > 0
    last_losing = losing.shape[1] - 1 - losing[:, ::-1].argmax(axis=1)
    after = np.where(losing.any(axis=1), last_losing + 1, 0)
    breakeven = np.where(after < len(years), years[np.minimum(after, len(years) - 1)], NEVER)

    below = cash < 0
    runs_out = below.any(axis=1)
    t = below.argmax(axis=1)
    end = cash[rows, t]
    # The same arithmetic, in the same order, as kpis.cash_zero_month, so that the
    # month agrees with it to the bit; a period that opens below zero counts from its start.
    opening = end + burn[rows, t] - funding[rows, t]
    start = np.where(t > 0, cash[rows, t - 1], opening)
    with np.errstate(all="ignore"):  # samples that never run out give junk, masked below
        fraction = np.where(start <= 0, 0.0, start / (start - end))
        fraction = np.where(runs_out, fraction, 0.0)
    offset = np.minimum(months[t] - 1, np.floor(fraction * months[t]).astype(np.int64))
    month_index = years[t] * 12 + first_month[t] - 1 + offset
    return SampleKpis(
        cumulative_burn=burn.sum(axis=1),
        total_raised=funding.sum(axis=1),
        peak_funding_need=np.maximum(0.0, np.cumsum(burn, axis=1).max(axis=1)),
        breakeven_year=breakeven.astype(np.int64),
        cash_zero_month=np.where(runs_out, month_index, NEVER).astype(np.int64),
    )


def month_label(index: int) -> str | None:
    """A month index of :class:`SampleKpis` as "YYYY-MM"; None for :data:`NEVER`."""
    if index == NEVER:
        return None
    year, month = divmod(index, 12)
    return f"{year:04d}-{month + 1:02d}"


# --- summaries -------------------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    p5: float
    p50: float
    p95: float
    mean: float
    fixed: float  # the value with every factor at 1: the scenario as it stands


@dataclass(frozen=True)
class Event:
    """How often something happens within the horizon, and when (the median sample)."""

    probability: float
    median: int | None  # a year, or a month index; among the samples where it happens
    fixed: int | None


@dataclass(frozen=True)
class TornadoRow:
    """One input alone at its low and high factor: the change in two KPIs against factor 1."""

    item: str
    low: float
    high: float
    peak_at_low: float
    peak_at_high: float
    burn_at_low: float
    burn_at_high: float

    @property
    def swing(self) -> float:
        return abs(self.peak_at_high - self.peak_at_low)


@dataclass(frozen=True)
class MonteCarlo:
    scenario: str
    samples: int
    seed: int
    periods: tuple[str, ...]
    inputs: tuple[Uncertainty, ...]
    kpis: dict[str, Spread]
    cash_zero: Event
    breakeven: Event
    bands: dict[str, Array]  # series -> (3, periods): p5, p50, p95
    tornado: tuple[TornadoRow, ...]


def spread(values: Array, fixed: float) -> Spread:
    p5, p50, p95 = np.percentile(values, PERCENTILES)
    return Spread(float(p5), float(p50), float(p95), float(values.mean()), fixed)


def event(happens_at: IntArray, fixed: int) -> Event:
    """``happens_at`` per sample (:data:`NEVER` when not); the median is a real sample's."""
    hits = happens_at[happens_at != NEVER]
    median = int(np.quantile(hits, 0.5, method="inverted_cdf")) if hits.size else None
    return Event(
        probability=hits.size / happens_at.size,
        median=median,
        fixed=None if fixed == NEVER else fixed,
    )


def bands(series: dict[str, Array]) -> dict[str, Array]:
    return {sid: np.percentile(values, PERCENTILES, axis=0) for sid, values in series.items()}


def samples_per_call(resolved: ResolvedScenario) -> int:
    cells_per_sample = len(resolved.periods) * (len(resolved.items) + len(EVENT_SERIES))
    return max(1, CELLS_PER_CALL // cells_per_sample)


def evaluate_samples(
    resolved: ResolvedScenario, specs: Sequence[Uncertainty], factors: Array
) -> tuple[SampleKpis, dict[str, Array]]:
    """KPIs and band series of every row of ``factors``: one engine call per block of samples.

    Only the KPIs and the three band series are kept from each block, so memory
    stays bounded however many samples there are.
    """
    step = samples_per_call(resolved)
    kpis: list[SampleKpis] = []
    series: dict[str, list[Array]] = {sid: [] for sid in BAND_SERIES}
    for start in range(0, len(factors), step):
        result = evaluate_factors(resolved, specs, factors[start : start + step])
        kpis.append(sample_kpis(result))
        for sid, parts in series.items():
            parts.append(result.values[sid])
    if len(kpis) == 1:
        return kpis[0], {sid: parts[0] for sid, parts in series.items()}
    joined = SampleKpis(
        *(np.concatenate([getattr(k, field.name) for k in kpis]) for field in fields(SampleKpis))
    )
    return joined, {sid: np.concatenate(parts) for sid, parts in series.items()}


def tornado(resolved: ResolvedScenario, specs: Sequence[Uncertainty]) -> list[TornadoRow]:
    """Each input alone at its low and its high (others at 1), largest swing first.

    Row 0 of the evaluation has every factor at 1; it is the reference.
    """
    count = len(specs)
    factors = np.ones((1 + 2 * count, count))
    for column, spec in enumerate(specs):
        factors[1 + 2 * column, column] = spec.low
        factors[2 + 2 * column, column] = spec.high
    kpis = sample_kpis(evaluate_factors(resolved, specs, factors))
    peak = kpis.peak_funding_need - kpis.peak_funding_need[0]
    burn = kpis.cumulative_burn - kpis.cumulative_burn[0]
    rows = [
        TornadoRow(
            spec.item,
            spec.low,
            spec.high,
            float(peak[1 + 2 * column]),
            float(peak[2 + 2 * column]),
            float(burn[1 + 2 * column]),
            float(burn[2 + 2 * column]),
        )
        for column, spec in enumerate(specs)
    ]
    rows.sort(key=lambda row: (-row.swing, -abs(row.burn_at_high - row.burn_at_low), row.item))
    return rows


def run_montecarlo(project: Project, scenario: str, samples: int, seed: int) -> MonteCarlo:
    """Draw, evaluate and summarise ``samples`` variants of ``scenario``."""
    if not project.uncertainty:
        raise UncertaintyError(
            "the project defines no uncertainty; add an 'uncertainty' list to the project file"
        )
    if not 1 <= samples <= MAX_SAMPLES:
        raise UncertaintyError(f"samples must be between 1 and {MAX_SAMPLES:,}, not {samples}")
    if not 0 <= seed <= MAX_SEED:
        raise UncertaintyError(f"the seed must be a whole number from 0 to {MAX_SEED}, not {seed}")
    specs = tuple(project.uncertainty)
    resolved = resolve(project, scenario)
    problem = broken_problem(resolved)
    if problem is not None:
        raise UncertaintyError(problem)
    kpis, series = evaluate_samples(resolved, specs, draw_factors(specs, samples, seed))
    fixed = sample_kpis(evaluate_factors(resolved, specs, np.ones((1, len(specs)))))
    return MonteCarlo(
        scenario=resolved.name,
        samples=samples,
        seed=seed,
        periods=resolved.periods,
        inputs=specs,
        kpis={kpi: spread(kpis.numeric(kpi), float(fixed.numeric(kpi)[0])) for kpi in NUMERIC_KPIS},
        cash_zero=event(kpis.cash_zero_month, int(fixed.cash_zero_month[0])),
        breakeven=event(kpis.breakeven_year, int(fixed.breakeven_year[0])),
        bands=bands(series),
        tornado=tuple(tornado(resolved, specs)),
    )


def as_json(mc: MonteCarlo, labels: dict[str, tuple[str, str]]) -> dict[str, object]:
    """The ``montecarlo --json`` object; ``labels`` maps item ids to (label, unit)."""

    def spread_json(s: Spread) -> dict[str, float]:
        return {"p5": s.p5, "p50": s.p50, "p95": s.p95, "mean": s.mean, "fixed": s.fixed}

    return {
        "scenario": mc.scenario,
        "samples": mc.samples,
        "seed": mc.seed,
        "periods": list(mc.periods),
        "inputs": [
            {
                "item": spec.item,
                "label": labels[spec.item][0],
                "unit": labels[spec.item][1],
                "distribution": spec.distribution,
                "low": spec.low,
                "high": spec.high,
                "note": spec.note,
            }
            for spec in mc.inputs
        ],
        "kpis": {kpi: spread_json(s) for kpi, s in mc.kpis.items()},
        "cash_zero": {
            "probability": mc.cash_zero.probability,
            "median": None if mc.cash_zero.median is None else month_label(mc.cash_zero.median),
            "fixed": None if mc.cash_zero.fixed is None else month_label(mc.cash_zero.fixed),
        },
        "breakeven": {
            "probability": mc.breakeven.probability,
            "median": mc.breakeven.median,
            "fixed": mc.breakeven.fixed,
        },
        "bands": {
            sid: {name: band.tolist() for name, band in zip(("p5", "p50", "p95"), arr, strict=True)}
            for sid, arr in mc.bands.items()
        },
        "tornado": [
            {
                "item": row.item,
                "low": row.low,
                "high": row.high,
                "peak_funding_need": {"at_low": row.peak_at_low, "at_high": row.peak_at_high},
                "cumulative_burn": {"at_low": row.burn_at_low, "at_high": row.burn_at_high},
            }
            for row in mc.tornado
        ],
    }
