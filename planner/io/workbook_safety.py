"""Checks a workbook must pass before openpyxl reads it.

An .xlsx is a zip of XML parts. Everything that could exhaust memory or time
is checked from the zip's directory and the parts' first bytes: the file and
declared part sizes, compression ratios (zip bombs), DOCTYPE and entity
declarations (XML entity tricks; defusedxml also refuses them inside
openpyxl), the workbook part itself, and sheets that claim millions of rows.
"""

from __future__ import annotations

import math
import os
import re
import zipfile
from pathlib import Path
from typing import BinaryIO

from planner.io.user_files import open_regular_file

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_TOTAL_UNCOMPRESSED = 300 * 1024 * 1024
MAX_PART_BYTES = 100 * 1024 * 1024
MAX_RATIO = 200
MAX_PARTS = 5000
MAX_ROWS = 100_000
MAX_COLUMNS = 2000
MAX_CELL_TEXT = 32767  # Excel's own limit for one cell
REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?"')
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr="(\d+)"')
_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\sr="([A-Z]{1,4})\d+"')


class WorkbookError(ValueError):
    """A workbook that cannot be read or is refused; the message names the problem."""


def column_number(letters: str) -> int:
    """Excel column letters to a 1-based number: A -> 1, AA -> 27."""
    n = 0
    for char in letters:
        n = n * 26 + ord(char) - 64
    return n


def check_archive(path: str | os.PathLike[str]) -> None:
    """Raise :class:`WorkbookError` unless ``path`` looks like a safe .xlsx workbook."""
    file = Path(path)
    try:
        with open_regular_file(file) as handle:
            _check_open_archive(handle, file.name)
    except OSError as exc:
        raise WorkbookError(f"cannot read {file}: {exc.strerror or exc}") from None


def _check_open_archive(handle: BinaryIO, name: str) -> None:
    size = os.fstat(handle.fileno()).st_size
    if size > MAX_FILE_BYTES:
        raise WorkbookError(
            f"{name} is {size / 1e6:.0f} MB; a workbook may be at most "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB"
        )
    head = handle.read(4)
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            _check_directory(archive, name)
            _check_parts(archive, name)
    except zipfile.BadZipFile as exc:
        if head.startswith(b"PK"):
            raise WorkbookError(f"{name} is a damaged or truncated zip archive ({exc})") from None
        raise WorkbookError(f"{name} is not an .xlsx workbook (not a zip archive)") from None
    except (zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as exc:
        raise WorkbookError(f"{name} cannot be unpacked: {exc}") from None


def _check_directory(archive: zipfile.ZipFile, name: str) -> None:
    infos = archive.infolist()
    if len(infos) > MAX_PARTS:
        raise WorkbookError(f"{name} holds {len(infos)} parts; a workbook has at most {MAX_PARTS}")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_PART_BYTES:
            raise WorkbookError(
                f"{name}: part {info.filename} unpacks to {info.file_size / 1e6:.0f} MB "
                "(a zip bomb?); refused"
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1024 * 1024 and ratio > MAX_RATIO:
            raise WorkbookError(
                f"{name}: part {info.filename} is compressed {ratio:.0f} to 1 (a zip bomb?); "
                "refused"
            )
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise WorkbookError(
            f"{name} unpacks to {total / 1e6:.0f} MB (a zip bomb?); at most "
            f"{MAX_TOTAL_UNCOMPRESSED // 1024 // 1024} MB is read"
        )
    names = set(archive.namelist())
    for part in REQUIRED_PARTS:
        if part not in names:
            raise WorkbookError(f"{name} is not a complete workbook: the part {part} is missing")


def _check_parts(archive: zipfile.ZipFile, name: str) -> None:
    titles = _sheet_titles(archive)
    for info in archive.infolist():
        if not info.filename.endswith((".xml", ".rels", ".vml")):
            continue
        with archive.open(info) as part:
            data = part.read(MAX_PART_BYTES + 1)
        prolog = data[:4096].upper()
        if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
            raise WorkbookError(
                f"{name}: part {info.filename} declares a DOCTYPE or XML entities; refused"
            )
        if info.filename.startswith("xl/worksheets/"):
            title = titles.get(info.filename, info.filename)
            _check_sheet_size(data, title, name)
            _check_numbers(data, title, name)


def _sheet_titles(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part name -> sheet title, so messages can name the sheet people see."""
    from defusedxml import DefusedXmlException, ElementTree

    try:
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    except (KeyError, ElementTree.ParseError, ValueError, DefusedXmlException):
        return {}
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[rel.get("Id")] = target
    titles = {}
    for element in book.iter():
        if element.tag.endswith("}sheet") or element.tag == "sheet":
            rel_id = next((v for k, v in element.attrib.items() if k.endswith("}id")), None)
            if rel_id in targets:
                titles[targets[rel_id]] = element.get("name", "")
    return titles


_NUMBER_CELL = re.compile(rb'<(?:\w+:)?c\s+r="([A-Z]+\d+)"([^>]*)>\s*<(?:\w+:)?v>([^<]*)<')


def _check_numbers(data: bytes, title: str, name: str) -> None:
    for cell, attributes, value in _NUMBER_CELL.findall(data):
        kind = re.search(rb'\st="(\w+)"', attributes)
        if kind is not None and kind.group(1) != b"n":
            continue
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise WorkbookError(
                f"{name}: cell {title}!{cell.decode()} holds {value.decode()[:20]!r}, "
                "not a finite number"
            )


def _check_sheet_size(data: bytes, part: str, name: str) -> None:
    match = _DIMENSION.search(data, 0, 8192)
    if match:
        last_col, last_row = match.group(3) or match.group(1), match.group(4) or match.group(2)
        _check_extent(int(last_row), column_number(last_col.decode()), part, name)
    rows = [int(r) for r in _ROW_NUMBER.findall(data)]
    if rows:
        _check_extent(max(rows), 1, part, name)
    columns = {c for c in _CELL_REF.findall(data)}
    if columns:
        _check_extent(1, max(column_number(c.decode()) for c in columns), part, name)


def _check_extent(rows: int, columns: int, part: str, name: str) -> None:
    if rows > MAX_ROWS:
        raise WorkbookError(
            f"{name}: sheet {part} claims {rows:,} rows; a workbook sheet may have at most "
            f"{MAX_ROWS:,}"
        )
    if columns > MAX_COLUMNS:
        raise WorkbookError(
            f"{name}: sheet {part} claims {columns:,} columns; at most {MAX_COLUMNS:,}"
        )
