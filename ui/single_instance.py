"""One running Burnrate per user: a second launch hands its files to the first and exits.

The first instance listens on a local socket named per user; a later launch
connects, sends the absolute paths of the files it was given and quits, and
the first instance opens them. A socket left behind by a crashed instance is
detected (nobody answers on it) and replaced.
"""

from __future__ import annotations

import getpass
import json
import os
import re
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QDir, QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

MAGIC = b"burnrate-open/1\n"
# A message names a few paths; anything far bigger is not from Burnrate.
MAX_MESSAGE_BYTES = 256 * 1024
TIMEOUT_MS = 2000
NAME_VARIABLE = "BURNRATE_INSTANCE"


def server_name() -> str:
    """The per-user socket name: in the user's private runtime folder when there is one.

    ``BURNRATE_INSTANCE`` overrides it, e.g. to run a separate instance on purpose.
    """
    override = os.environ.get(NAME_VARIABLE)
    if override:
        return override
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime).is_dir():
        return str(Path(runtime) / "burnrate.sock")
    user = str(os.getuid()) if hasattr(os, "getuid") else getpass.getuser()
    return "burnrate-" + re.sub(r"[^A-Za-z0-9_.-]", "_", user)


def encode_message(paths: Sequence[str]) -> bytes:
    """The bytes a second launch sends: a magic line, then the absolute paths as JSON."""
    absolute = [str(Path(p).absolute()) for p in paths]
    return MAGIC + json.dumps({"open": absolute}).encode("utf-8")


def decode_message(data: bytes) -> list[str] | None:
    """The paths in a message, or None when it is not a well-formed Burnrate message."""
    if not data.startswith(MAGIC) or len(data) > MAX_MESSAGE_BYTES:
        return None
    try:
        payload = json.loads(data[len(MAGIC) :].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    paths = payload.get("open") if isinstance(payload, dict) else None
    if not isinstance(paths, list) or not all(isinstance(p, str) and p for p in paths):
        return None
    return paths


class SingleInstance(QObject):
    """The local socket that makes Burnrate a single instance per user."""

    files_received = Signal(list)
    """Paths (absolute) that a later launch asked to open."""
    activation_requested = Signal()
    """A later launch was started without files: bring the window forward."""

    def __init__(self, name: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name or server_name()
        self._server: QLocalServer | None = None
        self._pending: dict[QLocalSocket, bytearray] = {}

    def send(self, paths: Sequence[str], timeout_ms: int = TIMEOUT_MS) -> bool:
        """Hand ``paths`` to a running instance; False when none is listening."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(timeout_ms):
            return False
        socket.write(encode_message(paths))
        socket.flush()
        while socket.bytesToWrite() > 0:
            if not socket.waitForBytesWritten(timeout_ms):
                socket.abort()
                return False
        socket.disconnectFromServer()
        if socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
            socket.waitForDisconnected(timeout_ms)
        return True

    def is_listening(self) -> bool:
        return self._server is not None and self._server.isListening()

    def listen(self, timeout_ms: int = TIMEOUT_MS) -> bool:
        """Become the running instance; False when another one already is (or is becoming it)."""
        # Two launches at the same moment take turns here, so the second finds the first
        # listening instead of taking its socket for a crashed instance's.
        lock = QLockFile(self.lock_path())
        if not lock.tryLock(timeout_ms):
            return False
        try:
            # Ask first: with access options, listen() renames its socket over an existing one.
            if self._someone_answers():
                return False
            # Whatever socket is left then belongs to a crashed instance.
            QLocalServer.removeServer(self.name)
            server = QLocalServer(self)
            # Only this user may connect; on Unix the socket's mode is 0700.
            server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
            if not server.listen(self.name):
                server.deleteLater()
                return False
        finally:
            lock.unlock()
        server.newConnection.connect(self._accept)
        self._server = server
        return True

    def lock_path(self) -> str:
        """Beside the socket when the name is a path, else in the temporary folder."""
        if os.path.isabs(self.name):
            return self.name + ".lock"
        return str(Path(QDir.tempPath()) / f"{self.name}.lock")

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    def _someone_answers(self) -> bool:
        probe = QLocalSocket()
        probe.connectToServer(self.name)
        answered = probe.waitForConnected(TIMEOUT_MS // 4)
        probe.abort()
        return answered

    def _accept(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            self._pending[socket] = bytearray()
            socket.readyRead.connect(self._read_sender)
            socket.disconnected.connect(self._finish_sender)
            self._read(socket)
            if socket.state() == QLocalSocket.LocalSocketState.UnconnectedState:
                self._finish(socket)

    def _read_sender(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket):
            self._read(socket)

    def _finish_sender(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket):
            self._finish(socket)

    def _read(self, socket: QLocalSocket) -> None:
        buffer = self._pending.get(socket)
        if buffer is None:
            return
        buffer += bytes(socket.readAll().data())
        if len(buffer) > MAX_MESSAGE_BYTES:
            del self._pending[socket]
            socket.abort()
            socket.deleteLater()

    def _finish(self, socket: QLocalSocket) -> None:
        buffer = self._pending.pop(socket, None)
        if buffer is None:
            return
        buffer += bytes(socket.readAll().data())
        socket.deleteLater()
        paths = decode_message(bytes(buffer))
        if paths is None:
            return
        if paths:
            self.files_received.emit(paths)
        else:
            self.activation_requested.emit()
