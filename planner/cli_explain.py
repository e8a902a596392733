"""``python -m planner explain``: why a KPI differs between two scenarios."""

from __future__ import annotations

import argparse
import json
from typing import Any

from planner.attribution import Attribution, explain, format_amount, format_error
from planner.kpis import KPI_LABELS
from planner.model import Project


def add_explain_parser(commands: Any) -> None:
    """The ``explain`` subcommand on ``commands`` (an argparse subparsers action)."""
    parser = commands.add_parser(
        "explain", help="split a KPI's difference between two scenarios among their changes"
    )
    parser.add_argument("project", nargs="?", help="a .burnrate file (default: the built-in)")
    parser.add_argument("--from", dest="from_name", required=True, help="scenario A")
    parser.add_argument("--to", dest="to_name", required=True, help="scenario B")
    parser.add_argument("--kpi", required=True, help=", ".join(KPI_LABELS))
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def explain_command(project: Project, args: argparse.Namespace) -> None:
    result = explain(project, args.from_name, args.to_name, args.kpi)
    if args.json:
        print(json.dumps(result.as_json(), indent=1, allow_nan=False))
    else:
        print(explanation_text(result), end="")


def explanation_text(result: Attribution) -> str:
    """The table an analyst reads: the two values, then each change's part, largest first."""
    label = KPI_LABELS[result.kpi][0]
    unit = result.unit
    lines = [
        f"{label}: {result.from_name} {result.level_text(result.value_from)}"
        f" -> {result.to_name} {result.level_text(result.value_to)}"
        f" ({format_amount(unit, result.difference, signed=True)})",
    ]
    if result.note:
        lines.append(result.note)
    if not result.parts:
        lines.append("The two scenarios do not differ: there is nothing to split.")
        return "\n".join(lines) + "\n"
    lines += [f"{result.method_text}.", ""]
    width = max(28, *(len(p.label) for p in result.parts))
    error_column = result.method == "sampled"
    header = f"  {'Change':<{width}}{'Part':>14}{'Share':>9}"
    lines.append(header + (f"{'Std error':>14}" if error_column else ""))
    total = result.difference
    for part in result.parts:
        share = f"{part.value / total:.0%}" if total and part.value else "0%" if total else ""
        row = f"  {part.label:<{width}}{format_amount(unit, part.value, signed=True):>14}"
        row += f"{share:>9}"
        if error_column:
            row += f"{format_error(unit, part.error):>14}"
        lines.append(row)
    lines.append(f"  {'Total':<{width}}{format_amount(unit, total, signed=True):>14}")
    lines += ["", "A part can be negative: that change, among the others, works the other way."]
    return "\n".join(lines) + "\n"
