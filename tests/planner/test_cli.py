import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from planner.cli import main

SERIES = {
    "revenue",
    "total_costs",
    "burn",
    "funding",
    "cash",
    "capacity_gw",
    "compute_cost",
    "committed_spend",
}
KPIS = {
    "cash_zero",
    "breakeven_year",
    "cumulative_burn",
    "total_raised",
    "peak_funding_need",
    "last_post_money",
    "commitments_total",
    "commitments_to_revenue",
}


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_summary_json_has_every_scenario_series_and_kpi(capsys) -> None:
    code, out, _ = run(capsys, "summary", "--json")
    assert code == 0
    data = json.loads(out)
    names = [s["name"] for s in data["scenarios"]]
    assert names[0] == "Leaked plan" and len(names) >= 4
    for scenario in data["scenarios"]:
        assert set(scenario["series"]) >= SERIES
        assert set(scenario["kpis"]) == KPIS
        assert all(len(v) == len(scenario["periods"]) for v in scenario["series"].values())
    bear = next(s for s in data["scenarios"] if s["name"] == "Bear case")
    assert bear["kpis"]["cash_zero"][:4].isdigit() and bear["kpis"]["cash_zero"][4] == "-"


def test_summary_of_one_scenario_as_a_table(capsys) -> None:
    code, out, _ = run(capsys, "summary", "--scenario", "Bull case")
    assert code == 0
    assert "== Bull case" in out and "Leaked plan" not in out
    assert "Break-even year" in out and "2035" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["summary", "--scenario", "Nope"], "no scenario named 'Nope'"),
        (["summary", "/no/such/file.burnrate"], "no such file"),
        (["frobnicate"], "invalid choice"),
        ([], "required"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(capsys, args, message) -> None:
    code, _, err = run(capsys, *args)
    assert code == 2
    assert message in err and "Traceback" not in err


def test_a_broken_file_exits_2_without_a_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "broken.burnrate"
    broken.write_text("{ not json")
    done = subprocess.run(
        [sys.executable, "-m", "planner", "summary", str(broken)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "broken.burnrate is not a project file" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["summary", "--scenario", "Bull case"],
        ["montecarlo", "--scenario", "Bull case", "--samples", "200", "--seed", "3"],
    ],
)
def test_reports_print_where_the_terminal_is_not_utf8(command: list[str]) -> None:
    # A Windows console or pipe: cp1252 has no Unicode minus sign.
    done = subprocess.run(
        [sys.executable, "-m", "planner", *command],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "cp1252"},
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode("cp1252", "replace")
    assert b"-$" in done.stdout  # the Bull case's surplus, in ASCII
