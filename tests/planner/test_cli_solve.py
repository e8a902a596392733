"""``python -m planner solve``: answers, JSON, the solved project, and one-line refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner.cli import main
from planner.engine import evaluate
from planner.io.project_file import load_project, save_project
from planner.kpis import compute_kpis
from tests.planner.test_solve import small_project

JSON_KEYS = ["vary", "target", "status", "value", "before", "kpis_before", "kpis_after"]


@pytest.fixture
def small(tmp_path: Path) -> str:
    path = tmp_path / "small.burnrate"
    save_project(small_project(), path)
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["solve", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_json_answer_has_the_documented_keys(
    small: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(
        capsys,
        small,
        "--scenario",
        "Base",
        "--vary",
        "sales",
        "--target",
        "cash_never_below_zero",
        "--json",
    )
    data = json.loads(out)
    assert status == 0
    assert list(data) == JSON_KEYS
    assert data["status"] == "solved"
    assert data["vary"] == "sales"
    assert data["target"] == "cash_never_below_zero"
    assert data["value"] == pytest.approx(1.75, abs=1e-4)
    assert data["before"] == 1.0
    assert data["kpis_before"]["cash_zero"] == "2024-01"
    assert data["kpis_after"]["cash_zero"] is None


def test_text_answer_shows_the_value_and_the_key_figures(
    small: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(
        capsys,
        small,
        "--scenario",
        "Base",
        "--vary",
        "round:r1:amount",
        "--target",
        "cash_never_below_zero",
    )
    assert status == 0
    assert "Answer: $35.00B (now $5.0B) meets the target: cash never below zero." in out
    assert "Cash runs out" in out and "never" in out


def test_output_writes_the_project_with_the_answer_applied(
    small: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    solved = tmp_path / "solved.burnrate"
    status, _, _ = run(
        capsys,
        small,
        "--scenario",
        "Lean",
        "--vary",
        "sales:2026",
        "--target",
        "series:cash:2026>=0",
        "-o",
        str(solved),
    )
    assert status == 0
    project = load_project(solved)
    lean = project.scenario("Lean")
    assert lean is not None
    # In Lean, costs are 10 in 2026: cash then is -20 - (10 - x), at least 0 from x = 30.
    assert lean.inputs["sales"]["2026"] == pytest.approx(30.0, abs=1e-3)
    assert evaluate(project, "Lean").series("cash")[3] >= 0
    assert project.item("sales").inputs == [10.0] * 4


def test_no_solution_exits_1_and_writes_nothing(
    small: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    solved = tmp_path / "solved.burnrate"
    status, out, err = run(
        capsys,
        small,
        "--scenario",
        "Base",
        "--vary",
        "sales",
        "--target",
        "cash_never_below_zero",
        "--range",
        "0:1.5",
        "--json",
        "-o",
        str(solved),
    )
    data = json.loads(out)
    assert status == 1
    assert data["status"] == "no_solution"
    assert data["value"] == 1.5
    assert not solved.exists()
    assert "not written" in err


def test_the_built_in_bear_case(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys,
        "--scenario",
        "Bear case",
        "--vary",
        "enterprise_api",
        "--target",
        "cash_never_below_zero:2035",
        "--json",
    )
    data = json.loads(out)
    assert status == 0
    assert data["value"] == pytest.approx(5.3584, abs=1e-3)
    assert data["kpis_before"]["cash_zero"] == "2028-12"
    assert data["kpis_after"]["cash_zero"] is None


@pytest.mark.parametrize(
    ("vary", "target", "expected"),
    [
        ("sales:2040", "cash_never_below_zero", "no period '2040'; periods run from 2023 to 2026"),
        (
            "salez",
            "cash_never_below_zero",
            "no line item 'salez'; inputs and constants: sales, costs",
        ),
        ("revenue", "cash_never_below_zero", "'revenue' is calculated by a formula"),
        (
            "round:r9:amount",
            "cash_never_below_zero",
            "no funding round 'r9'; its funding rounds: r1",
        ),
        ("round:r1:gw", "cash_never_below_zero", "a round varies by amount, not 'gw'"),
        ("contract:c9:gw", "cash_never_below_zero", "no compute contract 'c9'"),
        ("sales:growth:2023", "cash_never_below_zero", "choose a period after 2023"),
        ("a:b:c:d", "cash_never_below_zero", "is not a variable; use ITEM:PERIOD"),
        ("sales", "cash_zero", "is not a target; use cash_never_below_zero[:YEAR]"),
        ("sales", "breakeven_by:2040", "choose a year from 2023 to 2026"),
        ("sales", "peak_funding_need<=lots", "is not a target"),
        ("sales", "series:nope:2024>=1", "no series 'nope'; series: sales, costs"),
        ("sales", "series:cash:2040>=1", "no period '2040'"),
        ("sales", "p_cash_zero_by:2026<=0.1", "the project defines no ranges"),
        ("sales", "p_cash_zero_by:2026<=5", "a chance is from 0 to 1"),
    ],
)
def test_a_spec_that_does_not_apply_is_one_line_and_exit_2(
    small: str, vary: str, target: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, small, "--scenario", "Base", "--vary", vary, "--target", target)
    assert status == 2
    assert out == ""
    assert err.startswith("error: ")
    assert expected in err
    assert err.count("\n") == 1


def test_an_unknown_scenario_lists_the_scenarios(
    small: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(
        capsys, small, "--scenario", "Lear", "--vary", "sales", "--target", "cash_never_below_zero"
    )
    assert status == 2
    assert "no scenario named 'Lear'; the project has 'Base', 'Lean'" in err


def test_a_bad_range_is_refused(small: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(
        capsys,
        small,
        "--scenario",
        "Base",
        "--vary",
        "sales",
        "--target",
        "cash_never_below_zero",
        "--range",
        "5",
    )
    assert status == 2
    assert "--range is LOW:HIGH" in err


def test_kpis_after_are_those_of_the_written_project(
    small: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    solved = tmp_path / "solved.burnrate"
    _, out, _ = run(
        capsys,
        small,
        "--scenario",
        "Base",
        "--vary",
        "costs",
        "--target",
        "breakeven_by:2025",
        "--json",
        "-o",
        str(solved),
    )
    data = json.loads(out)
    assert data["value"] == pytest.approx(0.5, abs=1e-4)
    assert data["kpis_after"] == compute_kpis(evaluate(load_project(solved), "Base"))
