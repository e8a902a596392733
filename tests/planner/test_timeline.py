import numpy as np
import pytest

from planner.builtin import builtin_project
from planner.commands import CommandError, apply_checked, evaluate_all
from planner.model import ComputeContract, FundingRound, Project, Scenario
from planner.templates import build_template
from planner.timeline import SetTimeline, timeline_losses, timeline_periods
from tests.planner.helpers import make_project


def all_series(project: Project) -> dict[str, dict[str, list[float]]]:
    return {
        name: {item_id: values[0].tolist() for item_id, values in result.values.items()}
        for name, result in evaluate_all(project).items()
    }


def cash_project() -> Project:
    """Four years, 2023 to 2026, a cash corkscrew and a scenario that spends more."""
    return make_project(
        [
            {"id": "revenue", "inputs": [1.0, 2.0, 3.0, 4.0], "group": "revenue"},
            {"id": "share", "unit": "%", "inputs": [0.1, 0.2, 0.3, 0.4]},
            {"id": "total_costs", "inputs": [5.0, 5.0, 5.0, 6.0]},
            {"id": "burn", "formula": "total_costs - revenue"},
            {"id": "funding", "formula": "round_funding"},
            {"id": "opening_cash", "value": 20.0},
            {"id": "cash", "formula": "prev(cash, opening_cash) + funding - burn"},
            {"id": "capacity_gw", "formula": "prev(capacity_gw, 0) + 1", "unit": "GW"},
        ],
        funding_rounds=[
            {"id": "r1", "period": "2023", "investor": "Early Fund", "amount": 3.0},
            {"id": "r2", "period": "2026", "investor": "Late Fund", "amount": 4.0},
        ],
        compute_contracts=[
            {
                "id": "c1",
                "counterparty": "Cloud Co",
                "gw": 1.0,
                "total_value": 10.0,
                "first_year": 2023,
                "last_year": 2023,
            },
            {
                "id": "c2",
                "counterparty": "Chip Co",
                "gw": 1.0,
                "total_value": 10.0,
                "first_year": 2024,
                "last_year": 2027,
            },
        ],
        scenarios=[
            {"name": "Costly", "inputs": {"total_costs": {"2023": 9.0, "2026": 8.0}}},
        ],
        reference_period="2024",
    )


def test_extending_continues_the_last_value_in_the_base_and_the_scenarios() -> None:
    project = cash_project()
    apply_checked(project, SetTimeline(2023, 2028))
    assert project.periods == ["2023", "2024", "2025", "2026", "2027", "2028"]
    assert project.item("revenue").inputs == [1.0, 2.0, 3.0, 4.0, 4.0, 4.0]
    costly = project.scenarios[0].inputs["total_costs"]
    assert costly == {"2023": 9.0, "2026": 8.0, "2027": 8.0, "2028": 8.0}


def test_extending_at_a_growth_rate_compounds_except_percentages() -> None:
    project = cash_project()
    apply_checked(project, SetTimeline(2022, 2028, growth=0.1))
    assert project.item("revenue").inputs == pytest.approx(
        [1.0 / 1.1, 1.0, 2.0, 3.0, 4.0, 4.4, 4.84]
    )
    assert project.item("share").inputs == pytest.approx([0.1, 0.1, 0.2, 0.3, 0.4, 0.4, 0.4])
    assert project.scenarios[0].inputs["total_costs"]["2028"] == pytest.approx(8.0 * 1.21)
    assert project.scenarios[0].inputs["total_costs"]["2022"] == pytest.approx(9.0 / 1.1)


def test_quarterly_projects_gain_whole_years_of_quarters_growing_per_quarter() -> None:
    project = build_template("blank", 2026, 2026, True)
    project.item("sales").inputs = [1.0, 1.0, 1.0, 2.0]
    apply_checked(project, SetTimeline(2026, 2027, growth=0.21))
    assert project.periods[-4:] == ["2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4"]
    sales = project.item("sales").inputs
    assert sales is not None
    assert sales[4] == pytest.approx(2.0 * 1.21**0.25)
    assert sales[7] == pytest.approx(2.0 * 1.21)


def test_shortening_drops_what_lives_outside_and_undo_restores_it_exactly() -> None:
    project = cash_project()
    project.item("revenue").input_notes = {"2026": "a guess"}
    before = project.model_dump()
    values_before = all_series(project)
    applied = apply_checked(project, SetTimeline(2024, 2025))
    assert project.periods == ["2024", "2025"]
    assert [r.id for r in project.funding_rounds] == []
    assert [c.id for c in project.compute_contracts] == ["c2"]  # partly inside: kept
    assert project.scenarios[0].inputs == {}
    assert project.item("revenue").input_notes == {}
    assert project.reference_period == "2024"
    applied.inverse.apply(project)
    assert project.model_dump() == before
    assert all_series(project) == values_before


def test_losses_name_rows_and_items_by_label() -> None:
    project = cash_project()
    losses = timeline_losses(project, 2024, 2025)
    assert losses.periods == ("2023", "2026")
    assert losses.funding_rounds == ("Early Fund round of 2023", "Late Fund round of 2026")
    assert losses.compute_contracts == ("Cloud Co contract 2023-2023",)
    assert losses.overrides == ("Costly: total costs 2023, 2026",)
    text = "\n".join(losses.lines())
    assert "2 periods (2023, 2026)" in text
    assert "r1" not in text and "c1" not in text
    assert timeline_losses(project, 2023, 2030).anything is False


def test_scenario_rows_outside_are_named_with_their_scenario() -> None:
    project = cash_project()
    project.scenarios.append(
        Scenario(
            name="More money",
            funding_rounds={
                "r9": FundingRound(id="r9", period="2023", investor="Angel", amount=1.0)
            },
            compute_contracts={
                "c9": ComputeContract(
                    id="c9",
                    counterparty="Rack Co",
                    gw=1,
                    total_value=1,
                    first_year=2026,
                    last_year=2026,
                )
            },
        )
    )
    losses = timeline_losses(project, 2024, 2025)
    assert "Angel round of 2023 (More money)" in losses.funding_rounds
    assert "Rack Co contract 2026-2026 (More money)" in losses.compute_contracts
    before = project.model_dump()
    applied = apply_checked(project, SetTimeline(2024, 2025))
    assert project.scenarios[1].funding_rounds == {}
    assert project.scenarios[1].compute_contracts == {}
    applied.inverse.apply(project)
    assert project.model_dump() == before


def test_a_later_first_year_carries_opening_balances_in_every_scenario() -> None:
    project = cash_project()
    old = evaluate_all(project)
    losses = timeline_losses(project, 2025, 2026)
    assert losses.carried == ("opening cash takes the 2024 value of cash",)
    assert losses.restarted == ("capacity gw",)
    applied = apply_checked(project, SetTimeline(2025, 2026))
    new = applied.results
    for name in project.scenario_names:
        assert new[name].series("cash").tolist() == old[name].series("cash")[2:].tolist()
    assert project.item("opening_cash").value == old["Base"].series("cash")[1]
    assert project.scenarios[0].values["opening_cash"] == old["Costly"].series("cash")[1]


def test_the_builtin_project_shortened_and_extended_evaluates_and_undoes() -> None:
    project = builtin_project()
    before = project.model_dump()
    values_before = all_series(project)
    for first, last in ((2025, 2030), (2020, 2040), (2023, 2024)):
        applied = apply_checked(project, SetTimeline(first, last, growth=0.05))
        assert len(project.periods) == last - first + 1
        assert set(applied.results) == set(project.scenario_names)
        applied.inverse.apply(project)
        assert project.model_dump() == before
        assert all_series(project) == values_before


def test_a_later_first_year_keeps_the_builtin_cash_path_where_balances_carry() -> None:
    project = builtin_project()
    old = evaluate_all(project)[project.base_name].series("raised_to_date")
    apply_checked(project, SetTimeline(2025, 2035))
    new = evaluate_all(project)[project.base_name].series("raised_to_date")
    assert np.allclose(new, old[2:])
    assert project.item("opening_cash").label == "Cash at the start of 2025"


@pytest.mark.parametrize(
    ("first", "last", "growth", "problem"),
    [
        (2030, 2025, None, "before the first"),
        (1800, 2025, None, "from 1900 to 2200"),
        (2023, 2035, -1.0, "growth rate"),
    ],
)
def test_bad_timelines_are_refused_and_change_nothing(first, last, growth, problem) -> None:
    project = cash_project()
    before = project.model_dump()
    with pytest.raises(CommandError, match=problem):
        apply_checked(project, SetTimeline(first, last, growth))
    assert project.model_dump() == before


def test_timeline_periods_are_years_or_quarters() -> None:
    assert timeline_periods(2026, 2027) == ["2026", "2027"]
    assert timeline_periods(2026, 2026, quarterly=True) == [
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
        "2026-Q4",
    ]


def test_a_long_list_of_losses_names_ten_and_counts_the_rest() -> None:
    project = cash_project()
    project.funding_rounds = [
        FundingRound(id=f"r{n}", period="2023", investor=f"Fund {n}", amount=1.0) for n in range(25)
    ]
    (line,) = [text for text in timeline_losses(project, 2024, 2026).lines() if "Fund" in text]
    assert "Fund 9 round of 2023; and 15 more" in line and "Fund 10 " not in line
