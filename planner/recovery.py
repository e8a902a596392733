"""Recovery copies of unsaved work, and finding the ones a crashed session left behind.

Each window's session has a token of its own (process id, start time and random
digits) and writes ``recovery-<token>.burnrate``, beside ``recovery-<token>.json``
saying where the work came from. From its first copy until it closes, the
session holds an exclusive lock on ``recovery-<token>.lock``; the system drops
the lock when the process ends, however it ends. So a copy is an orphan exactly
when its lock can be taken, whichever process now has the crashed one's id.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from planner.io.atomic_file import remove_stale_temporaries, write_atomically
from planner.io.project_file import ProjectFileError, load_project
from planner.model import Project

PREFIX = "recovery-"
COPY_SUFFIX = ".burnrate"
META_SUFFIX = ".json"
LOCK_SUFFIX = ".lock"
SUFFIXES = (COPY_SUFFIX, META_SUFFIX, LOCK_SUFFIX)
MAX_META_BYTES = 64 * 1024
MAX_NAME_CHARS = 200


@dataclass(frozen=True)
class RecoveryCopy:
    """An orphaned recovery copy: its file, the file the work came from, and when it was saved."""

    path: Path
    source: str | None
    saved_at: datetime | None
    project_name: str

    @property
    def when(self) -> str:
        return self.saved_at.strftime("%d %b %Y, %H:%M") if self.saved_at else "at an unknown time"

    @property
    def origin(self) -> str:
        return f"edited from {self.source}" if self.source else "never saved to a file"

    def describe(self) -> str:
        return f"{self.project_name}: saved {self.when}, {self.origin}"

    def load(self) -> Project:
        return load_project(self.path)

    def remove(self) -> None:
        """Delete the copy and everything that goes with it."""
        for path in _paths(self.path.parent, _token(self.path.name, COPY_SUFFIX)):
            remove_stale_temporaries(path)
            path.unlink(missing_ok=True)


class RecoverySession:
    """This window's recovery copy, owned through a lock held until :meth:`close`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.token = f"{os.getpid()}-{int(time.time())}-{secrets.token_hex(4)}"
        self.copy_path, self.meta_path, self.lock_path = _paths(folder, self.token)
        self._lock: BinaryIO | None = None

    def write(self, project_text: str, project_name: str, source: Path | None) -> None:
        """Replace this session's copy (atomically; the description first)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._hold_lock()
        meta = {"source": None if source is None else str(source), "project_name": project_name}
        write_atomically(self.meta_path, json.dumps(meta).encode("utf-8"), keep_backup=False)
        write_atomically(self.copy_path, project_text.encode("utf-8"), keep_backup=False)

    def discard(self) -> None:
        """Delete this session's copy (the work was saved, or undone back to the saved state)."""
        for path in (self.copy_path, self.meta_path):
            path.unlink(missing_ok=True)

    def close(self) -> None:
        """The session ends normally: delete the copy, then let go of the lock."""
        self.discard()
        if self._lock is not None:
            self.lock_path.unlink(missing_ok=True)
            self._lock.close()
            self._lock = None

    def _hold_lock(self) -> None:
        while self._lock is None:
            handle = open(self.lock_path, "ab")  # noqa: SIM115 - held open for the whole session
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            # Another window may have removed the file as stale before it was locked.
            if _same_file(handle, self.lock_path):
                self._lock = handle
            else:
                handle.close()


def orphans(folder: Path) -> list[RecoveryCopy]:
    """Copies whose session ended without cleaning up, newest first.

    Leftovers of a session that never wrote a whole copy are removed on the way.
    Names that do not look like ours are ignored, whatever they contain.
    """
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith(PREFIX)]
    except OSError:
        return []
    parts: dict[str, dict[str, os.DirEntry[str]]] = {}
    for entry in entries:
        for suffix in SUFFIXES:
            if entry.name.endswith(suffix) and len(entry.name) > len(PREFIX) + len(suffix):
                parts.setdefault(_token(entry.name, suffix), {})[suffix] = entry
    found = []
    for token, files in parts.items():
        copy = files.get(COPY_SUFFIX)
        if copy is not None and not _regular_file(copy):
            continue
        lock = folder / f"{PREFIX}{token}{LOCK_SUFFIX}"
        with _lock_if_free(lock) as free:
            if not free:
                continue
            if copy is None:
                for path in _paths(folder, token):
                    with contextlib.suppress(OSError):
                        path.unlink(missing_ok=True)
                continue
        found.append(_read_copy(Path(copy.path), files.get(META_SUFFIX)))
    found.sort(key=lambda c: c.saved_at or datetime.min, reverse=True)
    return found


def _paths(folder: Path, token: str) -> tuple[Path, Path, Path]:
    copy, meta, lock = (folder / f"{PREFIX}{token}{suffix}" for suffix in SUFFIXES)
    return copy, meta, lock


def _token(name: str, suffix: str) -> str:
    return name[len(PREFIX) : -len(suffix)]


def _regular_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file(follow_symlinks=False)
    except OSError:
        return False


def _same_file(handle: BinaryIO, path: Path) -> bool:
    try:
        on_disk = path.stat()
    except OSError:
        return False
    held = os.fstat(handle.fileno())
    return (held.st_dev, held.st_ino) == (on_disk.st_dev, on_disk.st_ino)


@contextlib.contextmanager
def _lock_if_free(lock: Path) -> Iterator[bool]:
    """Yield True while holding ``lock`` (or when there is none), False if a session holds it."""
    try:
        fd = os.open(lock, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        yield True
        return
    except OSError:
        yield False
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


def _read_copy(path: Path, meta_entry: os.DirEntry[str] | None) -> RecoveryCopy:
    meta = _read_meta(Path(meta_entry.path)) if meta_entry is not None else {}
    source = meta.get("source")
    name = meta.get("project_name")
    return RecoveryCopy(
        path=path,
        source=source[: MAX_NAME_CHARS * 4] if isinstance(source, str) and source else None,
        saved_at=_modified_time(path),
        project_name=name[:MAX_NAME_CHARS] if isinstance(name, str) and name else "Untitled",
    )


def _read_meta(path: Path) -> dict[str, object]:
    try:
        if path.stat().st_size > MAX_META_BYTES:
            return {}
        meta = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return {}
    return meta if isinstance(meta, dict) else {}


def _modified_time(path: Path) -> datetime | None:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime)
    except (OSError, OverflowError, ValueError):
        return None


__all__ = ["ProjectFileError", "RecoveryCopy", "RecoverySession", "orphans"]
