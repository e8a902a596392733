"""``python -m planner montecarlo``: the report, its JSON, determinism and refusals."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from planner.cli import column, main, money
from planner.io.project_file import save_project
from planner.model import Project, Uncertainty

RANGES = [
    Uncertainty(
        item="chatgpt_users", distribution="triangular", low=0.7, high=1.2, note="users range"
    ),
    Uncertainty(item="other_costs", distribution="uniform", low=0.9, high=1.5, note="costs range"),
]
JSON_KEYS = {
    "scenario",
    "samples",
    "seed",
    "periods",
    "inputs",
    "kpis",
    "cash_zero",
    "breakeven",
    "bands",
    "tornado",
    "sampling",
    "correlations",
    "plan",
    "cash_zero_by_year",
    "ranking",
}


@pytest.fixture
def plan(builtin: Project, tmp_path: Path) -> str:
    builtin.uncertainty = list(RANGES)
    builtin.correlations = []  # they name items these ranges leave out
    path = tmp_path / "plan.burnrate"
    save_project(builtin, path)
    return str(path)


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def montecarlo(capsys, plan: str, *extra: str, seed: str = "1") -> tuple[int, str, str]:
    args = ["montecarlo", plan, "--scenario", "Leaked plan", "--samples", "2000", "--seed", seed]
    return run(capsys, *args, *extra)


def refuse_nan(token: str) -> float:
    raise AssertionError(f"{token} in JSON")


def test_the_text_report(capsys, plan: str) -> None:
    code, out, err = montecarlo(capsys, plan)
    assert code == 0 and err == ""
    assert out.startswith("Monte Carlo: Leaked plan, 2,000 samples, seed 1, 2023 to 2035\n")
    assert "  chatgpt_users            triangular 0.70 / 1 / 1.20" in out
    assert "  other_costs              uniform 0.90 to 1.50" in out
    for label in ("Cumulative burn", "Total raised", "Peak funding need"):
        assert label in out
    assert "as planned" in out and "p95" in out
    assert "Cash runs out by 2035 in " in out and "% of samples" in out
    assert "Cash at period end, $B" in out
    tornado = out[out.index("Sensitivity") :]
    _, as_json, _ = montecarlo(capsys, plan, "--json")
    first, second = (row["item"] for row in json.loads(as_json)["tornado"])
    assert tornado.index(first) < tornado.index(second)
    costs_row = next(line for line in tornado.splitlines() if "other_costs" in line).split()
    # lower costs need less money, higher costs more: signed changes, low factor first
    assert costs_row[1:4] == ["0.90", "/", "1.50"]
    assert costs_row[4].startswith("-$") and costs_row[6].startswith("+$")


def test_json_keys_and_values(capsys, plan: str) -> None:
    code, out, _ = montecarlo(capsys, plan, "--json")
    assert code == 0
    data = json.loads(out, parse_constant=refuse_nan)
    assert set(data) == JSON_KEYS
    assert (data["scenario"], data["samples"], data["seed"]) == ("Leaked plan", 2000, 1)
    assert [i["item"] for i in data["inputs"]] == ["chatgpt_users", "other_costs"]
    assert data["inputs"][0]["label"] == "ChatGPT monthly active users (year average)"
    assert [i["note"] for i in data["inputs"]] == ["users range", "costs range"]
    assert data["inputs"][1] | {"label": "", "unit": ""} == {
        "item": "other_costs",
        "label": "",
        "unit": "",
        "distribution": "uniform",
        "low": 0.9,
        "high": 1.5,
        "note": "costs range",
    }
    assert set(data["kpis"]) == {"cumulative_burn", "total_raised", "peak_funding_need"}
    for spread in data["kpis"].values():
        assert set(spread) == {"p5", "p50", "p95", "mean", "fixed"}
        assert spread["p5"] <= spread["p50"] <= spread["p95"]
    assert set(data["cash_zero"]) == {"probability", "median", "fixed"}
    assert 0 <= data["cash_zero"]["probability"] <= 1
    assert set(data["breakeven"]) == {"probability", "median", "fixed"}
    assert set(data["bands"]) == {"cash", "revenue", "burn"}
    for band in data["bands"].values():
        assert set(band) == {"p5", "p25", "p50", "p75", "p95"}
        assert all(len(values) == len(data["periods"]) for values in band.values())
        for period in range(len(data["periods"])):
            column = [band[name][period] for name in ("p5", "p25", "p50", "p75", "p95")]
            assert column == sorted(column)
    assert {row["item"] for row in data["tornado"]} == {"chatgpt_users", "other_costs"}
    assert set(data["tornado"][0]["peak_funding_need"]) == {"at_low", "at_high"}
    assert set(data["tornado"][0]["total_raised"]) == {"at_low", "at_high"}
    chances = data["cash_zero_by_year"]
    assert len(chances) == len(data["periods"]) and chances == sorted(chances)
    assert chances[-1] == data["cash_zero"]["probability"]
    assert set(data["ranking"]) == set(data["kpis"])
    for rows in data["ranking"].values():
        assert {row["item"] for row in rows} == {"chatgpt_users", "other_costs"}
        assert set(rows[0]) == {"item", "rank_correlation", "variance_share"}
        strengths = [abs(row["rank_correlation"]) for row in rows]
        assert strengths == sorted(strengths, reverse=True)
        assert sum(row["variance_share"] for row in rows) in (0, pytest.approx(1))
    assert data["sampling"] == "lhs"


def test_same_seed_same_bytes_other_seed_other_draws(capsys, plan: str) -> None:
    for extra in ((), ("--json",)):
        _, first, _ = montecarlo(capsys, plan, *extra)
        _, again, _ = montecarlo(capsys, plan, *extra)
        _, other, _ = montecarlo(capsys, plan, *extra, seed="2")
        assert first == again
        assert first != other


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scenario", "Nope"], "no scenario named 'Nope'"),
        (["--samples", "0"], "--samples must be a whole number from 1 to 1,000,000, not 0"),
        (["--samples", "-3"], "not -3"),
        (["--samples", "1000001"], "not 1,000,001"),
        (["--samples", "1e4"], "not '1e4'"),
        (["--seed", "-1"], "--seed must be a whole number from 0 to"),
        (["--seed", "lucky"], "not 'lucky'"),
        (["--seed", "1.5"], "not '1.5'"),
    ],
)
def test_bad_input_is_one_line_on_stderr_with_exit_2(
    capsys, plan: str, args: list[str], message: str
) -> None:
    options = {"--scenario": "Leaked plan", "--samples": "100", "--seed": "1"}
    options.update(zip(args[::2], args[1::2], strict=True))
    flat = [part for pair in options.items() for part in pair]
    code, out, err = run(capsys, "montecarlo", plan, *flat)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1
    assert message in err


def test_a_project_without_uncertainty_is_refused(capsys, builtin: Project, tmp_path) -> None:
    builtin.uncertainty = []
    builtin.correlations = []
    path = tmp_path / "plain.burnrate"
    save_project(builtin, path)
    code, _, err = run(
        capsys,
        "montecarlo",
        str(path),
        "--scenario",
        "Leaked plan",
        "--samples",
        "10",
        "--seed",
        "1",
    )
    assert code == 2
    assert err == (
        f"error: {path} defines no uncertainty: add an 'uncertainty' list (item, distribution, "
        "low, high, note) to the project file\n"
    )


def test_missing_options_exit_2(capsys, plan: str) -> None:
    code, _, err = run(capsys, "montecarlo", plan, "--scenario", "Leaked plan")
    assert code == 2 and "required" in err and "--samples" in err


def test_no_traceback_from_the_real_command(plan: str) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "planner",
            "montecarlo",
            plan,
            *("--scenario", "Leaked plan"),
            *("--samples", "0", "--seed", "1"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: --samples") and "Traceback" not in done.stderr


def test_money() -> None:
    assert money(1234.4) == "$1,234B"
    assert money(-61.84) == "-$61.8B"
    assert money(5.0, signed=True) == "+$5.0B"
    assert money(0.0, signed=True) == "$0.0B"
    assert column(-61.84, 8) == "   -61.8"
    assert column(-1e306, 8) == " -1e+306"  # an absurd input keeps the table's columns
