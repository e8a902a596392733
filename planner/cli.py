"""The headless command line: ``python -m planner COMMAND ...``."""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from planner.analysis.risk_report import range_text, ranking_lines, run_with_draws
from planner.builtin import builtin_project
from planner.cli_explain import add_explain_parser, explain_command
from planner.engine import evaluate
from planner.formula import FormulaError
from planner.io.project_file import ProjectFileError, load_project
from planner.io.user_files import refuse_replacing_a_non_file
from planner.kpis import KPI_LABELS, compute_kpis, format_kpi
from planner.model import SUMMARY_SERIES, Project
from planner.numbers import HUGE, money_text
from planner.structure import broken_problem
from planner.uncertainty import (
    MAX_SAMPLES,
    MAX_SEED,
    SAMPLING,
    MonteCarlo,
    as_json,
    month_label,
    ranges_for,
)


class UsageError(Exception):
    """Bad input from the person at the terminal: reported without a traceback."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}\n{self.format_usage().strip()}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m planner", description="Burnrate's planner, headless.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    summary = commands.add_parser("summary", help="series and KPIs of each scenario")
    summary.add_argument("project", nargs="?", help="a .burnrate file (default: the built-in)")
    summary.add_argument("--scenario", action="append", help="only this scenario (repeatable)")
    summary.add_argument("--json", action="store_true", help="machine-readable output")
    export = commands.add_parser("export", help="write an Excel workbook with live formulas")
    export.add_argument("project", nargs="?", help="a .burnrate file (default: the built-in)")
    export.add_argument("-o", "--output", required=True, help="the .xlsx file to write")
    export.add_argument("--scenario", action="append", help="only this scenario (repeatable)")
    export.add_argument(
        "--explain",
        action="append",
        metavar="A:B:KPI",
        help="add a sheet splitting the KPI's difference from scenario A to B (repeatable)",
    )
    imported = commands.add_parser("import", help="rebuild a project from an exported workbook")
    imported.add_argument("workbook", help="an .xlsx workbook exported by Burnrate")
    imported.add_argument("-o", "--output", help="the .burnrate file to write")
    imported.add_argument(
        "--diff",
        nargs="?",
        const="",
        metavar="PROJECT",
        help="list what the workbook changes in PROJECT (default: the built-in); "
        "without -o nothing is written",
    )
    montecarlo = commands.add_parser(
        "montecarlo", help="uncertainty over a scenario's inputs: percentiles and a tornado"
    )
    montecarlo.add_argument("project", nargs="?", help="a .burnrate file (default: the built-in)")
    montecarlo.add_argument("--scenario", required=True, help="the scenario to vary")
    montecarlo.add_argument("--samples", required=True, help=f"1 to {MAX_SAMPLES:,}")
    montecarlo.add_argument("--seed", required=True, help="a whole number; same seed, same output")
    montecarlo.add_argument(
        "--sampling",
        choices=SAMPLING,
        default="lhs",
        help="Latin hypercube (lhs, the default) or plain random draws",
    )
    montecarlo.add_argument("--draws", help="write every sample's factors and KPIs to this CSV")
    montecarlo.add_argument("--json", action="store_true", help="machine-readable output")
    from planner.cli_solve import add_solve_parser

    add_solve_parser(commands)
    from planner import cli_new  # it builds on this module's helpers

    cli_new.add_parsers(commands.add_parser)
    add_explain_parser(commands)
    return parser


def whole_number(text: str, what: str, low: int, high: int) -> int:
    """``text`` as an int in [low, high], or a UsageError that says what was expected."""
    expected = f"{what} must be a whole number from {low:,} to {high:,}"
    try:
        number = int(text.strip())
    except ValueError:
        raise UsageError(f"{expected}, not {text!r}") from None
    if not low <= number <= high:
        raise UsageError(f"{expected}, not {number:,}")
    return number


def open_project(path: str | None) -> Project:
    if path is None:
        return builtin_project()
    if not Path(path).exists():
        raise UsageError(f"no such file: {path}")
    return load_project(path)


def chosen_scenarios(project: Project, names: Sequence[str] | None) -> list[str]:
    if not names:
        return project.scenario_names
    for name in names:
        if name not in project.scenario_names:
            known = ", ".join(repr(n) for n in project.scenario_names)
            raise UsageError(f"no scenario named {name!r}; the project has {known}")
    return list(names)


def summary_data(project: Project, names: Sequence[str]) -> dict[str, object]:
    scenarios = []
    for name in names:
        result = evaluate(project, name)
        problem = broken_problem(result.resolved)
        if problem is not None:
            raise ValueError(problem)
        scenarios.append(
            {
                "name": name,
                "periods": list(result.periods),
                "series": {sid: result.series(sid).tolist() for sid in SUMMARY_SERIES},
                "kpis": compute_kpis(result),
            }
        )
    return {"scenarios": scenarios}


def print_summary(data: dict[str, object]) -> None:
    scenarios = data["scenarios"]
    assert isinstance(scenarios, list)
    for scenario in scenarios:
        print(f"== {scenario['name']}")
        periods = scenario["periods"]
        print(f"{'':24}" + "".join(f"{p:>9}" for p in periods))
        for sid, values in scenario["series"].items():
            print(f"{sid:24}" + "".join(column(v, 9) for v in values))
        print()
        for kpi, value in scenario["kpis"].items():
            print(f"  {KPI_LABELS[kpi][0]:28} {format_kpi(kpi, value)}")
        print()


def writable_output(path: str) -> None:
    try:
        refuse_replacing_a_non_file(path)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc}") from None


def export_command(
    project_path: str | None,
    output: str,
    scenarios: list[str] | None,
    explain: list[str] | None = None,
) -> None:
    from planner.io.workbook_explain import parse_explain_spec
    from planner.io.xlsx_export import export_workbook

    writable_output(output)
    project = open_project(project_path)
    names = chosen_scenarios(project, scenarios)
    requests = [parse_explain_spec(spec, project.scenario_names) for spec in explain or []]
    progress = terminal_progress(sys.stderr) if sys.stderr.isatty() else None
    try:
        export_workbook(project, output, names, explain=requests, progress=progress)
    finally:
        if progress is not None:
            sys.stderr.write("\n")
    print(f"wrote {output}: {len(names)} scenario sheet{'s' if len(names) != 1 else ''}")


def terminal_progress(stream: TextIO) -> Callable[[float, str], None]:
    """Progress on one line of a terminal, rewritten as the share done grows."""
    shown = ""

    def report(share: float, text: str) -> None:
        nonlocal shown
        line = f"{round(share * 100):3d}%  {text}"
        if line != shown:
            shown = line
            stream.write(f"\r\x1b[K{line}")
            stream.flush()

    return report


def import_command(workbook: str, output: str | None, diff_against: str | None = None) -> None:
    from planner.io.project_file import save_project
    from planner.io.xlsx_import import import_workbook

    if output is None and diff_against is None:
        raise UsageError("-o/--output is required, unless --diff only lists the changes")
    if not Path(workbook).exists():
        raise UsageError(f"no such file: {workbook}")
    current = None if diff_against is None else open_project(diff_against or None)
    if output is not None:
        writable_output(output)
    project = import_workbook(workbook)
    if current is not None:
        from planner.import_diff import diff_projects

        print(diff_projects(current, project).text(), end="")
    if output is None:
        return
    try:
        save_project(project, output)
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
    count = len(project.scenario_names)
    print(f"wrote {output}: {count} scenario{'s' if count != 1 else ''}")


def montecarlo_command(args: argparse.Namespace) -> None:
    samples = whole_number(args.samples, "--samples", 1, MAX_SAMPLES)
    seed = whole_number(args.seed, "--seed", 0, MAX_SEED)
    project = open_project(args.project)
    (scenario,) = chosen_scenarios(project, [args.scenario])
    if not ranges_for(project, scenario):
        where = args.project or "the built-in project"
        raise UsageError(
            f"{where} defines no uncertainty: add an 'uncertainty' list (item, distribution, "
            "low, high, note) to the project file"
        )
    if args.draws is not None:
        writable_output(args.draws)
    mc = run_with_draws(project, scenario, samples, seed, args.sampling, args.draws)
    if args.json:
        labels = {item.id: (item.label, item.unit) for item in project.items}
        print(json.dumps(as_json(mc, labels), indent=1, allow_nan=False))
    else:
        print(montecarlo_text(mc, project), end="")


def column(value: float, width: int) -> str:
    """A number in a column of a table: one decimal, or powers of ten past ``HUGE``."""
    return f"{value:{width}.3g}" if abs(value) >= HUGE else f"{value:{width}.1f}"


def money(value: float, signed: bool = False) -> str:
    """$B as people read it: "$1,234B", "-$61.8B"; ``signed`` puts "+" on gains."""
    return money_text(value, signed=signed)


def montecarlo_text(mc: MonteCarlo, project: Project) -> str:
    """The report an analyst reads at a glance: inputs, percentiles, cash risk, tornado."""
    lines = [
        f"Monte Carlo: {mc.scenario}, {mc.samples:,} samples, seed {mc.seed}, "
        f"{mc.periods[0]} to {mc.periods[-1]}",
        "",
        "Inputs varied, each by one factor per sample applied in every period:",
    ]
    for spec in mc.inputs:
        item = project.item(spec.item)
        shape = range_text(spec)
        # Sources stay in --json and the project file: a note per input would double the report.
        lines.append(f"  {spec.item:24} {shape:28} {item.label} ({item.unit})")
    lines += ["", f"  {'':24}{'as planned':>12}{'p5':>10}{'median':>10}{'p95':>10}{'mean':>10}"]
    for kpi, s in mc.kpis.items():
        cells = "".join(f"{money(v):>10}" for v in (s.p5, s.p50, s.p95, s.mean))
        lines.append(f"  {KPI_LABELS[kpi][0]:24}{money(s.fixed):>12}{cells}")
    lines += ["", *_event_lines(mc), "", *_band_lines(mc), "", *_tornado_lines(mc)]
    lines += ["", *ranking_lines(mc)]
    return "\n".join(lines) + "\n"


def _event_lines(mc: MonteCarlo) -> list[str]:
    zero, even, last = mc.cash_zero, mc.breakeven, mc.periods[-1]
    planned_zero = month_label(zero.fixed) if zero.fixed is not None else "never"
    planned_even = str(even.fixed) if even.fixed is not None else f"not by {last}"
    runs_out = f"Cash runs out by {last} in {zero.probability:.1%} of samples"
    if zero.median is not None:
        runs_out += f", in {month_label(zero.median)} at the median of those"
    breaks_even = f"Breaks even by {last} in {even.probability:.1%} of samples"
    if even.median is not None:
        breaks_even += f", in {even.median} at the median of those"
    return [
        f"{runs_out} (as planned: {planned_zero})",
        f"{breaks_even} (as planned: {planned_even})",
    ]


def _band_lines(mc: MonteCarlo) -> list[str]:
    lines = [f"Cash at period end, $B{'':3}" + "".join(f"{p:>8}" for p in mc.periods)]
    for name, row in zip(("p5", "median", "p95"), mc.bands["cash"][[0, 2, 4]], strict=True):
        lines.append(f"  {name:23}" + "".join(column(v, 8) for v in row))
    return lines


def _tornado_lines(mc: MonteCarlo) -> list[str]:
    lines = [
        "Sensitivity: each input alone at its low and at its high factor, the others at 1;",
        "the change from the 'as planned' figure, largest swing in peak funding need first",
        f"  {'':24}{'factor':>14}{'peak funding need':>22}{'cumulative burn':>22}",
    ]
    for row in mc.tornado:
        factor = f"{row.low:.2f} / {row.high:.2f}"
        peak = f"{money(row.peak_at_low, True)} / {money(row.peak_at_high, True)}"
        burn = f"{money(row.burn_at_low, True)} / {money(row.burn_at_high, True)}"
        lines.append(f"  {row.item:24}{factor:>14}{peak:>22}{burn:>22}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    replace_what_the_terminal_cannot_show()
    try:
        args = build_parser().parse_args(argv)
        if args.command == "summary":
            project = open_project(args.project)
            data = summary_data(project, chosen_scenarios(project, args.scenario))
            if args.json:
                print(json.dumps(data, indent=1, allow_nan=False))
            else:
                print_summary(data)
        elif args.command == "export":
            export_command(args.project, args.output, args.scenario, args.explain)
        elif args.command == "import":
            import_command(args.workbook, args.output, args.diff)
        elif args.command == "montecarlo":
            montecarlo_command(args)
        elif args.command == "solve":
            from planner.cli_solve import solve_command

            status = solve_command(args)
            sys.stdout.flush()
            return status
        elif args.command == "templates":
            from planner.cli_new import templates_command

            templates_command()
        elif args.command == "new":
            from planner.cli_new import new_command

            new_command(args)
        elif args.command == "explain":
            explain_command(open_project(args.project), args)
        # A reader that went away is found here, not at interpreter exit.
        sys.stdout.flush()
        return 0
    except BrokenPipeError:
        stop_writing_to_stdout()
        return 0
    except (UsageError, ProjectFileError, FormulaError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def replace_what_the_terminal_cannot_show() -> None:
    """A name the output's encoding cannot spell prints with "?" rather than stopping halfway."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            stream.reconfigure(errors="replace")


def stop_writing_to_stdout() -> None:
    """After the reader closed the pipe, send what is still buffered nowhere.

    Otherwise the interpreter's final flush fails again and prints "Exception ignored".
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
