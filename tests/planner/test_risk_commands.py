"""Undoable edits of ranges and correlations: each applies, and its inverse restores the project."""

from __future__ import annotations

import pytest

from planner.commands import CommandError, apply_checked
from planner.io.project_file import project_json
from planner.model import Correlation, Project, Uncertainty
from planner.risk_commands import (
    PutCorrelation,
    PutRange,
    RemoveCorrelation,
    RemoveRange,
    describe_risk,
    make_correlation,
    make_range,
)
from planner.uncertainty import ranges_for

USERS = Uncertainty(item="chatgpt_users", distribution="pert", low=0.7, high=1.3)


def round_trip(project: Project, command) -> None:
    """Apply, check the change happened, undo, and the file is as before byte for byte."""
    before = project_json(project)
    inverse = command.apply(project)
    assert project_json(project) != before
    redo = inverse.apply(project)
    assert project_json(project) == before
    redo.apply(project)
    assert project_json(project) != before


def test_adding_a_range_to_the_base_and_undoing_it(builtin: Project) -> None:
    spec = make_range("subscription_price", "lognormal", 0.5, 2.0, " a note ")
    assert spec.note == "a note"
    builtin.uncertainty = []
    round_trip(builtin, PutRange(None, spec))
    assert builtin.uncertainty == [spec]


def test_editing_a_base_range_keeps_its_place(builtin: Project) -> None:
    items = [r.item for r in builtin.uncertainty]
    command = PutRange(None, USERS)
    label = builtin.item("chatgpt_users").label
    assert describe_risk(builtin, command) == f"Edit range of {label}"
    command.apply(builtin)
    assert [r.item for r in builtin.uncertainty] == items
    assert builtin.uncertainty[items.index("chatgpt_users")] == USERS


def test_a_scenario_range_overrides_the_base_and_resets_to_it(builtin: Project) -> None:
    wider = Uncertainty(item="chatgpt_users", distribution="uniform", low=0.4, high=1.6)
    base = ranges_for(builtin, "Bear case")
    round_trip(builtin, PutRange("Bear case", wider))
    effective = ranges_for(builtin, "Bear case")
    assert [r.item for r in effective] == [r.item for r in base]
    assert effective[[r.item for r in base].index("chatgpt_users")] == wider
    assert ranges_for(builtin, "Bull case") == tuple(builtin.uncertainty)
    reset = RemoveRange("Bear case", "chatgpt_users")
    assert describe_risk(builtin, reset).startswith("Reset range of")
    undo = reset.apply(builtin)
    assert ranges_for(builtin, "Bear case") == base
    undo.apply(builtin)
    assert ranges_for(builtin, "Bear case") == effective


def test_a_scenario_may_add_a_range_the_base_lacks(builtin: Project) -> None:
    extra = Uncertainty(item="opening_cash", distribution="triangular", low=0.9, high=1.1)
    PutRange("Bull case", extra).apply(builtin)
    assert ranges_for(builtin, "Bull case")[-1] == extra
    assert extra not in ranges_for(builtin, "Leaked plan")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("chatgpt_users", "normal", 0.8, 1.2), "triangular"),
        (("chatgpt_users", "pert", 1.2, 1.4), "low is 1.2"),
        (("chatgpt_users", "pert", 0.8, 0.9), "high is 0.9"),
        (("chatgpt_users", "uniform", float("nan"), 1.2), "finite"),
        (("Users", "uniform", 0.8, 1.2), "pattern"),
    ],
)
def test_a_bad_range_is_refused_as_the_file_refuses_it(args, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        make_range(*args)


def test_a_range_on_a_formula_or_unknown_item_is_refused_and_nothing_changes(
    builtin: Project,
) -> None:
    before = project_json(builtin)
    formula_item = next(i for i in builtin.items if i.formula is not None)
    for item in (formula_item.id, "no_such_item"):
        spec = Uncertainty.model_construct(item=item, distribution="uniform", low=0.9, high=1.1)
        with pytest.raises(CommandError):
            PutRange(None, spec).apply(builtin)
    assert project_json(builtin) == before


def test_a_correlation_is_added_replaced_in_either_order_and_removed(builtin: Project) -> None:
    builtin.correlations = []
    first = make_correlation("chatgpt_users", "paying_share", 0.5)
    round_trip(builtin, PutCorrelation(first))
    swapped = make_correlation("paying_share", "chatgpt_users", -0.2, "other")
    assert describe_risk(builtin, PutCorrelation(swapped)).startswith("Edit correlation")
    undo = PutCorrelation(swapped).apply(builtin)
    assert builtin.correlations == [swapped]
    undo.apply(builtin)
    assert builtin.correlations == [first]
    round_trip(builtin, RemoveCorrelation(("paying_share", "chatgpt_users")))


def test_correlations_that_cannot_hold_are_refused_naming_the_pairs(builtin: Project) -> None:
    builtin.correlations = [
        Correlation(items=("chatgpt_users", "paying_share"), rank=0.9),
        Correlation(items=("paying_share", "subscription_price"), rank=0.9),
    ]
    before = project_json(builtin)
    clash = make_correlation("chatgpt_users", "subscription_price", -0.9)
    with pytest.raises(CommandError, match="positive semi-definite") as refused:
        PutCorrelation(clash).apply(builtin)
    for pair in ("'chatgpt_users' and 'paying_share'", "'chatgpt_users' and 'subscription_price'"):
        assert pair in str(refused.value)
    assert project_json(builtin) == before


def test_only_items_with_a_base_range_can_be_correlated(builtin: Project) -> None:
    with pytest.raises(CommandError, match="'opening_cash' has no range"):
        PutCorrelation(make_correlation("chatgpt_users", "opening_cash", 0.3)).apply(builtin)
    with pytest.raises(CommandError, match="itself"):
        make_correlation("chatgpt_users", "chatgpt_users", 0.3)
    with pytest.raises(CommandError, match="less than or equal to 1"):
        make_correlation("chatgpt_users", "paying_share", 1.5)


def test_a_correlated_range_cannot_be_deleted_before_its_correlation(builtin: Project) -> None:
    builtin.correlations = [Correlation(items=("chatgpt_users", "paying_share"), rank=0.4)]
    with pytest.raises(CommandError, match="correlated with 'paying_share'"):
        RemoveRange(None, "chatgpt_users").apply(builtin)
    with pytest.raises(CommandError, match="no range of 'opening_cash'"):
        RemoveRange(None, "opening_cash").apply(builtin)
    with pytest.raises(CommandError, match="not correlated"):
        RemoveCorrelation(("chatgpt_users", "other_costs")).apply(builtin)


def test_apply_checked_takes_risk_commands_and_refuses_a_bad_one(builtin: Project) -> None:
    applied = apply_checked(builtin, PutRange("Bear case", USERS))
    assert set(applied.results) == set(builtin.scenario_names)
    applied.inverse.apply(builtin)
    assert ranges_for(builtin, "Bear case") == tuple(builtin.uncertainty)
