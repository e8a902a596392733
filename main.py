"""Burnrate: ``python main.py [PROJECT]`` opens the app; ``--screenshot OUT.png`` renders it."""

from __future__ import annotations

import argparse
import sys


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="burnrate", description=__doc__)
    parser.add_argument(
        "project", nargs="?", help="a .burnrate project (default: the built-in one)"
    )
    parser.add_argument(
        "--screenshot", metavar="OUT.png", help="render the window to a PNG and exit"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    from ui.app import run

    return run(arguments.project, arguments.screenshot)


if __name__ == "__main__":
    raise SystemExit(main())
