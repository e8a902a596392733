"""Desktop integration: the entry validates, and installing makes Burnrate open .burnrate files."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from planner.builtin import RESOURCES
from ui import desktop
from ui.desktop import DESKTOP_FILE, MIME_TYPE, XdgDirs

needs_validator = pytest.mark.skipif(
    shutil.which("desktop-file-validate") is None,
    reason="desktop-file-validate missing "
    "(Debian package desktop-file-utils; make test installs it)",
)
needs_xdg_mime = pytest.mark.skipif(
    shutil.which("xdg-mime") is None or shutil.which("update-mime-database") is None,
    reason="xdg-mime or update-mime-database missing "
    "(Debian packages xdg-utils, shared-mime-info; make test installs them)",
)


needs_gio = pytest.mark.skipif(
    shutil.which("gio") is None,
    reason="gio missing (Debian package libglib2.0-bin; make test installs it)",
)


@pytest.fixture
def xdg_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> XdgDirs:
    """A throwaway home, so nothing touches the real user's desktop."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    # xdg-mime takes a desktop-specific path when it recognises one; test the generic one.
    for variable in (
        "XDG_CURRENT_DESKTOP",
        "DESKTOP_SESSION",
        "KDE_FULL_SESSION",
        "GNOME_DESKTOP_SESSION_ID",
    ):
        monkeypatch.delenv(variable, raising=False)
    return XdgDirs.from_environment()


def query_default(dirs: XdgDirs) -> str:
    done = subprocess.run(
        ["xdg-mime", "query", "default", MIME_TYPE],
        env=dirs.tool_environment(),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return done.stdout.strip()


def validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["desktop-file-validate", str(path)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@needs_validator
def test_shipped_desktop_entry_is_valid() -> None:
    done = validate(RESOURCES / DESKTOP_FILE)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout


@needs_validator
def test_installed_entry_with_awkward_path_is_valid(xdg_home: XdgDirs) -> None:
    command = ["/opt/My Apps/burn$rate 100%/burnrate", "--flag"]
    desktop.install(xdg_home, command=command)
    entry = xdg_home.applications / DESKTOP_FILE
    done = validate(entry)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout
    exec_line = next(ln for ln in entry.read_text().splitlines() if ln.startswith("Exec="))
    assert exec_line == r'Exec="/opt/My Apps/burn\\$rate 100%%/burnrate" --flag %f'


@needs_xdg_mime
def test_install_makes_burnrate_the_default_for_project_files(xdg_home: XdgDirs) -> None:
    assert query_default(xdg_home) != DESKTOP_FILE
    report = desktop.install(xdg_home, command=["/usr/bin/burnrate"])
    assert query_default(xdg_home) == DESKTOP_FILE
    assert desktop.is_installed(xdg_home)
    globs = (xdg_home.mime / "globs2").read_text()
    assert f"{MIME_TYPE}:*.burnrate" in globs
    assert not [n for n in report.notes if "failed" in n], report.notes
    for path in desktop.installed_files(xdg_home):
        assert path.is_file() and path.stat().st_size > 0, path


@needs_xdg_mime
@needs_gio
def test_file_managers_see_a_burnrate_project_and_open_it_with_us(
    xdg_home: XdgDirs, tmp_path: Path
) -> None:
    """GIO is what GNOME's file manager asks: the file's type and its default application."""
    project_file = tmp_path / "plan.burnrate"
    project_file.write_bytes((RESOURCES / "openai-2025.burnrate").read_bytes())
    launcher = tmp_path / "burnrate"  # GIO hides entries whose TryExec does not exist
    launcher.write_text("#!/bin/sh\n")
    launcher.chmod(0o755)
    desktop.install(xdg_home, command=[str(launcher)])

    def gio(*args: str) -> str:
        done = subprocess.run(
            ["gio", *args],
            env=xdg_home.tool_environment(),
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        return done.stdout

    assert "standard::content-type: application/x-burnrate" in gio(
        "info", "-a", "standard::content-type", str(project_file)
    )
    assert f"Default application for “{MIME_TYPE}”: {DESKTOP_FILE}" in gio("mime", MIME_TYPE)


@needs_xdg_mime
def test_uninstall_removes_our_files_and_keeps_other_associations(xdg_home: XdgDirs) -> None:
    xdg_home.config_home.mkdir(parents=True)
    xdg_home.mimeapps_list.write_text(
        "[Default Applications]\ntext/plain=gedit.desktop;\n"
        "[Added Associations]\napplication/x-burnrate=other.desktop;burnrate.desktop;\n"
    )
    desktop.install(xdg_home, command=["/usr/bin/burnrate"])
    desktop.uninstall(xdg_home)
    assert query_default(xdg_home) != DESKTOP_FILE
    assert not any(p.exists() for p in desktop.installed_files(xdg_home))
    assert not desktop.is_installed(xdg_home)
    text = xdg_home.mimeapps_list.read_text()
    assert "text/plain=gedit.desktop;" in text
    assert "application/x-burnrate=other.desktop;" in text
    assert "burnrate.desktop" not in text


def test_install_without_xdg_tools_writes_the_association_itself(
    xdg_home: XdgDirs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(desktop.shutil, "which", lambda name: None)
    report = desktop.install(xdg_home, command=["/usr/bin/burnrate"])
    assert "[Default Applications]\napplication/x-burnrate=burnrate.desktop;" in (
        xdg_home.mimeapps_list.read_text()
    )
    assert any("update-mime-database not found" in n for n in report.notes)
    desktop.uninstall(xdg_home)
    assert "burnrate" not in xdg_home.mimeapps_list.read_text()


def test_default_replaces_only_our_mime_type() -> None:
    before = (
        "[Default Applications]\ntext/plain=gedit.desktop;\napplication/x-burnrate=x.desktop;\n"
    )
    after = desktop.set_default_application(before, MIME_TYPE, DESKTOP_FILE)
    assert after.splitlines() == [
        "[Default Applications]",
        "application/x-burnrate=burnrate.desktop;",
        "text/plain=gedit.desktop;",
    ]


def test_relative_xdg_variables_are_ignored(tmp_path: Path) -> None:
    dirs = XdgDirs.from_environment(
        {"HOME": str(tmp_path), "XDG_DATA_HOME": "relative/data", "XDG_CONFIG_HOME": ""}
    )
    assert dirs.data_home == tmp_path / ".local" / "share"
    assert dirs.config_home == tmp_path / ".config"


def test_launch_command_runs_a_script_with_this_python(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = tmp_path / "main.py"
    script.write_text("")
    monkeypatch.setattr(desktop.sys, "argv", [str(script)])
    assert desktop.launch_command() == [desktop.sys.executable, str(script)]


def test_launch_command_of_a_bundle_is_its_executable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(desktop.sys, "frozen", True, raising=False)
    assert desktop.launch_command() == [str(Path(desktop.sys.executable).resolve())]
