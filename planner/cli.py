"""The headless command line: ``python -m planner COMMAND ...``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from planner.builtin import builtin_project
from planner.engine import evaluate
from planner.formula import FormulaError
from planner.io.project_file import ProjectFileError, load_project
from planner.kpis import KPI_LABELS, compute_kpis, format_kpi
from planner.model import Project

SUMMARY_SERIES = (
    "revenue",
    "total_costs",
    "burn",
    "funding",
    "cash",
    "capacity_gw",
    "compute_cost",
    "committed_spend",
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
    imported = commands.add_parser("import", help="rebuild a project from an exported workbook")
    imported.add_argument("workbook", help="an .xlsx workbook exported by Burnrate")
    imported.add_argument("-o", "--output", required=True, help="the .burnrate file to write")
    return parser


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
            print(f"{sid:24}" + "".join(f"{v:9.1f}" for v in values))
        print()
        for kpi, value in scenario["kpis"].items():
            print(f"  {KPI_LABELS[kpi][0]:28} {format_kpi(kpi, value)}")
        print()


def export_command(project_path: str | None, output: str, scenarios: list[str] | None) -> None:
    from planner.io.xlsx_export import export_workbook

    project = open_project(project_path)
    names = chosen_scenarios(project, scenarios)
    export_workbook(project, output, names)
    print(f"wrote {output}: {len(names)} scenario sheet{'s' if len(names) != 1 else ''}")


def import_command(workbook: str, output: str) -> None:
    from planner.io.project_file import save_project
    from planner.io.xlsx_import import import_workbook

    if not Path(workbook).exists():
        raise UsageError(f"no such file: {workbook}")
    project = import_workbook(workbook)
    try:
        save_project(project, output)
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
    count = len(project.scenario_names)
    print(f"wrote {output}: {count} scenario{'s' if count != 1 else ''}")


def main(argv: Sequence[str] | None = None) -> int:
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
            export_command(args.project, args.output, args.scenario)
        elif args.command == "import":
            import_command(args.workbook, args.output)
        return 0
    except (UsageError, ProjectFileError, FormulaError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
