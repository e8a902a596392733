"""Saving: a kill at any moment, modes, read-only files, symlinks and leftover temporaries."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import stat
import time
from pathlib import Path
from typing import Any

import pytest

from planner import cli
from planner.io.atomic_file import temporaries
from planner.io.project_file import load_project, project_json, save_project
from planner.model import Project

KILLS = 50


def two_versions(builtin: Project) -> tuple[Project, Project]:
    """Two versions of different lengths, so that a torn file cannot pass for either."""
    first = builtin.model_copy(deep=True)
    first.name = "First version"
    second = builtin.model_copy(deep=True)
    second.name = "Second version"
    second.description = "A longer description. " * 100
    return first, second


def save_forever(versions: tuple[Project, Project], target: Path, saving: Any) -> None:
    """The child's whole life: save the two versions in turn until killed."""
    saving.set()
    n = 0
    while True:
        save_project(versions[n % 2], target)
        n += 1


def test_a_save_killed_at_any_moment_leaves_whole_files_and_no_litter(
    tmp_path: Path, builtin: Project
) -> None:
    versions = two_versions(builtin)
    texts = {project_json(v) for v in versions}
    target = tmp_path / "plan.burnrate"
    backup = tmp_path / "plan.burnrate.bak"
    save_project(versions[0], target)
    started = time.perf_counter()
    save_project(versions[1], target)
    one_save = time.perf_counter() - started
    rng = random.Random(20261130)
    # Children are forked from a fresh single-threaded server that has this module loaded:
    # forking the test process itself is unsafe where it runs threads (a pytest worker does).
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    for kill in range(KILLS):
        saving = context.Event()
        child = context.Process(target=save_forever, args=(versions, target, saving))
        child.start()
        assert saving.wait(30), "the saving process did not start"
        # Kill anywhere within the first few saves of the child.
        time.sleep(rng.uniform(0, 4 * one_save))
        assert child.pid is not None
        os.kill(child.pid, signal.SIGKILL)
        child.join()
        assert target.read_text(encoding="utf-8") in texts, f"target torn by kill {kill}"
        assert backup.read_text(encoding="utf-8") in texts, f"backup torn by kill {kill}"
        left = sorted(p.name for p in tmp_path.iterdir() if p not in (target, backup))
        assert len(left) <= 1, f"kill {kill} left {left}"
        assert left == [p.name for p in temporaries(target)]
    save_project(versions[0], target)
    assert temporaries(target) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.burnrate", "plan.burnrate.bak"]
    assert load_project(target).name == "First version"


def test_the_next_save_removes_temporaries_a_killed_save_left(
    tmp_path: Path, builtin: Project
) -> None:
    target = tmp_path / "plan.burnrate"
    stale = [
        tmp_path / ".plan.burnrate.0123456789ab.tmp",
        tmp_path / ".plan.burnrate.ffffffffffff.tmp",
    ]
    unrelated = [
        tmp_path / ".plan.burnrate.notes.0123456789ab.tmp",  # another file's temporary
        tmp_path / ".plan.burnrate.mine.tmp",
        tmp_path / "plan.burnrate.0123456789ab.tmp",
    ]
    for path in stale + unrelated:
        path.write_text("{half a proj")
    save_project(builtin, target)
    assert not any(path.exists() for path in stale)
    assert all(path.exists() for path in unrelated)


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_gets_the_usual_mode_and_a_saved_file_keeps_its_own(
    tmp_path: Path, builtin: Project, umask_022: None
) -> None:
    new = tmp_path / "new.burnrate"
    save_project(builtin, new)
    assert mode(new) == 0o644  # 0666 less the umask, as any program creates files
    shared = tmp_path / "shared.burnrate"
    save_project(builtin, shared)
    shared.chmod(0o664)
    save_project(builtin, shared)
    assert mode(shared) == 0o664
    assert mode(tmp_path / "shared.burnrate.bak") == 0o664


def test_a_read_only_file_is_refused_and_left_alone(tmp_path: Path, builtin: Project) -> None:
    target = tmp_path / "plan.burnrate"
    save_project(builtin, target)
    target.chmod(0o444)
    before = target.read_bytes()
    builtin.name = "Changed"
    with pytest.raises(PermissionError) as caught:
        save_project(builtin, target)
    assert caught.value.strerror is not None and "read-only" in caught.value.strerror
    assert target.read_bytes() == before
    assert mode(target) == 0o444
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.burnrate"]


def test_the_command_line_says_a_read_only_file_is_read_only(
    tmp_path: Path, builtin: Project, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    out = tmp_path / "out.burnrate"
    out.write_text("kept")
    out.chmod(0o444)
    workbook = tmp_path / "in.xlsx"
    workbook.write_bytes(b"")
    monkeypatch.setattr("planner.io.xlsx_import.import_workbook", lambda path: builtin)
    assert cli.main(["import", str(workbook), "-o", str(out)]) == 2
    assert "out.burnrate is read-only" in capsys.readouterr().err
    assert out.read_text() == "kept"


def test_saving_through_a_symlink_writes_its_target(tmp_path: Path, builtin: Project) -> None:
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "plan.burnrate"
    save_project(builtin, real)
    link = tmp_path / "link.burnrate"
    link.symlink_to(real)
    builtin.name = "Through the link"
    save_project(builtin, link)
    assert link.is_symlink() and link.resolve() == real
    assert load_project(real).name == "Through the link"
    assert (tmp_path / "real" / "plan.burnrate.bak").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.burnrate", "real"]


def test_a_backup_without_hard_links_is_copied_whole(
    tmp_path: Path, builtin: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "plan.burnrate"
    save_project(builtin, target)
    first = target.read_bytes()

    def no_links(source: object, link: object) -> None:
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    builtin.name = "Second"
    save_project(builtin, target)
    assert (tmp_path / "plan.burnrate.bak").read_bytes() == first
    assert load_project(target).name == "Second"
    assert temporaries(target) == []


def test_without_a_backup_no_bak_is_written(tmp_path: Path, builtin: Project) -> None:
    target = tmp_path / "copy.burnrate"
    save_project(builtin, target, keep_backup=False)
    save_project(builtin, target, keep_backup=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.burnrate"]


def test_a_folder_in_the_way_is_refused(tmp_path: Path, builtin: Project) -> None:
    (tmp_path / "plan.burnrate").mkdir()
    with pytest.raises(IsADirectoryError):
        save_project(builtin, tmp_path / "plan.burnrate")


def test_a_save_after_one_killed_right_after_its_backup_leaves_nothing_behind(
    tmp_path: Path, builtin: Project
) -> None:
    target = tmp_path / "plan.burnrate"
    save_project(builtin, target)
    os.link(target, tmp_path / "plan.burnrate.bak")  # the backup is the current file itself
    builtin.name = "Next"
    save_project(builtin, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.burnrate", "plan.burnrate.bak"]
    assert load_project(tmp_path / "plan.burnrate.bak").name != "Next"
