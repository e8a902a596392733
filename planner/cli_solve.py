"""``python -m planner solve``: goal seek from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from planner.kpis import KPI_LABELS, KpiValue, format_kpi
from planner.model import Project
from planner.scenarios import resolve
from planner.solve import (
    Solution,
    SolveError,
    applied_copy,
    kpis_before_after,
    outcome_lines,
    solve,
)
from planner.solve_spec import TARGET_FORMS, VARY_FORMS, parse_target, parse_vary

NO_SOLUTION_EXIT = 1


def add_solve_parser(commands: Any) -> None:
    """Add ``solve`` to the command line's subcommands (``add_subparsers``' result)."""
    solver = commands.add_parser(
        "solve", help="goal seek: the change to one input that just meets a target"
    )
    solver.add_argument("project", nargs="?", help="a .burnrate file (default: the built-in)")
    solver.add_argument("--scenario", required=True, help="the scenario to solve in")
    solver.add_argument("--vary", required=True, help=VARY_FORMS)
    solver.add_argument("--target", required=True, help=TARGET_FORMS)
    solver.add_argument(
        "--range",
        dest="search_range",
        metavar="LOW:HIGH",
        help="the values searched (default: around the current value); "
        "write --range=-1:2 when LOW is negative",
    )
    solver.add_argument("--json", action="store_true", help="machine-readable output")
    solver.add_argument("-o", "--output", help="write the project with the answer applied")


def parse_range(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    parts = text.split(":")
    try:
        if len(parts) != 2:
            raise ValueError
        low, high = float(parts[0]), float(parts[1])
    except ValueError:
        raise SolveError(f"--range is LOW:HIGH, two numbers such as 0:5, not '{text}'") from None
    return low, high


def solve_command(args: argparse.Namespace) -> int:
    """Run ``solve``; the exit status is 0 when solved, 1 when nothing in the range meets it."""
    from planner.cli import chosen_scenarios, open_project, writable_output

    if args.output is not None:
        writable_output(args.output)
    project = open_project(args.project)
    (scenario,) = chosen_scenarios(project, [args.scenario])
    resolved = resolve(project, scenario)
    variable = parse_vary(args.vary, resolved)
    target = parse_target(args.target, project, resolved)
    solution = solve(
        project, scenario, variable, target, search_range=parse_range(args.search_range)
    )
    before, after = kpis_before_after(project, solution)
    if args.json:
        print(json.dumps(solution_json(solution, before, after), indent=1, allow_nan=False))
    else:
        print(solution_text(solution, before, after), end="")
    if args.output is not None:
        if solution.status != "solved":
            print(f"{args.output} not written: no value meets the target", file=sys.stderr)
        else:
            write_solved(project, solution, args.output)
    return 0 if solution.status == "solved" else NO_SOLUTION_EXIT


def write_solved(project: Project, solution: Solution, output: str) -> None:
    from planner.cli import UsageError
    from planner.io.project_file import save_project

    try:
        save_project(applied_copy(project, solution), output)
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None


def solution_json(
    solution: Solution, before: dict[str, KpiValue], after: dict[str, KpiValue]
) -> dict[str, object]:
    return {
        "vary": solution.variable.spec,
        "target": solution.target.spec,
        "status": solution.status,
        "value": solution.value,
        "before": solution.before,
        "kpis_before": before,
        "kpis_after": after,
    }


def solution_text(
    solution: Solution, before: dict[str, KpiValue], after: dict[str, KpiValue]
) -> str:
    lines = [
        f"Solve in {solution.scenario}",
        f"  vary    {solution.label} ({solution.variable.spec})",
        f"  target  {solution.target.label()}",
        "",
        *outcome_lines(solution),
        f"({solution.evaluations} values tried)",
        "",
        f"  {'':28}{'now':>14}{'with the answer':>18}",
    ]
    for kpi, (label, _) in KPI_LABELS.items():
        lines.append(
            f"  {label:28}{format_kpi(kpi, before[kpi]):>14}{format_kpi(kpi, after[kpi]):>18}"
        )
    return "\n".join(lines) + "\n"
