"""Export a project as an Excel workbook that keeps working: live formulas, cached values.

One sheet per scenario (inputs, event tables, calculations as formulas
translated from the model), a Summary sheet with each scenario's key figures
as formulas over those sheets and a chart of cash, a Sources sheet listing
every note, and a hidden sheet describing the structure for import.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner.engine import Result, evaluate
from planner.io.workbook_layout import (
    ACTIVE_SHEET,
    COL_ID,
    COL_LABEL,
    COL_VALUE,
    CONTROL_SHEET,
    FIRST_PERIOD_COL,
    META_CHUNK,
    META_FORMAT,
    META_SHEET,
    META_VERSION,
    SOURCES_SHEET,
    SUMMARY_SHEET,
    cell_name,
    column_letter,
    sheet_names,
    sheet_ref,
)
from planner.io.workbook_progress import ExportCancelled as ExportCancelled
from planner.io.workbook_progress import ExportSteps, Report, StepShare
from planner.io.workbook_risk import DEFAULT_SEED, RiskSheets, risk_scenarios
from planner.io.workbook_sheet import BaseLinks, ScenarioSheet, SheetPlan
from planner.io.workbook_styles import Styles, wrapped_row_height
from planner.io.workbook_summary import write_summary
from planner.io.workbook_templates import RowTexts
from planner.io.workbook_write import ExportError as ExportError
from planner.io.workbook_write import write_texts, xml_text
from planner.model import Project
from planner.structure import broken_problem
from planner.uncertainty import DEFAULT_SAMPLES, Cancelled

if TYPE_CHECKING:
    from planner.attribution import Attribution
    from planner.io.workbook_explain import ExplainRequest

# Above this many period cells of line items, a workbook is streamed to disk row by
# row. Either way every sheet is written top to bottom, as streaming requires.
STREAMED_FROM_CELLS = 200_000
# Widths of the Sources sheet's columns: scenario, line item, id, period, note.
SOURCES_WIDTHS = (18, 40, 22, 8, 90)


def export_workbook(
    project: Project,
    path: str | os.PathLike[str],
    scenarios: Sequence[str] | None = None,
    risk_samples: int | None = DEFAULT_SAMPLES,
    risk_seed: int = DEFAULT_SEED,
    explain: Sequence[ExplainRequest] = (),
    progress: Report | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> None:
    """Write ``project`` (or only the named ``scenarios``) to the .xlsx file ``path``.

    Each scenario with uncertainty ranges gets a Risk sheet from a Monte Carlo run
    of ``risk_samples`` samples with ``risk_seed`` (none when ``risk_samples`` is None).
    Each of ``explain`` adds a sheet splitting a KPI's difference between two scenarios.
    ``progress`` is told the share done and what is being written; ``should_stop`` is
    asked as the export goes, and True stops it with :class:`ExportCancelled`, the
    target untouched.
    """
    from xlsxwriter.exceptions import XlsxWriterException

    from planner.io.workbook_explain import explain_all

    names = list(scenarios) if scenarios else project.scenario_names
    for name in names:
        if name not in project.scenario_names:
            raise ExportError(f"the project has no scenario named {name!r}")
    names = list(dict.fromkeys(names))
    results = [evaluate(project, name) for name in names]
    for result in results:
        problem = broken_problem(result.resolved)
        if problem is not None:
            raise ExportError(problem)
    explained = explain_all(project, explain)
    titles = sheet_names(names)
    target = Path(path)
    # Written beside the target and moved over it, so a failed export never
    # leaves a half-written file in place of a good one.
    try:
        fd, temp_name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".xlsx", dir=target.parent
        )
        os.close(fd)
    except OSError as exc:
        raise ExportError(f"cannot write {target}: {exc.strerror or exc}") from None
    temp = Path(temp_name)
    risky = risk_scenarios(project, names) if risk_samples is not None else []
    switch = 1 if _switch_wanted(project, results, titles) else 0
    # Weights: a scenario sheet, the Active sheet, a Monte Carlo run and closing the
    # file each count one; the Summary, Sources and structure sheets together half.
    steps = ExportSteps(len(results) + switch + len(risky) + 1.5, progress, should_stop)
    try:
        _write(temp, project, results, titles, (risk_samples, risk_seed), explained, steps)
        steps.finish()
        temp.chmod(0o666 & ~_umask())  # mkstemp makes it private; a workbook is shared
        os.replace(temp, target)
    except OSError as exc:
        raise ExportError(f"cannot write {target}: {exc.strerror or exc}") from None
    except XlsxWriterException as exc:
        raise ExportError(f"cannot write {target}: {exc}") from None
    except Cancelled:
        raise ExportCancelled("the export was cancelled; nothing was written") from None
    finally:
        temp.unlink(missing_ok=True)


def _write(
    path: Path,
    project: Project,
    results: list[Result],
    titles: list[str],
    risk: tuple[int | None, int],
    explained: Sequence[Attribution],
    steps: ExportSteps,
) -> None:
    """Build the workbook and write it to ``path``."""
    import xlsxwriter

    options: dict[str, bool] = {
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
        "nan_inf_to_errors": True,
    }
    if _streamed(project, results):
        # Each sheet's rows go to a temporary file as soon as the next row begins, so
        # memory stays flat however large the project; text is then stored in its cell
        # rather than in a shared table, and charts keep no copy of their data.
        options["constant_memory"] = True
    else:
        # Parts built in memory, and charts that cache their data for viewers that
        # do not recalculate.
        options["in_memory"] = True
    workbook = xlsxwriter.Workbook(str(path), options)
    _fill(workbook, project, results, titles, risk, explained, steps)
    steps.step("Saving the file")
    workbook.close()


def _fill(
    workbook: Any,
    project: Project,
    results: list[Result],
    titles: list[str],
    risk: tuple[int | None, int],
    explained: Sequence[Attribution],
    steps: ExportSteps,
) -> None:
    from planner.io.workbook_explain import explanation_titles, write_explanation

    styles = Styles(workbook)
    workbook.set_properties(
        {
            "title": xml_text(project.name),
            "subject": "Scenario plan",
            "comments": xml_text(project.description),
        }
    )
    summary_ws = workbook.add_worksheet(SUMMARY_SHEET)
    sheets = [workbook.add_worksheet(title) for title in titles]
    switch = _add_switch_sheets(workbook, project, results, titles)
    risk_sheets = RiskSheets.add(workbook, project, results, titles, *risk, steps=steps)
    sources_ws = workbook.add_worksheet(SOURCES_SHEET)
    explain_sheets = [workbook.add_worksheet(t) for t in explanation_titles(titles, explained)]
    meta_ws = workbook.add_worksheet(META_SHEET)
    plans: list[SheetPlan] = []
    links: BaseLinks | None = None
    order = sorted(range(len(results)), key=lambda n: results[n].scenario != project.base_name)
    row_texts = RowTexts(
        [column_letter(FIRST_PERIOD_COL + t) for t in range(len(project.periods))],
        column_letter(FIRST_PERIOD_COL - 1),
    )
    plans_by_index: dict[int, SheetPlan] = {}
    # each scenario's name as the workbook holds it: heading, Control list and structure
    names = _writable_names(project.scenario_names)
    headings = [names[result.scenario] for result in results]
    for n in order:
        result = results[n]
        is_base = result.scenario == project.base_name
        writer = ScenarioSheet(
            sheets[n], titles[n], headings[n], project, result, styles, links, row_texts
        )
        plan = writer.write(steps.step(f"Writing the sheet {titles[n]}"))
        _add_sheet_charts(workbook, sheets[n], titles[n], plan, len(result.periods))
        plans_by_index[n] = plan
        if is_base:
            links = BaseLinks(
                titles[n],
                dict(plan.items),
                dict(plan.constants),
                {**plan.round_rows, **plan.contract_rows},
            )
    plans = [plans_by_index[n] for n in range(len(results))]
    if switch is not None:
        on_row = steps.step(f"Writing the sheet {ACTIVE_SHEET}")
        _write_switch(
            workbook, switch, project, styles, results, titles, plans, row_texts, headings, on_row
        )
    steps.step("Writing the Summary, Risk and Sources sheets", 0.5)
    write_summary(workbook, summary_ws, styles, project, results, titles, plans)
    risk_sheets.write(workbook, styles)
    _write_sources(sources_ws, styles, project, results)
    for ws, explanation in zip(explain_sheets, explained, strict=True):
        write_explanation(workbook, ws, styles, explanation)
    _write_metadata(meta_ws, project, results, titles, plans, names, links is not None)
    summary_ws.activate()


def _add_switch_sheets(
    workbook: Any, project: Project, results: list[Result], titles: list[str]
) -> tuple[Any, Any] | None:
    """The Control and Active scenario sheets, where there is a choice to make.

    Not for a workbook streamed to disk: another full sheet of formulas would
    cost as much as a scenario sheet, and a workbook that large is read in parts.
    Nor where one cell choosing between all the scenario sheets would pass
    Excel's limit on a formula's length.
    """
    if not _switch_wanted(project, results, titles):
        return None
    return workbook.add_worksheet(CONTROL_SHEET), workbook.add_worksheet(ACTIVE_SHEET)


def _switch_wanted(project: Project, results: list[Result], titles: list[str]) -> bool:
    from planner.io.workbook_active import switch_fits

    return len(results) >= 2 and not _streamed(project, results) and switch_fits(titles)


def _write_switch(
    workbook: Any,
    switch: tuple[Any, Any],
    project: Project,
    styles: Styles,
    results: list[Result],
    titles: list[str],
    plans: list[SheetPlan],
    row_texts: RowTexts,
    headings: list[str],
    on_row: StepShare | None = None,
) -> None:
    from planner.io.workbook_active import ScenarioSheets, write_active

    chosen = next((n for n, r in enumerate(results) if r.scenario == project.base_name), 0)
    sheets = ScenarioSheets(headings, titles, plans, results, chosen)
    control_ws, active_ws = switch
    plan = write_active(workbook, control_ws, active_ws, project, styles, sheets, row_texts, on_row)
    _add_sheet_charts(workbook, active_ws, ACTIVE_SHEET, plan, len(project.periods))


def _streamed(project: Project, results: list[Result]) -> bool:
    return len(project.periods) * len(project.items) * len(results) > STREAMED_FROM_CELLS


def _writable_names(scenarios: list[str]) -> dict[str, str]:
    """Each scenario's name as the workbook can hold it: never empty, still unique."""
    names: dict[str, str] = {}
    used: set[str] = set()
    for scenario in scenarios:
        base = xml_text(scenario).strip() or "Scenario"
        name, n = base, 2
        while name in used:
            name, n = f"{base} ({n})", n + 1
        used.add(name)
        names[scenario] = name
    return names


def _xml_safe(data: Any) -> Any:
    """``data`` with every string in it, keys included, passed through :func:`xml_text`."""
    if isinstance(data, str):
        return xml_text(data)
    if isinstance(data, dict):
        return {_xml_safe(key): _xml_safe(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_xml_safe(value) for value in data]
    return data


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _add_sheet_charts(workbook: Any, ws: Any, title: str, plan: SheetPlan, n: int) -> None:
    ref = sheet_ref(title)
    last_col = FIRST_PERIOD_COL + n - 1
    categories = f"={ref}{cell_name(2, FIRST_PERIOD_COL, absolute=True)}:" + cell_name(
        2, last_col, absolute=True
    )

    def values(row: int) -> str:
        first = cell_name(row, FIRST_PERIOD_COL, absolute=True)
        return f"={ref}{first}:{cell_name(row, last_col, absolute=True)}"

    anchor = plan.last_row + 1
    specs = (
        ("Revenue and costs, $B", "line", ("revenue", "total_costs", "burn"), COL_LABEL),
        ("Cash at period end and funding, $B", "column", ("cash", "funding"), FIRST_PERIOD_COL),
    )
    for chart_title, kind, series, col in specs:
        present = [s for s in series if s in plan.items]
        if not present:
            continue
        chart = workbook.add_chart({"type": kind})
        for name in present:
            chart.add_series(
                {
                    "name": f"={ref}{cell_name(plan.items[name], COL_LABEL, absolute=True)}",
                    "categories": categories,
                    "values": values(plan.items[name]),
                    "marker": {"type": "circle", "size": 4} if kind == "line" else None,
                }
            )
        chart.set_title({"name": chart_title, "name_font": {"size": 11}})
        chart.set_y_axis({"num_format": "#,##0", "major_gridlines": {"visible": True}})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 620, "height": 300})
        ws.insert_chart(anchor, col, chart, {"x_offset": 5, "y_offset": 5})


def _write_sources(ws: Any, styles: Any, project: Project, results: list[Result]) -> None:
    ws.write_string(0, 0, "Sources and assumptions", styles["title"])
    headers = ("Scenario", "Line item or row", "Id", "Period", "Note")
    for col, width in enumerate(SOURCES_WIDTHS):
        ws.set_column(col, col, width)
    for col, text in enumerate(headers):
        ws.write_string(2, col, text, styles["header"])
    row = 3
    wrap = styles["wrap"]

    def put(scenario: str, what: str, ident: str, period: str, note: str) -> None:
        nonlocal row
        if not note:
            return
        # Spreadsheets do not grow a row to fit wrapped text written by XlsxWriter.
        texts = (scenario, what, ident, period, note)
        ws.set_row(row, wrapped_row_height(texts, SOURCES_WIDTHS))
        write_texts(
            ws,
            row,
            [
                (0, scenario, wrap),
                (1, what, wrap),
                (2, ident, wrap),
                (3, period, wrap),
                (4, note, wrap),
            ],
        )
        row += 1

    everyone = "all scenarios"
    for item in project.items:
        put(everyone, item.label, item.id, "", item.note)
        for period, note in item.input_notes.items():
            put(everyone, item.label, item.id, period, note)
    base_rounds = {r.id: r for r in project.funding_rounds}
    base_contracts = {c.id: c for c in project.compute_contracts}
    for result in results:
        is_base = result.scenario == project.base_name
        for funding_round in result.resolved.funding_rounds:
            if is_base or base_rounds.get(funding_round.id) != funding_round:
                put(
                    result.scenario,
                    funding_round.investor,
                    funding_round.id,
                    "",
                    funding_round.note,
                )
        for contract in result.resolved.compute_contracts:
            if is_base or base_contracts.get(contract.id) != contract:
                put(result.scenario, contract.counterparty, contract.id, "", contract.note)
    ws.freeze_panes(3, 0)
    ws.autofilter(2, 0, max(row - 1, 2), 4)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(2)


def _write_metadata(
    ws: Any,
    project: Project,
    results: list[Result],
    titles: list[str],
    plans: list[SheetPlan],
    names: dict[str, str],
    linked: bool,
) -> None:
    """The structure the importer needs; values and notes are read from the visible cells.
    ``names``: each scenario's name as the workbook holds it."""
    sheets = []
    for result, title, plan in zip(results, titles, plans, strict=True):
        scenario = project.scenario(result.scenario)
        sheets.append(
            {
                "sheet": title,
                "scenario": names[result.scenario],
                "description": scenario.description if scenario else project.base_description,
                "colour": scenario.colour if scenario else None,
                "base": scenario is None,
                "linked": linked and scenario is not None,
                "rows": plan.items,
                "constants": plan.constants,
                "round_rows": plan.round_rows,
                "contract_rows": plan.contract_rows,
                "spare_rows": plan.spare_rows,
                "formulas": dict(scenario.formulas) if scenario else {},
                "row_overrides": sorted(
                    [*scenario.funding_rounds, *scenario.compute_contracts] if scenario else []
                ),
                "uncertainty": [r.model_dump(mode="json") for r in scenario.uncertainty]
                if scenario
                else [],
            }
        )
    described = project.model_dump(
        mode="json",
        include={
            "name",
            "description",
            "base_name",
            "base_description",
            "periods",
            "reference_period",
            "groups",
            "uncertainty",
            "correlations",
        },
    )
    described["base_name"] = names[project.base_name]
    data = {
        "format": META_FORMAT,
        "version": META_VERSION,
        "project": described,
        "items": [
            {
                "id": i.id,
                "label": i.label,
                "unit": i.unit,
                "group": i.group,
                "kind": i.kind,
                "formula": i.formula,
            }
            for i in project.items
        ],
        "columns": {"id": COL_ID, "value": COL_VALUE, "first_period": FIRST_PERIOD_COL},
        "sheets": sheets,
    }
    text = json.dumps(_xml_safe(data), ensure_ascii=False, allow_nan=False)
    ws.write_string(0, 0, "Structure of this workbook, read when it is imported into Burnrate.")
    for n in range(0, len(text), META_CHUNK):
        ws.write_string(1 + n // META_CHUNK, 0, text[n : n + META_CHUNK])
    ws.hide()
