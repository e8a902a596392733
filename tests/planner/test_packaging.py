"""What ``pip install .`` ships: every package, and the resources the app reads at run time."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

from planner.builtin import BUILTIN_PATH, resources_dir

ROOT = Path(__file__).resolve().parents[2]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = CONFIG["tool"]["setuptools"]


def source_packages() -> set[str]:
    found = set()
    for top in ("planner", "ui"):
        for init in (ROOT / top).rglob("__init__.py"):
            found.add(".".join(init.parent.relative_to(ROOT).parts))
    return found


def test_every_source_package_is_installed() -> None:
    missing = source_packages() - set(SETUPTOOLS["packages"])
    assert not missing, f"add {sorted(missing)} to [tool.setuptools] packages in pyproject.toml"


def package_folder(package: str) -> Path:
    """Where setuptools takes ``package`` from: the longest mapped prefix, else its own path."""
    mapping = SETUPTOOLS["package-dir"]
    parts = package.split(".")
    for n in range(len(parts), 0, -1):
        prefix = ".".join(parts[:n])
        if prefix in mapping:
            return ROOT / mapping[prefix] / Path(*parts[n:])
    return ROOT / Path(*parts)


def shipped(package: str) -> list[Path]:
    folder = package_folder(package)
    patterns = SETUPTOOLS["package-data"].get(package, [])
    return [f for f in folder.iterdir() if any(fnmatch.fnmatch(f.name, p) for p in patterns)]


def test_resources_map_to_the_repo_folder() -> None:
    assert SETUPTOOLS["package-dir"]["planner.resources"] == "resources"
    assert "planner.resources" in SETUPTOOLS["packages"]


def test_run_time_resources_are_package_data() -> None:
    names = {f.name for f in shipped("planner.resources")}
    assert {"openai-2025.burnrate", "burnrate.desktop", "burnrate-mime.xml"} <= names
    icons = {f.name for f in shipped("planner.resources.icons")}
    assert {"burnrate.svg", "burnrate-16.png", "burnrate-256.png", "burnrate-512.png"} <= icons


def test_source_tree_finds_the_builtin_project() -> None:
    assert resources_dir() == ROOT / "resources"
    assert BUILTIN_PATH.is_file()


def test_gui_script_names_the_app_entry() -> None:
    assert CONFIG["project"]["gui-scripts"]["burnrate"] == "ui.launcher:main"
    assert "pyinstaller" in " ".join(CONFIG["project"]["optional-dependencies"]["bundle"]).lower()
