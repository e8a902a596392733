"""Proof in a second engine: Gnumeric recalculates the workbook, and the engine agrees.

The same comparison as LibreOffice's, so a formula that only one spreadsheet reads
the intended way fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.builtin import builtin_project
from planner.io.xlsx_export import export_workbook
from tests.planner.gnumeric import (
    MISSING_REASON,
    SSCONVERT,
    GnumericValues,
    recalculate,
    same_as_gnumeric,
)
from tests.planner.libreoffice import cell_values, formula_cells
from tests.planner.test_xlsx_limits import wide_group_project
from tests.planner.test_xlsx_recalc import (
    LEAST_FORMULAS,
    ROUNDS_LAST_POST_MONEY,
    edit_project,
    edit_workbook,
    error_project,
    error_project_disagreements,
    quarterly_project,
    rounds_project,
    summary_kpi_row,
    write_formulas,
)

pytestmark = [
    pytest.mark.gnumeric,
    pytest.mark.skipif(SSCONVERT is None, reason=MISSING_REASON),
]

NAMES = (*LEAST_FORMULAS, "errors")


@pytest.fixture(scope="module")
def recalculated(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, tuple[Path, GnumericValues]]:
    """name -> (workbook whose cached values are the engine's, Gnumeric's recalculated cells)."""
    folder = tmp_path_factory.mktemp("gnumeric")
    builtin = builtin_project()
    expected = {name: folder / f"{name}_expected.xlsx" for name in NAMES}
    export_workbook(builtin, expected["builtin"])
    export_workbook(quarterly_project(), expected["quarterly"])
    export_workbook(edit_project(builtin), expected["edited"])
    export_workbook(wide_group_project(), expected["wide"])
    export_workbook(rounds_project(), expected["rounds"])
    write_formulas(error_project(), expected["errors"])
    edited_input = folder / "edited.xlsx"
    edit_workbook(expected["builtin"], edited_input)
    sources = [expected[name] for name in NAMES]
    sources[NAMES.index("edited")] = edited_input
    outputs = recalculate(sources, folder / "out")
    return {name: (expected[name], out) for name, out in zip(NAMES, outputs, strict=True)}


@pytest.mark.parametrize("name", list(LEAST_FORMULAS))
def test_every_formula_cell_matches_the_engine_in_gnumeric(
    recalculated: dict[str, tuple[Path, GnumericValues]], name: str
) -> None:
    expected, got = recalculated[name]
    formulas = formula_cells(expected)
    want = cell_values(expected)
    bad = [
        f"{sheet}!{cell} {formulas[(sheet, cell)]}: engine {want.get((sheet, cell))!r}, "
        f"Gnumeric {got.get((sheet, cell))!r}"
        for sheet, cell in formulas
        if not same_as_gnumeric(want.get((sheet, cell)), got.get((sheet, cell)))
    ]
    assert len(formulas) > LEAST_FORMULAS[name]
    assert not bad, "\n".join(bad[:20])


def test_summary_words_and_numbers_agree_in_gnumeric(
    recalculated: dict[str, tuple[Path, GnumericValues]],
) -> None:
    """The Summary shows the same break-even years and valuations, not words for none."""
    expected, got = recalculated["builtin"]
    want = cell_values(expected)
    summary = {key: value for key, value in want.items() if key[0] == "Summary"}
    texts = [key for key, value in summary.items() if value in ("not in horizon", "n/a")]
    numbers = [key for key, value in summary.items() if isinstance(value, float)]
    assert numbers
    assert all(got.get(key) == want[key] for key in texts)
    assert all(same_as_gnumeric(want[key], got.get(key)) for key in numbers)


def test_last_post_money_is_the_last_priced_round_by_period_in_gnumeric(
    recalculated: dict[str, tuple[Path, GnumericValues]],
) -> None:
    got = summary_kpi_row(recalculated["rounds"][1], "last_post_money")
    want = list(ROUNDS_LAST_POST_MONEY.values())
    assert all(same_as_gnumeric(w, g) for w, g in zip(want, got, strict=True)), got


def test_division_errors_spread_in_the_engine_as_in_gnumeric(
    recalculated: dict[str, tuple[Path, GnumericValues]],
) -> None:
    bad, errors, _ = error_project_disagreements(
        recalculated["errors"][1],
        lambda cell: cell is not None and cell.startswith("#"),
        same_as_gnumeric,
    )
    assert not bad, "\n".join(bad)
    assert errors > 30
