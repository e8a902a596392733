"""Recovery copies left by real sessions that were killed, for the recovery tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from planner.io.project_file import project_json
from planner.model import Project

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, os, signal, sys
from pathlib import Path
from planner.recovery import RecoverySession

folder, spec = Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text())
real_pid = os.getpid()
if spec["pid"] is not None:
    os.getpid = lambda: spec["pid"]
sessions = []
for copy in spec["copies"]:
    session = RecoverySession(folder)
    source = Path(copy["source"]) if copy["source"] else None
    session.write(copy["text"], copy["name"], source)
    os.utime(session.copy_path, (copy["mtime"], copy["mtime"]))
    sessions.append(session)
os.kill(real_pid, signal.SIGKILL)
"""


@dataclass
class Unsaved:
    project: Project
    source: str | None = None
    mtime: float = 1_780_000_000.0


def leave_orphans(folder: Path, work: list[Unsaved], pid: int | None = None) -> None:
    """Run a process with one session per piece of work, each with a copy, and kill it.

    With ``pid``, the sessions believe they run under that process id.
    """
    spec = {
        "pid": pid,
        "copies": [
            {
                "text": project_json(w.project),
                "name": w.project.name,
                "source": w.source,
                "mtime": w.mtime,
            }
            for w in work
        ],
    }
    spec_path = folder.parent / f"spec-{len(list(folder.parent.iterdir()))}.json"
    spec_path.write_text(json.dumps(spec))
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(folder), str(spec_path)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    spec_path.unlink()
