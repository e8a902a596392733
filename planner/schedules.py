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

import numpy as np
import numpy.typing as npt

from planner.model import ComputeContract, FundingRound, period_months, period_year

Array = npt.NDArray[np.float64]


def periods_per_year(label: str) -> int:
    return 12 // period_months(label)[1]


def contract_schedule(contract: ComputeContract, periods: Sequence[str]) -> tuple[Array, Array]:
    """Fractions of the contract's GW delivered and of its value paid in each period.

    With n delivery periods and L periods in service, the k-th period since the
    first delivery pays for the deliveries then in service: those of periods
    max(1, k - L + 1) to min(k, n), each 1 / (n L) of the value.
    """
    delivered = np.zeros(len(periods))
    paid = np.zeros(len(periods))
    years = contract.last_year - contract.first_year + 1
    for t, label in enumerate(periods):
        year = period_year(label)
        if year < contract.first_year:
            continue
        per_year = periods_per_year(label)
        n = years * per_year
        service = contract.service_years * per_year
        k = (year - contract.first_year) * per_year + _index_in_year(label)
        if k <= n:
            delivered[t] = 1.0 / n
        in_service = min(k, n) - max(1, k - service + 1) + 1
        paid[t] = max(0, in_service) / (n * service)
    return delivered, paid


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
