"""What a scenario changes, one line per change: the cell, its base value and its own.

Each line says where it lives in the tables (:class:`Location`), so that the
window can take a reader from the list to the cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from planner.commands import EventRow, row_label
from planner.model import FundingRound, LineItem, Project
from planner.numbers import format_value, row_decimals
from planner.text import shortened

Table = Literal["items", "formulas", "funding", "contracts"]
Change = Literal["changed", "added", "removed"]


@dataclass(frozen=True)
class Location:
    """A cell of the window's tables: a line item's row (and period), or an event row."""

    table: Table
    key: str  # a line item's id, or an event row's id
    group: str = ""  # the line item's group: the tab it is on
    period: str | None = None


@dataclass(frozen=True)
class Override:
    """One thing a scenario does differently from the base."""

    label: str  # the line item's label, or the event row's
    period: str  # "" when the override holds for every period
    base_text: str
    scenario_text: str
    change: Change
    location: Location


def format_amount(value: float, unit: str, decimals: int | None = None) -> str:
    """A value with its unit, as a reader says it: "$14B", "$20/month", "5%", "650 M users"."""
    number = format_value(value, unit, decimals)
    if unit == "%" or not unit:
        return number
    if unit.startswith("$"):
        negative = number.startswith("\u2212")
        return ("\u2212" if negative else "") + "$" + number.lstrip("\u2212") + unit[1:]
    return f"{number} {unit}"


def list_overrides(project: Project, name: str) -> list[Override]:
    """Every override of scenario ``name`` in table order: line items by group, then rows.

    The base overrides nothing: an empty list.
    """
    scenario = project.scenario(name)
    if scenario is None:
        return []
    found: list[Override] = []
    order = {group: n for n, group in enumerate(project.group_order())}
    for item in sorted(project.items, key=lambda i: order[i.group]):
        formula = scenario.formulas.get(item.id)
        if formula is not None:
            found.append(_formula_override(item, formula))
        elif item.inputs is not None and item.id in scenario.inputs:
            cells = scenario.inputs[item.id]
            for period, base_value in zip(project.periods, item.inputs, strict=True):
                if period in cells:
                    found.append(
                        Override(
                            item.label,
                            period,
                            *_pair(base_value, cells[period], item.unit),
                            "changed",
                            Location("items", item.id, item.group, period),
                        )
                    )
        elif item.value is not None and item.id in scenario.values:
            found.append(
                Override(
                    item.label,
                    "",
                    *_pair(item.value, scenario.values[item.id], item.unit),
                    "changed",
                    Location("items", item.id, item.group, project.periods[0]),
                )
            )
    base_rows: dict[str, EventRow] = {row.id: row for row in project.funding_rounds}
    base_rows.update((row.id, row) for row in project.compute_contracts)
    own_rows: list[EventRow] = [
        *scenario.funding_rounds.values(),
        *scenario.compute_contracts.values(),
    ]
    for row in own_rows:
        found.append(_row_override(base_rows.get(row.id), row))
    for row_id in scenario.removed_rows:
        if row_id in base_rows:
            found.append(_row_override(base_rows[row_id], None))
    return found


def _pair(base: float, own: float, unit: str) -> tuple[str, str]:
    """Base and scenario value with one number of decimals, so they read side by side."""
    decimals = row_decimals([base, own], unit)
    return format_amount(base, unit, decimals), format_amount(own, unit, decimals)


def _formula_override(item: LineItem, formula: str) -> Override:
    if item.formula is not None:
        base = f"= {item.formula}"
    elif item.value is not None:
        base = format_amount(item.value, item.unit)
    else:
        base = "inputs"
    return Override(
        item.label,
        "",
        base,
        f"= {formula}",
        "changed",
        Location("formulas", item.id, item.group),
    )


def _row_override(base: EventRow | None, own: EventRow | None) -> Override:
    shown = own if own is not None else base
    assert shown is not None
    table: Table = "funding" if isinstance(shown, FundingRound) else "contracts"
    location = Location(table, shown.id)
    if base is None:
        return Override(row_label(shown), "", "—", _row_summary(shown), "added", location)
    if own is None:
        return Override(row_label(base), "", _row_summary(base), "removed", "removed", location)
    fields = _changed_fields(base, own)
    return Override(
        row_label(base),
        "",
        _row_summary(base, fields),
        _row_summary(own, fields),
        "changed",
        location,
    )


_FIELD_TITLES = {
    "period": "in",
    "investor": "from",
    "amount": "amount",
    "pre_money": "pre-money",
    "tranche_per_gw": "per GW",
    "counterparty": "with",
    "gw": "capacity",
    "total_value": "value",
    "first_year": "from",
    "last_year": "to",
    "service_years": "paid over",
    "custom_chip_share": "custom chips",
    "note": "note",
}


def _changed_fields(base: EventRow, own: EventRow) -> list[str]:
    """The fields that differ; a changed note only when nothing else changed."""
    before, after = base.model_dump(), own.model_dump()
    changed = [name for name in _FIELD_TITLES if name in before and before[name] != after[name]]
    return [name for name in changed if name != "note"] or changed


def _row_summary(row: EventRow, fields: list[str] | None = None) -> str:
    """The row's figures (only ``fields`` when given): "amount $40B, pre-money $260B"."""
    if fields is None:
        fields = (
            ["amount", "pre_money"]
            if isinstance(row, FundingRound)
            else ["gw", "total_value", "first_year", "last_year"]
        )
    return ", ".join(f"{_FIELD_TITLES[name]} {_field_text(row, name)}" for name in fields)


def _field_text(row: EventRow, name: str) -> str:
    value = getattr(row, name)
    if value is None:
        return "none"
    if name in ("amount", "pre_money", "total_value"):
        return format_amount(float(value), "$B")
    if name == "tranche_per_gw":
        return format_amount(float(value), "$B") + " per GW"
    if name == "gw":
        return format_amount(float(value), "GW")
    if name == "custom_chip_share":
        return format_amount(float(value), "%")
    if name == "service_years":
        return f"{value} years"
    if name == "note":
        return repr(shortened(str(value), 40))
    return str(value)


def override_count(project: Project, name: str) -> int:
    """How many overrides ``list_overrides`` gives: what deleting the scenario would lose."""
    return len(list_overrides(project, name))
