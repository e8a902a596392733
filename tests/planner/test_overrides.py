"""The list of what a scenario overrides, with base and scenario values and where each lives."""

from __future__ import annotations

from planner.commands import PutRow, RemoveRow, SetConstant, SetFormula, SetInput
from planner.model import ComputeContract, FundingRound, Project, Scenario
from planner.overrides import Location, format_amount, list_overrides, override_count
from tests.planner.helpers import make_project


def _project() -> Project:
    project = make_project(
        [
            {"id": "users", "label": "Users", "unit": "M users", "inputs": [1.0, 2.0, 3.0, 4.0]},
            {"id": "price", "label": "Price", "unit": "$/month", "inputs": [20.0] * 4},
            {"id": "share", "label": "Share paying", "unit": "%", "value": 0.05},
            {"id": "sales", "label": "Sales", "unit": "$B", "formula": "users * price / 1000"},
        ],
        funding_rounds=[
            {"id": "r1", "period": "2024", "investor": "Fund", "amount": 10.0, "pre_money": 90.0},
            {"id": "r2", "period": "2025", "investor": "Bank", "amount": 5.0},
        ],
        compute_contracts=[
            {
                "id": "c1",
                "counterparty": "Cloud",
                "gw": 1.0,
                "total_value": 30.0,
                "first_year": 2024,
                "last_year": 2025,
            }
        ],
    )
    project.scenarios.append(Scenario(name="Bear"))
    return project


def test_the_base_and_an_untouched_scenario_override_nothing() -> None:
    project = _project()
    assert list_overrides(project, project.base_name) == []
    assert list_overrides(project, "Bear") == []
    assert override_count(project, "Bear") == 0


def test_input_cells_in_period_order_with_base_and_scenario_values_in_their_unit() -> None:
    project = _project()
    SetInput("Bear", "users", "2026", 1.5).apply(project)
    SetInput("Bear", "price", "2024", 18.0).apply(project)
    SetInput("Bear", "users", "2024", 2.5).apply(project)
    overrides = list_overrides(project, "Bear")
    found = [(o.label, o.period, o.base_text, o.scenario_text) for o in overrides]
    assert found == [
        ("Users", "2024", "2.0 M users", "2.5 M users"),
        ("Users", "2026", "4.0 M users", "1.5 M users"),
        ("Price", "2024", "$20/month", "$18/month"),
    ]
    first = list_overrides(project, "Bear")[0]
    assert first.location == Location("items", "users", "g", "2024")


def test_single_values_and_formulas() -> None:
    project = _project()
    SetConstant("Bear", "share", 0.03).apply(project)
    SetFormula("Bear", "sales", "users * price / 2000").apply(project)
    found = {o.label: o for o in list_overrides(project, "Bear")}
    share = found["Share paying"]
    assert (share.base_text, share.scenario_text) == ("5%", "3%")
    assert found["Share paying"].period == ""
    assert found["Sales"].base_text == "= users * price / 1000"
    assert found["Sales"].scenario_text == "= users * price / 2000"
    assert found["Sales"].location.table == "formulas"


def test_event_rows_added_changed_and_removed() -> None:
    project = _project()
    base_round = project.funding_rounds[0]
    PutRow("Bear", base_round.model_copy(update={"amount": 4.0})).apply(project)
    RemoveRow("Bear", "c1").apply(project)
    PutRow("Bear", FundingRound(id="r9", period="2026", investor="Angel", amount=1.0)).apply(
        project
    )
    found = [
        (o.label, o.base_text, o.scenario_text, o.change, o.location.table)
        for o in list_overrides(project, "Bear")
    ]
    assert found == [
        ("Fund round of 2024", "amount $10B", "amount $4B", "changed", "funding"),
        ("Angel round of 2026", "—", "amount $1B, pre-money none", "added", "funding"),
        (
            "Cloud contract 2024-2025",
            "capacity 1 GW, value $30B, from 2024, to 2025",
            "removed",
            "removed",
            "contracts",
        ),
    ]
    assert override_count(project, "Bear") == 3


def test_a_changed_note_alone_is_named() -> None:
    project = _project()
    contract = project.compute_contracts[0]
    assert isinstance(contract, ComputeContract)
    PutRow("Bear", contract.model_copy(update={"note": "renegotiated"})).apply(project)
    (override,) = list_overrides(project, "Bear")
    assert override.scenario_text == "note 'renegotiated'"


def test_amounts_read_with_their_unit() -> None:
    assert format_amount(14.0, "$B") == "$14B"
    assert format_amount(-2.5, "$B") == "\u2212$2.5B"
    assert format_amount(21.0, "$/month") == "$21/month"
    assert format_amount(0.05, "%") == "5%"
    assert format_amount(650.0, "M users") == "650 M users"
    assert format_amount(3.0, "") == "3"
