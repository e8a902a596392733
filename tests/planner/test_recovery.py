"""Recovery copies: owned by a lock, not a process id; orphans found whatever their names."""

from __future__ import annotations

import os
from pathlib import Path

from planner.io.project_file import load_project, project_json
from planner.model import Project
from planner.recovery import RecoverySession, orphans

from .crashed_sessions import Unsaved, leave_orphans


def named(builtin: Project, name: str) -> Project:
    project = builtin.model_copy(deep=True)
    project.name = name
    return project


def write(session: RecoverySession, project: Project, source: Path | None = None) -> None:
    session.write(project_json(project), project.name, source)


def test_a_killed_session_leaves_a_copy_that_is_offered_with_its_name_time_and_source(
    tmp_path: Path, builtin: Project
) -> None:
    folder = tmp_path / "recovery"
    leave_orphans(
        folder,
        [
            Unsaved(named(builtin, "Older"), None, 1_700_000_000),
            Unsaved(named(builtin, "Newer"), "/home/ana/plan.burnrate", 1_780_000_000),
        ],
    )
    found = orphans(folder)
    assert [c.project_name for c in found] == ["Newer", "Older"]
    assert found[0].source == "/home/ana/plan.burnrate" and found[1].source is None
    assert found[0].saved_at is not None and found[0].saved_at.timestamp() == 1_780_000_000
    assert "never saved" in found[1].describe()
    assert found[0].load().name == "Newer"


def test_a_running_session_is_never_taken_for_a_crashed_one(
    tmp_path: Path, builtin: Project
) -> None:
    folder = tmp_path / "recovery"
    running = RecoverySession(folder)
    write(running, named(builtin, "Running"))
    also_running = RecoverySession(folder)  # a second window of the same process
    write(also_running, named(builtin, "Second window"))
    assert orphans(folder) == []
    running.close()
    also_running.close()
    assert sorted(os.listdir(folder)) == []


def test_a_crashed_copy_is_offered_even_when_its_process_id_is_alive_again(
    tmp_path: Path, builtin: Project
) -> None:
    folder = tmp_path / "recovery"
    # The crashed session ran under what is now a live process's id: this one's.
    leave_orphans(folder, [Unsaved(named(builtin, "Crashed"))], pid=os.getpid())
    assert [c.project_name for c in orphans(folder)] == ["Crashed"]
    # A new session under that same id writes a copy of its own beside it.
    mine = RecoverySession(folder)
    write(mine, named(builtin, "Mine"))
    assert [c.project_name for c in orphans(folder)] == ["Crashed"]
    (crashed,) = orphans(folder)
    assert load_project(crashed.path).name == "Crashed"
    assert load_project(mine.copy_path).name == "Mine"
    mine.close()


def test_hostile_names_in_the_folder_raise_nothing(tmp_path: Path, builtin: Project) -> None:
    folder = tmp_path / "recovery"
    folder.mkdir()
    text = project_json(builtin)
    (folder / "recovery-99999999999999999999.burnrate").write_text(text)
    (folder / "recovery-not a number ü.burnrate").write_text(text)
    (folder / "recovery--1.burnrate").write_text("{broken")
    (folder / "recovery-.burnrate").write_text(text)
    (folder / "recovery-folder.burnrate").mkdir()
    (folder / "recovery-link.burnrate").symlink_to(folder / "recovery--1.burnrate")
    (folder / "recovery-deep.burnrate").write_text(text)
    (folder / "recovery-deep.json").write_text("[" * 100_000)
    (folder / "recovery-odd.burnrate").write_text(text)
    (folder / "recovery-odd.json").write_text('{"project_name": 7, "source": ["x"]}')
    os.utime(folder / "recovery-odd.burnrate", (0, 1e18))  # the file system clamps it
    found = {c.path.name: c for c in orphans(folder)}
    assert sorted(found) == [
        "recovery--1.burnrate",
        "recovery-99999999999999999999.burnrate",
        "recovery-deep.burnrate",
        "recovery-not a number ü.burnrate",
        "recovery-odd.burnrate",
    ]
    odd = found["recovery-odd.burnrate"]
    assert (odd.project_name, odd.source) == ("Untitled", None)
    assert "never saved" in odd.describe()
    for copy in found.values():
        copy.remove()
    assert sorted(os.listdir(folder)) == [
        "recovery-.burnrate",
        "recovery-folder.burnrate",
        "recovery-link.burnrate",
    ]


def test_leftovers_of_a_session_that_never_wrote_a_copy_are_cleared(tmp_path: Path) -> None:
    folder = tmp_path / "recovery"
    folder.mkdir()
    (folder / "recovery-1-2-dead.lock").write_bytes(b"")
    (folder / "recovery-1-2-dead.json").write_text("{}")
    alive = RecoverySession(folder)
    alive.folder.mkdir(exist_ok=True)
    alive.write("{}", "x", None)
    alive.discard()  # saved: no copy, but the session goes on and keeps its lock
    assert orphans(folder) == []
    assert sorted(os.listdir(folder)) == [alive.lock_path.name]
    alive.close()
    assert os.listdir(folder) == []


def test_copies_are_rewritten_in_place_without_backups(tmp_path: Path, builtin: Project) -> None:
    folder = tmp_path / "recovery"
    session = RecoverySession(folder)
    write(session, named(builtin, "One"))
    write(session, named(builtin, "Two"), Path("/home/analyst/plan.burnrate"))
    assert sorted(os.listdir(folder)) == sorted(
        p.name for p in (session.copy_path, session.meta_path, session.lock_path)
    )
    assert load_project(session.copy_path).name == "Two"
    session.close()


def test_removing_an_orphan_removes_its_description_lock_and_temporaries(
    tmp_path: Path, builtin: Project
) -> None:
    folder = tmp_path / "recovery"
    leave_orphans(folder, [Unsaved(named(builtin, "Gone"))])
    (copy,) = orphans(folder)
    (folder / f".{copy.path.name}.0123456789ab.tmp").write_text("{half")
    assert len(os.listdir(folder)) == 4
    copy.remove()
    assert os.listdir(folder) == []
