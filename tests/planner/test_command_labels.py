"""Undo steps and messages name line items and rows by label; new contracts start sensibly."""

from __future__ import annotations

import pytest

from planner.builtin import builtin_project
from planner.commands import (
    PutRow,
    RemoveRow,
    ResetRow,
    SetFormula,
    SetInput,
    describe,
    first_forecast_year,
    new_contract_years,
    with_delivery_year,
)
from planner.model import ComputeContract
from planner.scenarios import ProjectError, check_structure
from tests.planner.helpers import make_project


def contract(first: int, last: int) -> ComputeContract:
    return ComputeContract(
        id="contract1",
        counterparty="Oracle",
        gw=1.0,
        total_value=10.0,
        first_year=first,
        last_year=last,
    )


def test_undo_steps_name_line_items_and_rows_by_label() -> None:
    project = builtin_project()
    assert describe(project, SetInput(None, "paying_share", "2026", 0.1)) == (
        "Edit Share of users paying 2026"
    )
    assert describe(project, SetInput("Bull case", "paying_share", "2026", None)) == (
        "Reset Share of users paying 2026 to base"
    )
    assert describe(project, SetFormula(None, "burn", "total_costs - revenue")) == (
        "Edit formula of Cash burn"
    )
    aws = next(c for c in project.compute_contracts if c.id == "c_aws")
    assert describe(project, RemoveRow(None, "c_aws")) == (
        "Delete Amazon Web Services contract 2026-2032"
    )
    assert describe(project, PutRow(None, aws)) == "Edit Amazon Web Services contract 2026-2032"
    assert describe(project, PutRow(None, contract(2026, 2030))) == "Add Oracle contract 2026-2030"
    assert "Microsoft round of 2023" in describe(project, ResetRow("Bull case", "r2023_msft"))
    for text in (
        describe(project, SetInput(None, "paying_share", "2026", 0.1)),
        describe(project, RemoveRow(None, "c_aws")),
    ):
        assert "paying_share" not in text and "c_aws" not in text


def test_a_contract_ending_before_it_starts_is_named_by_its_counterparty() -> None:
    project = make_project([], compute_contracts=[contract(2025, 2024).model_dump()])
    with pytest.raises(ProjectError) as refused:
        check_structure(project)
    assert "Oracle" in str(refused.value) and "contract1" not in str(refused.value)


def test_a_new_contract_starts_in_the_first_forecast_year_and_runs_five_years() -> None:
    project = builtin_project()  # actual data up to its reference year, 2025
    assert first_forecast_year(project) == 2026
    assert new_contract_years(project) == (2026, 2030)
    short = make_project([], periods=3)  # 2023-2025, no reference period
    assert first_forecast_year(short) == 2023
    assert new_contract_years(short) == (2023, 2025)
    short.reference_period = "2024"
    assert new_contract_years(short) == (2025, 2025)
    short.reference_period = "2025"  # no period after it: the first period
    assert first_forecast_year(short) == 2023


def test_delivery_years_can_be_edited_in_either_order() -> None:
    moved = with_delivery_year(contract(2026, 2028), "first_year", 2031)
    assert (moved.first_year, moved.last_year) == (2031, 2033)
    moved = with_delivery_year(contract(2026, 2028), "last_year", 2024)
    assert (moved.first_year, moved.last_year) == (2022, 2024)
    kept = with_delivery_year(contract(2026, 2028), "first_year", 2027)
    assert (kept.first_year, kept.last_year) == (2027, 2028)
    with pytest.raises(ValueError, match="less than or equal to 2200"):
        with_delivery_year(contract(2026, 2028), "first_year", 2300)
