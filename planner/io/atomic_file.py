"""Replacing a file so that a crash at any moment leaves either the old or the new version.

The new content goes to a temporary file beside the target, is flushed to disk,
then renamed over the target. The previous version becomes ``<name>.bak`` by a
rename as well, never by copying in place, so the backup is never partial either.
Temporaries are named ``.<name>.<12 hex digits>.tmp``; any left by a killed save
are removed by the next save of the same file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path

TEMP_SUFFIX = ".tmp"
BACKUP_SUFFIX = ".bak"
_TOKEN_CHARS = 12
_NEW_FILE_MODE = 0o666  # the kernel applies the umask, as for any new file


def write_atomically(path: str | os.PathLike[str], data: bytes, keep_backup: bool = True) -> Path:
    """Replace the file at ``path`` (through a symlink, its target) with ``data``.

    With ``keep_backup`` the previous version is kept as ``<name>.bak``. A read-only
    file is refused with :class:`PermissionError`. Returns the path written.
    """
    target = Path(os.path.realpath(path))
    existing = _existing_status(target)
    remove_stale_temporaries(target)
    if existing is not None and keep_backup:
        _keep_backup(target, existing)
    temp = _write_temporary(target, data, existing)
    try:
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_directory(target.parent)
    return target


def temporaries(target: Path) -> list[Path]:
    """Temporary files of saves of ``target`` (normally none: a killed save leaves one)."""
    prefix = f".{target.name}."
    try:
        names = os.listdir(target.parent)
    except OSError:
        return []
    return [
        target.parent / name
        for name in names
        if name.startswith(prefix)
        and name.endswith(TEMP_SUFFIX)
        and _is_token(name[len(prefix) : -len(TEMP_SUFFIX)])
    ]


def remove_stale_temporaries(target: Path) -> None:
    for temp in temporaries(target):
        # Not ours to remove, or gone meanwhile: the save itself can still go ahead.
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)


def _is_token(text: str) -> bool:
    return len(text) == _TOKEN_CHARS and all(c in "0123456789abcdef" for c in text)


def _existing_status(target: Path) -> os.stat_result | None:
    try:
        status = target.stat()
    except FileNotFoundError:
        return None
    if stat.S_ISDIR(status.st_mode):
        raise IsADirectoryError(errno.EISDIR, f"{target} is a folder, not a file", str(target))
    # Renaming over a file ignores its mode, so a read-only file must be refused here.
    if not status.st_mode & 0o222 or not os.access(target, os.W_OK):
        raise PermissionError(
            errno.EACCES,
            f"{target.name} is read-only; save under another name, or make the file writable",
            str(target),
        )
    return status


def _temp_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.{secrets.token_hex(_TOKEN_CHARS // 2)}{TEMP_SUFFIX}")


def _keep_backup(target: Path, existing: os.stat_result) -> None:
    """Make the current version ``<name>.bak`` in one rename."""
    backup = target.with_name(target.name + BACKUP_SUFFIX)
    if _same_file(backup, existing):
        # A save killed after its backup: renaming a link onto the same file would do
        # nothing and leave the link behind.
        return
    link = _temp_path(target)
    try:
        os.link(target, link)
    except OSError:
        # No hard links here (some file systems, or another owner's file): copy instead.
        _write_temporary(target, target.read_bytes(), existing, link)
    try:
        os.replace(link, backup)
    except BaseException:
        link.unlink(missing_ok=True)
        raise


def _same_file(path: Path, status: os.stat_result) -> bool:
    try:
        other = path.stat()
    except OSError:
        return False
    return (other.st_dev, other.st_ino) == (status.st_dev, status.st_ino)


def _write_temporary(
    target: Path, data: bytes, existing: os.stat_result | None, temp: Path | None = None
) -> Path:
    temp = temp or _temp_path(target)
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, _NEW_FILE_MODE)
    except FileNotFoundError:
        raise FileNotFoundError(
            errno.ENOENT, f"the folder {target.parent} does not exist", str(target)
        ) from None
    except OSError as exc:
        raise type(exc)(
            exc.errno, f"cannot create a file in {target.parent}: {exc.strerror}", str(target)
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            if existing is not None:
                _copy_ownership(handle.fileno(), existing)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def _copy_ownership(fd: int, existing: os.stat_result) -> None:
    if (existing.st_uid, existing.st_gid) != (os.getuid(), os.getgid()):
        # Only the owner or root may give a file away; the mode is what matters most.
        with contextlib.suppress(OSError):
            os.fchown(fd, existing.st_uid, existing.st_gid)
    os.fchmod(fd, stat.S_IMODE(existing.st_mode))


def _fsync_directory(folder: Path) -> None:
    """Make the rename itself durable; some file systems cannot, which is harmless."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
