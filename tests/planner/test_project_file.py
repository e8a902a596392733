"""Project files: round trips, atomic saves, and refusal of broken or hostile files."""

import ast
import json
import os
from pathlib import Path

import pytest

from planner.builtin import BUILTIN_PATH
from planner.io.project_file import ProjectFileError, load_project, project_json, save_project


@pytest.fixture
def valid_json() -> dict:
    return json.loads(BUILTIN_PATH.read_text())


def write(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "p.burnrate"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def refused(path: Path, *fragments: str) -> str:
    before = path.read_bytes()
    with pytest.raises(ProjectFileError) as caught:
        load_project(path)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message
    assert path.read_bytes() == before  # nothing touched
    return message


def test_save_is_atomic_and_keeps_the_previous_version(tmp_path: Path, builtin) -> None:
    path = tmp_path / "plan.burnrate"
    save_project(builtin, path)
    first = path.read_text()
    builtin.name = "Changed"
    save_project(builtin, path)
    assert (tmp_path / "plan.burnrate.bak").read_text() == first
    assert load_project(path).name == "Changed"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.burnrate", "plan.burnrate.bak"]


def test_a_failed_save_leaves_the_file_as_it_was(tmp_path: Path, builtin, monkeypatch) -> None:
    path = tmp_path / "plan.burnrate"
    save_project(builtin, path)
    before = path.read_bytes()

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    builtin.name = "Changed"
    with pytest.raises(OSError):
        save_project(builtin, path)
    assert path.read_bytes() == before
    # The backup is taken before the new version is written, so it may already hold `before`.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.burnrate", "plan.burnrate.bak"]
    assert (tmp_path / "plan.burnrate.bak").read_bytes() == before


def test_the_file_is_plain_json_without_nan(builtin) -> None:
    text = project_json(builtin)
    assert json.loads(text)["schema_version"] == 1
    assert "NaN" not in text


def test_not_json(tmp_path: Path) -> None:
    refused(write(tmp_path, "this is not json {"), "not valid JSON", "line 1")


def test_binary_junk(tmp_path: Path) -> None:
    refused(write(tmp_path, bytes(range(256)) * 10), "not UTF-8")


def test_wrong_types(tmp_path: Path, valid_json: dict) -> None:
    valid_json["items"][0]["inputs"][2] = "lots"
    refused(write(tmp_path, json.dumps(valid_json)), "items.0.inputs.2")


def test_wrong_number_of_inputs(tmp_path: Path, valid_json: dict) -> None:
    valid_json["items"][0]["inputs"].pop()
    refused(write(tmp_path, json.dumps(valid_json)), "12 input values for 13 periods")


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity(tmp_path: Path, token: str) -> None:
    text = BUILTIN_PATH.read_text().replace("300.0,", f"{token},", 1)
    assert token in text
    refused(write(tmp_path, text), token, "not a number")


def test_unknown_schema_version(tmp_path: Path, valid_json: dict) -> None:
    valid_json["schema_version"] = 99
    refused(write(tmp_path, json.dumps(valid_json)), "schema version 99")


def test_fifty_megabytes_of_junk(tmp_path: Path) -> None:
    path = tmp_path / "big.burnrate"
    with path.open("wb") as handle:
        handle.write(b"[" * 1024)
        handle.seek(50 * 1024 * 1024)
        handle.write(b"]")
    refused(path, "50 MB", "at most 20 MB")


def test_ten_thousand_deep_nesting(tmp_path: Path) -> None:
    refused(write(tmp_path, "[" * 10_000 + "]" * 10_000), "nested", "deep")


# Each is valid Python that would create the file if a formula ever reached eval().
CODE_THAT_WRITES = [
    "__import__('os').system('touch {target}')",
    "open('{target}', 'w')",
    "max(1, open('{target}', 'w').close())",
    "().__class__.__base__.__subclasses__()[-1]('{target}')",
    "revenue.__init__.__globals__['__builtins__']['open']('{target}', 'w')",
    "(lambda: open('{target}', 'w'))()",
    "[open('{target}', 'w') for _ in [1]]",
    "exec(\"open('{target}', 'w')\")",
    "revenue if open('{target}', 'w') else 0",
]


@pytest.mark.parametrize("code", CODE_THAT_WRITES)
def test_a_formula_never_runs_code(tmp_path: Path, valid_json: dict, code: str) -> None:
    target = tmp_path / "created-by-a-formula"
    formula = code.format(target=target)
    ast.parse(formula, mode="eval")
    item = next(i for i in valid_json["items"] if i.get("formula"))
    item["formula"] = formula
    message = refused(write(tmp_path, json.dumps(valid_json)), f"line item '{item['id']}'")
    assert "not allowed" in message or "cannot be called" in message
    assert not target.exists()


def test_formula_cycle_in_a_scenario(tmp_path: Path, valid_json: dict) -> None:
    valid_json["scenarios"][0]["formulas"] = {"revenue": "burn + 1"}
    message = refused(write(tmp_path, json.dumps(valid_json)), "cycle within a period")
    assert valid_json["scenarios"][0]["name"] in message


def test_unknown_fields_are_refused(tmp_path: Path, valid_json: dict) -> None:
    valid_json["items"][0]["__class__"] = "x"
    refused(write(tmp_path, json.dumps(valid_json)), "items.0.__class__")


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ProjectFileError, match="cannot read"):
        load_project(tmp_path / "nope.burnrate")


def test_a_top_level_array(tmp_path: Path) -> None:
    refused(write(tmp_path, "[1, 2, 3]"), "expected a JSON object")
