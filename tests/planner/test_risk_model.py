"""Ranges per scenario and correlations in the project file: validation, merging, round trip."""

from __future__ import annotations

import json

import pytest

from planner.io.project_file import ProjectFileError, load_project, parse_project, project_json
from planner.model import Correlation, Project, Uncertainty
from planner.uncertainty import UncertaintyError, check_correlations, ranges_for


def with_changes(project: Project, change) -> str:
    data = json.loads(project_json(project))
    change(data)
    return json.dumps(data)


def test_ranges_and_correlations_survive_save_and_load(builtin: Project, tmp_path) -> None:
    from planner.io.project_file import save_project

    builtin.correlations = [
        Correlation(items=("chatgpt_users", "ad_revenue_per_user"), rank=0.6, note="why")
    ]
    bear = builtin.scenario("Bear case")
    assert bear is not None
    bear.uncertainty = [
        Uncertainty(item="chatgpt_users", distribution="lognormal", low=0.5, high=1.5, note="n"),
        Uncertainty(item="opening_cash", distribution="pert", low=0.9, high=1.0),
    ]
    path = tmp_path / "p.burnrate"
    save_project(builtin, path)
    loaded = load_project(path)
    assert loaded == builtin
    assert ranges_for(loaded, "Bear case") == ranges_for(builtin, "Bear case")


def test_a_file_without_the_new_keys_still_loads(builtin: Project) -> None:
    def drop(data: dict) -> None:
        del data["correlations"]
        for scenario in data["scenarios"]:
            del scenario["uncertainty"]

    loaded = parse_project(with_changes(builtin, drop))
    assert loaded.correlations == []
    assert all(s.uncertainty == [] for s in loaded.scenarios)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["correlations"].append(
                {"items": ["chatgpt_users", "opening_cash"], "rank": 0.5}
            ),
            "'opening_cash' has no range in the base",
        ),
        (
            lambda d: d["correlations"].append(
                {"items": ["chatgpt_users", "chatgpt_users"], "rank": 0.5}
            ),
            "with itself",
        ),
        (
            lambda d: d["correlations"].append(
                {"items": ["chatgpt_users", "paying_share"], "rank": -1.2}
            ),
            "greater than or equal to -1",
        ),
        (
            lambda d: d["correlations"].extend(
                [
                    {"items": ["chatgpt_users", "paying_share"], "rank": 0.5},
                    {"items": ["paying_share", "chatgpt_users"], "rank": 0.2},
                ]
            ),
            "given twice",
        ),
        (
            lambda d: d["scenarios"][0]["uncertainty"].append(
                {"item": "revenue", "distribution": "uniform", "low": 0.9, "high": 1.1}
            ),
            "scenario 'Bull case': uncertainty of 'revenue': 'revenue' is calculated by a formula",
        ),
        (
            lambda d: d["scenarios"][0]["uncertainty"].append(
                {"item": "nothing", "distribution": "uniform", "low": 0.9, "high": 1.1}
            ),
            "no line item 'nothing'",
        ),
        (
            lambda d: d["uncertainty"].append(
                {"item": "opening_cash", "distribution": "gamma", "low": 0.9, "high": 1.1}
            ),
            "pert",
        ),
    ],
)
def test_bad_ranges_and_correlations_in_a_file_are_refused(
    builtin: Project, change, message: str
) -> None:
    builtin.correlations = []
    with pytest.raises(ProjectFileError, match=message):
        parse_project(with_changes(builtin, change))


def test_a_set_of_correlations_that_cannot_hold_is_refused_naming_the_pairs(
    builtin: Project,
) -> None:
    clash = [
        {"items": ["chatgpt_users", "paying_share"], "rank": 0.8},
        {"items": ["paying_share", "other_costs"], "rank": 0.8},
        {"items": ["chatgpt_users", "other_costs"], "rank": -0.8},
        {"items": ["enterprise_api", "cloud_cost_per_gw"], "rank": 0.3},
    ]
    with pytest.raises(ProjectFileError, match="positive semi-definite") as refused:
        parse_project(with_changes(builtin, lambda d: d.update(correlations=clash)))
    message = str(refused.value)
    assert "'chatgpt_users' and 'paying_share'" in message
    assert "'chatgpt_users' and 'other_costs'" in message
    assert "enterprise_api" not in message
    builtin.correlations = [Correlation.model_validate(c) for c in clash]
    with pytest.raises(UncertaintyError, match="'paying_share' and 'other_costs'"):
        check_correlations(builtin, "Bear case")


def test_a_perfect_correlation_is_allowed(builtin: Project) -> None:
    builtin.correlations = [Correlation(items=("chatgpt_users", "paying_share"), rank=1.0)]
    check_correlations(builtin, None)


def test_ranges_for_puts_overrides_in_place_and_additions_last(builtin: Project) -> None:
    bull = builtin.scenario("Bull case")
    assert bull is not None
    added = Uncertainty(item="opening_cash", distribution="uniform", low=0.9, high=1.1)
    replaced = Uncertainty(item="paying_share", distribution="uniform", low=0.5, high=1.5)
    bull.uncertainty = [added, replaced]
    base = list(builtin.uncertainty)
    expected = [replaced if r.item == "paying_share" else r for r in base] + [added]
    assert list(ranges_for(builtin, "Bull case")) == expected
    assert ranges_for(builtin, None) == tuple(base)
    assert ranges_for(builtin, builtin.base_name) == tuple(base)


def test_check_correlations_names_an_item_that_lost_its_range(builtin: Project) -> None:
    builtin.correlations = [Correlation(items=("chatgpt_users", "opening_cash"), rank=0.2)]
    with pytest.raises(UncertaintyError, match="'opening_cash' has no range"):
        check_correlations(builtin, None)
