"""Rows written as shared formulas say exactly what each cell's own formula says.

A shared formula stores one master text; Excel, LibreOffice and openpyxl give
every other cell of its range that text with the relative column references
moved by the cell's offset. These tests move them with openpyxl's translator
and compare with the texts written cell by cell, without templates.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from openpyxl.formula.translate import Translator
from openpyxl.utils.cell import range_boundaries
from xlsxwriter.utility import xl_rowcol_to_cell

from planner.builtin import builtin_project
from planner.io import workbook_summary
from planner.io.workbook_cells import FastWorksheet
from planner.io.workbook_sheet import ScenarioSheet
from planner.io.workbook_templates import PeriodTexts, marked_column, shifts_exactly
from planner.io.xlsx_export import export_workbook
from planner.model import Project, Scenario
from tests.planner.test_xlsx_recalc import edit_project, quarterly_project

# A cell and its formula element: plain (group 3) or shared (attributes 4, master text 5).
_CELL = re.compile(
    r'<c r="([A-Z]+[0-9]+)"([^>]*)>(?:<f>([^<]*)</f>|<f (t="shared"[^>]*?)(?:/>|>([^<]*)</f>))'
)
_MASTER = re.compile(r'^t="shared" ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)" si="([0-9]+)"$')
_FOLLOWER = re.compile(r'^t="shared" si="([0-9]+)"$')


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def shared_groups(xml: str) -> dict[str, tuple[str, str, list[str]]]:
    """si -> (master cell, master text, every cell of the XML that points to it), checked."""
    groups: dict[str, tuple[str, str, list[str]]] = {}
    for match in _CELL.finditer(xml):
        ref, _, _, attributes, text = match.groups()
        if attributes is None:
            continue
        master = _MASTER.match(attributes)
        if master:
            span, si = master.groups()
            assert si not in groups, f"si {si} used twice"
            assert text is not None and span.startswith(ref + ":")
            groups[si] = (span, _unescape(text), [ref])
            continue
        follower = _FOLLOWER.match(attributes)
        assert follower and text is None, f"unexpected formula element at {ref}: {attributes}"
        assert follower.group(1) in groups, f"{ref} points to a master not written before it"
        groups[follower.group(1)][2].append(ref)
    return groups


def cells_of(span: str) -> list[str]:
    min_col, min_row, max_col, max_row = range_boundaries(span)
    return [
        xl_rowcol_to_cell(row - 1, col - 1)
        for row in range(min_row, max_row + 1)
        for col in range(min_col, max_col + 1)
    ]


def unshared(xml: str) -> str:
    """``xml`` with every shared formula written out as each cell's own, as a reader sees it."""
    masters: dict[str, tuple[str, str]] = {}

    def expand(match: re.Match[str]) -> str:
        ref, attributes, _, shared, text = match.groups()
        if shared is None:
            return match.group(0)
        master = _MASTER.match(shared)
        if master:
            masters[master.group(2)] = (ref, _unescape(text))
            return f'<c r="{ref}"{attributes}><f>{text}</f>'
        follower = _FOLLOWER.match(shared)
        assert follower, shared
        origin, formula = masters[follower.group(1)]
        moved = Translator("=" + formula, origin=origin).translate_formula(ref)
        return f'<c r="{ref}"{attributes}><f>{_escape(moved[1:])}</f>'

    return _CELL.sub(expand, xml)


def _sheets(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {
            name: archive.read(name).decode()
            for name in archive.namelist()
            if name.startswith("xl/worksheets/sheet")
        }


def _per_cell_texts(xml: str) -> dict[str, str]:
    return {
        m.group(1): _unescape(m.group(3)) for m in _CELL.finditer(xml) if m.group(3) is not None
    }


def overridden() -> Project:
    """Formula, value, input and event overrides in several scenarios."""
    project = edit_project(builtin_project())
    bull = project.scenarios[0]
    bull.formulas["training_cost"] = "compute_cost * 0.5"
    bull.formulas["other_costs"] = "prev(other_costs, 1) * 1.1"
    project.scenarios.append(
        Scenario(name="Flat 'costs'", formulas={"other_costs": "prev(other_costs)"})
    )
    return project


@pytest.mark.parametrize(
    "make",
    [builtin_project, quarterly_project, overridden],
    ids=["builtin", "quarters", "overrides"],
)
def test_every_shared_cell_is_its_masters_text_moved_to_it(
    make: Callable[[], Project], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make()
    shared_path, plain_path = tmp_path / "shared.xlsx", tmp_path / "plain.xlsx"
    export_workbook(project, shared_path)
    with monkeypatch.context() as patch:
        # Every period's text built on its own, as the formula compiler writes it.
        patch.setattr(
            ScenarioSheet,
            "period_texts",
            lambda self, text_for: PeriodTexts([text_for(t) for t in range(self.n)], None),
        )
        patch.setattr(workbook_summary, "shifts_exactly", lambda marked: False)
        export_workbook(project, plain_path)
    shared_sheets, plain_sheets = _sheets(shared_path), _sheets(plain_path)
    assert list(shared_sheets) == list(plain_sheets)
    checked = 0
    for name, xml in shared_sheets.items():
        plain = plain_sheets[name]
        assert 't="shared"' not in plain
        own = _per_cell_texts(plain)
        for span, text, refs in shared_groups(xml).values():
            assert refs == cells_of(span), f"{name}: {span} does not cover {refs}"
            origin = refs[0]
            for ref in refs:
                moved = Translator("=" + text, origin=origin).translate_formula(ref)
                assert moved == "=" + own[ref], f"{name}!{ref}"
                checked += 1
        # Nothing else changed: the same cells, values and styles, cell by cell.
        assert unshared(xml) == plain
    assert checked > 500


@pytest.mark.parametrize(
    "marked",
    [
        "\x011\x0212+\x010\x0212",
        "\x011\x02$9*$D$30",
        "IF(\x011\x02$9>=$H37,\x011\x0291,0)",
        "'Plan A1'!\x011\x025-\"B2 & C3\"",
        "SUM($E$5:$E$9)*1E5",
        "$E:$E",
    ],
)
def test_templates_that_shift_exactly(marked: str) -> None:
    assert shifts_exactly(marked)


@pytest.mark.parametrize(
    "marked",
    [
        "\x011\x0212+C12",  # a relative column that is no period column
        "\x011\x0212+C$12",
        "\x011\x0212+Base!D4",
        "$\x011\x0212",  # an absolute period column would not move
        "SUM(E:E)",
        "\x011\x02:\x011\x02",  # a period column without a row
        "LOG10(\x011\x025)",  # looks like a reference: refused rather than guessed
    ],
)
def test_templates_that_would_shift_differently_are_refused(marked: str) -> None:
    assert not shifts_exactly(marked)


def test_marked_columns_are_what_the_guard_expects() -> None:
    assert marked_column(1) == "\x011\x02"


def _sheet_xml(tmp_path: Path, fill: Callable[[Any, Any], None]) -> str:
    path = tmp_path / "cells.xlsx"
    workbook = xlsxwriter.Workbook(str(path), {"in_memory": True})
    money = workbook.add_format({"num_format": "#,##0.0"})
    fill(workbook.add_worksheet(worksheet_class=FastWorksheet), money)
    workbook.close()
    return _sheets(path)["xl/worksheets/sheet1.xml"]


def test_a_group_is_written_per_cell_when_it_cannot_be_shared_whole(tmp_path: Path) -> None:
    def fill(ws: Any, money: Any) -> None:
        texts = ["A1+C$3", "B1+D$3", "C1+E$3"]
        ws.write_formula_row(0, 1, texts, money, [1.0, 0.5, 2], shared_from=0)
        ws.write_formula_row(5, 1, texts, money, [1.0, "x & y", 2.0], shared_from=0)
        ws.write_formula_row(1, 1, texts, money, [1.0, 2.0, 3.0], shared_from=0)
        ws.put_formula(1, 2, "Z9", money, 5.0)  # overwritten after the row was written
        ws.write_formula_row(2, 1, texts, money, [1.0, True, 3.0], shared_from=0)
        ws.write_formula_row(3, 1, texts, None, [1.0, 2.0, 3.0], shared_from=0)
        ws.write_formula_row(4, 1, texts, money, [1.0, 2.0, 3.0], shared_from=2)  # one cell

    xml = _sheet_xml(tmp_path, fill)
    groups = shared_groups(xml)
    assert [(span, text) for span, text, _ in groups.values()] == [("B1:D1", "A1+C$3")]
    assert '<c r="C1" s="1"><f t="shared" si="0"/><v>0.5</v></c>' in xml
    assert '<c r="D1" s="1"><f t="shared" si="0"/><v>2</v></c>' in xml
    assert '<c r="C6" s="1" t="str"><f>B1+D$3</f><v>x &amp; y</v></c>' in xml
    assert "<f>Z9</f>" in xml and "<f>A1+C$3</f>" in xml
    assert xml.count('t="shared"') == 3


def test_writes_after_a_group_drop_it_only_where_they_overwrite(tmp_path: Path) -> None:
    def fill(ws: Any, money: Any) -> None:
        texts = ["A1+C$3", "B1+D$3", "C1+E$3"]
        for row in range(4):
            ws.write_formula_row(row, 1, texts, money, [1.0, 2.0, 3.0], shared_from=0)
        ws.put_comment(0, 2, "a note leaves the cell as it is", 2.0, 1.5)
        ws.put_strings(1, [(0, "beside the group", money)])
        ws.write_string(2, 3, "over the last cell", money)  # XlsxWriter's own write
        ws.put_blanks(3, [1], money)  # over the master

    xml = _sheet_xml(tmp_path, fill)
    groups = shared_groups(xml)
    assert sorted(span for span, _, _ in groups.values()) == ["B1:D1", "B2:D2"]
    # the rest of an overwritten group, cell by cell
    assert '<c r="B3" s="1"><f>A1+C$3</f><v>1.0</v></c>' in xml
    assert '<c r="C3" s="1"><f>B1+D$3</f><v>2.0</v></c>' in xml
    assert '<c r="D3" s="1" t="s"><v>1</v></c>' in xml
    assert '<c r="B4" s="1"/>' in xml
    assert '<c r="D4" s="1"><f>C1+E$3</f><v>3.0</v></c>' in xml
