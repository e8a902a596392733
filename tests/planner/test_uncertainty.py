"""Monte Carlo over a scenario's inputs: draws, one-call evaluation, vectorised KPIs, summaries."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.engine import evaluate, evaluate_resolved
from planner.kpis import compute_kpis
from planner.model import Project, Uncertainty
from planner.scenarios import resolve
from planner.uncertainty import (
    NEVER,
    UncertaintyError,
    as_json,
    draw_factors,
    evaluate_factors,
    event,
    month_label,
    run_montecarlo,
    sample_kpis,
    spread,
    tornado,
)

RANGES = [
    Uncertainty(item="chatgpt_users", distribution="triangular", low=0.6, high=1.3),
    Uncertainty(item="paying_share", distribution="uniform", low=0.5, high=1.4),
    Uncertainty(item="other_costs", distribution="triangular", low=0.8, high=1.6),
    Uncertainty(item="opening_cash", distribution="uniform", low=0.5, high=2.0),
]


@pytest.fixture
def varied(builtin: Project) -> Project:
    builtin.uncertainty = list(RANGES)
    builtin.correlations = []  # they name items these ranges leave out
    return builtin


def kpis_of_sample(kpis, sample: int) -> dict[str, object]:
    """One sample of the vectorised KPIs in compute_kpis's terms."""
    year = int(kpis.breakeven_year[sample])
    return {
        "cash_zero": month_label(int(kpis.cash_zero_month[sample])),
        "breakeven_year": None if year == NEVER else year,
        "cumulative_burn": float(kpis.cumulative_burn[sample]),
        "total_raised": float(kpis.total_raised[sample]),
        "peak_funding_need": float(kpis.peak_funding_need[sample]),
    }


def test_the_same_seed_draws_the_same_factors_and_another_seed_others() -> None:
    first = draw_factors(RANGES, 1000, seed=7)
    assert first.shape == (1000, len(RANGES))
    assert np.array_equal(first, draw_factors(RANGES, 1000, seed=7))
    assert not np.array_equal(first, draw_factors(RANGES, 1000, seed=8))


def test_factors_stay_in_range_and_follow_their_distribution() -> None:
    factors = draw_factors(RANGES, 200_000, seed=1)
    for column, spec in enumerate(RANGES):
        values = factors[:, column]
        assert spec.low <= values.min() and values.max() <= spec.high
        if spec.distribution == "triangular":
            expected_mean = (spec.low + 1.0 + spec.high) / 3
            # a triangle peaking at 1 has as many draws just below 1 as its slope says
            histogram, edges = np.histogram(values, bins=20, range=(spec.low, spec.high))
            peak = (edges[histogram.argmax()] + edges[histogram.argmax() + 1]) / 2
            assert abs(peak - 1.0) <= (spec.high - spec.low) / 20
        else:
            expected_mean = (spec.low + spec.high) / 2
        assert values.mean() == pytest.approx(expected_mean, abs=0.005)


def test_a_range_without_width_draws_its_single_value() -> None:
    fixed = [Uncertainty(item="x", distribution="triangular", low=1.0, high=1.0)]
    assert np.all(draw_factors(fixed, 10, seed=0) == 1.0)


@pytest.mark.parametrize("scenario", ["Leaked plan", "Bull case", "Bear case", "Custom silicon"])
def test_factors_of_one_give_the_deterministic_engine_in_every_sample(
    varied: Project, scenario: str
) -> None:
    result = evaluate_factors(resolve(varied, scenario), RANGES, np.ones((5, len(RANGES))))
    plain = evaluate(varied, scenario)
    assert result.samples == 5
    for item_id in plain.order:
        for sample in range(5):
            assert np.array_equal(result.series(item_id, sample), plain.series(item_id)), item_id


def test_a_factor_scales_its_input_in_every_period_of_the_scenario(varied: Project) -> None:
    factors = np.array([[0.5, 1.0, 1.0, 1.0], [1.0, 1.0, 1.25, 2.0]])
    resolved = resolve(varied, "Bear case")
    result = evaluate_factors(resolved, RANGES, factors)
    bear_users = np.array(next(i for i in resolved.items if i.id == "chatgpt_users").inputs)
    assert np.array_equal(result.series("chatgpt_users", 0), bear_users * 0.5)
    assert np.array_equal(result.series("chatgpt_users", 1), bear_users)
    costs = np.array(varied.item("other_costs").inputs)
    assert np.array_equal(result.series("other_costs", 1), costs * 1.25)
    # a constant scales too: twice the opening cash, a quarter more costs in the first year
    opening = varied.item("opening_cash").value
    assert opening is not None
    assert result.series("cash", 1)[0] == pytest.approx(
        evaluate(varied, "Bear case").series("cash")[0] + opening - 0.25 * costs[0]
    )


@pytest.mark.parametrize("scenario", ["Leaked plan", "Bull case", "Bear case"])
def test_vectorised_kpis_agree_with_compute_kpis_for_every_sample(
    varied: Project, scenario: str
) -> None:
    resolved = resolve(varied, scenario)
    result = evaluate_factors(resolved, RANGES, draw_factors(RANGES, 300, seed=3))
    kpis = sample_kpis(result)
    outcomes = set()
    for sample in range(300):
        expected = compute_kpis(result, sample)
        got = kpis_of_sample(kpis, sample)
        assert got["cash_zero"] == expected["cash_zero"]
        assert got["breakeven_year"] == expected["breakeven_year"]
        for kpi in ("cumulative_burn", "total_raised", "peak_funding_need"):
            assert got[kpi] == pytest.approx(expected[kpi], rel=1e-12, abs=1e-12), kpi
        outcomes.add((got["cash_zero"] is None, got["breakeven_year"] is None))
    if scenario == "Leaked plan":
        # the wide ranges reach both sides: some samples run out of cash, some never do
        assert (True, False) in outcomes and any(not zero for zero, _ in outcomes)


CASH_MODEL = [
    {"id": "revenue", "inputs": None},
    {"id": "costs", "inputs": None},
    {"id": "funding", "inputs": None},
    {"id": "opening_cash", "value": 0.0},
    {"id": "burn", "formula": "costs - revenue"},
    {"id": "cash", "formula": "prev(cash, opening_cash) + funding - burn"},
]

QUARTERS = ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"]
YEARS = ["2025", "2026", "2027", "2028"]
amounts = st.floats(min_value=0, max_value=50, allow_nan=False).map(lambda v: round(v, 2))


@settings(max_examples=60, deadline=None)
@given(
    quarterly=st.booleans(),
    data=st.data(),
    opening=st.floats(min_value=-5, max_value=30).map(lambda v: round(v, 1)),
    factor_ranges=st.tuples(
        st.floats(min_value=0.1, max_value=1.0), st.floats(min_value=1.0, max_value=3.0)
    ),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_cash_zero_agrees_with_compute_kpis_on_any_small_plan(
    quarterly: bool,
    data: st.DataObject,
    opening: float,
    factor_ranges: tuple[float, float],
    seed: int,
) -> None:
    periods = QUARTERS if quarterly else YEARS
    count = len(periods)
    series = st.lists(amounts, min_size=count, max_size=count)
    items = []
    for spec in CASH_MODEL:
        full = {"label": spec["id"], "group": "g", **spec}
        if "inputs" in spec:
            full["inputs"] = data.draw(series)
        if spec["id"] == "opening_cash":
            full["value"] = opening
        items.append(full)
    low, high = factor_ranges
    project = Project.model_validate(
        {
            "periods": periods,
            "items": items,
            "uncertainty": [
                {"item": "costs", "distribution": "uniform", "low": low, "high": high},
                {"item": "opening_cash", "distribution": "triangular", "low": low, "high": high},
            ],
        }
    )
    result = evaluate_factors(
        resolve(project), project.uncertainty, draw_factors(project.uncertainty, 40, seed)
    )
    kpis = sample_kpis(result)
    for sample in range(40):
        expected = compute_kpis(result, sample)
        got = kpis_of_sample(kpis, sample)
        assert (got["cash_zero"], got["breakeven_year"]) == (
            expected["cash_zero"],
            expected["breakeven_year"],
        )


def test_cash_that_ends_a_hair_below_zero_runs_out_in_the_last_month(varied: Project) -> None:
    # start / (start - end) rounds to exactly 1: the month must stay inside the period
    result = evaluate(varied, "Leaked plan")
    cash = result.values["cash"].copy()
    cash[0, 3] = -1e-300
    result.values["cash"] = cash
    assert compute_kpis(result)["cash_zero"] == "2026-12"
    assert month_label(int(sample_kpis(result).cash_zero_month[0])) == "2026-12"


def test_spread_is_numpy_percentiles_and_mean() -> None:
    values = np.arange(101.0) ** 2
    s = spread(values, fixed=7.0)
    p5, p50, p95 = np.percentile(values, [5, 50, 95])
    assert (s.p5, s.p50, s.p95, s.mean, s.fixed) == (p5, p50, p95, values.mean(), 7.0)
    assert (s.p5, s.p50, s.p95) == (25.0, 2500.0, 9025.0)


def test_event_probability_and_the_median_of_the_samples_where_it_happens() -> None:
    happens = np.array([NEVER, 30, 10, 20, NEVER, 40], dtype=np.int64)
    found = event(happens, fixed=NEVER)
    assert found.probability == pytest.approx(4 / 6)
    assert found.median == 20  # the lower of the middle two: always a month some sample has
    assert found.fixed is None
    never = event(np.full(3, NEVER, dtype=np.int64), fixed=12)
    assert (never.probability, never.median, never.fixed) == (0.0, None, 12)


def test_month_labels() -> None:
    assert month_label(2027 * 12 + 8) == "2027-09"
    assert month_label(NEVER) is None


def test_summary_matches_the_samples_it_came_from(varied: Project) -> None:
    mc = run_montecarlo(varied, "Leaked plan", 2000, seed=11, sampling="lhs")
    resolved = resolve(varied, "Leaked plan")
    result = evaluate_factors(resolved, RANGES, draw_factors(RANGES, 2000, seed=11, sampling="lhs"))
    kpis = sample_kpis(result)
    peak = kpis.peak_funding_need
    assert mc.kpis["peak_funding_need"].p50 == np.percentile(peak, 50)
    assert mc.kpis["peak_funding_need"].mean == peak.mean()
    fixed = compute_kpis(evaluate(varied, "Leaked plan"))
    assert mc.kpis["peak_funding_need"].fixed == pytest.approx(fixed["peak_funding_need"])
    runs_out = kpis.cash_zero_month != NEVER
    assert mc.cash_zero.probability == runs_out.mean()
    assert 0 < mc.cash_zero.probability < 1
    assert np.array_equal(
        mc.bands["cash"], np.percentile(result.values["cash"], [5, 25, 50, 75, 95], axis=0)
    )
    assert np.all(np.diff(mc.bands["revenue"], axis=0) >= 0)


def test_the_same_seed_gives_the_same_summary_and_another_seed_another(varied: Project) -> None:
    labels = {item.id: (item.label, item.unit) for item in varied.items}
    first = as_json(run_montecarlo(varied, "Bear case", 500, seed=5), labels)
    assert first == as_json(run_montecarlo(varied, "Bear case", 500, seed=5), labels)
    other = as_json(run_montecarlo(varied, "Bear case", 500, seed=6), labels)
    assert other["kpis"] != first["kpis"]


def test_tornado_moves_one_input_at_a_time_largest_swing_first(varied: Project) -> None:
    rows = tornado(resolve(varied, "Leaked plan"), RANGES)
    assert sorted(row.item for row in rows) == sorted(spec.item for spec in RANGES)
    swings = [row.swing for row in rows]
    assert swings == sorted(swings, reverse=True) and len(set(swings)) > 2
    backwards = tornado(resolve(varied, "Leaked plan"), RANGES[::-1])
    assert [row.item for row in backwards] == [row.item for row in rows]
    base = compute_kpis(evaluate(varied, "Leaked plan"))
    costs = next(row for row in rows if row.item == "other_costs")
    # against an independent evaluation with the input edited by hand
    edited = varied.model_copy(deep=True)
    item = edited.item("other_costs")
    item.inputs = [v * 1.6 for v in item.inputs]
    higher = compute_kpis(evaluate(edited, "Leaked plan"))
    assert costs.burn_at_high == pytest.approx(higher["cumulative_burn"] - base["cumulative_burn"])
    assert costs.peak_at_high == pytest.approx(
        higher["peak_funding_need"] - base["peak_funding_need"]
    )
    assert costs.burn_at_high > 0 > costs.burn_at_low
    cash = next(row for row in rows if row.item == "opening_cash")
    assert (cash.burn_at_low, cash.burn_at_high) == (0.0, 0.0)  # cash at hand is not burn


def test_a_scenario_that_calculates_a_varied_input_is_refused(varied: Project) -> None:
    bear = varied.scenario("Bear case")
    assert bear is not None
    bear.formulas["chatgpt_users"] = "1000"
    bear.inputs.pop("chatgpt_users", None)
    with pytest.raises(UncertaintyError, match="'Bear case' calculates 'chatgpt_users'"):
        run_montecarlo(varied, "Bear case", 10, seed=1)


@pytest.mark.parametrize(
    ("samples", "seed", "message"),
    [
        (0, 1, "samples must be between 1 and 1,000,000, not 0"),
        (1_000_001, 1, "not 1000001"),
        (10, -1, "seed must be a whole number from 0"),
        (10, 2**64, "seed must be a whole number from 0"),
    ],
)
def test_bad_runs_are_refused(varied: Project, samples: int, seed: int, message: str) -> None:
    with pytest.raises(UncertaintyError, match=message):
        run_montecarlo(varied, "Leaked plan", samples, seed)


def test_a_project_without_uncertainty_is_refused(builtin: Project) -> None:
    builtin.uncertainty = []
    builtin.correlations = []
    with pytest.raises(UncertaintyError, match="defines no uncertainty"):
        run_montecarlo(builtin, "Leaked plan", 10, seed=1)


def _count_engine_calls(monkeypatch) -> list[int]:
    """The number of samples of each engine call the Monte Carlo run makes, as it goes."""
    import planner.uncertainty as uncertainty

    calls: list[int] = []

    def counting(resolved, overrides=None):
        result = evaluate_resolved(resolved, overrides)
        calls.append(result.samples)
        return result

    monkeypatch.setattr(uncertainty, "evaluate_resolved", counting)
    return calls


def test_all_samples_in_one_engine_call(varied: Project, monkeypatch) -> None:
    calls = _count_engine_calls(monkeypatch)
    run_montecarlo(varied, "Leaked plan", 3000, seed=2)
    assert 3000 in calls and calls.count(3000) == 1


def test_a_run_too_big_for_one_call_goes_in_blocks_with_the_same_outcome(
    varied: Project, monkeypatch
) -> None:
    import planner.uncertainty as uncertainty

    labels = {item.id: (item.label, item.unit) for item in varied.items}
    whole = as_json(run_montecarlo(varied, "Bear case", 1000, seed=4), labels)
    calls = _count_engine_calls(monkeypatch)
    monkeypatch.setattr(uncertainty, "samples_per_call", lambda scenario, varied=0: 300)
    blocks = as_json(run_montecarlo(varied, "Bear case", 1000, seed=4), labels)
    assert calls[:4] == [300, 300, 300, 100]
    assert blocks == whole


def test_the_mean_of_values_near_the_largest_float_does_not_overflow() -> None:
    """An imported 1e306 is a valid input; its samples' sum is not a float."""
    values = np.linspace(-1.2e306, -1.0e306, 10_001)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        summary = spread(values, -1.1e306)
    assert summary.mean == pytest.approx(-1.1e306, rel=1e-12)
    assert spread(np.array([1.0, 2.0, 6.0]), 2.0).mean == 3.0
