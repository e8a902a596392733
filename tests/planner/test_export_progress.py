"""An export says how far it has come, and stops when asked, leaving the target as it was."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from planner import cli
from planner.builtin import builtin_project
from planner.cli import terminal_progress
from planner.io.xlsx_export import ExportCancelled, export_workbook
from planner.model import Project


@pytest.fixture(scope="module")
def builtin() -> Project:
    return builtin_project()


def test_progress_rises_to_the_end_naming_each_sheet(builtin: Project, tmp_path: Path) -> None:
    reports: list[tuple[float, str]] = []
    export_workbook(builtin, tmp_path / "plan.xlsx", progress=lambda s, t: reports.append((s, t)))
    shares = [share for share, _ in reports]
    assert shares == sorted(shares) and shares[0] == 0.0 and shares[-1] == 1.0
    texts = list(dict.fromkeys(text for _, text in reports))
    assert texts == [
        *(f"Running the risk of {name}" for name in builtin.scenario_names),
        *(f"Writing the sheet {name}" for name in builtin.scenario_names),
        "Writing the sheet Active scenario",
        "Writing the Summary, Risk and Sources sheets",
        "Saving the file",
    ]
    # Row by row within a sheet, not only a step per sheet.
    assert len(reports) > 100


# Asked for the 1st time before anything; about the 5th in a risk run, the 150th in a
# scenario sheet, the 600th in the Active sheet.
@pytest.mark.parametrize("stop_after", [1, 5, 150, 600])
def test_a_stopped_export_leaves_the_old_file_and_no_litter(
    builtin: Project, tmp_path: Path, stop_after: int
) -> None:
    target = tmp_path / "plan.xlsx"
    target.write_bytes(b"the workbook exported yesterday")
    asked: list[None] = []

    def should_stop() -> bool:
        asked.append(None)
        return len(asked) >= stop_after

    with pytest.raises(ExportCancelled, match="nothing was written"):
        export_workbook(builtin, target, should_stop=should_stop)

    assert target.read_bytes() == b"the workbook exported yesterday"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.xlsx"]


def test_an_export_never_asked_to_stop_is_whole(builtin: Project, tmp_path: Path) -> None:
    target = tmp_path / "plan.xlsx"
    export_workbook(builtin, target, risk_samples=None, should_stop=lambda: False)
    plain = tmp_path / "plain.xlsx"
    export_workbook(builtin, plain, risk_samples=None)
    assert target.stat().st_size == pytest.approx(plain.stat().st_size, rel=0.01)


def test_the_command_line_shows_progress_on_one_terminal_line() -> None:
    stream = io.StringIO()
    report = terminal_progress(stream)
    report(0.0, "Running the risk of Bull case")
    report(0.001, "Running the risk of Bull case")  # the same line: not written again
    report(0.5, "Writing the sheet Bull case")
    report(1.0, "Saving the file")
    assert stream.getvalue() == (
        "\r\x1b[K  0%  Running the risk of Bull case"
        "\r\x1b[K 50%  Writing the sheet Bull case"
        "\r\x1b[K100%  Saving the file"
    )


def test_the_command_line_prints_no_progress_where_stderr_is_not_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "plan.xlsx"
    assert cli.main(["export", "-o", str(target)]) == 0
    out, err = capsys.readouterr()
    assert (out, err) == (f"wrote {target}: 4 scenario sheets\n", "")
    assert target.is_file()
