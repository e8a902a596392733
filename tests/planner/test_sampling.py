"""Drawing factors: the inverse normal, the four distributions, Latin hypercube, Iman-Conover."""

from __future__ import annotations

import math

import numpy as np
import pytest

from planner.analysis.risk_stats import average_ranks
from planner.analysis.sampling import (
    impossible_pairs,
    lognormal_shape,
    normal_cdf,
    normal_quantile,
    pert_shape,
    quantile,
)
from planner.model import Correlation, Uncertainty
from planner.uncertainty import draw_factors

SHAPES = [
    Uncertainty(item="a", distribution="triangular", low=0.6, high=1.3),
    Uncertainty(item="b", distribution="uniform", low=0.5, high=1.4),
    Uncertainty(item="c", distribution="pert", low=0.3, high=1.5),
    Uncertainty(item="d", distribution="lognormal", low=0.5, high=2.0),
]


def rank_correlation(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.corrcoef(average_ranks(x), average_ranks(y))[0, 1])


def test_the_inverse_normal_is_accurate_to_rounding() -> None:
    # Reference values: the 97.5th percentile, and a far tail one.
    assert normal_quantile(np.array([0.975]))[0] == pytest.approx(1.959963984540054, rel=1e-14)
    assert normal_quantile(np.array([1e-10]))[0] == pytest.approx(-6.361340902404056, rel=1e-13)
    p = np.concatenate([np.geomspace(1e-300, 0.5, 2000), np.linspace(0.001, 0.999, 9999)])
    z = normal_quantile(p)
    assert np.all(np.diff(z[2000:]) > 0)
    assert np.allclose(normal_quantile(1 - p[2000:]), -z[2000:], rtol=1e-12, atol=1e-13)
    back = normal_cdf(z)
    assert np.max(np.abs(back - p) / p) < 1e-12
    assert normal_quantile(np.array([0.5]))[0] == 0.0


@pytest.mark.parametrize("spec", SHAPES, ids=lambda s: s.distribution)
def test_latin_hypercube_puts_one_draw_in_every_slice_of_probability(spec: Uncertainty) -> None:
    samples = 4000
    drawn = np.sort(draw_factors([spec], samples, seed=3, sampling="lhs")[:, 0])
    inner = quantile(spec, np.arange(1, samples) / samples)
    edges = np.concatenate([[-np.inf], inner, [np.inf]])  # the lognormal's end slices are open
    slack = 1e-9
    assert np.all(drawn >= edges[:-1] - slack)
    assert np.all(drawn <= edges[1:] + slack)


def test_pert_has_its_mode_at_one_and_its_classic_mean() -> None:
    spec = SHAPES[2]
    alpha, beta = pert_shape(spec)
    assert (alpha - 1) / (alpha + beta - 2) * (spec.high - spec.low) + spec.low == pytest.approx(1)
    for sampling, tolerance in (("lhs", 1e-4), ("random", 0.005)):
        drawn = draw_factors([spec], 100_000, seed=1, sampling=sampling)[:, 0]
        assert drawn.mean() == pytest.approx((spec.low + 4 + spec.high) / 6, abs=tolerance)
        assert spec.low <= drawn.min() and drawn.max() <= spec.high
        histogram, edges = np.histogram(drawn, bins=24, range=(spec.low, spec.high))
        assert edges[histogram.argmax()] <= 1 <= edges[histogram.argmax() + 1] + 0.05


def test_lognormal_low_and_high_are_its_5th_and_95th_percentiles() -> None:
    spec = SHAPES[3]
    median, sigma = lognormal_shape(spec)
    assert median == pytest.approx(1.0)
    assert quantile(spec, np.array([0.05, 0.5, 0.95])) == pytest.approx([0.5, 1.0, 2.0])
    for sampling, tolerance in (("lhs", 0.002), ("random", 0.02)):
        drawn = draw_factors([spec], 100_000, seed=2, sampling=sampling)[:, 0]
        assert np.percentile(drawn, [5, 50, 95]) == pytest.approx([0.5, 1, 2], rel=tolerance)
        assert np.log(drawn).std() == pytest.approx(sigma, rel=tolerance * 2)


def test_the_same_seed_draws_the_same_and_sampling_is_checked() -> None:
    for sampling in ("lhs", "random"):
        first = draw_factors(SHAPES, 500, seed=9, sampling=sampling)
        assert np.array_equal(first, draw_factors(SHAPES, 500, seed=9, sampling=sampling))
        assert not np.array_equal(first, draw_factors(SHAPES, 500, seed=10, sampling=sampling))
    with pytest.raises(ValueError, match="lhs, random"):
        draw_factors(SHAPES, 10, seed=1, sampling="sobol")


CORRELATIONS = [
    Correlation(items=("a", "c"), rank=0.6),
    Correlation(items=("c", "d"), rank=-0.4),
    Correlation(items=("a", "b"), rank=0.5),
]


@pytest.mark.parametrize("sampling", ["lhs", "random"])
def test_a_rank_correlation_is_met_and_every_marginal_kept(sampling: str) -> None:
    free = draw_factors(SHAPES, 10_000, seed=4, sampling=sampling)
    tied = draw_factors(SHAPES, 10_000, seed=4, sampling=sampling, correlations=CORRELATIONS)
    column = {spec.item: i for i, spec in enumerate(SHAPES)}
    for c in CORRELATIONS:
        a, b = (column[item] for item in c.items)
        assert rank_correlation(tied[:, a], tied[:, b]) == pytest.approx(c.rank, abs=0.03)
    assert abs(rank_correlation(tied[:, column["a"]], tied[:, column["d"]])) < 0.5
    assert rank_correlation(free[:, 0], free[:, 2]) == pytest.approx(0, abs=0.03)
    for j in range(len(SHAPES)):
        assert np.array_equal(np.sort(free[:, j]), np.sort(tied[:, j]))


def test_an_input_outside_every_correlation_is_left_as_drawn() -> None:
    free = draw_factors(SHAPES, 2000, seed=4)
    tied = draw_factors(SHAPES, 2000, seed=4, correlations=CORRELATIONS[:1])
    assert np.array_equal(free[:, 1], tied[:, 1])
    assert np.array_equal(free[:, 3], tied[:, 3])


def test_a_perfect_rank_correlation_orders_both_inputs_alike() -> None:
    tied = draw_factors(SHAPES, 3000, seed=5, correlations=[Correlation(items=("a", "b"), rank=1)])
    assert rank_correlation(tied[:, 0], tied[:, 1]) == pytest.approx(1, abs=1e-6)


def test_impossible_sets_name_their_pairs_and_possible_ones_pass() -> None:
    assert impossible_pairs(CORRELATIONS) is None
    assert impossible_pairs([]) is None
    clash = [
        Correlation(items=("a", "b"), rank=0.9),
        Correlation(items=("b", "c"), rank=0.9),
        Correlation(items=("a", "c"), rank=-0.5),
        Correlation(items=("d", "e"), rank=0.2),
    ]
    assert impossible_pairs(clash) == [("a", "b"), ("b", "c"), ("a", "c")]


def test_normal_cdf_is_the_error_function_one() -> None:
    z = np.array([-3.0, -1.0, 0.0, 0.5, 2.0])
    expected = [0.5 * math.erfc(-v / math.sqrt(2)) for v in z]
    assert normal_cdf(z).tolist() == expected


def test_tied_values_share_the_average_of_their_ranks() -> None:
    values = np.array([3.0, 1.0, 3.0, 2.0, 1.0, 5.0])
    assert average_ranks(values).tolist() == [3.5, 0.5, 3.5, 2.0, 0.5, 5.0]


@pytest.mark.parametrize("samples", [1, 2, 3, 4, 5, 9])
def test_a_few_samples_of_many_correlated_inputs_still_draw(samples: int) -> None:
    specs = [Uncertainty(item=f"x{n}", distribution="uniform", low=0.5, high=1.5) for n in range(8)]
    chain = [Correlation(items=(f"x{n}", f"x{n + 1}"), rank=0.3) for n in range(7)]
    for sampling in ("lhs", "random"):
        free = draw_factors(specs, samples, seed=2, sampling=sampling)
        tied = draw_factors(specs, samples, seed=2, sampling=sampling, correlations=chain)
        assert np.array_equal(np.sort(free, axis=0), np.sort(tied, axis=0))
