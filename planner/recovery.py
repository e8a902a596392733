"""Recovery copies of unsaved work, and finding the ones a crashed session left behind.

Each running window writes ``recovery-<pid>.burnrate`` plus a small
``recovery-<pid>.json`` that says where the work came from. A clean exit
deletes both; copies whose process is gone are offered at the next start.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from planner.io.project_file import ProjectFileError, load_project, save_project
from planner.model import Project

PREFIX = "recovery-"


@dataclass(frozen=True)
class RecoveryCopy:
    """A recovery copy on disk: its project file, the file it was edited from, and when."""

    path: Path
    source: str | None
    saved_at: str
    project_name: str

    def describe(self) -> str:
        origin = self.source or "a project that was never saved"
        return f"{self.project_name} ({origin}), saved {self.saved_at}"

    def load(self) -> Project:
        return load_project(self.path)


def copy_paths(folder: Path, pid: int) -> tuple[Path, Path]:
    return folder / f"{PREFIX}{pid}.burnrate", folder / f"{PREFIX}{pid}.json"


def write_copy(folder: Path, project: Project, source: Path | None, pid: int | None = None) -> Path:
    """Write (atomically) this process's recovery copy of ``project``."""
    folder.mkdir(parents=True, exist_ok=True)
    project_path, meta_path = copy_paths(folder, os.getpid() if pid is None else pid)
    save_project(project, project_path)
    project_path.with_name(project_path.name + ".bak").unlink(missing_ok=True)
    meta = {
        "source": None if source is None else str(source),
        "saved_at": datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M"),
        "project_name": project.name,
    }
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    return project_path


def discard(folder: Path, pid: int | None = None) -> None:
    """Delete the recovery copy of process ``pid`` (this one by default)."""
    for path in copy_paths(folder, os.getpid() if pid is None else pid):
        path.unlink(missing_ok=True)
        path.with_name(path.name + ".bak").unlink(missing_ok=True)


def process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def orphans(folder: Path, alive: Callable[[int], bool] = process_alive) -> list[RecoveryCopy]:
    """Recovery copies whose process has ended, newest first; unreadable ones are skipped."""
    found = []
    if not folder.is_dir():
        return []
    for path in folder.glob(f"{PREFIX}*.burnrate"):
        pid_text = path.stem.removeprefix(PREFIX)
        if not pid_text.isdigit() or alive(int(pid_text)):
            continue
        meta_path = path.with_suffix(".json")
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if not isinstance(meta, dict):
                meta = {}
        except (OSError, ValueError):
            meta = {}
        found.append(
            RecoveryCopy(
                path=path,
                source=str(meta["source"]) if meta.get("source") else None,
                saved_at=str(meta.get("saved_at", "")),
                project_name=str(meta.get("project_name", "Untitled")),
            )
        )
    found.sort(key=lambda c: c.path.stat().st_mtime, reverse=True)
    return found


def remove(copy: RecoveryCopy) -> None:
    for path in (copy.path, copy.path.with_suffix(".json")):
        path.unlink(missing_ok=True)


__all__ = ["ProjectFileError", "RecoveryCopy", "discard", "orphans", "remove", "write_copy"]
