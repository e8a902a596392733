"""The exported workbook: cached values, layout, styles, user text kept as text."""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

import openpyxl
import pytest
from defusedxml import ElementTree
from openpyxl.formula.translate import Translator

from planner.builtin import builtin_project
from planner.engine import evaluate
from planner.io.workbook_layout import FIRST_PERIOD_COL, sheet_names
from planner.io.workbook_summary import kpi_text
from planner.io.xlsx_export import ExportError, export_workbook
from planner.kpis import KPI_LABELS, compute_kpis
from planner.model import Project, Scenario


def id_rows(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, int]:
    """Line item id -> 1-based row, read from the id column."""
    rows: dict[str, int] = {}
    for row in ws.iter_rows(min_col=3, max_col=3):
        cell = row[0]
        if isinstance(cell.value, str) and cell.value not in rows:
            rows[cell.value] = cell.row
    return rows


@pytest.fixture
def builtin() -> Project:
    return builtin_project()


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "builtin.xlsx"
    export_workbook(builtin_project(), path)
    return path


def test_sheets_are_summary_scenarios_sources_and_hidden_structure(
    exported: Path, builtin: Project
) -> None:
    workbook = openpyxl.load_workbook(exported)
    visible = [ws.title for ws in workbook.worksheets if ws.sheet_state == "visible"]
    titles = sheet_names(builtin.scenario_names)
    risk = [f"Risk {title}" for title in titles]  # every scenario has the base's ranges
    assert visible == ["Summary", *titles, *risk, "Sources"]
    assert workbook["_burnrate"].sheet_state == "hidden"


def test_cached_values_are_the_engines_for_every_line_item(
    exported: Path, builtin: Project
) -> None:
    workbook = openpyxl.load_workbook(exported, data_only=True)
    titles = sheet_names(builtin.scenario_names)
    for name, title in zip(builtin.scenario_names, titles, strict=True):
        ws = workbook[title]
        rows = id_rows(ws)
        result = evaluate(builtin, name)
        for item in builtin.items:
            if item.value is not None:
                continue
            cached = [
                ws.cell(rows[item.id], FIRST_PERIOD_COL + 1 + t).value
                for t in range(len(builtin.periods))
            ]
            assert cached == pytest.approx(result.series(item.id).tolist(), rel=1e-12), item.id


def test_summary_caches_each_scenarios_kpis(exported: Path, builtin: Project) -> None:
    ws = openpyxl.load_workbook(exported, data_only=True)["Summary"]
    for n, name in enumerate(builtin.scenario_names):
        kpis = compute_kpis(evaluate(builtin, name))
        for k, kpi in enumerate(KPI_LABELS):
            assert ws.cell(4 + k, 3).value == kpi
            cached = ws.cell(4 + k, 4 + n).value
            expected = kpi_text(kpi, kpis[kpi])
            assert cached == (pytest.approx(expected) if isinstance(expected, float) else expected)


def test_calculations_are_formulas_the_same_across_the_timeline(
    exported: Path, builtin: Project
) -> None:
    ws = openpyxl.load_workbook(exported)["Leaked plan"]
    rows = id_rows(ws)
    checked = 0
    for item in builtin.items:
        if item.formula is None:
            continue
        row = rows[item.id]
        first = ws.cell(row, FIRST_PERIOD_COL + 2)
        assert isinstance(first.value, str) and first.value.startswith("=")
        for col in range(FIRST_PERIOD_COL + 3, FIRST_PERIOD_COL + 1 + len(builtin.periods)):
            cell = ws.cell(row, col)
            moved = Translator(first.value, origin=first.coordinate).translate_formula(
                cell.coordinate
            )
            assert cell.value == moved, (item.id, cell.coordinate)
            checked += 1
    assert checked > 100
    assert "OFFSET" not in str(list(ws.values)) and "INDIRECT" not in str(list(ws.values))


def test_inputs_styled_as_inputs_and_overrides_marked(exported: Path, builtin: Project) -> None:
    workbook = openpyxl.load_workbook(exported)
    base = workbook["Leaked plan"]
    cell = base.cell(id_rows(base)["chatgpt_users"], FIRST_PERIOD_COL + 1)
    assert isinstance(cell.value, float | int)
    assert cell.font.color.rgb.endswith("0000FF")
    assert cell.fill.fgColor.rgb.endswith("FFF2CC")
    bull = workbook["Bull case"]
    rows = id_rows(bull)
    # enterprise_api is overridden from 2027 on; 2023 still follows the base through a link
    linked = bull.cell(rows["enterprise_api"], FIRST_PERIOD_COL + 1)
    assert linked.value.startswith("='Leaked plan'!")
    overridden = bull.cell(rows["enterprise_api"], FIRST_PERIOD_COL + 5)
    assert overridden.value == 35.0
    assert overridden.fill.fgColor.rgb.endswith("F8CBAD")
    constant = bull.cell(rows["custom_chip_discount"], 4)
    assert constant.value == 0.3 and constant.fill.fgColor.rgb.endswith("F8CBAD")


def test_notes_become_comments_and_sources(exported: Path, builtin: Project) -> None:
    workbook = openpyxl.load_workbook(exported)
    ws = workbook["Leaked plan"]
    rows = id_rows(ws)
    item = builtin.item("chatgpt_users")
    assert ws.cell(rows[item.id], 1).comment.text == item.note
    period_note = ws.cell(rows[item.id], FIRST_PERIOD_COL + 3).comment
    assert period_note.text == item.input_notes["2025"]
    listed = {str(row[4]) for row in workbook["Sources"].iter_rows(min_row=4, values_only=True)}
    for each in builtin.items:
        if each.note:
            assert each.note in listed
    for funding_round in builtin.funding_rounds:
        assert funding_round.note in listed


def test_number_formats_panes_print_setup_and_charts(exported: Path, builtin: Project) -> None:
    workbook = openpyxl.load_workbook(exported)
    ws = workbook["Leaked plan"]
    rows = id_rows(ws)
    assert ws.cell(rows["paying_share"], FIRST_PERIOD_COL + 1).number_format == "0.0%"
    assert ws.cell(rows["burn_to_revenue"], FIRST_PERIOD_COL + 1).number_format.startswith('0.0"x"')
    assert ws.freeze_panes == "C4"
    assert ws.page_setup.fitToHeight == 0 and ws.sheet_properties.pageSetUpPr.fitToPage
    with zipfile.ZipFile(exported) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
    # two per scenario sheet, the Summary's, and per Risk sheet two fans and a tornado
    assert len(charts) == 2 * len(builtin.scenario_names) + 1 + 3 * len(builtin.scenario_names)


def test_user_text_that_looks_like_a_formula_stays_text(tmp_path: Path, builtin: Project) -> None:
    evil = '=HYPERLINK("http://example.invalid","click")'
    builtin.scenarios.append(Scenario(name=evil, description="+1 and -1 @SUM(A1)"))
    builtin.items[0] = builtin.items[0].model_copy(update={"note": "=1+1", "label": "@users"})
    path = tmp_path / "evil.xlsx"
    export_workbook(builtin, path, scenarios=[builtin.base_name, evil])
    workbook = openpyxl.load_workbook(path)
    ws = workbook.worksheets[2]
    assert ws["A1"].value == evil and ws["A1"].data_type == "s"
    assert ws["A2"].value == "+1 and -1 @SUM(A1)" and ws["A2"].data_type == "s"
    summary = workbook["Summary"]
    assert summary["E3"].value == evil and summary["E3"].data_type == "s"
    base = workbook["Leaked plan"]
    label = base.cell(id_rows(base)["chatgpt_users"], 1)
    assert label.value == "@users" and label.data_type == "s"
    assert label.comment.text == "=1+1"


def test_chosen_scenarios_only_and_unknown_names_refused(tmp_path: Path, builtin: Project) -> None:
    path = tmp_path / "bull.xlsx"
    export_workbook(builtin, path, scenarios=["Bull case"])
    titles = openpyxl.load_workbook(path).sheetnames
    assert titles == ["Summary", "Bull case", "Risk Bull case", "Sources", "_burnrate"]
    with pytest.raises(ExportError, match="no scenario named 'Nope'"):
        export_workbook(builtin, tmp_path / "x.xlsx", scenarios=["Nope"])


def test_unwritable_target_is_an_export_error(tmp_path: Path, builtin: Project) -> None:
    with pytest.raises(ExportError, match="cannot write"):
        export_workbook(builtin, tmp_path / "missing-folder" / "out.xlsx")


def test_a_failed_export_keeps_the_previous_file(
    tmp_path: Path, builtin: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    import planner.io.xlsx_export as xlsx_export

    path = tmp_path / "plan.xlsx"
    export_workbook(builtin, path)
    before = path.read_bytes()

    def broken(*args: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(xlsx_export, "_fill", broken)
    with pytest.raises(RuntimeError):
        export_workbook(builtin, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.xlsx"]


@pytest.mark.parametrize(
    ("values", "cached"),
    [
        ([1.5, -0.0, 2.0], [1.5, -0.0, 2.0]),
        ([1.0, float("nan"), 3.0], [1.0, 0.0, 3.0]),
        ([float("inf"), float("-inf")], [0.0, 0.0]),
        ([1e308, 1e308], [1e308, 1e308]),  # the sum overflows; each value is finite
    ],
)
def test_cached_numbers_are_finite_floats(values: list[float], cached: list[float]) -> None:
    import numpy as np

    from planner.io.workbook_sheet import cached_numbers

    for given in (np.array(values), values):
        got = cached_numbers(given)
        assert got == cached and [type(v) for v in got] == [float] * len(cached)
        assert [math.copysign(1, v) for v in got] == [math.copysign(1, v) for v in cached]


CHART_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"


def test_charts_cache_their_numbers_for_viewers_that_do_not_recalculate(exported: Path) -> None:
    with zipfile.ZipFile(exported) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert charts
        for name in charts:
            caches = ElementTree.fromstring(archive.read(name)).iter(f"{{{CHART_NS}}}numCache")
            counts = [int(c.find(f"{{{CHART_NS}}}ptCount").get("val")) for c in caches]
            assert counts and min(counts) > 0, name
