"""The built-in project that ships in resources/: the article's lab in four scenarios."""

from __future__ import annotations

from pathlib import Path

from planner.io.project_file import load_project
from planner.model import Project


def resources_dir() -> Path:
    """The shipped resources: planner/resources when installed or bundled, else the repo's."""
    here = Path(__file__).resolve().parent
    installed = here / "resources"
    return installed if installed.is_dir() else here.parent / "resources"


RESOURCES = resources_dir()
BUILTIN_PATH = RESOURCES / "openai-2025.burnrate"


def builtin_project() -> Project:
    """A fresh copy of the built-in project."""
    return load_project(BUILTIN_PATH)
