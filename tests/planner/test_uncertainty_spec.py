"""The project file's uncertainty section: what it accepts, what it refuses, and saving it."""

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.builtin import BUILTIN_PATH
from planner.io.project_file import ProjectFileError, load_project, parse_project, save_project
from planner.model import MAX_FACTOR, Uncertainty


def entry(item: str = "chatgpt_users", **changes: object) -> dict[str, object]:
    return {
        "item": item,
        "distribution": "triangular",
        "low": 0.8,
        "high": 1.2,
        "note": "assumption: a range",
        **changes,
    }


def with_uncertainty(*entries: dict[str, object]) -> str:
    data = json.loads(BUILTIN_PATH.read_text())
    data["uncertainty"] = list(entries)
    data["correlations"] = []  # they name items these entries may leave out
    return json.dumps(data)


def refused(text: str, *fragments: str) -> str:
    with pytest.raises(ProjectFileError) as caught:
        parse_project(text, "plan.burnrate")
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_a_file_without_the_section_loads_with_none() -> None:
    data = json.loads(BUILTIN_PATH.read_text())
    data.pop("uncertainty", None)
    data.pop("correlations", None)
    assert parse_project(json.dumps(data)).uncertainty == []


def test_a_valid_section_loads() -> None:
    project = parse_project(
        with_uncertainty(
            entry(),
            entry("opening_cash", distribution="uniform", low=1.0, high=1.0, note=""),
        )
    )
    assert [(u.item, u.distribution, u.low, u.high) for u in project.uncertainty] == [
        ("chatgpt_users", "triangular", 0.8, 1.2),
        ("opening_cash", "uniform", 1.0, 1.0),
    ]


@pytest.mark.parametrize(
    ("changes", "fragments"),
    [
        ({"low": 0.0}, ("uncertainty.0", "'chatgpt_users'", "low is 0", "above 0")),
        ({"low": -0.5}, ("low is -0.5",)),
        ({"low": 1.1, "high": 1.5}, ("low is 1.1", "at most 1")),
        ({"high": 0.9}, ("high is 0.9", "at least 1")),
        ({"high": 1e6}, ("high is 1e+06", "at most 100")),
        ({"distribution": "normal"}, ("uncertainty.0.distribution", "triangular")),
        ({"note": "x" * 4001}, ("uncertainty.0.note", "4000")),
        ({"item": "Not An Id"}, ("uncertainty.0.item",)),
        ({"mode": 1.0}, ("uncertainty.0.mode", "Extra inputs")),
    ],
)
def test_bad_ranges_are_refused_naming_the_field(
    changes: dict[str, object], fragments: tuple[str, ...]
) -> None:
    refused(with_uncertainty(entry(**changes)), "plan.burnrate", *fragments)


@pytest.mark.parametrize("token", ["NaN", "Infinity"])
def test_non_finite_factors_are_refused(token: str) -> None:
    text = with_uncertainty(entry(high=12345.5)).replace("12345.5", token)
    refused(text, token, "not a number")


def test_non_finite_factors_are_refused_when_built_in_code() -> None:
    with pytest.raises(ValueError, match="high must be a finite number"):
        Uncertainty(item="x", distribution="uniform", low=0.5, high=float("inf"))
    with pytest.raises(ValueError, match="low must be a finite number"):
        Uncertainty(item="x", distribution="uniform", low=float("nan"), high=2)


@given(
    low=st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([0.0, 1.0]),
    high=st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([1.0, MAX_FACTOR]),
    distribution=st.sampled_from(["triangular", "uniform"]),
)
def test_a_range_is_accepted_exactly_when_it_brackets_one(
    low: float, high: float, distribution: str
) -> None:
    valid = 0 < low <= 1 <= high <= MAX_FACTOR  # false for NaN, as it should be
    try:
        Uncertainty(item="x", distribution=distribution, low=low, high=high)
    except ValueError:
        assert not valid
    else:
        assert valid


def test_an_unknown_item_is_refused() -> None:
    refused(with_uncertainty(entry("no_such_item")), "uncertainty of 'no_such_item'", "no line")


def test_a_formula_item_is_refused() -> None:
    refused(with_uncertainty(entry("revenue")), "'revenue' is calculated by a formula")


def test_an_event_series_is_refused() -> None:
    refused(with_uncertainty(entry("round_funding")), "no line item 'round_funding'")


def test_one_entry_per_item() -> None:
    refused(
        with_uncertainty(entry(), entry(distribution="uniform")),
        "uncertainty of 'chatgpt_users'",
        "listed twice",
    )


def test_save_and_load_keep_the_section(tmp_path: Path) -> None:
    project = parse_project(
        with_uncertainty(entry(), entry("other_costs", distribution="uniform", low=0.9, high=1.3))
    )
    path = tmp_path / "plan.burnrate"
    save_project(project, path)
    again = load_project(path)
    assert again.uncertainty == project.uncertainty
    assert again == project
    saved = json.loads(path.read_text())["uncertainty"]
    assert saved[1] == {
        "item": "other_costs",
        "distribution": "uniform",
        "low": 0.9,
        "high": 1.3,
        "note": "assumption: a range",
    }


def test_a_workbook_round_trip_keeps_the_section(tmp_path: Path) -> None:
    from planner.io.xlsx_export import export_workbook
    from planner.io.xlsx_import import import_workbook

    project = parse_project(
        with_uncertainty(entry(), entry("opening_cash", distribution="uniform", low=0.5, high=3))
    )
    path = tmp_path / "plan.xlsx"
    export_workbook(project, path)
    assert import_workbook(path) == project
    export_workbook(project, path, ["Bear case"])  # one scenario, now the base, keeps them too
    assert import_workbook(path).uncertainty == project.uncertainty
