"""Excel's limits on one formula: 255 arguments per function, 8,192 characters, 64 nested
functions. A sum over a large group must stay within them, or the workbook shows #N/A."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from planner.engine import evaluate
from planner.formula import MAX_ARGUMENTS, excel_sum
from planner.io.workbook_write import check_formula, function_nesting
from planner.io.xlsx_export import ExportError, export_workbook
from planner.model import Project
from tests.planner.helpers import make_project


def wide_group_project(members: int = 300) -> Project:
    """``members`` inputs in one group (adjacent rows), and two groups of as many
    calculations whose rows alternate (no two members of a group adjacent)."""
    periods = [str(year) for year in range(2025, 2031)]
    items: list[dict[str, object]] = []
    for n in range(members):
        inputs = [float(n % 7 + t) for t in range(len(periods))]
        items.append({"id": f"cost_{n}", "group": "costs", "inputs": inputs})
    for n in range(members):
        items.append({"id": f"staff_{n}", "group": "staff", "formula": f"cost_{n} * 0.5"})
        items.append({"id": f"misc_{n}", "group": "misc", "formula": f"cost_{n} + 1"})
    items += [
        {"id": "total_costs", "group": "totals", "formula": "sum_of(costs)"},
        {"id": "total_staff", "group": "totals", "formula": "sum_of(staff)"},
        {"id": "all_in", "group": "totals", "formula": "total_costs + sum_of(misc)"},
        # The items every project's key figures need.
        {"id": "revenue", "group": "cash", "inputs": [100.0 * (t + 1) for t in range(6)]},
        {"id": "compute_cost", "group": "cash", "formula": "total_staff"},
        {"id": "burn", "group": "cash", "formula": "all_in - revenue"},
        {"id": "funding", "group": "cash", "inputs": [500.0, 0, 0, 0, 0, 0]},
        {"id": "cash", "group": "cash", "formula": "prev(cash, 0) + funding - burn"},
        {"id": "capacity_gw", "group": "cash", "value": 1.0},
    ]
    rows = [{"label": str(i["id"]).replace("_", " "), "unit": "$B", **i} for i in items]
    return Project.model_validate(
        {
            "name": "Wide groups",
            "periods": periods,
            "items": rows,
            "scenarios": [{"name": "Cheaper", "inputs": {"cost_3": {"2026": 0.25}}}],
        }
    )


def function_arguments(formula: str) -> list[int]:
    """The number of arguments of every function call in ``formula``."""
    counts: list[int] = []
    stack: list[int | None] = []  # per open bracket: its call's index in counts, or None
    for n, char in enumerate(formula):
        if char == "(":
            if n and (formula[n - 1].isalnum() or formula[n - 1] in "._"):
                counts.append(1)
                stack.append(len(counts) - 1)
            else:
                stack.append(None)
        elif char == ")":
            stack.pop()
        elif char == "," and stack and stack[-1] is not None:
            counts[stack[-1]] += 1
    return counts


def test_a_sum_of_adjacent_cells_is_one_range() -> None:
    assert excel_sum([f"K{row}" for row in range(13, 313)]) == "SUM(K13:K312)"
    assert excel_sum(["K14", "K13", "$D$5", "K15", "$D$6", "K20"]) == "SUM(K13:K15,K20,$D$5:$D$6)"
    assert excel_sum(["'Base'!K3", "K4"]) == "SUM(K4,'Base'!K3)"


@pytest.mark.parametrize("cells", [255, 256, 300, 255 * 255 + 1])
def test_no_function_gets_more_than_255_arguments(cells: int) -> None:
    refs = [f"K{2 * row}" for row in range(1, cells + 1)]  # none adjacent
    text = excel_sum(refs)
    assert max(function_arguments(text)) <= MAX_ARGUMENTS
    assert sorted(text.replace("SUM(", "").replace(")", "").split(","), key=len) == sorted(
        refs, key=len
    )


def test_exported_group_sums_keep_to_excels_limits(tmp_path: Path) -> None:
    project = wide_group_project()
    path = tmp_path / "wide.xlsx"
    export_workbook(project, path)
    formulas = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    for title in ("Base", "Cheaper"):
        ws, cached = formulas[title], values[title]
        rows = {row[2].value: row[2].row for row in ws.iter_rows(min_col=1, max_col=3)}
        texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        calls = [n for text in texts if text.startswith("=") for n in function_arguments(text)]
        assert max(calls) <= MAX_ARGUMENTS
        total = ws.cell(rows["total_costs"], 11).value
        assert total.count(",") == 0 and total.startswith("=SUM(K")  # one range
        result = evaluate(project, project.scenario_names[title == "Cheaper"])
        for ident in ("total_costs", "total_staff", "all_in"):
            got = [cached.cell(rows[ident], 11 + t).value for t in range(len(project.periods))]
            assert got == pytest.approx(result.series(ident).tolist())


def test_a_formula_longer_than_excel_allows_is_refused_by_name(tmp_path: Path) -> None:
    project = wide_group_project(1500)  # 1,500 members, none adjacent: about 9,000 characters
    path = tmp_path / "long.xlsx"
    path.write_bytes(b"previous")
    with pytest.raises(ExportError, match=r"'total_staff'.*8,192"):
        export_workbook(project, path)
    assert path.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["long.xlsx"]


def test_function_nesting_counts_calls_not_brackets() -> None:
    assert function_nesting("SUM(1)") == 1
    assert function_nesting("IF(A1>0,SUM(B1,MAX(C1,0)),(1+2)*3)") == 3
    assert function_nesting('IF(A1="((",1,0)') == 1
    assert function_nesting("((((A1))))") == 0


def test_formulas_past_excels_nesting_or_length_are_refused() -> None:
    check_formula("line item 'ok'", "ABS(" * 64 + "A1" + ")" * 64)
    with pytest.raises(ExportError, match=r"'deep'.*65 functions.*64"):
        check_formula("line item 'deep'", "ABS(" * 65 + "A1" + ")" * 65)
    check_formula("line item 'ok'", "A" * 8191)
    with pytest.raises(ExportError, match=r"'long'.*8,193 characters.*8,192"):
        check_formula("line item 'long'", "A" * 8192)


def test_a_formula_whose_excel_text_would_explode_is_refused_by_name(tmp_path: Path) -> None:
    project = make_project(
        [
            {"id": "a", "inputs": [0.0, 1.0, 1.0, 0.0]},
            {"id": "tower", "formula": "**".join(["a"] * 30)},
        ]
    )
    target = tmp_path / "tower.xlsx"
    with pytest.raises(ExportError, match=r"line item 'tower'.*longer than Excel's limit"):
        export_workbook(project, target)
    assert not target.exists()
