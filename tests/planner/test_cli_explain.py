"""``python -m planner explain``: the JSON keys, the table, and refusals."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from planner.cli import main
from planner.io.project_file import save_project
from tests.planner.test_attribution import cash_project


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_has_the_documented_keys_and_parts_that_add_up(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(
        capsys, "explain", "--from", "Leaked plan", "--to", "Bear case",
        "--kpi", "peak_funding_need", "--json",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert {"from", "to", "kpi", "value_from", "value_to", "parts", "method", "error"} <= set(data)
    assert (data["from"], data["to"], data["kpi"]) == (
        "Leaked plan",
        "Bear case",
        "peak_funding_need",
    )
    assert data["method"] == "exact" and data["error"] == 0.0
    assert data["value_from"] == pytest.approx(206.0, abs=0.5)
    assert all(set(part) == {"group", "label", "value"} for part in data["parts"])
    total = math.fsum(part["value"] for part in data["parts"])
    assert total == pytest.approx(data["value_to"] - data["value_from"], abs=1e-9)
    groups = [part["group"] for part in data["parts"]]
    assert groups[0] == "enterprise_api" and "round:r2027_ipo" in groups


def test_the_table_names_changes_by_label(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "explain", "--from", "Leaked plan", "--to", "Bear case", "--kpi", "total_raised"
    )
    assert code == 0
    assert out.startswith("Total raised: Leaked plan $327B -> Bear case $207B (-$120B)")
    assert "Funding round: Stock market listing, 2027 (removed)" in out
    assert "enterprise_api" not in out and "Enterprise and API" in out
    assert "-$60.0B" in out and "Total" in out


def test_a_date_kpi_says_how_it_is_counted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "cash.burnrate"
    save_project(cash_project(b_cost=4.0), path)
    code, out, _ = run(
        capsys, "explain", str(path), "--from", "Base", "--to", "B", "--kpi", "cash_zero"
    )
    assert code == 0
    assert "counted in months from the start of 2023" in out
    assert "2025-" in out.splitlines()[0] and "2024-" in out.splitlines()[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "Leaked plan", "--to", "Worst", "--kpi", "cumulative_burn"],
         "no scenario named 'Worst'; the project has 'Leaked plan', 'Bull case'"),
        (["--from", "Leaked plan", "--to", "Bear case", "--kpi", "burn"],
         "no KPI named 'burn'; the KPIs are cash_zero, breakeven_year"),
        (["--from", "Leaked plan", "--to", "Bear case", "--kpi", "cash_zero"],
         "cash never runs out in 'Leaked plan'"),
        (["--from", "Leaked plan", "--kpi", "cash_zero"], "--to"),
    ],
)  # fmt: skip
def test_bad_names_are_one_line_errors_with_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run(capsys, "explain", *args)
    assert code == 2 and out == ""
    assert message in err
    assert err.startswith("error: ") and "Traceback" not in err
