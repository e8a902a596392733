"""Checks a workbook must pass before and while it is read (by the streaming import, or
by openpyxl for a plain sheet).

An .xlsx is a zip of XML parts. ``open_workbook`` judges the zip's directory
first, from its end record before ``zipfile`` builds an object per entry:
sizes, compression ratios, the number of parts. Only stored and deflated
parts are accepted: ``zipfile`` inflates bzip2 and LZMA reads whole. Parts
are inflated here, in bounded chunks straight from the archive's bytes, and
must inflate to no more than the size their directory entry declares.

Each XML part is scanned as it streams past (planner.io.workbook_scan):
DOCTYPEs and entities are refused wherever they sit. ``check_archive``, for
openpyxl, which turns what it passes into objects, also counts cells, rows
and columns against fixed limits, element by element. The streaming import
scans every part quickly instead (expat with no Python call per element),
except the sheets it reads: its reader refuses DOCTYPEs in them and judges
their rows and columns in its own single pass (planner.io.workbook_stream).
"""

from __future__ import annotations

import os
import struct
import zipfile
import zlib
from collections.abc import Collection, Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from planner.io.user_files import open_regular_file
from planner.io.workbook_scan import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_ROWS,
    Budget,
    PartScan,
    SheetExtent,
    WorkbookError,
    column_number,
    looks_like_xml,
    sheet_titles,
)
from planner.text import quoted

__all__ = [
    "MAX_CELLS",
    "MAX_CELL_TEXT",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "CheckedArchive",
    "SheetExtent",
    "WorkbookError",
    "check_archive",
    "column_number",
    "open_workbook",
]

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_TOTAL_UNCOMPRESSED = 200 * 1024 * 1024
MAX_PART_BYTES = 64 * 1024 * 1024
MAX_RATIO = 200
MAX_PARTS = 5000
MAX_DIRECTORY_BYTES = 4 * 1024 * 1024
MAX_CELL_TEXT = 32767  # Excel's own limit for one cell
WORKBOOK_PART = "xl/workbook.xml"
WORKBOOK_RELATIONSHIPS = "xl/_rels/workbook.xml.rels"
REQUIRED_PARTS = ("[Content_Types].xml", WORKBOOK_PART)
CHUNK = 64 * 1024

_END_RECORD = struct.Struct("<4s4H2LH")
_END_SIGNATURE = b"PK\x05\x06"
_LOCAL_HEADER_SIZE = 30
_LOCAL_SIGNATURE = b"PK\x03\x04"
_ENCRYPTED = 0x1


def check_archive(path: str | os.PathLike[str]) -> dict[str, SheetExtent]:
    """Raise :class:`WorkbookError` unless ``path`` is a workbook that can be read safely.

    After this passes, no part of the file inflates past its declared size,
    no XML part declares a DOCTYPE, and the sheets hold at most ``MAX_ROWS``
    rows and ``MAX_COLUMNS`` columns of data and ``MAX_CELLS`` cells in all.
    Returns each sheet's extent of data by title: a reader can stop at its
    last row instead of the row a sheet claims (LibreOffice writes an empty
    row 1,048,576 once a row has been deleted).
    """
    with open_workbook(path) as archive:
        archive.scan()
        return archive.budget.extents


@contextmanager
def open_workbook(path: str | os.PathLike[str]) -> Iterator[CheckedArchive]:
    """The workbook at ``path``, open, once its zip directory has passed the checks."""
    file = Path(path)
    try:
        with open_regular_file(file) as handle:
            archive = CheckedArchive(handle, file.name)
            with archive.zip:
                yield archive
    except OSError as exc:
        raise WorkbookError(f"cannot read {file}: {exc.strerror or exc}") from None


class CheckedArchive:
    """An open workbook whose zip directory passed the checks; its parts are scanned on request.

    ``chunks`` reads a part as a reader should: never inflated past the size
    its entry declares, its checksum checked at the end.
    """

    def __init__(self, handle: BinaryIO, name: str) -> None:
        self.handle = handle
        self.name = name
        self.budget = Budget(name)
        self.scanned: set[int] = set()  # indexes in infos
        self._worksheets: dict[str, str] | None = None
        size = os.fstat(handle.fileno()).st_size
        head = handle.read(_HEAD_BYTES)
        handle.seek(0)
        with self._unpacking(head):
            if size > MAX_FILE_BYTES:
                raise WorkbookError(
                    f"{name} is {size / 1e6:.0f} MB; a workbook may be at most "
                    f"{MAX_FILE_BYTES // 1024 // 1024} MB"
                )
            _check_end_record(handle, size, name)
            self.zip = zipfile.ZipFile(handle)
            try:
                self.infos = _check_directory(self.zip, name)
            except BaseException:
                self.zip.close()
                raise
        self._infos_by_name = {info.filename: info for info in self.infos}

    def worksheets(self) -> dict[str, str]:
        """Sheet part -> title, from the workbook part and its relationships, scanned first."""
        if self._worksheets is None:
            first: dict[str, PartScan | None] = {WORKBOOK_PART: None, WORKBOOK_RELATIONSHIPS: None}
            with self._unpacking():
                for at, info in enumerate(self.infos):
                    if info.filename in first:
                        first[info.filename] = _scan_part(self.handle, info, self.budget, True)
                        self.scanned.add(at)
            book, relationships = first[WORKBOOK_PART], first[WORKBOOK_RELATIONSHIPS]
            found = {}
            if book is not None and relationships is not None:
                found = sheet_titles(book, relationships)
            self.budget.sheet_titles = found
            self._worksheets = found
        return self._worksheets

    def scan(self, skip: Collection[str] = (), *, count: bool = True) -> None:
        """Scan each part not scanned yet and not in ``skip`` (where two entries share a
        name, only the one ``zip`` reads is skipped).

        With ``count``, what a reader would visit is counted against the limits
        (see workbook_scan); without it only what every reader must be spared is
        refused: parts that inflate past their size or are damaged, DOCTYPEs,
        entities and oversized markup; expat then runs at C speed.
        """
        self.worksheets()  # so that messages can name sheets
        with self._unpacking():
            for at, info in enumerate(self.infos):
                read = info.filename in skip and self._infos_by_name[info.filename] is info
                if at not in self.scanned and not read:
                    _scan_part(self.handle, info, self.budget, count)
                    self.scanned.add(at)

    def chunks(self, part: str, size: int = CHUNK) -> Generator[bytes, None, None]:
        """The bytes of ``part`` in chunks of at most ``size``, never inflated past its
        declared size; its checksum is checked once all are read."""
        info = self._infos_by_name[part]
        with self._unpacking():
            yield from _checked(self.handle, info, self.budget, size)

    @contextmanager
    def _unpacking(self, head: bytes = b"PK") -> Iterator[None]:
        """Errors of the zip format as a :class:`WorkbookError` naming the file."""
        name = self.name
        try:
            yield
        except zipfile.BadZipFile as exc:
            if head.startswith(b"PK"):
                raise WorkbookError(
                    f"{name} is a damaged or truncated zip archive ({exc})"
                ) from None
            raise WorkbookError(f"{name} is not an .xlsx workbook: {_what_it_is(head)}") from None
        except (zipfile.LargeZipFile, NotImplementedError, EOFError, RuntimeError) as exc:
            raise WorkbookError(f"{name} cannot be unpacked: {exc}") from None


_HEAD_BYTES = 512  # enough to tell what a file that is not a zip archive is
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TEXT_BYTES = b"\t\r\n" + bytes(range(32, 256))


def _what_it_is(head: bytes) -> str:
    """What a file that is not a zip archive seems to be, from its first bytes, and what to do."""
    if not head:
        return "the file is empty"
    if head.startswith(_OLE_SIGNATURE):
        return (
            "it looks like an Excel 97-2003 .xls file or a password-protected workbook; "
            "save it from Excel or LibreOffice as an .xlsx workbook with no password"
        )
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "it looks like XML or HTML; save it from a spreadsheet program as .xlsx"
    if not head.translate(None, _TEXT_BYTES):  # no control characters: text in any encoding
        return (
            "it looks like text, such as CSV; open it in a spreadsheet program and save it as .xlsx"
        )
    return "it is not a zip archive"


def _check_end_record(handle: BinaryIO, size: int, name: str) -> None:
    """Refuse a directory too large to load, before ``zipfile`` makes an object per entry."""
    tail_size = min(size, _END_RECORD.size + 0xFFFF)  # the record, then a comment of <= 64 KiB
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(_END_SIGNATURE)
    if at < 0 or len(tail) - at < _END_RECORD.size:
        return  # not a zip: zipfile says so
    fields = _END_RECORD.unpack_from(tail, at)
    entries, directory_bytes = fields[4], fields[5]
    if entries > MAX_PARTS:  # 0xFFFF, zip64's mark, is over the limit too
        raise WorkbookError(f"{name} holds {entries:,} parts; a workbook has at most {MAX_PARTS:,}")
    if directory_bytes > MAX_DIRECTORY_BYTES:
        raise WorkbookError(
            f"{name}'s zip directory takes {directory_bytes / 1e6:.0f} MB; "
            f"a workbook's takes at most {MAX_DIRECTORY_BYTES // 1024 // 1024} MB"
        )


def _check_directory(archive: zipfile.ZipFile, name: str) -> list[zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > MAX_PARTS:
        raise WorkbookError(f"{name} holds {len(infos)} parts; a workbook has at most {MAX_PARTS}")
    total = 0
    for info in infos:
        part = quoted(info.filename)
        if info.flag_bits & _ENCRYPTED:
            raise WorkbookError(f"{name}: part {part} is encrypted; save the workbook unprotected")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise WorkbookError(
                f"{name}: part {part} is compressed with method {info.compress_type}; "
                "workbooks use deflate, and other methods are refused"
            )
        total += info.file_size
        if info.file_size > MAX_PART_BYTES:
            raise WorkbookError(
                f"{name}: part {part} unpacks to {info.file_size / 1e6:.0f} MB "
                "(a zip bomb?); refused"
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1024 * 1024 and ratio > MAX_RATIO:
            raise WorkbookError(
                f"{name}: part {part} is compressed {ratio:.0f} to 1 (a zip bomb?); refused"
            )
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise WorkbookError(
            f"{name} unpacks to {total / 1e6:.0f} MB (a zip bomb?); at most "
            f"{MAX_TOTAL_UNCOMPRESSED // 1024 // 1024} MB is read"
        )
    names = {info.filename for info in infos}
    for required in REQUIRED_PARTS:
        if required not in names:
            raise WorkbookError(
                f"{name} is not a complete workbook: the part {required} is missing"
            )
    return infos


def _scan_part(
    handle: BinaryIO, info: zipfile.ZipInfo, budget: Budget, count: bool
) -> PartScan | None:
    """Inflate one part, scanning it if it is XML; the scan, or None for other parts."""
    scan: PartScan | None = PartScan(info.filename, budget, count=count)
    is_xml: bool | None = None  # undecided until the first byte that is not blank
    for chunk in _checked(handle, info, budget):
        if is_xml is None and chunk.lstrip(b"\xef\xbb\xbf\xfe\xff\x00 \t\r\n"):
            is_xml = looks_like_xml(chunk)
            if not is_xml:
                scan = None
        if scan is not None:
            scan.feed(chunk)
    if scan is None or not is_xml:
        return None
    scan.close()
    return scan


def _checked(
    handle: BinaryIO, info: zipfile.ZipInfo, budget: Budget, size: int = CHUNK
) -> Iterator[bytes]:
    """The part's bytes as ``_inflated`` gives them; its checksum is checked once all are read."""
    checksum = 0
    for chunk in _inflated(handle, info, budget, size):
        checksum = zlib.crc32(chunk, checksum)
        yield chunk
    if checksum != info.CRC:
        raise budget.refuse(f"part {quoted(info.filename)} is damaged (its checksum is wrong)")


def _inflated(
    handle: BinaryIO, info: zipfile.ZipInfo, budget: Budget, size: int = CHUNK
) -> Iterator[bytes]:
    """The part's bytes in chunks of at most ``size``, never more than its declared size."""
    if info.compress_size == 0 and info.file_size == 0:
        return
    part = quoted(info.filename)
    handle.seek(info.header_offset)
    header = handle.read(_LOCAL_HEADER_SIZE)
    if len(header) < _LOCAL_HEADER_SIZE or not header.startswith(_LOCAL_SIGNATURE):
        raise budget.refuse(f"part {part} is damaged (its local header is missing)")
    name_length, extra_length = struct.unpack_from("<2H", header, 26)
    handle.seek(info.header_offset + _LOCAL_HEADER_SIZE + name_length + extra_length)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    deflated = info.compress_type == zipfile.ZIP_DEFLATED
    left, produced, pending = info.compress_size, 0, b""
    while True:
        if not pending and left > 0:
            pending = handle.read(min(size, left))
            if not pending:
                raise budget.refuse(f"part {part} is cut short")
            left -= len(pending)
        if deflated:
            try:
                chunk = inflater.decompress(pending, size)
            except zlib.error:
                raise budget.refuse(f"part {part} is damaged (bad deflate data)") from None
            pending = inflater.unconsumed_tail
        else:
            chunk, pending = pending, b""
        if chunk:
            produced += len(chunk)
            if produced > info.file_size:
                raise budget.refuse(
                    f"part {part} inflates beyond the {info.file_size:,} bytes its header "
                    "declares (a zip bomb?); refused"
                )
            yield chunk
        if (deflated and inflater.eof) or (not chunk and not pending and left <= 0):
            break
    if deflated and not inflater.eof:
        raise budget.refuse(f"part {part} is damaged (its compressed data ends early)")
