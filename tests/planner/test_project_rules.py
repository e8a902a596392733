"""What a project file may contain: refused with a message naming the problem, never half-read."""

from __future__ import annotations

import json
from typing import Any

import pytest

import planner.io.project_file as project_file
from planner.builtin import BUILTIN_PATH
from planner.io.project_file import ProjectFileError, _structure, parse_project
from planner.model import REQUIRED_ITEMS, SUMMARY_SERIES, Project
from tests.planner.helpers import large_project_json


def small(periods: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    """A valid project as JSON data: the items every project needs, as inputs."""
    labels = periods or ["2023", "2024", "2025"]
    items = [
        {"id": i, "label": i, "group": "g", "inputs": [1.0] * len(labels)} for i in REQUIRED_ITEMS
    ]
    return {"schema_version": 1, "periods": labels, "items": items, **extra}


def parse(data: dict[str, Any] | str) -> Project:
    text = data if isinstance(data, str) else json.dumps(data)
    return parse_project(text, "plan.burnrate")


def refused(data: dict[str, Any] | str, *fragments: str) -> str:
    with pytest.raises(ProjectFileError) as caught:
        parse(data)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message
    assert "\n" not in message
    return message


def test_the_small_project_loads() -> None:
    assert [i.id for i in parse(small()).items] == list(REQUIRED_ITEMS)


# --- the items the key figures need ------------------------------------------------


@pytest.mark.parametrize("missing", REQUIRED_ITEMS)
def test_a_project_without_an_item_the_summary_needs_is_refused(missing: str) -> None:
    data = small()
    data["items"] = [i for i in data["items"] if i["id"] != missing]
    message = refused(data, f"the project has no line item '{missing}'", "key figures")
    assert all(item_id in message for item_id in REQUIRED_ITEMS)


def test_the_summary_series_from_the_event_tables_are_not_required_as_items() -> None:
    assert "committed_spend" in SUMMARY_SERIES and "committed_spend" not in REQUIRED_ITEMS
    assert set(REQUIRED_ITEMS) | {"committed_spend"} == set(SUMMARY_SERIES)


def test_a_project_missing_cash_is_refused_by_summary_and_montecarlo(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from planner.cli import main

    data = json.loads(BUILTIN_PATH.read_text())
    cash = next(i for i in data["items"] if i["id"] == "cash")
    cash["id"] = "cash_balance"
    text = json.dumps(data).replace("prev(cash", "prev(cash_balance")
    path = tmp_path / "no-cash.burnrate"
    path.write_text(text)
    for argv in (
        ["summary", str(path)],
        ["montecarlo", str(path), "--scenario", "Leaked plan", "--samples", "10", "--seed", "1"],
    ):
        assert main(argv) == 2
        assert "no line item 'cash'" in capsys.readouterr().err


# --- the timeline ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("periods", "fragment"),
    [
        (["2026", "2025"], "'2025' follows '2026'; periods must run forward one year"),
        (["2023", "2024", "2026"], "'2026' follows '2024'"),
        (["2023", "2024", "2024"], "'2024' follows '2024'"),
        (["0000", "0001"], "'0000' is not a year from 1900 to 2200"),
        (["2200", "2201"], "'2201' is not a year from 1900 to 2200"),
        (["2024", "2025-Q1"], "'2025-Q1' follows '2024'; periods are all years or all quarters"),
        (["2025-Q4", "2026"], "'2026' follows '2025-Q4'"),
        (
            ["2025-Q1", "2025-Q3"],
            "'2025-Q3' follows '2025-Q1'; periods must run forward one quarter",
        ),
        (["2025-Q4", "2025-Q1"], "'2025-Q1' follows '2025-Q4'"),
    ],
)
def test_a_timeline_out_of_order_is_refused_naming_the_first_bad_period(
    periods: list[str], fragment: str
) -> None:
    refused(small(periods), "periods: ", fragment)


def test_consecutive_quarters_cross_into_the_next_year() -> None:
    periods = ["2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"]
    assert parse(small(periods)).periods == periods


@pytest.mark.parametrize("digits", ["\u0662\u0660\u0662\u0665", "\uff12\uff10\uff12\uff15"])
def test_periods_in_other_digits_are_refused(digits: str) -> None:
    message = refused(small(["2024", digits]), "periods.1", "in digits 0 to 9")
    assert digits not in message


def test_a_reversed_timeline_no_longer_dates_cash_running_out() -> None:
    data = json.loads(BUILTIN_PATH.read_text())
    data["periods"].reverse()
    refused(data, "'2034' follows '2035'")


# --- strict parsing ----------------------------------------------------------------


@pytest.mark.parametrize(("version", "shown"), [(True, "true"), (1.0, "1.0"), ("1", '"1"')])
def test_the_schema_version_must_be_the_number_1(version: object, shown: str) -> None:
    refused(small(schema_version=version), f"schema version {shown}")


@pytest.mark.parametrize("value", ["12", True, None, [12]])
def test_a_number_must_be_a_json_number(value: object) -> None:
    data = small()
    data["items"][0]["inputs"][1] = value
    refused(data, "items.0.inputs.1")


def test_a_number_too_large_for_a_float_is_refused_where_it_is() -> None:
    text = json.dumps(small(scenarios=[{"name": "Alt", "inputs": {"cash": {"2024": 1.5}}}]))
    refused(text.replace("1.5", "1e999"), "scenarios.0.inputs.cash.2024", "finite")


def test_whole_numbers_stand_for_decimals_but_not_the_other_way_round() -> None:
    data = small(
        compute_contracts=[
            {
                "id": "c1",
                "counterparty": "X",
                "gw": 1,
                "total_value": 10,
                "first_year": 2023,
                "last_year": 2024,
            }
        ]
    )
    data["items"][0]["inputs"] = [1, 2, 3]
    project = parse(data)
    assert project.items[0].inputs == [1.0, 2.0, 3.0]
    assert project.compute_contracts[0].gw == 1.0
    data["compute_contracts"][0]["first_year"] = 2023.0
    refused(data, "compute_contracts.0.first_year")


def test_a_string_is_not_taken_for_a_year() -> None:
    data = small(
        funding_rounds=[{"id": "r1", "period": "2024", "investor": "X", "amount": "5"}],
    )
    refused(data, "funding_rounds.0.amount")


def test_a_key_given_twice_is_refused_naming_the_key_and_its_object() -> None:
    text = json.dumps(small())
    twice = text.replace('"label": "cash"', '"label": "cash", "label": "Cash at hand"')
    refused(twice, 'the key "label" is given twice', 'whose id is "cash"')
    top = text.replace('"schema_version": 1', '"schema_version": 1, "name": "A", "name": "B"')
    refused(top, 'the key "name" is given twice')


def test_duplicate_period_keys_of_scenario_overrides_are_refused() -> None:
    data = small(scenarios=[{"name": "Alt", "inputs": {"revenue": {"2024": 7.0}}}])
    text = json.dumps(data).replace('"2024": 7.0', '"2024": 7.0, "2024": 8.0')
    refused(text, 'the key "2024" is given twice')


# --- control characters -------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        ("\x1b[2J", "U+001B"),
        ("\x00", "U+0000"),
        ("a\nb", "a line break (U+000A)"),
        ("\t", "a tab (U+0009)"),
        ("\x7f", "U+007F"),
        ("\x9b31m", "U+009B"),
        ("\ufdd0", "U+FDD0"),
        ("\ufffe", "U+FFFE"),
        ("\U0010ffff", "U+10FFFF"),
        ("\udc80", ""),  # a lone surrogate: not text at all
    ],
)
@pytest.mark.parametrize(
    "place",
    ["name", "base_name", "scenario name", "scenario description", "label", "unit", "investor"],
)
def test_names_and_labels_refuse_control_characters(bad: str, code: str, place: str) -> None:
    data = small(
        scenarios=[{"name": "Alt", "description": "d"}],
        funding_rounds=[{"id": "r1", "period": "2024", "investor": "X", "amount": 5}],
    )
    field = {
        "name": (data, "name", "field 'name'"),
        "base_name": (data, "base_name", "field 'base_name'"),
        "scenario name": (data["scenarios"][0], "name", "scenarios.0.name"),
        "scenario description": (data["scenarios"][0], "description", "scenarios.0.description"),
        "label": (data["items"][2], "label", "items.2.label"),
        "unit": (data["items"][2], "unit", "items.2.unit"),
        "investor": (data["funding_rounds"][0], "investor", "funding_rounds.0.investor"),
    }
    holder, key, location = field[place]
    holder[key] = f"Plan {bad}"
    message = refused(data, location, code)
    assert bad not in message and "Value error" not in message


def test_notes_keep_line_breaks_and_tabs_but_no_other_control_characters() -> None:
    data = small(description="first line\nsecond line")
    data["items"][0]["note"] = "article, fig. 5\n\tand a second source"
    assert parse(data).items[0].note == "article, fig. 5\n\tand a second source"
    data["items"][0]["input_notes"] = {"2024": "a bell \x07"}
    refused(data, "items.0.input_notes.2024", "U+0007")
    data["items"][0]["input_notes"] = {}
    data["description"] = "escape \x1b[31m red"
    refused(data, "field 'description'", "U+001B")


def test_every_other_character_of_any_script_is_kept() -> None:
    name = "Plan à la française, 日本語, עברית, emoji \U0001f680, Zero\u200bwidth"
    data = small(name=name, scenarios=[{"name": name}])
    assert parse(data).scenarios[0].name == name


# --- a large project loads in time linear in its size -------------------------------


def test_a_large_project_is_checked_without_work_per_scenario_and_item(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = large_project_json(scenarios=30, overrides=200)
    compiled: list[int] = []
    real_compile = project_file.compile_items
    monkeypatch.setattr(
        project_file, "compile_items", lambda items: compiled.append(1) or real_compile(items)
    )
    looked_up: list[str] = []
    real_item = Project.item
    monkeypatch.setattr(Project, "item", lambda self, i: looked_up.append(i) or real_item(self, i))
    project = parse(text)
    assert len(project.scenarios) == 30
    assert len(compiled) == 1  # none of the scenarios changes a formula
    assert looked_up == []


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        ({"inputs": {"cash": {"2024": 1.0}, "nothing": {"2024": 1.0}}}, "inputs of 'nothing'"),
        ({"inputs": {"cash": {"2024": 1.0}, "burn": {"2031": 1.0}}}, "unknown period '2031'"),
        ({"values": {"cash": 1.0}}, "the value of 'cash', not a constant"),
        ({"formulas": {"cash": "1", "nothing": "2"}}, "the formula of unknown 'nothing'"),
    ],
)
def test_an_override_of_something_the_base_lacks_is_refused_by_name(
    override: dict[str, Any], fragment: str
) -> None:
    refused(small(scenarios=[{"name": "Alt", **override}]), "scenario 'Alt': overrides", fragment)


def test_a_scenario_with_its_own_formulas_is_still_compiled() -> None:
    data = small(scenarios=[{"name": "Alt", "formulas": {"burn": "total_costs - revenue + x"}}])
    refused(data, "unknown name 'x'", "(scenario 'Alt')")


def test_the_generated_large_project_is_a_valid_project_of_the_size_asked_for() -> None:
    project = parse(large_project_json(scenarios=3, overrides=50, periods=5, cells_per_item=2))
    assert [sum(len(c) for c in s.inputs.values()) for s in project.scenarios] == [50, 50, 50]
    assert [len(s.inputs) for s in project.scenarios] == [25, 25, 25]
    assert project.periods == ["2025", "2026", "2027", "2028", "2029"]


@pytest.mark.parametrize(
    ("text", "depth", "pairs"),
    [
        ('{"a": [[1]]}', 3, 1),
        ('{"a": "[[[[{{{{", "b": [1]}', 2, 2),
        ('{"a": "\\"[[[[", "b": [1]}', 2, 2),
        ('{"a": "\\\\", "b": [[1]]}', 3, 2),
        ('{"a": "\\\\\\"[[", "b": "]]"}', 1, 2),
        ('{"a": "x:y{", "b": {"c": 1, "d:": ":"}}', 2, 4),
        ("[]", 1, 0),
    ],
)
def test_nesting_and_keys_are_counted_outside_strings_only(
    text: str, depth: int, pairs: int
) -> None:
    assert _structure(text) == (depth, pairs)
    assert _structure(text.encode()) == (depth, pairs)


def test_the_file_is_read_once_unless_something_is_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    hooked: list[int] = []
    real_hook = project_file._unique_keys
    monkeypatch.setattr(
        project_file, "_unique_keys", lambda pairs: hooked.append(1) or real_hook(pairs)
    )
    parse(BUILTIN_PATH.read_text())
    assert hooked == []
    text = BUILTIN_PATH.read_text().replace('"name": "', '"name": "Dup", "name": "', 1)
    refused(text, 'the key "name" is given twice')
    assert hooked


def test_deep_nesting_after_an_escaped_backslash_is_refused() -> None:
    text = '{"a": "\\\\", "b": ' + "[" * 70 + "]" * 70 + "}"
    refused(text, "nested 65 levels deep")
