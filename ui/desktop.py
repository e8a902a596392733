"""Desktop integration for the current user: launcher entry, icon and the .burnrate file type.

Everything goes under the user's XDG data and config folders, so it never needs
root. ``install`` copies the files and refreshes the desktop's caches with the
freedesktop tools when they exist; ``uninstall`` takes out exactly what it put in.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from planner.builtin import RESOURCES

APP_ID = "burnrate"
DESKTOP_FILE = f"{APP_ID}.desktop"
MIME_TYPE = "application/x-burnrate"
MIME_ICON = MIME_TYPE.replace("/", "-")
MIME_PACKAGE_FILE = f"{APP_ID}.xml"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
TOOL_TIMEOUT_S = 30
# Association sections of mimeapps.list that may name our entry.
ASSOCIATION_SECTIONS = ("Default Applications", "Added Associations")


@dataclass(frozen=True)
class XdgDirs:
    """The user's XDG data and config folders (``~/.local/share`` and ``~/.config`` by default)."""

    data_home: Path
    config_home: Path

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> XdgDirs:
        env = os.environ if env is None else env
        home = Path(env.get("HOME") or Path.home())

        def folder(variable: str, default: Path) -> Path:
            # The spec says to ignore relative paths in these variables.
            value = env.get(variable, "")
            return Path(value) if value and Path(value).is_absolute() else default

        return cls(
            data_home=folder("XDG_DATA_HOME", home / ".local" / "share"),
            config_home=folder("XDG_CONFIG_HOME", home / ".config"),
        )

    @property
    def applications(self) -> Path:
        return self.data_home / "applications"

    @property
    def mime(self) -> Path:
        return self.data_home / "mime"

    @property
    def hicolor(self) -> Path:
        return self.data_home / "icons" / "hicolor"

    @property
    def mimeapps_list(self) -> Path:
        return self.config_home / "mimeapps.list"

    def tool_environment(self) -> dict[str, str]:
        """The environment for the freedesktop tools, so that they use these folders too."""
        env = dict(os.environ)
        env["XDG_DATA_HOME"] = str(self.data_home)
        env["XDG_CONFIG_HOME"] = str(self.config_home)
        return env


@dataclass
class Report:
    """What an install or uninstall did, as lines a person can read."""

    changed: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [f"  {path}" for path in self.changed] + self.notes


def installed_files(dirs: XdgDirs) -> list[Path]:
    """Every file ``install`` writes, in the order it writes them."""
    files = [dirs.applications / DESKTOP_FILE, dirs.mime / "packages" / MIME_PACKAGE_FILE]
    for kind, name in (("apps", APP_ID), ("mimetypes", MIME_ICON)):
        files += [dirs.hicolor / f"{s}x{s}" / kind / f"{name}.png" for s in ICON_SIZES]
        files.append(dirs.hicolor / "scalable" / kind / f"{name}.svg")
    return files


def launch_command() -> list[str]:
    """The command that starts this copy of Burnrate, for the desktop entry's Exec line."""
    if getattr(sys, "frozen", False):
        return [str(Path(sys.executable).resolve())]
    started_as = Path(sys.argv[0]).resolve() if sys.argv and sys.argv[0] else None
    if started_as is not None and started_as.is_file():
        if started_as.suffix == ".py":
            return [sys.executable, str(started_as)]
        if started_as.name.startswith(APP_ID):
            return [str(started_as)]
    script = Path(sys.executable).parent / APP_ID
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "ui.app"]


_PLAIN_ARGUMENT = re.compile(r"^[A-Za-z0-9_@%+=:,./-]+$")


def exec_quote(argument: str) -> str:
    """One Exec-line argument, quoted and escaped as the Desktop Entry spec asks."""
    argument = argument.replace("%", "%%")
    if not _PLAIN_ARGUMENT.match(argument):
        escaped = re.sub(r'([\\"`$])', r"\\\1", argument)
        argument = f'"{escaped}"'
    # The whole value is a desktop-file string too, where a backslash is escaped once more.
    return argument.replace("\\", "\\\\")


def desktop_entry(template: str, command: Sequence[str]) -> str:
    """The shipped entry with Exec and TryExec pointing at ``command``."""
    exec_line = " ".join(exec_quote(a) for a in command) + " %f"
    lines = []
    for line in template.splitlines():
        if line.startswith("Exec="):
            line = f"Exec={exec_line}"
        elif line.startswith("TryExec="):
            line = f"TryExec={command[0].replace(chr(92), chr(92) * 2)}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write beside the target and rename, so a crash never leaves half a file.
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _run_tool(args: Sequence[str], dirs: XdgDirs, report: Report) -> bool:
    """Run a freedesktop tool when it exists; a missing or failing tool is noted, not fatal."""
    if shutil.which(args[0]) is None:
        report.notes.append(f"{args[0]} not found: skipped")
        return False
    try:
        done = subprocess.run(
            list(args),
            env=dirs.tool_environment(),
            capture_output=True,
            text=True,
            timeout=TOOL_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        report.notes.append(f"{args[0]} failed: {exc}")
        return False
    if done.returncode != 0:
        report.notes.append(f"{args[0]} failed: {(done.stderr or done.stdout).strip()}")
        return False
    return True


def _refresh_caches(dirs: XdgDirs, report: Report) -> None:
    if dirs.mime.is_dir():
        _run_tool(["update-mime-database", str(dirs.mime)], dirs, report)
    if dirs.applications.is_dir():
        _run_tool(["update-desktop-database", str(dirs.applications)], dirs, report)
    if dirs.hicolor.is_dir():
        # Icon themes notice new icons by the theme folder's modification time.
        os.utime(dirs.hicolor)


def set_default_application(mimeapps: str, mime_type: str, entry: str) -> str:
    """``mimeapps.list`` text with ``entry`` as the default for ``mime_type``; the rest kept."""
    lines = mimeapps.splitlines()
    section_start = next(
        (i for i, line in enumerate(lines) if line.strip() == "[Default Applications]"), None
    )
    if section_start is None:
        if lines and lines[-1].strip():
            lines.append("")
        lines += ["[Default Applications]", f"{mime_type}={entry};"]
        return "\n".join(lines) + "\n"
    end = next(
        (i for i in range(section_start + 1, len(lines)) if lines[i].startswith("[")), len(lines)
    )
    body = [line for line in lines[section_start + 1 : end] if line.split("=", 1)[0] != mime_type]
    body.insert(0, f"{mime_type}={entry};")
    return "\n".join([*lines[: section_start + 1], *body, *lines[end:]]) + "\n"


def remove_association(mimeapps: str, mime_type: str, entry: str) -> str:
    """``mimeapps.list`` text without ``entry`` for ``mime_type``; other entries kept."""
    section = ""
    kept = []
    for line in mimeapps.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            section = stripped.strip("[]")
        elif section in ASSOCIATION_SECTIONS and stripped.split("=", 1)[0] == mime_type:
            others = [e for e in stripped.split("=", 1)[1].split(";") if e and e != entry]
            if not others:
                continue
            line = f"{mime_type}={';'.join(others)};"
        kept.append(line)
    return "\n".join(kept) + "\n" if kept else ""


def _make_default(dirs: XdgDirs, report: Report) -> None:
    if shutil.which("xdg-mime") is not None and _run_tool(
        ["xdg-mime", "default", DESKTOP_FILE, MIME_TYPE], dirs, report
    ):
        return
    # Without xdg-mime, write the association the way it would.
    current = dirs.mimeapps_list.read_text("utf-8") if dirs.mimeapps_list.is_file() else ""
    updated = set_default_application(current, MIME_TYPE, DESKTOP_FILE)
    _write(dirs.mimeapps_list, updated.encode("utf-8"))
    report.notes.append(f"set {DESKTOP_FILE} as the default for {MIME_TYPE}")


def install(
    dirs: XdgDirs | None = None,
    command: Sequence[str] | None = None,
    resources: Path = RESOURCES,
) -> Report:
    """Install the launcher entry, icons and file type for the current user."""
    dirs = dirs or XdgDirs.from_environment()
    command = list(command or launch_command())
    report = Report()
    template = (resources / DESKTOP_FILE).read_text("utf-8")
    icons = resources / "icons"
    sources = [
        desktop_entry(template, command).encode("utf-8"),
        (resources / "burnrate-mime.xml").read_bytes(),
    ]
    for _kind in ("apps", "mimetypes"):
        sources += [(icons / f"{APP_ID}-{s}.png").read_bytes() for s in ICON_SIZES]
        sources.append((icons / f"{APP_ID}.svg").read_bytes())
    for path, data in zip(installed_files(dirs), sources, strict=True):
        _write(path, data)
        report.changed.append(path)
    _refresh_caches(dirs, report)
    _make_default(dirs, report)
    return report


def uninstall(dirs: XdgDirs | None = None) -> Report:
    """Remove what ``install`` put in; files of other applications are left alone."""
    dirs = dirs or XdgDirs.from_environment()
    report = Report()
    for path in installed_files(dirs):
        if path.is_file() or path.is_symlink():
            path.unlink()
            report.changed.append(path)
    if dirs.mimeapps_list.is_file():
        current = dirs.mimeapps_list.read_text("utf-8")
        updated = remove_association(current, MIME_TYPE, DESKTOP_FILE)
        if updated != current:
            _write(dirs.mimeapps_list, updated.encode("utf-8"))
            report.notes.append(f"removed {DESKTOP_FILE} from {dirs.mimeapps_list}")
    _refresh_caches(dirs, report)
    return report


def is_installed(dirs: XdgDirs | None = None) -> bool:
    dirs = dirs or XdgDirs.from_environment()
    return (dirs.applications / DESKTOP_FILE).is_file()
