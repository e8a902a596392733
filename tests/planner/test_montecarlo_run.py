"""A Monte Carlo run as a whole: its statistics, bounded memory, cancelling, and the draws CSV."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import planner.uncertainty as uncertainty
from planner.cli import main
from planner.engine import evaluate
from planner.io.project_file import save_project
from planner.kpis import compute_kpis
from planner.model import Correlation, Project, Uncertainty
from planner.scenarios import resolve
from planner.uncertainty import (
    NEVER,
    Cancelled,
    UncertaintyError,
    draw_factors,
    evaluate_factors,
    month_label,
    run_montecarlo,
    sample_kpis,
)
from tests.planner.helpers import make_project

COSTS, REVENUE = [4.0, 5.0, 6.0, 7.0], [1.0, 2.0, 4.0, 8.0]
COSTS_RANGE = Uncertainty(item="total_costs", distribution="uniform", low=0.8, high=1.2)
REVENUE_RANGE = Uncertainty(item="revenue", distribution="triangular", low=0.5, high=2.0)


def linear_project() -> Project:
    """Cumulative burn = F1 * sum(costs) - F2 * sum(revenue): linear in the two factors."""
    return make_project(
        [
            {"id": "revenue", "inputs": REVENUE},
            {"id": "total_costs", "inputs": COSTS},
            {"id": "burn", "formula": "total_costs - revenue"},
            {"id": "funding", "inputs": [10.0, 0.0, 0.0, 0.0]},
            {"id": "cash", "formula": "prev(cash, 0) + funding - burn"},
        ],
        uncertainty=[COSTS_RANGE, REVENUE_RANGE],
    )


@pytest.mark.parametrize("sampling", ["lhs", "random"])
def test_a_linear_model_has_the_mean_and_spread_of_its_closed_form(sampling: str) -> None:
    samples = 20_000
    out = io.StringIO()
    mc = run_montecarlo(linear_project(), "Base", samples, seed=3, sampling=sampling, draws=out)
    burns = np.array([float(row["cumulative_burn"]) for row in read_draws(out.getvalue())])
    c, r = sum(COSTS), sum(REVENUE)
    lo, hi = REVENUE_RANGE.low, REVENUE_RANGE.high
    mean = c * 1.0 - r * (lo + 1 + hi) / 3
    variance = c**2 * 0.4**2 / 12 + r**2 * (lo**2 + 1 + hi**2 - lo - hi - lo * hi) / 18
    spread = mc.kpis["cumulative_burn"]
    assert spread.mean == pytest.approx(mean, abs=4 * np.sqrt(variance / samples))
    assert spread.fixed == pytest.approx(c - r)
    assert burns.mean() == pytest.approx(spread.mean, rel=1e-12)
    assert burns.std() == pytest.approx(np.sqrt(variance), rel=0.03)
    # the spread: p95 - p5 of a sum of a uniform and a triangle, from its own draws
    factors = draw_factors([COSTS_RANGE, REVENUE_RANGE], 400_000, seed=1)
    exact = np.percentile(factors[:, 0] * c - factors[:, 1] * r, [5, 95])
    assert spread.p95 - spread.p5 == pytest.approx(exact[1] - exact[0], rel=0.03)
    assert mc.ranking["cumulative_burn"][0].item == "revenue"
    assert mc.ranking["cumulative_burn"][0].rank_correlation < -0.8


def test_zero_width_ranges_give_exactly_the_deterministic_result(builtin: Project) -> None:
    builtin.uncertainty = [
        Uncertainty(item=spec.item, distribution=spec.distribution, low=1.0, high=1.0)
        for spec in builtin.uncertainty
    ]
    builtin.correlations = [Correlation(items=("chatgpt_users", "paying_share"), rank=0.5)]
    plain = evaluate(builtin, "Bear case")
    kpis = compute_kpis(plain)
    for sampling in ("lhs", "random"):
        mc = run_montecarlo(builtin, "Bear case", 500, seed=1, sampling=sampling)
        for sid, bands in mc.bands.items():
            assert np.all(bands == plain.series(sid)), sid
            assert np.array_equal(mc.plan[sid], plain.series(sid))
        for kpi, s in mc.kpis.items():
            assert s.p5 == s.p50 == s.p95 == s.fixed == pytest.approx(kpis[kpi], rel=1e-12)
        assert month_label(mc.cash_zero.fixed) == kpis["cash_zero"]
        assert mc.cash_zero.probability in (0.0, 1.0)
        for rows in mc.ranking.values():
            assert all(row.rank_correlation == 0 == row.variance_share for row in rows)


@pytest.mark.parametrize(("scenario", "seed"), [("Leaked plan", 1), ("Bear case", 2)])
def test_percentiles_are_ordered_everywhere(builtin: Project, scenario: str, seed: int) -> None:
    mc = run_montecarlo(builtin, scenario, 2000, seed=seed)
    for bands in mc.bands.values():
        assert bands.shape == (5, len(mc.periods))
        assert np.all(np.diff(bands, axis=0) >= 0)
    for s in mc.kpis.values():
        assert s.p5 <= s.p50 <= s.p95
    assert np.all(np.diff(mc.cash_zero_by_period) >= 0)


def test_the_cash_zero_timeline_agrees_with_the_samples(builtin: Project) -> None:
    mc = run_montecarlo(builtin, "Bear case", 3000, seed=8)
    resolved = resolve(builtin, "Bear case")
    specs = builtin.uncertainty
    kpis = sample_kpis(
        evaluate_factors(resolved, specs, draw_factors(specs, 3000, 8, "lhs", builtin.correlations))
    )
    months = kpis.cash_zero_month[kpis.cash_zero_month != NEVER]
    assert mc.cash_zero_months.sum() == months.size > 0
    assert mc.cash_zero_months.size == 12 * len(mc.periods)
    first = 2023 * 12
    assert np.array_equal(np.flatnonzero(mc.cash_zero_months), np.unique(months - first))
    for index, period in enumerate(mc.periods):
        by_end = np.count_nonzero(months < (int(period) + 1) * 12) / 3000
        assert mc.cash_zero_by_period[index] == by_end
    assert mc.cash_zero_by_period[-1] == mc.cash_zero.probability


def test_the_tornado_gives_every_kpi_at_low_and_high(builtin: Project) -> None:
    mc = run_montecarlo(builtin, "Bear case", 100, seed=1)
    for row in mc.tornado:
        assert set(row.at_low) == set(row.at_high) == set(uncertainty.NUMERIC_KPIS)
        assert row.at_low["peak_funding_need"] == row.peak_at_low
        assert row.at_high["cumulative_burn"] == row.burn_at_high


def test_a_scenario_range_is_the_one_its_run_varies(builtin: Project) -> None:
    bear = builtin.scenario("Bear case")
    assert bear is not None
    bear.uncertainty = [Uncertainty(item="opening_cash", distribution="uniform", low=0.5, high=1)]
    bear_run = run_montecarlo(builtin, "Bear case", 50, seed=1)
    assert bear_run.inputs[-1].item == "opening_cash"
    bull_run = run_montecarlo(builtin, "Bull case", 50, seed=1)
    assert "opening_cash" not in [spec.item for spec in bull_run.inputs]


# --- bounded memory ------------------------------------------------------------------


def small_blocks(monkeypatch, pilot: int = 300) -> None:
    """Blocks of 97 samples, and histograms whose ranges a small pilot sets."""
    monkeypatch.setattr(uncertainty, "EXACT_CELLS", 100)
    monkeypatch.setattr(uncertainty, "PILOT_SAMPLES", pilot)
    monkeypatch.setattr(uncertainty, "samples_per_call", lambda scenario, varied=0: 97)


def test_bands_of_a_small_run_are_numpy_percentiles_of_all_samples(builtin: Project) -> None:
    mc = run_montecarlo(builtin, "Bear case", 1500, seed=6)
    resolved = resolve(builtin, "Bear case")
    factors = draw_factors(builtin.uncertainty, 1500, 6, "lhs", builtin.correlations)
    values = evaluate_factors(resolved, builtin.uncertainty, factors).values
    for sid, bands in mc.bands.items():
        assert np.array_equal(bands, np.percentile(values[sid], [5, 25, 50, 75, 95], axis=0))


def test_bands_of_a_large_run_are_within_a_bin_of_the_exact_ones(
    builtin: Project, monkeypatch
) -> None:
    samples = 6000
    whole = run_montecarlo(builtin, "Bear case", samples, seed=6)
    small_blocks(monkeypatch, pilot=500)
    seen: list[float] = []
    blocks = run_montecarlo(builtin, "Bear case", samples, seed=6, progress=seen.append)
    resolved = resolve(builtin, "Bear case")
    factors = draw_factors(builtin.uncertainty, samples, 6, "lhs", builtin.correlations)
    values = evaluate_factors(resolved, builtin.uncertainty, factors).values
    for sid, bands in whole.bands.items():
        spread = values[sid].max(axis=0) - values[sid].min(axis=0)
        assert np.all(np.abs(blocks.bands[sid] - bands) <= spread / 1000 + 1e-9), sid
        assert np.all(np.diff(blocks.bands[sid], axis=0) >= 0)
        assert not np.array_equal(blocks.bands[sid], bands) or not spread.any()
    assert blocks.kpis == whole.kpis
    assert blocks.ranking == whole.ranking
    assert np.array_equal(blocks.cash_zero_months, whole.cash_zero_months)
    assert seen[-1] == 1.0 and seen == sorted(seen) and len(seen) > 20


def test_too_many_samples_for_the_memory_at_hand_is_one_line(
    builtin: Project, monkeypatch, tmp_path, capsys
) -> None:
    monkeypatch.setattr(uncertainty, "available_memory", lambda: 50 * 2**20)
    with pytest.raises(UncertaintyError, match="run fewer samples"):
        run_montecarlo(builtin, "Bear case", 1_000_000, seed=1)
    run_montecarlo(builtin, "Bear case", 1000, seed=1)
    path = tmp_path / "p.burnrate"
    save_project(builtin, path)
    args = [str(path), "--scenario", "Bear case", "--samples", "1000000", "--seed", "1"]
    assert main(["montecarlo", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: 1,000,000 samples of this scenario need about")
    assert err.count("\n") == 1


def test_memory_needed_grows_with_samples_not_with_samples_times_periods(builtin: Project) -> None:
    resolved = resolve(builtin, "Bear case")
    specs = builtin.uncertainty
    assert uncertainty.memory_needed(resolved, specs, 1_000_000) < 500 * 2**20
    longer = resolved.__class__(**{**resolved.__dict__, "periods": resolved.periods * 10})

    def per_sample(scenario) -> float:
        needed = uncertainty.memory_needed
        return (needed(scenario, specs, 2_000_000) - needed(scenario, specs, 1_000_000)) / 1e6

    # ten times the periods adds fixed histograms and engine blocks, nothing per sample
    assert per_sample(longer) == per_sample(resolved) < 400


def test_a_run_stops_between_blocks_when_asked(builtin: Project, monkeypatch) -> None:
    small_blocks(monkeypatch)
    seen: list[float] = []
    with pytest.raises(Cancelled):
        run_montecarlo(
            builtin,
            "Bear case",
            2000,
            seed=1,
            should_stop=lambda: len(seen) >= 3,
            progress=seen.append,
        )
    assert len(seen) == 3 and 0 < seen[-1] < 1


# --- the draws -----------------------------------------------------------------------


def read_draws(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_draws_hold_every_sample_its_factors_and_kpis(builtin: Project, monkeypatch) -> None:
    small_blocks(monkeypatch)
    out = io.StringIO()
    mc = run_montecarlo(builtin, "Leaked plan", 500, seed=2, draws=out)
    rows = read_draws(out.getvalue())
    items = [spec.item for spec in mc.inputs]
    assert list(rows[0]) == ["sample", *items, *uncertainty.DRAW_KPIS]
    assert [int(row["sample"]) for row in rows] == list(range(1, 501))
    factors = draw_factors(builtin.uncertainty, 500, 2, "lhs", builtin.correlations)
    resolved = resolve(builtin, "Leaked plan")
    kpis = sample_kpis(evaluate_factors(resolved, builtin.uncertainty, factors))
    for index in (0, 137, 499):
        row = rows[index]
        assert [float(row[item]) for item in items] == factors[index].tolist()
        assert float(row["peak_funding_need"]) == kpis.peak_funding_need[index]
        assert row["cash_zero"] == (month_label(int(kpis.cash_zero_month[index])) or "")
        year = int(kpis.breakeven_year[index])
        assert row["breakeven_year"] == ("" if year == NEVER else str(year))
    assert any(row["cash_zero"] == "" for row in rows)
    assert any(len(row["cash_zero"]) == 7 for row in rows)


def test_the_command_line_writes_the_draws_and_nothing_on_failure(
    builtin: Project, tmp_path, capsys, monkeypatch
) -> None:
    out = tmp_path / "draws.csv"
    args = ["montecarlo", "--scenario", "Bear case", "--samples", "300", "--seed", "4"]
    assert main([*args, "--sampling", "random", "--draws", str(out)]) == 0
    rows = read_draws(out.read_text())
    assert len(rows) == 300
    expected = draw_factors(builtin.uncertainty, 300, 4, "random", builtin.correlations)
    assert float(rows[0]["chatgpt_users"]) == expected[0, 0]
    capsys.readouterr()

    def fail(*args, **kwargs):
        raise UncertaintyError("stopped halfway")

    monkeypatch.setattr(uncertainty, "sample_kpis", fail)
    assert main([*args, "--draws", str(tmp_path / "other.csv")]) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["draws.csv"]


SHAPES = ("triangular", "uniform", "pert", "lognormal")


@settings(max_examples=25, deadline=None)
@given(
    shapes=st.tuples(st.sampled_from(SHAPES), st.sampled_from(SHAPES)),
    lows=st.tuples(st.floats(0.05, 1.0), st.floats(0.05, 1.0)),
    highs=st.tuples(st.floats(1.0, 20.0), st.floats(1.0, 20.0)),
    rank=st.floats(-1.0, 1.0),
    samples=st.integers(1, 400),
    sampling=st.sampled_from(["lhs", "random"]),
)
def test_percentiles_are_ordered_for_any_ranges(
    shapes, lows, highs, rank: float, samples: int, sampling: str
) -> None:
    project = linear_project()
    project.uncertainty = [
        Uncertainty(item=item, distribution=shape, low=low, high=high)
        for item, shape, low, high in zip(
            ("total_costs", "revenue"), shapes, lows, highs, strict=True
        )
    ]
    project.correlations = [Correlation(items=("total_costs", "revenue"), rank=rank)]
    mc = run_montecarlo(project, "Base", samples, seed=1, sampling=sampling)
    for bands in mc.bands.values():
        assert np.all(np.diff(bands, axis=0) >= 0)
    for s in mc.kpis.values():
        assert s.p5 <= s.p50 <= s.p95
    assert np.all(np.diff(mc.cash_zero_by_period) >= 0)
    assert 0 <= mc.cash_zero.probability <= 1
