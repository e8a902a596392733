"""The command line on hostile paths, closed pipes and terminals that are not UTF-8."""

from __future__ import annotations

import contextlib
import json
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from planner.builtin import BUILTIN_PATH
from planner.cli import main
from planner.io.project_file import ProjectFileError, load_project
from planner.io.workbook_safety import WorkbookError, check_archive

RTL_MARK = "\u200f"
RTL_SCENARIO = f"Bull {RTL_MARK}case"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """The one-line error of a command that must exit 2."""
    code, _, err = run(capsys, *args)
    assert code == 2, err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    return err


def cli(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kwargs}
    return subprocess.run([sys.executable, "-m", "planner", *args], check=False, **streams)


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    """A named pipe with a writer that sends a valid project to each reader that opens it.

    Code that waits for a writer reads a whole project, so only a refusal passes.
    """
    path = tmp_path / "pipe.burnrate"
    os.mkfifo(path)
    content = BUILTIN_PATH.read_bytes()
    done = threading.Event()

    def serve() -> None:
        while not done.is_set():
            try:
                with path.open("wb") as pipe:
                    pipe.write(content)
            except OSError:
                pass  # the reader refused the pipe and closed it

    writer = threading.Thread(target=serve, daemon=True)
    writer.start()
    yield path
    # The writer may be waiting for a reader or blocked on a full pipe: read and discard
    # until it has seen the end.
    done.set()
    drain = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        while writer.is_alive():
            with contextlib.suppress(BlockingIOError):
                os.read(drain, 65536)
            writer.join(0.01)
    finally:
        os.close(drain)


@pytest.fixture
def workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "plan.xlsx"
    assert run(capsys, "export", "-o", str(path))[0] == 0
    return path


needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")


@needs_fifo
def test_a_named_pipe_is_refused_not_waited_on(fifo: Path) -> None:
    with pytest.raises(ProjectFileError, match="a pipe, not a file"):
        load_project(fifo)


@needs_fifo
def test_summary_of_a_named_pipe_exits_2(capsys: pytest.CaptureFixture[str], fifo: Path) -> None:
    assert "pipe.burnrate: a pipe, not a file" in refused(capsys, "summary", str(fifo))


@needs_fifo
def test_a_workbook_that_is_a_named_pipe_is_refused(fifo: Path) -> None:
    with pytest.raises(WorkbookError, match="a pipe, not a file"):
        check_archive(fifo)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_summary_of_an_endless_device_exits_2_without_reading_it() -> None:
    # Reading /dev/zero to the end never ends; a memory cap turns that into a quick failure.
    def cap_memory() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))

    done = cli("summary", "/dev/zero", preexec_fn=cap_memory)
    assert done.returncode == 2, done.stderr
    assert done.stderr == b"error: cannot read /dev/zero: a device, not a file\n"


def test_a_symlink_to_a_project_loads(tmp_path: Path) -> None:
    link = tmp_path / "link.burnrate"
    link.symlink_to(BUILTIN_PATH)
    assert load_project(link).scenario_names == load_project(BUILTIN_PATH).scenario_names


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="no /proc")
def test_a_file_whose_size_says_0_is_read_only_to_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # /proc files are regular files whose size reads 0 whatever they hold.
    handed_to_the_parser: list[int] = []

    def parse(raw: bytes, name: str) -> None:
        handed_to_the_parser.append(len(raw))
        raise ProjectFileError(f"{name} parsed")

    monkeypatch.setattr("planner.io.project_file.MAX_FILE_BYTES", 100)
    monkeypatch.setattr("planner.io.project_file.parse_project", parse)
    assert Path("/proc/self/maps").stat().st_size == 0
    with pytest.raises(ProjectFileError, match="parsed"):
        load_project("/proc/self/maps")
    assert handed_to_the_parser == [101]


@pytest.mark.parametrize("command", ["summary", "montecarlo"])
def test_a_folder_as_the_project_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    extra = ["--scenario", "Bull case", "--samples", "10", "--seed", "1"]
    err = refused(capsys, command, str(tmp_path), *(extra if command == "montecarlo" else []))
    assert "a folder, not a file" in err


def test_a_folder_as_the_workbook_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    err = refused(capsys, "import", str(tmp_path), "-o", str(tmp_path / "out.burnrate"))
    assert "a folder, not a file" in err


@pytest.mark.parametrize("command", ["summary", "export", "import", "montecarlo"])
def test_a_missing_input_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    missing = str(tmp_path / "missing.burnrate")
    args = {
        "summary": [missing],
        "export": [missing, "-o", str(tmp_path / "out.xlsx")],
        "import": [missing, "-o", str(tmp_path / "out.burnrate")],
        "montecarlo": [missing, "--scenario", "Bull case", "--samples", "10", "--seed", "1"],
    }[command]
    assert "no such file" in refused(capsys, command, *args)


def test_an_unreadable_project_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Denied through os.open, so the test also holds when run as root.
    path = tmp_path / "secret.burnrate"
    path.write_bytes(BUILTIN_PATH.read_bytes())
    real_open = os.open

    def deny(file: object, flags: int, *rest: int) -> int:
        if Path(os.fsdecode(file)) == path:  # type: ignore[arg-type]
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, flags, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", deny)
    assert "secret.burnrate: Permission denied" in refused(capsys, "summary", str(path))


@pytest.mark.parametrize("where", ["folder", "missing folder"])
def test_export_to_a_bad_place_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, where: str
) -> None:
    output = tmp_path if where == "folder" else tmp_path / "nowhere" / "out.xlsx"
    assert "cannot write" in refused(capsys, "export", "-o", str(output))


@pytest.mark.parametrize("where", ["folder", "missing folder"])
def test_import_to_a_bad_place_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, workbook: Path, where: str
) -> None:
    output = tmp_path if where == "folder" else tmp_path / "nowhere" / "out.burnrate"
    assert "cannot write" in refused(capsys, "import", str(workbook), "-o", str(output))


@pytest.mark.parametrize(
    "command",
    [
        ["summary", "--json"],
        ["summary"],
        ["montecarlo", "--scenario", "Bull case", "--samples", "100", "--seed", "1"],
    ],
)
def test_a_closed_pipe_ends_quietly(command: list[str]) -> None:
    reading_end, writing_end = os.pipe()
    os.close(reading_end)  # the reader is gone before the first byte is written
    try:
        done = cli(*command, stdout=writing_end)
    finally:
        os.close(writing_end)
    assert done.returncode == 0
    assert done.stderr == b""


@pytest.fixture
def rtl_project(tmp_path: Path) -> Path:
    data = json.loads(BUILTIN_PATH.read_text(encoding="utf-8"))
    bull = next(s for s in data["scenarios"] if s["name"] == "Bull case")
    bull["name"] = RTL_SCENARIO
    path = tmp_path / "rtl.burnrate"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def in_cp1252(*args: str) -> subprocess.CompletedProcess[bytes]:
    done = cli(*args, env={**os.environ, "PYTHONIOENCODING": "cp1252"})
    assert done.returncode == 0, done.stderr.decode("cp1252", "replace")
    assert done.stderr == b""
    return done


def test_summary_of_a_name_the_terminal_cannot_show_prints_whole(rtl_project: Path) -> None:
    out = in_cp1252("summary", str(rtl_project)).stdout.decode("cp1252")
    assert "== Bull ?case" in out
    assert out.count("Commitments / revenue") == 4  # every scenario, to the last line


def test_summary_json_of_a_name_the_terminal_cannot_show(rtl_project: Path) -> None:
    data = json.loads(in_cp1252("summary", str(rtl_project), "--json").stdout)
    assert [s["name"] for s in data["scenarios"]][1] == RTL_SCENARIO
    assert all(len(s["kpis"]) == 8 for s in data["scenarios"])


def test_montecarlo_of_a_name_the_terminal_cannot_show_prints_whole(rtl_project: Path) -> None:
    args = ["--scenario", RTL_SCENARIO, "--samples", "200", "--seed", "3"]
    out = in_cp1252("montecarlo", str(rtl_project), *args).stdout.decode("cp1252")
    assert out.startswith("Monte Carlo: Bull ?case, 200 samples")
    tornado = out[out.index("Sensitivity:") :].split("\n\n")[0].splitlines()
    assert len(tornado) == 3 + 8  # the heading and one row per varied input


@needs_fifo
@pytest.mark.parametrize("command", ["export", "import"])
def test_output_onto_a_pipe_is_refused_and_the_pipe_kept(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, workbook: Path, command: str
) -> None:
    # Stands for -o /dev/stdout or a device: moving a finished file over it would replace it.
    pipe = tmp_path / "out"
    os.mkfifo(pipe)
    link = tmp_path / "link-to-pipe"
    link.symlink_to(pipe)
    source = [] if command == "export" else [str(workbook)]
    for target in (pipe, link):
        err = refused(capsys, command, *source, "-o", str(target))
        assert f"cannot write {target}: a pipe, not a file" in err
    assert stat.S_ISFIFO(pipe.stat().st_mode) and link.is_symlink()
