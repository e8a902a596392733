"""Opening files a person names: only regular files, never blocking, never without a limit."""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

# A FIFO opened for reading would wait for a writer; O_NONBLOCK makes open() return at once
# (and has no effect on a regular file's reads). Windows has no such flag and no FIFOs.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


class NotARegularFile(OSError):
    """The path names a directory, pipe, device or socket rather than a file."""


def _not_a_file(mode: int) -> str:
    """What the path names instead of a file, for the message."""
    if stat.S_ISDIR(mode):
        return "a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "a pipe, not a file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a file"
    return "not a regular file"


def refuse_replacing_a_non_file(path: str | os.PathLike[str]) -> None:
    """:class:`NotARegularFile` when ``path`` exists and is not a file (or a link to one).

    Files are written beside their target and moved over it, which would put a file in
    place of a device or pipe the path names (``-o /dev/stdout``), or fail on a folder.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # nothing there yet, or the writer reports why it cannot write
    if not stat.S_ISREG(mode):
        raise NotARegularFile(_not_a_file(mode))


def open_regular_file(path: str | os.PathLike[str]) -> BinaryIO:
    """``path`` opened for binary reading; :class:`NotARegularFile` unless it is a file.

    The check is made on the opened descriptor, so the file read is the file checked.
    A symlink to a regular file is fine.
    """
    fd = os.open(path, _OPEN_FLAGS)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotARegularFile(_not_a_file(mode))
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_limited(handle: BinaryIO, limit: int) -> bytes:
    """At most ``limit + 1`` bytes: one more than allowed tells the caller it is too large."""
    return handle.read(limit + 1)
