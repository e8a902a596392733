"""Optional explanation sheets in the workbook: table, waterfall, and an import that skips them."""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

import openpyxl
import pytest

from planner.attribution import explain
from planner.cli import main
from planner.io import xlsx_export
from planner.io.workbook_explain import ExplainRequest, parse_explain_spec
from planner.io.xlsx_export import export_workbook
from planner.io.xlsx_import import import_workbook
from planner.model import Project
from tests.planner.libreoffice import MISSING_REASON, SOFFICE, cell_values, convert, same_value

BEAR = ExplainRequest("Leaked plan", "Bear case", "peak_funding_need")
BULL_BREAKEVEN = ExplainRequest("Leaked plan", "Bull case", "breakeven_year")


@pytest.fixture(scope="module")
def explained_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from planner.builtin import builtin_project

    path = tmp_path_factory.mktemp("explain") / "explained.xlsx"
    export_workbook(builtin_project(), path, explain=[BEAR, BULL_BREAKEVEN])
    return path


def test_the_sheet_lists_every_part_and_adds_them_up(
    explained_workbook: Path, builtin: Project
) -> None:
    result = explain(builtin, BEAR.from_name, BEAR.to_name, BEAR.kpi)
    book = openpyxl.load_workbook(explained_workbook, data_only=True)
    assert book.sheetnames[-3:-1] == ["Why Bear case", "Why Bull case"]
    ws = book["Why Bear case"]
    rows = {ws.cell(r, 2).value: ws.cell(r, 3).value for r in range(5, 5 + len(result.parts))}
    assert rows == pytest.approx({part.group: part.value for part in result.parts}, rel=1e-14)
    labels = [ws.cell(r, 1).value for r in range(5, 5 + len(result.parts))]
    assert labels[0] == "Enterprise and API"
    total_row = 5 + len(result.parts)
    assert ws.cell(total_row, 3).value == pytest.approx(result.difference)
    assert ws.cell(total_row + 3, 3).value == pytest.approx(result.value_to)
    formulas = openpyxl.load_workbook(explained_workbook)["Why Bear case"]
    assert formulas.cell(total_row, 3).value == f"=SUM(C5:C{total_row - 1})"


def test_the_waterfall_is_stacked_columns_over_a_hidden_base(explained_workbook: Path) -> None:
    with zipfile.ZipFile(explained_workbook) as package:
        charts = [
            package.read(name).decode()
            for name in package.namelist()
            if name.startswith("xl/charts/chart")
        ]
    waterfalls = [c for c in charts if "<c:barChart>" in c and '<c:grouping val="stacked"/>' in c]
    assert len(waterfalls) == 2
    for chart in waterfalls:
        assert chart.count("<c:ser>") == 4
        first_series = chart.split("<c:ser>")[1]
        assert "<a:noFill/>" in first_series  # the base is there but not seen


def test_import_passes_over_the_explanation_sheets(
    explained_workbook: Path, builtin: Project, tmp_path: Path
) -> None:
    plain = tmp_path / "plain.xlsx"
    export_workbook(builtin, plain)
    assert import_workbook(explained_workbook) == import_workbook(plain)


def test_specs_name_two_scenarios_and_a_kpi() -> None:
    names = ["Base", "Plan: 2030", "Bear"]
    assert parse_explain_spec("Plan: 2030:Bear:cumulative_burn", names) == ExplainRequest(
        "Plan: 2030", "Bear", "cumulative_burn"
    )
    with pytest.raises(ValueError, match="no KPI named 'burn'"):
        parse_explain_spec("Base:Bear:burn", names)
    with pytest.raises(ValueError, match="two of the scenarios 'Base', 'Plan: 2030', 'Bear'"):
        parse_explain_spec("Base:Worst:cumulative_burn", names)


def test_export_command_adds_the_sheets_and_refuses_bad_specs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "out.xlsx"
    spec = "Leaked plan:Bear case:total_raised"
    assert main(["export", "-o", str(out), "--explain", spec]) == 0
    assert "Why Bear case" in openpyxl.load_workbook(out, read_only=True).sheetnames
    capsys.readouterr()
    bad = tmp_path / "bad.xlsx"
    assert main(["export", "-o", str(bad), "--explain", "Leaked plan:Bear case:cash_zero"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot explain cash_zero") and "never runs out" in err
    assert not bad.exists()


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None, reason=MISSING_REASON)
def test_recalculated_sheets_keep_their_values(explained_workbook: Path, tmp_path: Path) -> None:
    (recalculated,) = convert([explained_workbook], tmp_path)
    before, after = cell_values(explained_workbook), cell_values(recalculated)
    cells = [key for key in before if key[0].startswith("Why ")]
    assert len(cells) > 50
    wrong = [key for key in cells if not same_value(before[key], after.get(key))]
    assert wrong == []
    assert not any(isinstance(v, float) and math.isnan(v) for v in after.values())


def test_a_streamed_workbook_keeps_every_cell_of_the_sheet(
    builtin: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain, streamed = tmp_path / "plain.xlsx", tmp_path / "streamed.xlsx"
    export_workbook(builtin, plain, explain=[BEAR])
    monkeypatch.setattr(xlsx_export, "STREAMED_FROM_CELLS", 0)
    export_workbook(builtin, streamed, explain=[BEAR])

    def cells(path: Path) -> list[tuple[object, ...]]:
        ws = openpyxl.load_workbook(path)["Why Bear case"]
        return [tuple(c.value for c in row) for row in ws.iter_rows()]

    assert cells(streamed) == cells(plain)
    assert cells(plain)[3][7] == "Step"
