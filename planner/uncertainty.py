"""Uncertainty and sensitivity: Monte Carlo over a scenario's inputs, a tornado and a ranking.

Each uncertain input is multiplied by one factor per sample, the same in every
period. Samples go through the engine in blocks (one call per block), and the
KPIs of a whole block are computed at once from its (samples, periods) arrays;
they follow :mod:`planner.kpis` exactly, the cash-zero month included. Only the
KPIs per sample and the statistics of the series are kept, so memory stays
bounded however many samples a run has.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

import numpy as np
import numpy.typing as npt

from planner.analysis.risk_stats import (
    BAND_PERCENTILES,
    EXACT_CELLS,
    HISTOGRAM_BINS,
    BandCollector,
    rank_correlations,
    variance_shares,
)
from planner.analysis.sample_model import sampled_scenario
from planner.analysis.sampling import (
    correlated_items,
    correlation_matrix,
    correlation_problem,
    draw_latin_hypercube,
    draw_random,
    impose_rank_correlation,
)
from planner.compiled import Array
from planner.engine import Result, evaluate_resolved, input_arrays
from planner.model import (
    Correlation,
    Project,
    Uncertainty,
    period_months,
    period_year,
)
from planner.scenarios import ResolvedScenario, resolve
from planner.structure import broken_problem

MAX_SAMPLES = 1_000_000
MAX_SEED = 2**64 - 1
NUMERIC_KPIS = ("cumulative_burn", "total_raised", "peak_funding_need")
BAND_SERIES = ("cash", "revenue", "burn")
KPI_SERIES = ("burn", "funding", "cash")  # what :func:`sample_kpis` reads
PERCENTILES = (5.0, 50.0, 95.0)
SAMPLING = ("lhs", "random")
DEFAULT_SAMPLES = 10_000
NEVER = -1  # month or year index of a sample whose event does not happen in the horizon
# Values per engine call (samples x periods x computed items): 64 MB of float64, small
# enough that the blocks of a million samples stay within a few hundred MB in all,
# large enough that the cost of a call is spread over thousands of samples.
CELLS_PER_CALL = 2**23
PILOT_SAMPLES = 20_000  # samples that set the histogram ranges of a large run

IntArray = npt.NDArray[np.int64]


class UncertaintyError(ValueError):
    """A Monte Carlo run that cannot be done as asked; the message says why."""


class Cancelled(Exception):
    """A run stopped between blocks because its caller asked it to."""


# --- the ranges of a scenario ----------------------------------------------------


def ranges_for(project: Project, scenario: str | None) -> tuple[Uncertainty, ...]:
    """The effective ranges of ``scenario``: the base's in order, a scenario's own range of
    an item in its place, then the ranges the scenario adds."""
    own = project.scenario(scenario) if scenario is not None else None
    if own is None or not own.uncertainty:
        return tuple(project.uncertainty)
    replaced = {spec.item: spec for spec in own.uncertainty}
    base_items = {spec.item for spec in project.uncertainty}
    merged = [replaced.get(spec.item, spec) for spec in project.uncertainty]
    merged += [spec for spec in own.uncertainty if spec.item not in base_items]
    return tuple(merged)


def check_correlations(project: Project, scenario: str | None) -> None:
    """Refuse correlations of items without a range, and a set that cannot hold together."""
    varied = {spec.item for spec in ranges_for(project, scenario)}
    for correlation in project.correlations:
        missing = [item for item in correlation.items if item not in varied]
        if missing:
            raise UncertaintyError(
                f"the correlation of '{correlation.items[0]}' and '{correlation.items[1]}': "
                f"'{missing[0]}' has no range, and only uncertain inputs can be correlated"
            )
    problem = correlation_problem(project.correlations)
    if problem is not None:
        raise UncertaintyError(problem)


# --- drawing and evaluating ------------------------------------------------------


def draw_factors(
    specs: Sequence[Uncertainty],
    samples: int,
    seed: int,
    sampling: str = "random",
    correlations: Sequence[Correlation] = (),
) -> Array:
    """Factors of shape (samples, len(specs)), in the order of ``specs``.

    Plain random draws give the same numbers for a seed as they always have;
    correlations then only reorder the columns of the inputs they name.
    """
    if sampling not in SAMPLING:
        raise UncertaintyError(f"sampling is one of {', '.join(SAMPLING)}, not {sampling!r}")
    draw = draw_latin_hypercube if sampling == "lhs" else draw_random
    factors = draw(specs, samples, seed)
    if correlations:
        items = correlated_items(correlations)
        column_of = {spec.item: column for column, spec in enumerate(specs)}
        columns = [column_of[item] for item in items]
        target = correlation_matrix(items, correlations)
        impose_rank_correlation(factors, columns, target, seed)
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
    """One input alone at its low and high factor: the change in the KPIs against factor 1.

    ``at_low`` and ``at_high`` hold every KPI of :data:`NUMERIC_KPIS`; the four
    named fields repeat two of them.
    """

    item: str
    low: float
    high: float
    peak_at_low: float
    peak_at_high: float
    burn_at_low: float
    burn_at_high: float
    at_low: dict[str, float]
    at_high: dict[str, float]

    @property
    def swing(self) -> float:
        return abs(self.peak_at_high - self.peak_at_low)


@dataclass(frozen=True)
class RankingRow:
    """An input's rank correlation with a KPI over the same draws, and its share of the
    KPI's variance (its squared rank correlation over the sum of all)."""

    item: str
    rank_correlation: float
    variance_share: float


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
    bands: dict[str, Array]  # series -> (5, periods): rows of BAND_PERCENTILES
    tornado: tuple[TornadoRow, ...]
    plan: dict[str, Array]  # series -> (periods,): every factor at 1
    cash_zero_by_period: Array  # share of samples out of cash by the end of each period
    cash_zero_months: IntArray  # samples out of cash in each month of the horizon
    ranking: dict[str, tuple[RankingRow, ...]]
    sampling: str
    correlations: tuple[Correlation, ...] = ()


def spread(values: Array, fixed: float) -> Spread:
    p5, p50, p95 = np.percentile(values, PERCENTILES)
    return Spread(float(p5), float(p50), float(p95), _mean(values), fixed)


def _mean(values: Array) -> float:
    """The mean, also of values so large (1e306, say) that their sum would overflow."""
    largest = float(np.abs(values).max())
    if largest < 1e300 or not np.isfinite(largest):
        return float(values.mean())
    return float((values / largest).mean() * largest)


def event(happens_at: IntArray, fixed: int) -> Event:
    """``happens_at`` per sample (:data:`NEVER` when not); the median is a real sample's."""
    hits = happens_at[happens_at != NEVER]
    median = int(np.quantile(hits, 0.5, method="inverted_cdf")) if hits.size else None
    return Event(
        probability=hits.size / happens_at.size,
        median=median,
        fixed=None if fixed == NEVER else fixed,
    )


def first_month(periods: Sequence[str]) -> int:
    """The month index (as in :class:`SampleKpis`) of the horizon's first month."""
    return period_year(periods[0]) * 12 + period_months(periods[0])[0] - 1


def horizon_months(periods: Sequence[str]) -> int:
    return sum(period_months(p)[1] for p in periods)


def cash_zero_timeline(cash_zero_month: IntArray, periods: Sequence[str]) -> tuple[Array, IntArray]:
    """The share of samples out of cash by the end of each period, and the count per month."""
    start = first_month(periods)
    runs_out = cash_zero_month[cash_zero_month != NEVER] - start
    per_month = np.bincount(runs_out, minlength=horizon_months(periods)).astype(np.int64)
    ends = np.cumsum([period_months(p)[1] for p in periods])
    by_month = np.cumsum(per_month)
    by_period: Array = by_month[ends - 1] / len(cash_zero_month)
    return by_period, per_month


def samples_per_call(resolved: ResolvedScenario, varied: int = 0) -> int:
    """Samples per engine call: those whose computed values fill :data:`CELLS_PER_CALL`.

    Inputs that no sample changes are shared by all samples, so only formulas and
    the ``varied`` inputs count.
    """
    computed = sum(1 for item in resolved.items if item.formula is not None) + varied
    return max(1, CELLS_PER_CALL // (len(resolved.periods) * max(1, computed)))


# --- running in blocks -----------------------------------------------------------

DRAW_KPIS = (*NUMERIC_KPIS, "breakeven_year", "cash_zero")


def available_memory() -> int | None:
    """Bytes of memory that can be had now without swapping; None where the system won't say.

    Linux's MemAvailable counts the page cache it would give back; free pages alone
    would understate it many times over on a machine that has been reading files.
    """
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def memory_needed(resolved: ResolvedScenario, specs: Sequence[Uncertainty], samples: int) -> int:
    """A generous estimate of a run's peak memory, in bytes."""
    periods = len(resolved.periods)
    per_sample = 8 * (3 * len(specs) + 12)  # factors, their reordering, KPIs and their ranks
    if samples * periods <= EXACT_CELLS:
        fixed = 2 * 8 * samples * periods * len(BAND_SERIES)
    else:
        fixed = 8 * periods * len(BAND_SERIES) * (HISTOGRAM_BINS + 2 * PILOT_SAMPLES)
    engine = 3 * 8 * min(CELLS_PER_CALL, samples * periods * len(resolved.items))
    return samples * per_sample + fixed + engine


def check_memory(resolved: ResolvedScenario, specs: Sequence[Uncertainty], samples: int) -> None:
    needed, free = memory_needed(resolved, specs, samples), available_memory()
    if free is not None and needed > free:
        raise UncertaintyError(
            f"{samples:,} samples of this scenario need about {needed / 2**30:.1f} GB of memory "
            f"and {free / 2**30:.1f} GB is free; run fewer samples"
        )


@dataclass
class _Progress:
    should_stop: Callable[[], bool] | None
    report: Callable[[float], None] | None
    total: int
    done: int = 0

    def step(self, samples: int) -> None:
        if self.should_stop is not None and self.should_stop():
            raise Cancelled("the run was stopped")
        self.done += samples
        if self.report is not None:
            self.report(min(1.0, self.done / self.total))


@dataclass(frozen=True)
class _Sampled:
    """The cut-down scenario the samples go through, and which factor columns it reads."""

    scenario: ResolvedScenario
    specs: tuple[Uncertainty, ...]
    columns: list[int]

    @classmethod
    def of(cls, resolved: ResolvedScenario, specs: Sequence[Uncertainty]) -> _Sampled:
        varied = {spec.item for spec in specs}
        scenario = sampled_scenario(resolved, varied, (*BAND_SERIES, *KPI_SERIES))
        kept = {item.id for item in scenario.items}
        columns = [column for column, spec in enumerate(specs) if spec.item in kept]
        return cls(scenario, tuple(specs[column] for column in columns), columns)

    def evaluate(self, factors: Array) -> Result:
        result = evaluate_factors(self.scenario, self.specs, factors[:, self.columns])
        if result.samples != len(factors):  # no varied input reaches the series read
            shape = (len(factors), len(self.scenario.periods))
            result.values = {key: np.broadcast_to(v, shape) for key, v in result.values.items()}
        return result


def _blocks(sampled: _Sampled, factors: Array, progress: _Progress) -> Iterator[tuple[int, Result]]:
    step = samples_per_call(sampled.scenario, len(sampled.specs))
    for start in range(0, len(factors), step):
        progress.step(0)
        result = sampled.evaluate(factors[start : start + step])
        yield start, result
        progress.step(len(result.values["cash"]))


def _pilot(sampled: _Sampled, factors: Array) -> dict[str, Array]:
    """The band series of an even subset of the samples."""
    rows = np.linspace(0, len(factors) - 1, min(len(factors), PILOT_SAMPLES)).astype(np.int64)
    values = sampled.evaluate(factors[rows]).values
    return {sid: np.array(values[sid]) for sid in BAND_SERIES}


def evaluate_samples(
    resolved: ResolvedScenario,
    specs: Sequence[Uncertainty],
    factors: Array,
    progress: _Progress,
    draws: TextIO | None = None,
) -> tuple[SampleKpis, dict[str, Array]]:
    """KPIs of every sample and the percentile bands of the series, block by block."""
    samples, periods = len(factors), len(resolved.periods)
    parts: list[SampleKpis] = []
    writer = _draw_writer(draws, specs)
    sampled = _Sampled.of(resolved, specs)
    pilot = None if samples * periods <= EXACT_CELLS else _pilot(sampled, factors)
    collector = BandCollector(BAND_SERIES, samples, pilot)
    for start, result in _blocks(sampled, factors, progress):
        kpis = sample_kpis(result)
        parts.append(kpis)
        collector.add(result.values)
        if writer is not None:
            _write_draws(writer, start, factors[start : start + result.samples], kpis)
    joined = SampleKpis(*(np.concatenate([getattr(k, f) for k in parts]) for f in _KPI_FIELDS))
    return joined, collector.bands()


_KPI_FIELDS = (*NUMERIC_KPIS, "breakeven_year", "cash_zero_month")


def _draw_writer(draws: TextIO | None, specs: Sequence[Uncertainty]) -> Any:
    if draws is None:
        return None
    writer = csv.writer(draws, lineterminator="\n")
    writer.writerow(["sample", *(spec.item for spec in specs), *DRAW_KPIS])
    return writer


def _write_draws(writer: Any, start: int, factors: Array, kpis: SampleKpis) -> None:
    """One row per sample: its number (from 1), its factors and its KPIs."""
    numbers = [kpis.numeric(kpi).tolist() for kpi in NUMERIC_KPIS]
    breakeven = [str(y) if y != NEVER else "" for y in kpis.breakeven_year.tolist()]
    cash_zero = [month_label(m) or "" for m in kpis.cash_zero_month.tolist()]
    writer.writerows(
        zip(
            range(start + 1, start + 1 + len(factors)),
            *factors.T.tolist(),
            *numbers,
            breakeven,
            cash_zero,
            strict=True,
        )
    )


def tornado(resolved: ResolvedScenario, specs: Sequence[Uncertainty]) -> list[TornadoRow]:
    """Each input alone at its low and its high (others at 1), largest swing first.

    Row 0 of the evaluation has every factor at 1; it is the reference.
    """
    count = len(specs)
    factors = np.ones((1 + 2 * count, count))
    for column, spec in enumerate(specs):
        factors[1 + 2 * column, column] = spec.low
        factors[2 + 2 * column, column] = spec.high
    kpis = sample_kpis(_Sampled.of(resolved, specs).evaluate(factors))
    change = {kpi: kpis.numeric(kpi) - kpis.numeric(kpi)[0] for kpi in NUMERIC_KPIS}
    rows = []
    for column, spec in enumerate(specs):
        at_low = {kpi: float(change[kpi][1 + 2 * column]) for kpi in NUMERIC_KPIS}
        at_high = {kpi: float(change[kpi][2 + 2 * column]) for kpi in NUMERIC_KPIS}
        rows.append(
            TornadoRow(
                spec.item,
                spec.low,
                spec.high,
                at_low["peak_funding_need"],
                at_high["peak_funding_need"],
                at_low["cumulative_burn"],
                at_high["cumulative_burn"],
                at_low,
                at_high,
            )
        )
    rows.sort(key=lambda row: (-row.swing, -abs(row.burn_at_high - row.burn_at_low), row.item))
    return rows


def ranking(
    specs: Sequence[Uncertainty], factors: Array, kpis: SampleKpis
) -> dict[str, tuple[RankingRow, ...]]:
    """Per KPI, the inputs by the strength of their rank correlation with it."""
    found = rank_correlations(factors, {kpi: kpis.numeric(kpi) for kpi in NUMERIC_KPIS})
    table = {}
    for kpi, correlations in found.items():
        shares = variance_shares(correlations)
        rows = [
            RankingRow(spec.item, float(r), float(share))
            for spec, r, share in zip(specs, correlations, shares, strict=True)
        ]
        rows.sort(key=lambda row: (-abs(row.rank_correlation), row.item))
        table[kpi] = tuple(rows)
    return table


def _check_request(samples: int, seed: int, sampling: str) -> None:
    if not 1 <= samples <= MAX_SAMPLES:
        raise UncertaintyError(f"samples must be between 1 and {MAX_SAMPLES:,}, not {samples}")
    if not 0 <= seed <= MAX_SEED:
        raise UncertaintyError(f"the seed must be a whole number from 0 to {MAX_SEED}, not {seed}")
    if sampling not in SAMPLING:
        raise UncertaintyError(f"sampling is one of {', '.join(SAMPLING)}, not {sampling!r}")


def run_montecarlo(
    project: Project,
    scenario: str,
    samples: int,
    seed: int,
    sampling: str = "lhs",
    *,
    should_stop: Callable[[], bool] | None = None,
    progress: Callable[[float], None] | None = None,
    draws: TextIO | None = None,
) -> MonteCarlo:
    """Draw, evaluate and summarise ``samples`` variants of ``scenario``.

    ``should_stop`` is asked between blocks (True raises :class:`Cancelled`),
    ``progress`` told the share done, and ``draws`` gets one CSV row per sample.
    """
    _check_request(samples, seed, sampling)
    resolved = resolve(project, scenario)
    specs = ranges_for(project, resolved.name)
    if not specs:
        raise UncertaintyError(
            "the project defines no uncertainty; add an 'uncertainty' list to the project file"
        )
    check_correlations(project, resolved.name)
    check_varied(resolved, specs)
    problem = broken_problem(resolved)
    if problem is not None:
        raise UncertaintyError(problem)
    check_memory(resolved, specs, samples)
    factors = draw_factors(specs, samples, seed, sampling, project.correlations)
    steps = _Progress(should_stop, progress, samples)
    kpis, bands = evaluate_samples(resolved, specs, factors, steps, draws)
    plan_result = evaluate_factors(resolved, specs, np.ones((1, len(specs))))
    fixed = sample_kpis(plan_result)
    by_period, per_month = cash_zero_timeline(kpis.cash_zero_month, resolved.periods)
    return MonteCarlo(
        scenario=resolved.name,
        samples=samples,
        seed=seed,
        periods=resolved.periods,
        inputs=specs,
        kpis={kpi: spread(kpis.numeric(kpi), float(fixed.numeric(kpi)[0])) for kpi in NUMERIC_KPIS},
        cash_zero=event(kpis.cash_zero_month, int(fixed.cash_zero_month[0])),
        breakeven=event(kpis.breakeven_year, int(fixed.breakeven_year[0])),
        bands=bands,
        tornado=tuple(tornado(resolved, specs)),
        plan={sid: np.array(plan_result.values[sid][0]) for sid in BAND_SERIES},
        cash_zero_by_period=by_period,
        cash_zero_months=per_month,
        ranking=ranking(specs, factors, kpis),
        sampling=sampling,
        correlations=tuple(project.correlations),
    )


BAND_NAMES = tuple(f"p{p:g}" for p in BAND_PERCENTILES)


def as_json(mc: MonteCarlo, labels: dict[str, tuple[str, str]]) -> dict[str, object]:
    """The ``montecarlo --json`` object; ``labels`` maps item ids to (label, unit)."""

    def spread_json(s: Spread) -> dict[str, float]:
        return {"p5": s.p5, "p50": s.p50, "p95": s.p95, "mean": s.mean, "fixed": s.fixed}

    return {
        "scenario": mc.scenario,
        "samples": mc.samples,
        "seed": mc.seed,
        "sampling": mc.sampling,
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
        "correlations": [
            {"items": list(c.items), "rank": c.rank, "note": c.note} for c in mc.correlations
        ],
        "kpis": {kpi: spread_json(s) for kpi, s in mc.kpis.items()},
        "cash_zero": {
            "probability": mc.cash_zero.probability,
            "median": None if mc.cash_zero.median is None else month_label(mc.cash_zero.median),
            "fixed": None if mc.cash_zero.fixed is None else month_label(mc.cash_zero.fixed),
        },
        "cash_zero_by_year": mc.cash_zero_by_period.tolist(),
        "breakeven": {
            "probability": mc.breakeven.probability,
            "median": mc.breakeven.median,
            "fixed": mc.breakeven.fixed,
        },
        "bands": {
            sid: {name: band.tolist() for name, band in zip(BAND_NAMES, arr, strict=True)}
            for sid, arr in mc.bands.items()
        },
        "plan": {sid: values.tolist() for sid, values in mc.plan.items()},
        "tornado": [
            {
                "item": row.item,
                "low": row.low,
                "high": row.high,
                **{
                    kpi: {"at_low": row.at_low[kpi], "at_high": row.at_high[kpi]}
                    for kpi in NUMERIC_KPIS
                },
            }
            for row in mc.tornado
        ],
        "ranking": {
            kpi: [
                {
                    "item": row.item,
                    "rank_correlation": row.rank_correlation,
                    "variance_share": row.variance_share,
                }
                for row in rows
            ]
            for kpi, rows in mc.ranking.items()
        },
    }
