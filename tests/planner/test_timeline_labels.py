"""A new first year dates what starts there anew: opening balances and restarting ones."""

from __future__ import annotations

import re

import pytest

from planner.balances import moved_start_label, restarting_balances
from planner.builtin import builtin_project
from planner.commands import apply_checked
from planner.model import Project
from planner.templates import build_template
from planner.timeline import SetTimeline, earlier_start_balances, timeline_losses
from tests.planner.helpers import make_project


def dated_project(cash_label: str = "Cash at the start of 2023") -> Project:
    """2023 to 2026: opening cash, a share that restarts at 1, and a flow naming 2023."""
    return make_project(
        [
            {"id": "revenue", "label": "Revenue in 2023 dollars", "inputs": [1.0, 2.0, 3.0, 4.0]},
            {"id": "total_costs", "inputs": [5.0, 5.0, 5.0, 6.0]},
            {"id": "burn", "formula": "total_costs - revenue"},
            {"id": "opening_cash", "label": cash_label, "value": 20.0},
            {"id": "cash", "formula": "prev(cash, opening_cash) - burn"},
            {"id": "kept", "label": "Share kept by 2022's holders", "inputs": [0.9] * 4},
            {
                "id": "holders",
                "label": "Share held by 2022's holders",
                "formula": "prev(holders, 1) * kept",
            },
        ],
        scenarios=[{"name": "Costly", "inputs": {"total_costs": {"2024": 9.0}}}],
    )


def labels(project: Project) -> dict[str, str]:
    return {item.id: item.label for item in project.items}


def test_a_later_start_renames_the_balances_it_dates_and_undo_names_them_back() -> None:
    project = dated_project()
    before = project.model_dump()
    applied = apply_checked(project, SetTimeline(2025, 2026))
    after = labels(project)
    assert after["opening_cash"] == "Cash at the start of 2025"
    assert after["holders"] == "Share held by 2024's holders"  # it starts over at 1 in 2025
    # An input and a flow are not balances: their years are facts, not the plan's start.
    assert after["kept"] == "Share kept by 2022's holders"
    assert after["revenue"] == "Revenue in 2023 dollars"
    applied.inverse.apply(project)
    assert project.model_dump() == before


def test_a_carried_value_says_where_it_comes_from_and_undo_restores_the_note() -> None:
    project = dated_project()
    project.item("opening_cash").note = "audited balance sheet"
    applied = apply_checked(project, SetTimeline(2024, 2026))
    assert project.item("opening_cash").note == (
        "the 2023 closing value of cash, carried when the plan's start moved to 2024; "
        "before that: audited balance sheet"
    )
    applied.inverse.apply(project)
    assert project.item("opening_cash").note == "audited balance sheet"


def test_a_note_carried_many_times_stays_within_the_files_limit() -> None:
    project = dated_project()
    project.item("opening_cash").note = "x" * 4000
    apply_checked(project, SetTimeline(2024, 2026))
    note = project.item("opening_cash").note
    assert len(note) == 4000 and note.startswith("the 2023 closing value of cash")
    Project.model_validate(project.model_dump())


@pytest.mark.parametrize(
    ("label", "renamed"),
    [
        ("Cash at the start of 2023", "Cash at the start of 2025"),
        ("Cash at 2022-12-31, 2023 opening", "Cash at 2024-12-31, 2025 opening"),
        ("Cash at the start of FY2023", "Cash at the start of FY2023"),
        ("Cash in account 120230", "Cash in account 120230"),
        ("Cash from the 2019 round", "Cash from the 2019 round"),
    ],
)
def test_only_the_old_start_named_as_a_whole_word_moves(label: str, renamed: str) -> None:
    project = dated_project(label)
    apply_checked(project, SetTimeline(2025, 2026))
    assert project.item("opening_cash").label == renamed


def test_one_year_later_moves_both_years_once() -> None:
    assert moved_start_label("From 2022 to 2023", 2023, 2024) == "From 2023 to 2024"


def test_a_new_last_year_renames_nothing() -> None:
    for first, last in ((2023, 2030), (2023, 2024)):
        project = dated_project()
        apply_checked(project, SetTimeline(first, last))
        assert labels(project) == labels(dated_project())


def test_an_earlier_start_dates_the_opening_balances_it_now_reads_and_names_them() -> None:
    project = dated_project()
    before = project.model_dump()
    # Opening cash is read before the first period: from 2021 on, before 2021.
    assert earlier_start_balances(project, 2021) == ["Cash at the start of 2021"]
    assert earlier_start_balances(project, 2023) == earlier_start_balances(project, 2024) == []
    applied = apply_checked(project, SetTimeline(2021, 2026))
    after = labels(project)
    assert after["opening_cash"] == "Cash at the start of 2021"
    assert project.item("opening_cash").value == 20.0  # the value is the user's to check
    assert after["holders"] == "Share held by 2020's holders"  # it starts at 1 in 2021
    assert after["kept"] == "Share kept by 2022's holders"
    assert after["revenue"] == "Revenue in 2023 dollars"
    applied.inverse.apply(project)
    assert project.model_dump() == before


def test_the_question_before_shortening_names_the_new_labels() -> None:
    losses = timeline_losses(dated_project(), 2025, 2026)
    assert losses.carried == (
        "Cash at the start of 2023 takes the 2024 value of cash "
        "and is renamed Cash at the start of 2025",
    )
    assert losses.restarted == (
        "Share held by 2022's holders, renamed Share held by 2024's holders",
    )


def test_the_builtin_project_dates_its_balances_to_the_new_start_and_keeps_its_notes() -> None:
    project = builtin_project()
    notes = {item.id: item.note for item in project.items}
    before = project.model_dump()
    applied = apply_checked(project, SetTimeline(2025, 2035))
    after = labels(project)
    assert after["opening_cash"] == "Cash at the start of 2025"
    assert after["opening_run_rate"] == "Run-rate at the start of 2025"
    assert after["raised_before_2023"] == "Capital raised before 2025"  # the id stays
    assert after["holders_share"] == "Share held by 2024's holders"
    # Notes cite what the article says of a year: they keep their years. A carried value's
    # note says where the new number comes from, then what the old one was.
    carried = {"opening_cash", "opening_run_rate", "raised_before_2023"}
    assert {i.id: i.note for i in project.items if i.id not in carried} == {
        item_id: note for item_id, note in notes.items() if item_id not in carried
    }
    assert project.item("opening_cash").note == (
        "the 2024 closing value of Cash at year end, carried when the plan's start moved to "
        f"2025; before that: {notes['opening_cash']}"
    )
    applied.inverse.apply(project)
    assert project.model_dump() == before


def test_a_quarterly_ai_lab_moves_its_labels_by_whole_years() -> None:
    project = build_template("ai-lab", 2026, 2030, True)
    apply_checked(project, SetTimeline(2027, 2030))
    after = labels(project)
    assert after["opening_cash"] == "Cash at the start of 2027"
    assert after["holders_share"] == "Share held by 2026's holders"


def test_the_builtin_balances_that_start_over_do_not_date_their_notes_to_its_first_year() -> None:
    project = builtin_project()
    first_year = re.compile(rf"\b{project.periods[0]}\b")
    for item_id in restarting_balances(project):
        assert not first_year.search(project.item(item_id).note), item_id
