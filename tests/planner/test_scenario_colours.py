"""Scenario colours are kept in the project: adding or deleting one never recolours another."""

from __future__ import annotations

import pytest

from planner.commands import (
    AddScenario,
    CommandError,
    RemoveScenario,
    SetScenarioColour,
    apply_checked,
    duplicate_scenario,
)
from planner.io.project_file import parse_project, project_json
from planner.model import Project, Scenario
from planner.scenario_colours import (
    BASE_COLOUR,
    PALETTE,
    assign_missing_colours,
    next_free_colour,
    scenario_colours,
)


def test_a_new_scenario_takes_the_first_colour_no_other_uses(builtin: Project) -> None:
    before = scenario_colours(builtin)
    assign_missing_colours(builtin)
    RemoveScenario("Bull case").apply(builtin)
    AddScenario(Scenario(name="Upside")).apply(builtin)
    after = scenario_colours(builtin)
    # The bear case keeps its colour although the scenario before it went away...
    assert after["Bear case"] == before["Bear case"]
    assert after["Custom silicon"] == before["Custom silicon"]
    # ...and the new one takes the colour that became free.
    assert after["Upside"] == before["Bull case"] == PALETTE[0]
    assert after[builtin.base_name] == BASE_COLOUR


def test_adding_a_scenario_recolours_none_of_the_others(builtin: Project) -> None:
    before = scenario_colours(builtin)
    AddScenario(Scenario(name="First"), index=0).apply(builtin)
    after = scenario_colours(builtin)
    assert {name: after[name] for name in before} == before
    assert after["First"] not in before.values()


def test_a_duplicate_gets_a_colour_of_its_own(builtin: Project) -> None:
    assign_missing_colours(builtin)
    duplicate_scenario(builtin, "Bear case", "Bear copy").apply(builtin)
    colours = scenario_colours(builtin)
    assert colours["Bear copy"] != colours["Bear case"]


def test_an_old_file_gets_colours_by_its_order_the_same_every_time(builtin: Project) -> None:
    text = project_json(builtin)
    assert '"colour": null' in text  # written before colours were stored
    first, second = parse_project(text), parse_project(text)
    assert scenario_colours(first) == scenario_colours(second)
    assert [scenario_colours(first)[s.name] for s in first.scenarios] == list(PALETTE[:3])
    assert assign_missing_colours(first)
    assert [s.colour for s in first.scenarios] == list(PALETTE[:3])
    assert not assign_missing_colours(first)


def test_stored_colours_survive_saving_and_loading(builtin: Project) -> None:
    SetScenarioColour("Bear case", "#123ABC").apply(builtin)
    loaded = parse_project(project_json(builtin))
    assert loaded.scenario("Bear case") is not None
    assert scenario_colours(loaded)["Bear case"] == "#123abc"


def test_a_colour_in_a_file_must_be_rrggbb(builtin: Project) -> None:
    text = project_json(builtin).replace('"colour": null', '"colour": "red"', 1)
    with pytest.raises(ValueError, match="#rrggbb"):
        parse_project(text)


def test_changing_a_colour_is_undoable_and_checked(builtin: Project) -> None:
    before = scenario_colours(builtin)
    applied = apply_checked(builtin, SetScenarioColour("Bull case", "#000000"))
    assert scenario_colours(builtin)["Bull case"] == "#000000"
    applied.inverse.apply(builtin)
    assert scenario_colours(builtin) == before
    with pytest.raises(CommandError, match="#rrggbb"):
        apply_checked(builtin, SetScenarioColour("Bull case", "#00000g"))
    with pytest.raises(CommandError, match="base"):
        apply_checked(builtin, SetScenarioColour(builtin.base_name, "#000000"))


def test_when_every_colour_is_taken_the_least_used_one_is_reused() -> None:
    project = Project.model_validate(
        {
            "periods": ["2025"],
            "items": [],
            "scenarios": [
                {"name": f"S{n}", "colour": colour}
                for n, colour in enumerate([*PALETTE, PALETTE[0]])
            ],
        }
    )
    assert next_free_colour(project) == PALETTE[1]
