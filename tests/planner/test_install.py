"""Installing on Debian 12 and 13: the Python versions accepted, and the system packages.

resources/ensure-packages.sh runs with dpkg and apt played by stand-ins.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "resources" / "ensure-packages.sh"
GLIB = "libglib2.0-0t64|libglib2.0-0"

needs_sh = pytest.mark.skipif(shutil.which("sh") is None, reason="no POSIX shell")


def pyproject() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)


@pytest.mark.parametrize("version", ["3.11.2", "3.12.0", "3.13.5"])
def test_debian_12_and_13_pythons_are_accepted(version: str) -> None:
    assert version in SpecifierSet(pyproject()["project"]["requires-python"])


def test_checks_keep_to_the_oldest_python() -> None:
    # Code must still run on 3.11: newer syntax would pass on 3.13 and break Debian 12.
    tools = pyproject()["tool"]
    assert tools["mypy"]["python_version"] == "3.11"
    assert tools["ruff"]["target-version"] == "py311"


def stand_ins(folder: Path) -> Path:
    """dpkg-query, apt-cache, apt-get and id that read INSTALLED, KNOWN and USER_ID."""
    folder.mkdir()
    scripts = {
        # dpkg-query -W -f='${Status}' NAME
        "dpkg-query": 'case " $INSTALLED " in *" $3 "*) echo "install ok installed";; '
        "*) exit 1;; esac",
        # apt-cache show NAME
        "apt-cache": 'case " $KNOWN " in *" $2 "*) echo "Package: $2";; *) exit 0;; esac',
        "apt-get": 'echo "apt-get $*" >> "$APT_LOG"',
        "id": 'echo "$USER_ID"',
    }
    for name, body in scripts.items():
        path = folder / name
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(0o755)
    return folder


def ensure(
    tmp_path: Path, *packages: str, installed: str = "", known: str = "", root: bool = False
) -> tuple[subprocess.CompletedProcess[str], str]:
    bin_dir = stand_ins(tmp_path / "bin")
    log = tmp_path / "apt.log"
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "INSTALLED": installed,
        "KNOWN": known,
        "USER_ID": "0" if root else "1000",
        "APT_LOG": str(log),
    }
    done = subprocess.run(
        ["sh", str(SCRIPT), *packages], env=env, capture_output=True, text=True, check=False
    )
    return done, log.read_text() if log.exists() else ""


@needs_sh
def test_either_name_installed_is_enough(tmp_path: Path) -> None:
    done, apt = ensure(tmp_path, GLIB, "libgl1", installed="libglib2.0-0t64 libgl1")
    assert done.returncode == 0 and done.stdout == done.stderr == apt == ""


@needs_sh
@pytest.mark.parametrize(
    ("release", "known", "name"),
    [
        ("Debian 12", "libglib2.0-0 libgl1", "libglib2.0-0"),
        ("Debian 13", "libglib2.0-0t64 libgl1", "libglib2.0-0t64"),
    ],
)
def test_the_name_the_release_knows_is_asked_for(
    tmp_path: Path, release: str, known: str, name: str
) -> None:
    done, _ = ensure(tmp_path, GLIB, "libgl1", known=known)
    assert done.returncode == 1
    command = re.search(r"sudo apt-get install --no-install-recommends (.*)", done.stderr)
    assert command is not None, done.stderr
    assert command.group(1).split() == [name, "libgl1"], release


@needs_sh
def test_as_root_the_name_the_release_knows_is_installed(tmp_path: Path) -> None:
    done, apt = ensure(tmp_path, GLIB, known="libglib2.0-0t64", root=True)
    assert done.returncode == 0, done.stderr
    assert apt.splitlines() == [
        "apt-get update -qq",
        "apt-get install -y -qq --no-install-recommends libglib2.0-0t64",
    ]


def test_the_makefile_accepts_either_name_of_glib() -> None:
    makefile = (ROOT / "Makefile").read_text()
    qt_packages = re.search(r"^QT_PACKAGES := (.*)$", makefile, re.MULTILINE)
    assert qt_packages is not None
    assert f"'{GLIB}'" in qt_packages.group(1).split()
