"""Growth paths and fills over blocks of cells: one undo step each, refused whole with a reason."""

from __future__ import annotations

import pytest

from planner.builtin import builtin_project
from planner.cell_edits import (
    fill_down_pairs,
    fill_edit,
    fill_right_pairs,
    growth_edit,
    set_cell,
)
from planner.commands import CommandError, SetConstant, SetInput, apply_checked
from planner.io.project_file import project_json
from planner.model import Project


@pytest.fixture
def project() -> Project:
    return builtin_project()


def inputs(project: Project, item_id: str) -> list[float]:
    values = project.item(item_id).inputs
    assert values is not None
    return values


def test_growth_in_one_cell_grows_the_previous_period(project: Project) -> None:
    before = inputs(project, "enterprise_api")[2]
    edit = growth_edit(project, None, [("enterprise_api", 3)], 0.08)
    edit.apply(project)
    assert inputs(project, "enterprise_api")[3] == pytest.approx(before * 1.08)


def test_growth_over_a_range_is_a_path_from_each_rows_value_before_it(project: Project) -> None:
    users, api = inputs(project, "chatgpt_users")[4], inputs(project, "enterprise_api")[4]
    before = project_json(project)
    cells = [(item, period) for item in ("chatgpt_users", "enterprise_api") for period in (5, 6, 7)]
    edit = growth_edit(project, None, cells, -0.03)
    assert len(edit.commands) == 6 and edit.description == "Grow by -3%"
    inverse = apply_checked(project, edit).inverse
    assert inputs(project, "chatgpt_users")[5:8] == pytest.approx(
        [users * 0.97, users * 0.97**2, users * 0.97**3]
    )
    assert inputs(project, "enterprise_api")[5:8] == pytest.approx(
        [api * 0.97, api * 0.97**2, api * 0.97**3]
    )
    inverse.apply(project)
    assert project_json(project) == before


def test_growth_in_a_scenario_starts_from_the_scenarios_own_value(project: Project) -> None:
    scenario = project.scenarios[0]
    scenario_value = scenario.inputs["enterprise_api"]["2027"]
    assert scenario_value != inputs(project, "enterprise_api")[4]
    growth_edit(project, scenario.name, [("enterprise_api", 5)], 0.1).apply(project)
    assert scenario.inputs["enterprise_api"]["2028"] == pytest.approx(scenario_value * 1.1)


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (("enterprise_api", 0), "'{label}', 2023 is the first period"),
        (("opening_cash", 0), "'{label}' is a single value: it has no previous period"),
        (("revenue", 4), "'{label}', 2027 is calculated, not an input"),
    ],
)
def test_growth_is_refused_where_there_is_nothing_to_grow(
    project: Project, cell: tuple[str, int], message: str
) -> None:
    before = project_json(project)
    with pytest.raises(CommandError) as caught:
        growth_edit(project, None, [("chatgpt_users", 5), cell], 0.08)
    assert str(caught.value).startswith(message.format(label=project.item(cell[0]).label))
    assert project_json(project) == before


def test_fill_down_copies_the_top_row_where_units_agree(project: Project) -> None:
    top = inputs(project, "commerce_volume")
    before = project_json(project)
    pairs = fill_down_pairs(["commerce_volume", "other_funding"], [3, 4])
    assert pairs == [
        (("commerce_volume", 3), ("other_funding", 3)),
        (("commerce_volume", 4), ("other_funding", 4)),
    ]
    edit = fill_edit(project, None, pairs, "Fill down")
    inverse = edit.apply(project)
    assert inputs(project, "other_funding")[3:5] == top[3:5]
    inverse.apply(project)
    assert project_json(project) == before


def test_fill_down_across_units_is_refused_naming_both(project: Project) -> None:
    pairs = fill_down_pairs(["chatgpt_users", "paying_share"], [3])
    with pytest.raises(CommandError) as caught:
        fill_edit(project, None, pairs, "Fill down")
    message = str(caught.value)
    assert "is in %" in message and "in M users" in message and "the units differ" in message


def test_fill_into_a_calculated_row_is_refused(project: Project) -> None:
    pairs = fill_down_pairs(["enterprise_api", "revenue"], [3])
    with pytest.raises(CommandError, match="is calculated, not an input"):
        fill_edit(project, None, pairs, "Fill down")


def test_fill_right_copies_each_rows_first_cell(project: Project) -> None:
    first = inputs(project, "paying_share")[3]
    fill_edit(project, None, fill_right_pairs(["paying_share"], [3, 4, 5]), "Fill right").apply(
        project
    )
    assert inputs(project, "paying_share")[3:6] == [first, first, first]


def test_a_single_value_lives_in_the_first_period_only(project: Project) -> None:
    with pytest.raises(
        CommandError, match="'Cash at the start of 2023' is a single value, kept in the 2023 column"
    ):
        fill_edit(project, None, fill_right_pairs(["opening_cash"], [0, 1]), "Fill right")
    with pytest.raises(CommandError, match="is blank: there is nothing to copy"):
        fill_edit(project, None, [(("opening_cash", 3), ("other_funding", 3))], "Fill down")
    command = set_cell(project, "Bear case", ("opening_cash", 0), 5.0)
    assert command == SetConstant("Bear case", "opening_cash", 5.0)
    assert set_cell(project, None, ("other_costs", 2), 1.0) == SetInput(
        None, "other_costs", "2025", 1.0
    )
    # A single value fills down into an input row of its unit.
    fill_edit(project, None, [(("opening_cash", 0), ("other_funding", 0))], "Fill down").apply(
        project
    )
    assert inputs(project, "other_funding")[0] == project.item("opening_cash").value
