"""Event tables expanded into per-period series.

A compute contract delivers its GW evenly over the periods of its delivery
years; each period's delivery is paid evenly over its ``service_years``, so
payments ramp up with deliveries and run off after the last one. A funding round pays
its amount in its period; a round with a tranche rule pays ``tranche_per_gw``
for each GW delivered under contracts from its period on, until its amount is
reached.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from planner.model import ComputeContract, FundingRound, period_months, period_year

Array = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def periods_per_year(label: str) -> int:
    return 12 // period_months(label)[1]


def contract_schedule(contract: ComputeContract, periods: Sequence[str]) -> tuple[Array, Array]:
    """Fractions of the contract's GW delivered and of its value paid in each period.

    With n delivery periods and L periods in service, the k-th period since the
    first delivery pays for the deliveries then in service: those of periods
    max(1, k - L + 1) to min(k, n), each 1 / (n L) of the value.
    """
    return _schedule(
        contract.first_year, contract.last_year, contract.service_years, tuple(periods)
    )


# Every evaluation expands every contract, but an edit rarely touches their dates.
@lru_cache(maxsize=256)
def _schedule(
    first_year: int, last_year: int, service_years: int, periods: tuple[str, ...]
) -> tuple[Array, Array]:
    years, per_year, index_in_year = _calendar(periods)
    n = (last_year - first_year + 1) * per_year
    service = service_years * per_year
    k = (years - first_year) * per_year + index_in_year
    started = years >= first_year
    delivered = np.where(started & (k <= n), 1.0 / n, 0.0)
    in_service = np.minimum(k, n) - np.maximum(1, k - service + 1) + 1
    paid = np.where(started, np.maximum(0, in_service) / (n * service), 0.0)
    delivered.flags.writeable = False  # shared by every caller of the cache
    paid.flags.writeable = False
    return delivered, paid


@lru_cache(maxsize=32)
def _calendar(periods: tuple[str, ...]) -> tuple[IntArray, IntArray, IntArray]:
    """Each period's year, periods per year, and 1-based index within its year."""
    years = np.array([period_year(p) for p in periods], dtype=np.int64)
    per_year = np.array([periods_per_year(p) for p in periods], dtype=np.int64)
    index = np.array([_index_in_year(p) for p in periods], dtype=np.int64)
    return years, per_year, index


def _index_in_year(label: str) -> int:
    first_month, months = period_months(label)
    return (first_month - 1) // months + 1


def round_payments(
    funding_round: FundingRound, periods: Sequence[str], delivered_gw: Array
) -> Array:
    """Cash paid by one round in each period."""
    start = list(periods).index(funding_round.period)
    paid = np.zeros(len(periods))
    if funding_round.tranche_per_gw is None:
        paid[start] = funding_round.amount
        return paid
    cumulative_gw = np.cumsum(delivered_gw[start:])
    cumulative = np.minimum(funding_round.amount, funding_round.tranche_per_gw * cumulative_gw)
    paid[start:] = np.diff(cumulative, prepend=0.0)
    return paid


def expand_events(
    periods: Sequence[str],
    rounds: Sequence[FundingRound],
    contracts: Sequence[ComputeContract],
) -> dict[str, Array]:
    """The event series named in ``planner.model.EVENT_SERIES``, one value per period."""
    n = len(periods)
    gw = np.zeros(n)
    custom_gw = np.zeros(n)
    spend = np.zeros(n)
    custom_spend = np.zeros(n)
    for contract in contracts:
        delivered, paid = contract_schedule(contract, periods)
        gw += contract.gw * delivered
        custom_gw += contract.gw * contract.custom_chip_share * delivered
        spend += contract.total_value * paid
        custom_spend += contract.total_value * contract.custom_chip_share * paid
    funding = np.zeros(n)
    kept = np.ones(n)
    for funding_round in rounds:
        paid = round_payments(funding_round, periods, gw)
        funding += paid
        if funding_round.pre_money is not None:
            kept *= 1.0 - paid / (funding_round.pre_money + paid)
    return {
        "contracted_gw": gw,
        "contracted_custom_gw": custom_gw,
        "committed_spend": spend,
        "committed_custom_spend": custom_spend,
        "round_funding": funding,
        "round_share_kept": kept,
    }
