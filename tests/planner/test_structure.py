"""Structure edits: line items and groups added, renamed, moved and deleted, each undoable."""

from __future__ import annotations

import math

import numpy as np
import pytest

from planner.cli import summary_data
from planner.commands import Command, CommandError, SetFormula, apply_checked, describe
from planner.engine import evaluate
from planner.formula import FormulaError, mark_deleted, parse, rename_names, to_excel
from planner.io.xlsx_export import ExportError, export_workbook
from planner.model import REQUIRED_ITEMS, Project, Scenario
from planner.structure import (
    ITEM_ID_FIELDS,
    OTHER_FIELDS,
    AddGroup,
    AddItem,
    ChangeItemId,
    DeleteGroup,
    DeleteItem,
    MoveGroup,
    MoveItem,
    RenameGroup,
    SetItemKind,
    SetItemText,
    make_item_id,
    move_item_by,
    new_item,
    users_of,
)


def values(project: Project) -> dict[str, dict[str, list[float]]]:
    out = {}
    for name in project.scenario_names:
        result = evaluate(project, name)
        out[name] = {key: result.series(key).tolist() for key in result.order}
    return out


def apply_and_undo(project: Project, command: Command) -> Project:
    """Apply ``command`` (checked), then its inverse; the project must be as it was."""
    before = project.model_copy(deep=True)
    before_values = values(project)
    applied = apply_checked(project, command)
    assert project != before
    apply_checked(project, applied.inverse)
    assert project == before
    assert values(project) == before_values
    return project


@pytest.fixture
def with_formula_override(builtin: Project) -> Project:
    """The built-in project with one scenario reading paying_share in its own formula."""
    bull = builtin.scenario("Bull case")
    assert bull is not None
    bull.formulas["ad_revenue"] = "chatgpt_users * paying_share * 0 + prev(paying_share, 0)"
    return builtin


# --- the formula language rewrites names by parsing ------------------------------------


def test_renaming_reaches_names_not_text_that_looks_like_them() -> None:
    text = "if(cost > 0, cost_of_gpu, prev(cost, cost)) + sum_of(cost) + min(cost, 1)"
    assert rename_names(text, {"cost": "spend"}) == (
        "if(spend > 0, cost_of_gpu, prev(spend, spend)) + sum_of(cost) + min(spend, 1)"
    )
    assert rename_names(text, groups={"cost": "costs"}).endswith("sum_of(costs) + min(cost, 1)")


def test_renaming_keeps_spacing_lines_and_every_if() -> None:
    text = "  if (a > 0, if(a < 2, a, 0),\n   a)  "
    assert (
        rename_names(text, {"a": "alpha"})
        == "  if (alpha > 0, if(alpha < 2, alpha, 0),\n   alpha)  "
    )


def test_a_deleted_reading_becomes_an_error_prev_and_all() -> None:
    text = "users * price + prev(users, users) + prev(price, users)"
    assert mark_deleted(text, "users") == (
        "deleted(users) * price + deleted(users) + prev(price, deleted(users))"
    )
    formula = parse(mark_deleted(text, "users"))
    assert formula.deleted == {"users"} and "users" not in formula.refs | formula.prevs


def test_deleted_is_an_error_in_the_workbook_too() -> None:
    with pytest.raises(FormulaError, match="deleted\\(\\) takes the id"):
        parse("deleted(1)")


# --- line items -------------------------------------------------------------------


def test_an_id_is_made_from_the_label_unique_and_not_reserved() -> None:
    assert make_item_id("Cloud revenue (EU)", set()) == "cloud_revenue_eu"
    assert make_item_id("Revenue", {"revenue"}) == "revenue_2"
    assert make_item_id("2030 target", set()) == "n_2030_target"
    assert make_item_id("If", set()) == "if_2"
    assert make_item_id("Committed spend", set()) == "committed_spend_2"  # an event series
    assert make_item_id("€€€", set()) == "item"


def test_adding_an_item_is_undone_exactly(builtin: Project) -> None:
    item = new_item(builtin, "Licensing", group="revenue", unit="$B", note="assumption")
    assert item.id == "licensing" and item.inputs == [0.0] * len(builtin.periods)
    apply_and_undo(builtin, AddItem(item, position=1))


def test_a_new_item_goes_where_it_is_asked_within_its_group(builtin: Project) -> None:
    item = new_item(builtin, "Licensing", group="revenue", unit="$B")
    apply_checked(builtin, AddItem(item, position=1))
    revenue_items = [i.id for i in builtin.items if i.group == "revenue"]
    assert revenue_items[:2] == ["consumer_subscriptions", "licensing"]


def test_a_formula_item_reading_an_unknown_name_is_refused(builtin: Project) -> None:
    item = new_item(builtin, "Margin", group="ratios", kind="formula", formula="revenue - cots")
    before = builtin.model_copy(deep=True)
    with pytest.raises(CommandError, match="unknown name 'cots'"):
        apply_checked(builtin, AddItem(item))
    assert builtin == before


def test_a_taken_or_reserved_id_is_refused(builtin: Project) -> None:
    taken = new_item(builtin, "Again", group="revenue", item_id="revenue")
    with pytest.raises(CommandError, match="the id 'revenue' is taken by 'Revenue"):
        apply_checked(builtin, AddItem(taken))
    with pytest.raises(CommandError, match="reserved word"):
        new_item(builtin, "Minimum", group="revenue", item_id="min")


def test_label_and_unit_edits_undo(builtin: Project) -> None:
    apply_and_undo(builtin, SetItemText("other_costs", "label", "Other operating costs"))
    apply_and_undo(builtin, SetItemText("other_costs", "unit", "$M"))
    with pytest.raises(CommandError, match="needs a label"):
        apply_checked(builtin, SetItemText("other_costs", "label", "  "))


def test_kind_changes_undo_and_keep_the_numbers(builtin: Project) -> None:
    apply_and_undo(builtin, SetItemKind("opening_cash", "input"))
    apply_checked(builtin, SetItemKind("opening_cash", "input"))
    assert builtin.item("opening_cash").inputs == [builtin.item("opening_cash").inputs[0]] * len(
        builtin.periods
    )
    before = evaluate(builtin).series("exit_run_rate").tolist()
    apply_checked(builtin, SetItemKind("exit_run_rate", "input"))
    assert builtin.item("exit_run_rate").inputs == pytest.approx(before)


def test_a_kind_change_that_would_drop_scenario_overrides_is_refused(builtin: Project) -> None:
    with pytest.raises(CommandError, match="scenario 'Bull case' overrides the values"):
        apply_checked(builtin, SetItemKind("paying_share", "constant"))


def test_an_id_change_reaches_every_formula_and_every_scenario(
    with_formula_override: Project,
) -> None:
    project = with_formula_override
    before = values(project)
    apply_checked(project, ChangeItemId("paying_share", "paid_share"))
    bull = project.scenario("Bull case")
    bear = project.scenario("Bear case")
    assert bull is not None and bear is not None
    assert "paid_share" in project.item("consumer_subscriptions").formula  # type: ignore[operator]
    assert "prev(paid_share, 0)" in bull.formulas["ad_revenue"]
    assert "paid_share" in bull.inputs and "paying_share" not in bull.inputs
    assert "paid_share" in bear.inputs
    assert [u.item for u in project.uncertainty].count("paid_share") == 1
    after = values(project)
    for name in before:
        before[name]["paid_share"] = before[name].pop("paying_share")
        assert after[name] == before[name]


def test_an_id_change_reaches_correlations_and_scenario_ranges(builtin: Project) -> None:
    (correlated,) = [c for c in builtin.correlations if "paying_share" in c.items]
    bear = builtin.scenario("Bear case")
    assert bear is not None
    base_range = next(u for u in builtin.uncertainty if u.item == "paying_share")
    bear.uncertainty = [base_range.model_copy(update={"low": 0.5})]
    apply_checked(builtin, ChangeItemId("paying_share", "paid_share"))
    renamed = [c for c in builtin.correlations if c.rank == correlated.rank]
    assert any("paid_share" in c.items for c in renamed)
    assert not any("paying_share" in c.items for c in builtin.correlations)
    assert [u.item for u in bear.uncertainty] == ["paid_share"]
    summary_data(builtin, builtin.scenario_names)


def test_deleting_an_item_drops_its_correlations_and_scenario_ranges(builtin: Project) -> None:
    bear = builtin.scenario("Bear case")
    assert bear is not None
    item = "ad_revenue_per_user"
    bear.uncertainty = [next(u for u in builtin.uncertainty if u.item == item)]
    assert any(item in c.items for c in builtin.correlations)
    apply_checked(builtin, DeleteItem(item, break_references=True))
    assert not any(item in c.items for c in builtin.correlations)
    assert bear.uncertainty == []


def test_an_id_change_undoes_exactly(with_formula_override: Project) -> None:
    apply_and_undo(with_formula_override, ChangeItemId("paying_share", "paid_share"))


def test_a_bad_or_taken_id_is_refused(builtin: Project) -> None:
    for new, message in [
        ("Paid Share", "not a valid id"),
        ("cash", "taken by 'Cash"),
        ("prev", "reserved word"),
        ("round_funding", "series of the event tables"),
    ]:
        with pytest.raises(CommandError, match=message):
            apply_checked(builtin, ChangeItemId("paying_share", new))
    with pytest.raises(CommandError, match="summary's key figures"):
        apply_checked(builtin, ChangeItemId("cash", "cash_balance"))


def test_deleting_an_unused_item_undoes_with_its_overrides_and_range(builtin: Project) -> None:
    assert users_of(builtin, "committed_spend_to_revenue") == []
    apply_and_undo(builtin, DeleteItem("committed_spend_to_revenue"))
    item = new_item(builtin, "Spare", group="drivers", unit="%")
    apply_checked(builtin, AddItem(item))
    apply_and_undo(builtin, DeleteItem("spare"))


def test_deleting_a_used_item_is_refused_with_the_labels_of_its_users(builtin: Project) -> None:
    before = builtin.model_copy(deep=True)
    with pytest.raises(CommandError) as refused:
        apply_checked(builtin, DeleteItem("paying_share"))
    assert "'Share of users paying' is used by 'Consumer subscriptions" in str(refused.value)
    assert "paying_share" not in str(refused.value)
    assert builtin == before


@pytest.mark.parametrize("item_id", REQUIRED_ITEMS)
def test_an_item_the_summary_needs_cannot_be_deleted(builtin: Project, item_id: str) -> None:
    with pytest.raises(CommandError, match="the summary's key figures and charts need"):
        apply_checked(builtin, DeleteItem(item_id, break_references=True))


def test_on_request_a_used_item_goes_and_its_readers_are_errors_at_once(
    with_formula_override: Project,
) -> None:
    project = with_formula_override
    applied = apply_checked(project, DeleteItem("paying_share", break_references=True))
    formula = project.item("consumer_subscriptions").formula
    assert formula is not None and "deleted(paying_share)" in formula
    bull = applied.results["Bull case"]
    assert {"consumer_subscriptions", "ad_revenue", "revenue", "cash"} <= bull.broken
    assert np.isnan(bull.series("consumer_subscriptions")).all()
    assert np.isnan(bull.series("cash")).all()
    assert "chatgpt_users" not in bull.broken
    assert math.isfinite(float(bull.series("chatgpt_users")[0]))
    base = applied.results[project.base_name]
    assert "ad_revenue" not in base.broken  # only the Bull case reads it in ad revenue
    assert all("paying_share" not in s.inputs for s in project.scenarios)
    assert "paying_share" not in [u.item for u in project.uncertainty]
    apply_checked(project, applied.inverse)
    assert evaluate(project).broken == frozenset()


def test_a_broken_reading_is_fixed_by_editing_the_formula(builtin: Project) -> None:
    apply_checked(builtin, DeleteItem("paying_share", break_references=True))
    fixed = apply_checked(
        builtin, SetFormula(None, "consumer_subscriptions", "chatgpt_users * 0.05")
    )
    assert "revenue" not in fixed.results[builtin.base_name].broken


def test_a_broken_project_is_neither_exported_nor_summarised(builtin: Project, tmp_path) -> None:
    apply_checked(builtin, DeleteItem("paying_share", break_references=True))
    with pytest.raises(ExportError, match="'Consumer subscriptions' reads a deleted"):
        export_workbook(builtin, tmp_path / "broken.xlsx")
    assert not (tmp_path / "broken.xlsx").exists()
    with pytest.raises(ValueError, match="fix its formula first"):
        summary_data(builtin, builtin.scenario_names)


def test_a_broken_reading_is_an_error_in_excel_text() -> None:
    formula = parse("deleted(users) * 2")
    assert to_excel(formula, lambda name, offset: "B2", first_period=False, group_members=list) == (
        "#REF!*2"
    )


def test_moving_items_up_down_and_to_another_group(builtin: Project) -> None:
    apply_and_undo(builtin, move_item_by(builtin, "paying_share", -1))
    apply_and_undo(builtin, MoveItem("other_costs", "compute", 0))
    apply_checked(builtin, move_item_by(builtin, "paying_share", -1))
    assert [i.id for i in builtin.items][:2] == ["paying_share", "chatgpt_users"]
    with pytest.raises(CommandError, match="cannot move further"):
        apply_checked(builtin, move_item_by(builtin, "paying_share", -1))


def test_moving_an_item_out_of_a_summed_group_changes_the_sum(builtin: Project) -> None:
    project = builtin
    project.items.append(
        new_item(
            project, "Total drivers", group="drivers", kind="formula", formula="sum_of(drivers)"
        )
    )
    before = evaluate(project).series("total_drivers")[0]
    users = evaluate(project).series("chatgpt_users")[0]
    apply_checked(project, MoveItem("chatgpt_users", "ratios", 0))
    assert evaluate(project).series("total_drivers")[0] == pytest.approx(before - users)


# --- groups ------------------------------------------------------------------------


def test_groups_are_added_renamed_moved_and_deleted_undoably(builtin: Project) -> None:
    apply_and_undo(builtin, AddGroup("other_income", 2))
    apply_and_undo(builtin, RenameGroup("ratios", "key_ratios"))
    apply_and_undo(builtin, MoveGroup("cash", -1))
    apply_checked(builtin, AddGroup("other_income"))
    assert builtin.group_order()[-1] == "other_income"
    apply_and_undo(builtin, DeleteGroup("other_income"))


def test_renaming_a_group_rewrites_its_sums(builtin: Project) -> None:
    builtin.items.append(
        new_item(builtin, "All ratios", group="cash", kind="formula", formula="sum_of(ratios)")
    )
    before = evaluate(builtin).series("all_ratios").tolist()
    apply_checked(builtin, RenameGroup("ratios", "key_ratios"))
    assert builtin.item("all_ratios").formula == "sum_of(key_ratios)"
    assert evaluate(builtin).series("all_ratios").tolist() == before


def test_a_group_that_holds_items_is_not_deleted_and_says_what_it_holds(
    builtin: Project,
) -> None:
    with pytest.raises(CommandError, match="'Drivers' holds 'ChatGPT monthly active users"):
        apply_checked(builtin, DeleteGroup("drivers"))


def test_group_names_are_checked(builtin: Project) -> None:
    with pytest.raises(CommandError, match="already a group 'Revenue'"):
        apply_checked(builtin, AddGroup("revenue"))
    with pytest.raises(CommandError, match="reserved word"):
        apply_checked(builtin, AddGroup("class"))


# --- naming undo steps and walking every field -----------------------------------------------


def test_undo_steps_name_items_by_their_labels(builtin: Project) -> None:
    label = builtin.item("other_costs").label
    assert describe(builtin, DeleteItem("other_costs")) == f"Delete line item {label}"
    assert describe(builtin, ChangeItemId("other_costs", "opex")) == f"Change id of {label} to opex"
    assert describe(builtin, move_item_by(builtin, "other_costs", -1)) == f"Move {label} up"
    assert describe(builtin, MoveItem("other_costs", "other_income", 0)) == (
        f"Move {label} to Other income"
    )
    assert describe(builtin, SetItemText("other_costs", "label", "Opex")) == (
        f"Rename {label} to Opex"
    )


def test_every_field_is_known_to_hold_item_ids_or_not() -> None:
    """A field added to the project or a scenario must be placed in ITEM_ID_FIELDS (and
    renamed by rename_item_references) or in OTHER_FIELDS."""
    for model in (Project, Scenario):
        known = set(ITEM_ID_FIELDS[model]) | set(OTHER_FIELDS[model])
        assert known == set(model.model_fields), model.__name__


def test_key_figures_made_from_a_broken_series_are_errors_not_numbers(builtin: Project) -> None:
    from planner.kpis import compute_kpis, format_kpi

    apply_checked(builtin, DeleteItem("paying_share", break_references=True))
    kpis = compute_kpis(evaluate(builtin))
    assert kpis["breakeven_year"] == kpis["cumulative_burn"] == "error"
    assert format_kpi("cash_zero", kpis["cash_zero"]) == "error"
    assert kpis["commitments_total"] == pytest.approx(
        sum(c.total_value for c in builtin.compute_contracts)
    )


def test_a_broken_scenario_is_not_sampled(builtin: Project) -> None:
    from planner.uncertainty import UncertaintyError, run_montecarlo

    apply_checked(builtin, DeleteItem("paying_share", break_references=True))
    with pytest.raises(UncertaintyError, match="in 'Bull case', 'Consumer subscriptions' reads"):
        run_montecarlo(builtin, "Bull case", 10, 1)
