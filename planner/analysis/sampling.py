"""Drawing uncertainty factors: distributions, Latin hypercube, and rank correlation.

Every distribution is given by its inverse cumulative distribution function, so
that a Latin hypercube (one draw from each of ``samples`` equal slices of
probability) and plain random draws share one code path. Rank correlations are
induced by the Iman-Conover method: each column is only reordered, so every
input keeps exactly the values its own distribution gave it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from planner.compiled import Array
from planner.model import Correlation, Uncertainty

# The standard normal's 95th percentile: a lognormal's low and high are its 5th and 95th.
Z95 = 1.6448536269514722
PERT_WEIGHT = 4.0  # the classic Beta-PERT: the mode weighs four times the ends
PERT_GRID = 8193  # points of the tabulated PERT distribution function
# A correlation matrix whose smallest eigenvalue is below this cannot hold; the
# slack absorbs rounding in sets that are exactly singular (a rank of 1, say).
PSD_TOLERANCE = 1e-9

# Coefficients of Acklam's rational approximation to the inverse normal CDF.
_A: tuple[float, ...] = (-39.69683028665376, 220.9460984245205, -275.9285104469687)
_A += (138.3577518672690, -30.66479806614716, 2.506628277459239)
_B: tuple[float, ...] = (-54.47609879822406, 161.5858368580409, -155.6989798598866)
_B += (66.80131188771972, -13.28068155288572)
_C: tuple[float, ...] = (-0.007784894002430293, -0.3223964580411365, -2.400758277161838)
_C += (-2.549732539343734, 4.374664141464968, 2.938163982698783)
_D = (0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416)
_P_LOW = 0.02425

_erfc_objects = np.frompyfunc(math.erfc, 1, 1)


def _erfc(x: Array) -> Array:
    values: Array = np.asarray(_erfc_objects(x), dtype=np.float64)
    return values


def _polynomial(coefficients: Sequence[float], x: Array) -> Array:
    result = np.full_like(x, coefficients[0])
    for c in coefficients[1:]:
        result = result * x + c
    return result


def normal_quantile(p: Array) -> Array:
    """The standard normal's inverse CDF for probabilities strictly between 0 and 1.

    A rational approximation (relative error about 1e-9) polished by one Halley
    step on the CDF computed from ``math.erfc``, which brings it to rounding error.
    """
    p = np.asarray(p, dtype=float)
    z = np.empty_like(p)
    low = p < _P_LOW
    high = p > 1 - _P_LOW
    mid = ~(low | high)
    q = p[mid] - 0.5
    r = q * q
    z[mid] = q * _polynomial(_A, r) / (_polynomial((*_B, 1.0), r))
    for mask, tail, sign in ((low, p[low], 1.0), (high, 1 - p[high], -1.0)):
        t = np.sqrt(-2 * np.log(tail))
        z[mask] = sign * _polynomial(_C, t) / _polynomial((*_D, 1.0), t)
    cdf = 0.5 * _erfc(-z / math.sqrt(2))
    error = cdf - p
    step = error * math.sqrt(2 * math.pi) * np.exp(z * z / 2)
    result: Array = z - step / (1 + z * step / 2)
    return result


def normal_cdf(z: Array) -> Array:
    cdf: Array = 0.5 * _erfc(-np.asarray(z, dtype=float) / math.sqrt(2))
    return cdf


def pert_shape(spec: Uncertainty) -> tuple[float, float]:
    """The Beta parameters (alpha, beta) of a PERT factor with mode 1."""
    width = spec.high - spec.low
    return (
        1 + PERT_WEIGHT * (1 - spec.low) / width,
        1 + PERT_WEIGHT * (spec.high - 1) / width,
    )


def _pert_quantile(spec: Uncertainty, u: Array) -> Array:
    # No Beta inverse without scipy: the distribution function is tabulated by
    # integrating the density (bounded, since both shapes are at least 1) and inverted
    # by interpolation, which is exact to far below any sampling error.
    alpha, beta = pert_shape(spec)
    x = np.linspace(0.0, 1.0, PERT_GRID)
    density = x ** (alpha - 1) * (1 - x) ** (beta - 1)
    cdf = np.concatenate(([0.0], np.cumsum((density[1:] + density[:-1]) / 2)))
    cdf /= cdf[-1]
    fraction: Array = np.interp(u, cdf, x)
    return spec.low + fraction * (spec.high - spec.low)


def _triangular_quantile(spec: Uncertainty, u: Array) -> Array:
    low, high = spec.low, spec.high
    width = high - low
    below = u < (1 - low) / width
    with np.errstate(invalid="ignore"):
        left = low + np.sqrt(u * width * (1 - low))
        right = high - np.sqrt((1 - u) * width * (high - 1))
    result: Array = np.where(below, left, right)
    return result


def quantile(spec: Uncertainty, u: Array) -> Array:
    """The factors at cumulative probabilities ``u`` (each in [0, 1), lognormal in (0, 1))."""
    if spec.low == spec.high:
        return np.full_like(u, spec.low)
    if spec.distribution == "uniform":
        uniform: Array = spec.low + u * (spec.high - spec.low)
        return uniform
    if spec.distribution == "triangular":
        return _triangular_quantile(spec, u)
    if spec.distribution == "pert":
        return _pert_quantile(spec, u)
    median, sigma = lognormal_shape(spec)
    lognormal: Array = median * np.exp(sigma * normal_quantile(u))
    return lognormal


def lognormal_shape(spec: Uncertainty) -> tuple[float, float]:
    """Median (the geometric mean of low and high) and log-spread of a lognormal factor."""
    return math.sqrt(spec.low * spec.high), math.log(spec.high / spec.low) / (2 * Z95)


def _open_unit(u: Array) -> Array:
    # A random draw of exactly 0 would be the lognormal's zero; shift it into the interval.
    opened: Array = np.where(u > 0, u, np.nextafter(0.0, 1.0))
    return opened


def draw_random(specs: Sequence[Uncertainty], samples: int, seed: int) -> Array:
    """Plain Monte Carlo draws, (samples, len(specs)).

    Triangular and uniform factors use the generator's own methods, in the order
    of ``specs``, so a seed draws the numbers it always has.
    """
    rng = np.random.default_rng(seed)
    factors = np.empty((samples, len(specs)))
    for column, spec in enumerate(specs):
        if spec.low == spec.high:
            factors[:, column] = spec.low  # numpy refuses a triangle without width
        elif spec.distribution == "triangular":
            factors[:, column] = rng.triangular(spec.low, 1.0, spec.high, samples)
        elif spec.distribution == "uniform":
            factors[:, column] = rng.uniform(spec.low, spec.high, samples)
        else:
            factors[:, column] = quantile(spec, _open_unit(rng.random(samples)))
    return factors


def draw_latin_hypercube(specs: Sequence[Uncertainty], samples: int, seed: int) -> Array:
    """One draw from each of ``samples`` equally likely slices of every input, in random order."""
    rng = np.random.default_rng(seed)
    factors = np.empty((samples, len(specs)))
    for column, spec in enumerate(specs):
        slices = rng.permutation(samples)
        u = (slices + rng.random(samples)) / samples
        factors[:, column] = quantile(spec, _open_unit(u))
    return factors


# --- rank correlation ----------------------------------------------------------------


def correlation_matrix(items: Sequence[str], correlations: Sequence[Correlation]) -> Array:
    """The rank correlation matrix of ``items``; pairs not listed are uncorrelated."""
    index = {item: i for i, item in enumerate(items)}
    matrix = np.eye(len(items))
    for c in correlations:
        a, b = index[c.items[0]], index[c.items[1]]
        matrix[a, b] = matrix[b, a] = c.rank
    return matrix


def correlated_items(correlations: Sequence[Correlation]) -> list[str]:
    """The items named by ``correlations``, in order of first mention."""
    return list(dict.fromkeys(item for c in correlations for item in c.items))


def impossible_pairs(correlations: Sequence[Correlation]) -> list[tuple[str, str]] | None:
    """None if the rank correlations can hold together; else the pairs that conflict.

    A set holds when its matrix is positive semi-definite. When it is not, the
    eigenvector of the most negative eigenvalue shows which inputs are caught in
    the contradiction; the listed pairs among them are named.
    """
    items = correlated_items(correlations)
    if not items:
        return None
    values, vectors = np.linalg.eigh(correlation_matrix(items, correlations))
    if values[0] >= -PSD_TOLERANCE:
        return None
    weight = np.abs(vectors[:, 0])
    involved = {item for item, w in zip(items, weight, strict=True) if w > 0.2 * weight.max()}
    pairs = [c.items for c in correlations if set(c.items) <= involved]
    return pairs or [c.items for c in correlations]


def _matrix_root(matrix: Array) -> Array:
    """A factor ``R`` with ``R @ R.T == matrix`` for a positive semi-definite matrix."""
    values, vectors = np.linalg.eigh(matrix)
    root: Array = vectors * np.sqrt(np.clip(values, 0.0, None))
    return root


def pearson_for_rank(rank: Array) -> Array:
    """The normal-score correlation that gives rank correlation ``rank`` (Pearson's relation)."""
    pearson: Array = 2 * np.sin(np.pi * rank / 6)
    return pearson


def impose_rank_correlation(
    factors: Array, columns: Sequence[int], target: Array, seed: int
) -> None:
    """Reorder ``factors[:, columns]`` in place so their rank correlation is ``target``.

    Iman and Conover (1982): normal scores in random order are given the target
    correlation through a linear map, after their own chance correlation is
    removed; then each column of factors is sorted into the rank order of its scores.
    The values of each column are only permuted, so their distribution is unchanged.
    """
    samples = factors.shape[0]
    if samples < 3 or not columns:
        return
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x1C]))
    scores = normal_quantile(np.arange(1, samples + 1) / (samples + 1))
    table = np.empty((samples, len(columns)))
    for j in range(len(columns)):
        table[:, j] = scores[rng.permutation(samples)]
    chance = np.atleast_2d(np.corrcoef(table, rowvar=False))
    try:
        whitened = table @ np.linalg.inv(np.linalg.cholesky(chance)).T
    except np.linalg.LinAlgError:
        # Fewer samples than inputs: their chance correlation cannot be removed,
        # and so few samples carry no correlation worth the name anyway.
        whitened = table
    del table
    wanted = pearson_for_rank(target)
    np.fill_diagonal(wanted, 1.0)
    shaped = whitened @ _matrix_root(wanted).T
    del whitened
    for j, column in enumerate(columns):
        order = np.argsort(shaped[:, j], kind="stable")
        ranked = np.sort(factors[:, column], kind="stable")
        factors[order, column] = ranked


def correlation_problem(correlations: Sequence[Correlation]) -> str | None:
    """Why a set of correlations cannot hold together, naming its pairs; None if it can."""
    seen: set[frozenset[str]] = set()
    for correlation in correlations:
        if correlation.pair() in seen:
            a, b = correlation.items
            return f"the correlation of '{a}' and '{b}' is given twice; give one per pair"
        seen.add(correlation.pair())
    pairs = impossible_pairs(correlations)
    if pairs is None:
        return None
    named = ", ".join(f"'{a}' and '{b}'" for a, b in pairs)
    return (
        f"the correlations of {named} cannot all hold at once (the matrix is not positive "
        "semi-definite); weaken one of them"
    )
