"""The built-in project that ships in resources/: the article's lab in four scenarios."""

from __future__ import annotations

from pathlib import Path

from planner.io.project_file import load_project
from planner.model import Project

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
BUILTIN_PATH = RESOURCES / "openai-2025.burnrate"


def builtin_project() -> Project:
    """A fresh copy of the built-in project."""
    return load_project(BUILTIN_PATH)
