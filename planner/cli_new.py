"""``python -m planner templates`` and ``python -m planner new``: projects from templates."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from planner.cli import UsageError, writable_output
from planner.model import FIRST_YEAR, LAST_YEAR
from planner.templates import TEMPLATES, TemplateError, build_template

NEW_USAGE = (
    "python -m planner new --template {"
    + "|".join(TEMPLATES)
    + "} --start YEAR --end YEAR [--quarterly] -o OUT.burnrate"
)


def add_parsers(add_parser: Callable[..., argparse.ArgumentParser]) -> None:
    """The two subcommands (``add_parser`` is the subparsers' own); their arguments are
    checked here, each problem with a one-line message."""
    add_parser("templates", help="list the templates for a new project")
    new = add_parser("new", help="write a new project from a template")
    new.add_argument("--template", help="one of: " + ", ".join(TEMPLATES))
    new.add_argument("--start", help="the first year")
    new.add_argument("--end", help="the last year")
    new.add_argument("--quarterly", action="store_true", help="quarters instead of years")
    new.add_argument("-o", "--output", help="the .burnrate file to write")


def templates_command() -> None:
    width = max(len(template_id) for template_id in TEMPLATES)
    for template in TEMPLATES.values():
        print(f"{template.id:{width}}  {template.title}: {template.description}")


def new_command(args: argparse.Namespace) -> None:
    from planner.io.project_file import save_project

    missing = [
        flag
        for flag, value in (
            ("--template", args.template),
            ("--start", args.start),
            ("--end", args.end),
            ("-o", args.output),
        )
        if value is None
    ]
    if missing:
        raise UsageError(f"new needs {', '.join(missing)}: {NEW_USAGE}")
    if args.template not in TEMPLATES:
        known = ", ".join(TEMPLATES)
        raise UsageError(f"--template must be one of {known}, not {args.template!r}")
    start = _year(args.start, "--start")
    end = _year(args.end, "--end")
    writable_output(args.output)
    try:
        project = build_template(args.template, start, end, args.quarterly)
    except TemplateError as exc:
        raise UsageError(str(exc)) from None
    try:
        save_project(project, args.output)
    except OSError as exc:
        raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    count = len(project.periods)
    kind = "quarters" if args.quarterly else "years"
    print(
        f"wrote {args.output}: {TEMPLATES[args.template].title}, "
        f"{project.periods[0]} to {project.periods[-1]} ({count} {kind})"
    )


def _year(text: str, flag: str) -> int:
    expected = f"{flag} must be a year from {FIRST_YEAR} to {LAST_YEAR}"
    try:
        year = int(text.strip())
    except ValueError:
        raise UsageError(f"{expected}, not {text!r}") from None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise UsageError(f"{expected}, not {year}")
    return year
