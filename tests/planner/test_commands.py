"""Edit commands: each applies itself and returns an inverse that restores the project exactly."""

from __future__ import annotations

import re

import pytest

from planner.commands import (
    AddScenario,
    Command,
    CommandError,
    Macro,
    PutRow,
    RemoveRow,
    RemoveScenario,
    RenameScenario,
    ResetRow,
    SetConstant,
    SetDescription,
    SetFormula,
    SetInput,
    SetNote,
    apply_checked,
    check_formula,
    duplicate_scenario,
    new_row_id,
    unused_name,
)
from planner.engine import evaluate
from planner.formula import FormulaError
from planner.io.project_file import project_json
from planner.model import ComputeContract, FundingRound, Project, Scenario
from tests.planner.helpers import make_project


def small_project() -> Project:
    return make_project(
        [
            {"id": "sales", "inputs": [1.0, 2.0, 3.0, 4.0], "group": "revenue"},
            {"id": "rate", "value": 0.5, "unit": "%"},
            {"id": "costs", "formula": "sales * rate + committed_spend"},
            {"id": "cash", "formula": "prev(cash, 10) + round_funding + sales - costs"},
        ],
        funding_rounds=[
            {"id": "r1", "period": "2024", "investor": "A", "amount": 5.0, "pre_money": 20.0}
        ],
        compute_contracts=[
            {
                "id": "c1",
                "counterparty": "B",
                "gw": 1.0,
                "total_value": 6.0,
                "first_year": 2024,
                "last_year": 2025,
            }
        ],
        scenarios=[{"name": "Alt", "inputs": {"sales": {"2025": 9.0}}, "values": {"rate": 0.25}}],
    )


def commands() -> list[Command]:
    new_round = FundingRound(id="r2", period="2025", investor="C", amount=3.0)
    changed_contract = ComputeContract(
        id="c1", counterparty="B", gw=2.0, total_value=8.0, first_year=2024, last_year=2026
    )
    return [
        SetInput(None, "sales", "2024", 7.5),
        SetInput("Alt", "sales", "2026", 1.5),
        SetInput("Alt", "sales", "2025", None),
        SetConstant(None, "rate", 0.3),
        SetConstant("Alt", "rate", None),
        SetFormula(None, "costs", "sales * rate * 2"),
        SetFormula("Alt", "costs", "sales"),
        SetNote("sales", None, "a source"),
        SetNote("sales", "2025", "assumption: a guess"),
        AddScenario(Scenario(name="Third", description="more")),
        RemoveScenario("Alt"),
        RenameScenario("Alt", "Renamed"),
        RenameScenario("Base", "Plan"),
        SetDescription("Alt", "a  new\nline"),
        PutRow(None, new_round),
        PutRow("Alt", new_round),
        PutRow(None, changed_contract),
        PutRow("Alt", changed_contract),
        RemoveRow(None, "r1"),
        RemoveRow("Alt", "c1"),
        Macro((PutRow("Alt", changed_contract), RemoveRow("Alt", "r1"))),
        Macro((SetInput(None, "sales", "2023", 0.0), SetConstant(None, "rate", 1.0))),
    ]


@pytest.mark.parametrize("command", commands(), ids=lambda c: type(c).__name__)
def test_the_inverse_restores_the_project_exactly(command: Command) -> None:
    project = small_project()
    before = project_json(project)
    applied = apply_checked(project, command)
    after = project_json(project)
    assert after != before
    redo = applied.inverse.apply(project)
    assert project_json(project) == before
    redo.apply(project)
    assert project_json(project) == after


def test_scenario_cells_override_and_reset_to_the_base() -> None:
    project = small_project()
    apply_checked(project, SetInput("Alt", "sales", "2023", 100.0))
    assert evaluate(project, "Alt").series("sales")[0] == 100.0
    assert evaluate(project, None).series("sales")[0] == 1.0
    apply_checked(project, SetInput(None, "sales", "2023", 50.0))
    assert evaluate(project, "Alt").series("sales")[0] == 100.0  # the override wins
    apply_checked(project, SetInput("Alt", "sales", "2023", None))
    assert evaluate(project, "Alt").series("sales")[0] == 50.0  # back to following the base
    assert "sales" in project.scenarios[0].inputs  # the 2025 override is still there


def test_a_bad_formula_is_refused_with_its_error_and_nothing_changes() -> None:
    project = small_project()
    before = project_json(project)
    with pytest.raises(CommandError, match="costs"):
        apply_checked(project, SetFormula(None, "costs", "sales * rat"))
    with pytest.raises(CommandError, match="cycle"):
        apply_checked(project, SetFormula(None, "costs", "cash + 1"))
    with pytest.raises(CommandError):
        apply_checked(project, SetFormula("Alt", "costs", "sales +"))
    assert project_json(project) == before
    with pytest.raises(FormulaError, match="empty"):
        check_formula(project, None, "costs", "  ")


@pytest.mark.parametrize(
    "command",
    [
        SetInput(None, "costs", "2024", 1.0),  # a formula row
        SetInput(None, "sales", "1999", 1.0),
        SetInput(None, "sales", "2024", None),
        SetConstant(None, "sales", 1.0),
        SetInput("Nope", "sales", "2024", 1.0),
        RenameScenario("Alt", "Base"),
        RenameScenario("Alt", "  "),
        RemoveScenario("Base"),
        AddScenario(Scenario(name="Alt")),
        PutRow(None, FundingRound(id="r9", period="2031", investor="X", amount=1.0)),
        PutRow(None, FundingRound(id="c1", period="2024", investor="X", amount=1.0)),
        RemoveRow(None, "nothing"),
        SetNote("sales", None, "x" * 5000),
    ],
    ids=lambda c: type(c).__name__,
)
def test_invalid_edits_are_refused_and_leave_the_project_alone(command: Command) -> None:
    project = small_project()
    before = project_json(project)
    with pytest.raises(CommandError):
        apply_checked(project, command)
    assert project_json(project) == before


@pytest.mark.parametrize(
    ("command", "fragment"),
    [
        (RenameScenario("Alt", "Red \x1b[31m"), "the scenario name contains the character U+001B"),
        (RenameScenario("Base", "Plan\ufffe"), "the scenario name contains the character U+FFFE"),
        (AddScenario(Scenario.model_construct(name="New\x00")), "U+0000"),
        (SetDescription("Alt", "a bell \x07"), "the description contains the character U+0007"),
        (SetNote("sales", None, "clear \x1b[2J"), "the note contains the character U+001B"),
        (SetNote("sales", "2024", "next\x85line"), "the note contains the character U+0085"),
        (
            PutRow(
                None,
                FundingRound.model_construct(
                    id="r1", period="2024", investor="\x9b1m", amount=1.0, note=""
                ),
            ),
            "the investor's name contains the character U+009B",
        ),
    ],
    ids=lambda c: type(c).__name__ if not isinstance(c, str) else "",
)
def test_names_and_notes_with_control_characters_are_refused(
    command: Command, fragment: str
) -> None:
    project = small_project()
    before = project_json(project)
    with pytest.raises(CommandError, match=re.escape(fragment)):
        apply_checked(project, command)
    assert project_json(project) == before


def test_a_note_keeps_its_line_breaks_and_tabs() -> None:
    project = small_project()
    apply_checked(project, SetNote("sales", None, "article, fig. 5\n\tand fig. 6"))
    assert project.item("sales").note == "article, fig. 5\n\tand fig. 6"


def test_a_macro_that_fails_half_way_undoes_its_first_half() -> None:
    project = small_project()
    before = project_json(project)
    macro = Macro((SetInput(None, "sales", "2023", 9.0), SetInput(None, "costs", "2023", 1.0)))
    with pytest.raises(CommandError):
        apply_checked(project, macro)
    assert project_json(project) == before


def test_rows_removed_in_a_scenario_stay_in_the_base() -> None:
    project = small_project()
    apply_checked(project, RemoveRow("Alt", "r1"))
    assert [r.id for r in project.funding_rounds] == ["r1"]
    assert evaluate(project, "Alt").series("round_funding").sum() == 0
    assert evaluate(project, None).series("round_funding").sum() == 5.0


def test_duplicate_copies_overrides_and_names_stay_unique() -> None:
    project = small_project()
    name = unused_name(project, "Alt")
    assert name == "Alt 2"
    apply_checked(project, duplicate_scenario(project, "Alt", name))
    copy = project.scenario("Alt 2")
    assert copy is not None and copy.inputs == {"sales": {"2025": 9.0}}
    assert project.scenario_names == ["Base", "Alt", "Alt 2"]
    apply_checked(project, duplicate_scenario(project, "Base", "From base"))
    assert project.scenario_names[1] == "From base"
    assert new_row_id(project, "r") == "r2"


def test_apply_checked_returns_every_scenarios_results() -> None:
    project = small_project()
    applied = apply_checked(project, SetInput(None, "sales", "2026", 40.0))
    assert set(applied.results) == {"Base", "Alt"}
    assert applied.results["Base"].series("sales")[3] == 40.0


def test_a_scenario_edit_evaluates_only_that_scenario_again() -> None:
    project = small_project()
    before = apply_checked(project, SetInput(None, "sales", "2026", 5.0)).results
    after = apply_checked(project, SetInput("Alt", "sales", "2026", 6.0), before).results
    assert after["Base"] is before["Base"]
    assert after["Alt"] is not before["Alt"] and after["Alt"].series("sales")[3] == 6.0
    base_edit = apply_checked(project, SetInput(None, "sales", "2023", 2.0), after).results
    assert base_edit["Alt"] is not after["Alt"]


def test_reset_row_brings_back_the_base_version() -> None:
    project = small_project()
    changed = ComputeContract(
        id="c1", counterparty="B", gw=9.0, total_value=60.0, first_year=2024, last_year=2025
    )
    apply_checked(project, PutRow("Alt", changed))
    apply_checked(project, RemoveRow("Alt", "r1"))
    base_spend = evaluate(project, None).series("committed_spend")
    assert evaluate(project, "Alt").series("committed_spend").sum() > base_spend.sum()
    apply_checked(project, Macro((ResetRow("Alt", "c1"), ResetRow("Alt", "r1"))))
    assert (evaluate(project, "Alt").series("committed_spend") == base_spend).all()
    assert evaluate(project, "Alt").series("round_funding").sum() == 5.0
    with pytest.raises(CommandError):
        apply_checked(project, ResetRow("Alt", "nothing"))
