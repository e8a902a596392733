"""Monte Carlo results in words and files: range text, the ranking report, the draws CSV."""

from __future__ import annotations

import os
from pathlib import Path

from planner.kpis import KPI_LABELS
from planner.model import Project, Uncertainty
from planner.uncertainty import MonteCarlo, run_montecarlo

SAMPLING_NAMES = {"lhs": "Latin hypercube", "random": "plain random"}


def range_text(spec: Uncertainty) -> str:
    """A range as the report shows it: "triangular 0.80 / 1 / 1.15", "lognormal 0.5 to 2.0"."""
    if spec.distribution in ("triangular", "pert"):
        return f"{spec.distribution} {spec.low:.2f} / 1 / {spec.high:.2f}"
    if spec.distribution == "lognormal":
        return f"lognormal p5 {spec.low:.2f}, p95 {spec.high:.2f}"
    return f"uniform {spec.low:.2f} to {spec.high:.2f}"


def ranking_lines(mc: MonteCarlo) -> list[str]:
    """Sampling, correlations and the rank-correlation ranking of the inputs per KPI."""
    lines = [f"Sampling: {SAMPLING_NAMES.get(mc.sampling, mc.sampling)}"]
    if mc.correlations:
        lines.append("Rank correlations between inputs:")
        for c in mc.correlations:
            lines.append(f"  {c.items[0]} and {c.items[1]}: {c.rank:+.2f}")
    lines += [
        "",
        "Ranking from the same draws: each input's rank correlation with the KPI and its",
        "share of the KPI's variance (correlated inputs included, unlike the tornado)",
    ]
    for kpi, rows in mc.ranking.items():
        if not any(row.rank_correlation for row in rows):
            continue  # a KPI that no input moves
        lines.append(f"  {KPI_LABELS[kpi][0]}")
        for row in rows:
            lines.append(
                f"    {row.item:24}{row.rank_correlation:>+8.2f}{row.variance_share:>8.0%}"
            )
    return lines


def run_with_draws(
    project: Project,
    scenario: str,
    samples: int,
    seed: int,
    sampling: str,
    draws_path: str | os.PathLike[str] | None,
) -> MonteCarlo:
    """:func:`run_montecarlo`, writing the draws CSV to ``draws_path`` when one is given.

    The CSV is written beside its place and moved there when complete, so a run
    that fails or is stopped leaves no half-written file and no older one spoiled.
    """
    if draws_path is None:
        return run_montecarlo(project, scenario, samples, seed, sampling)
    target = Path(draws_path)
    partial = target.with_name(f".{target.name}.partial")
    try:
        with partial.open("w", encoding="utf-8", newline="") as out:
            mc = run_montecarlo(project, scenario, samples, seed, sampling, draws=out)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return mc
