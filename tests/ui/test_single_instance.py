"""A second launch hands its files to the running instance instead of starting a copy."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLockFile
from PySide6.QtNetwork import QLocalSocket
from pytestqt.qtbot import QtBot

from ui.single_instance import (
    MAGIC,
    MAX_MESSAGE_BYTES,
    SingleInstance,
    decode_message,
    encode_message,
    server_name,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def name() -> Iterator[str]:
    # Unix socket paths are limited to about 100 bytes: keep it short, not under tmp_path.
    with tempfile.TemporaryDirectory(prefix="br-") as folder:
        yield str(Path(folder) / "instance")


@pytest.fixture
def running(name: str, qtbot: QtBot) -> Iterator[SingleInstance]:
    instance = SingleInstance(name)
    assert instance.listen()
    yield instance
    instance.close()


def test_send_without_a_running_instance_fails(name: str, qtbot: QtBot) -> None:
    assert not SingleInstance(name).send(["a.burnrate"], timeout_ms=200)


def test_second_launch_hands_over_absolute_paths(
    running: SingleInstance,
    name: str,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    with qtbot.waitSignal(running.files_received, timeout=5000) as blocker:
        assert SingleInstance(name).send(["plan.burnrate", "/data/other plan.burnrate"])
    assert blocker.args == [[str(tmp_path / "plan.burnrate"), "/data/other plan.burnrate"]]


def test_launch_without_files_asks_for_the_window(
    running: SingleInstance, name: str, qtbot: QtBot
) -> None:
    with qtbot.waitSignal(running.activation_requested, timeout=5000):
        assert SingleInstance(name).send([])


def test_only_one_instance_listens(running: SingleInstance, name: str, qtbot: QtBot) -> None:
    second = SingleInstance(name)
    assert not second.listen()
    assert not second.is_listening()
    assert running.is_listening()


def test_a_launch_that_is_becoming_the_instance_is_not_taken_over(name: str) -> None:
    # The first of two simultaneous launches holds the lock between its check and listen().
    first = QLockFile(SingleInstance(name).lock_path())
    assert first.tryLock(0)
    try:
        second = SingleInstance(name)
        assert not second.listen(timeout_ms=50)
        assert not second.is_listening()
    finally:
        first.unlock()
    assert SingleInstance(name).listen()  # once the lock is free, the next launch may


@pytest.mark.skipif(sys.platform == "win32", reason="stale socket files exist on Unix only")
def test_stale_socket_of_a_crashed_instance_is_replaced(name: str, qtbot: QtBot) -> None:
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(name)
    dead.close()  # the file stays, as after a crash, but nobody listens
    assert Path(name).exists()
    instance = SingleInstance(name)
    assert instance.listen()
    with qtbot.waitSignal(instance.files_received, timeout=5000):
        assert SingleInstance(name).send(["/x.burnrate"])
    instance.close()


def test_garbage_is_ignored_and_the_next_message_still_works(
    running: SingleInstance, name: str, qtbot: QtBot
) -> None:
    received: list[list[str]] = []
    running.files_received.connect(received.append)
    intruder = QLocalSocket()
    intruder.connectToServer(name)
    assert intruder.waitForConnected(2000)
    intruder.write(b"GET / HTTP/1.0\r\n\r\n")
    intruder.waitForBytesWritten(2000)
    intruder.disconnectFromServer()
    with qtbot.waitSignal(running.files_received, timeout=5000):
        assert SingleInstance(name).send(["/ok.burnrate"])
    assert received == [["/ok.burnrate"]]


def test_another_process_hands_over_its_file(
    running: SingleInstance, name: str, qtbot: QtBot
) -> None:
    code = (
        "import sys\n"
        "from PySide6.QtCore import QCoreApplication\n"
        "from ui.single_instance import SingleInstance\n"
        "app = QCoreApplication([])\n"
        "sys.exit(0 if SingleInstance(sys.argv[1]).send(['/tmp/from-there.burnrate']) else 3)\n"
    )
    with qtbot.waitSignal(running.files_received, timeout=20000) as blocker:
        process = subprocess.Popen([sys.executable, "-c", code, name], cwd=ROOT)
    assert process.wait(timeout=20) == 0
    assert blocker.args == [["/tmp/from-there.burnrate"]]


def test_messages_round_trip_and_reject_tampering() -> None:
    message = encode_message(["/a b/c.burnrate"])
    assert decode_message(message) == ["/a b/c.burnrate"]
    assert decode_message(b"hello") is None
    assert decode_message(MAGIC + b"{not json") is None
    assert decode_message(MAGIC + b'{"open": "/a"}') is None
    assert decode_message(MAGIC + b'{"open": [1, 2]}') is None
    assert decode_message(MAGIC + b"[]") is None
    assert decode_message(MAGIC + b'{"open": ["/a"]}' + b" " * MAX_MESSAGE_BYTES) is None


def test_server_name_is_per_user(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("BURNRATE_INSTANCE", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    assert server_name() == str(tmp_path / "burnrate.sock")
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    assert server_name().startswith("burnrate-") and len(server_name()) > len("burnrate-")
    monkeypatch.setenv("BURNRATE_INSTANCE", "/tmp/elsewhere")
    assert server_name() == "/tmp/elsewhere"
