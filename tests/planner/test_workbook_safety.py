"""The checks run before openpyxl opens a workbook, against hostile and edited files."""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from planner.builtin import builtin_project
from planner.io import workbook_scan
from planner.io.workbook_safety import CHUNK, WorkbookError, check_archive
from planner.io.xlsx_export import export_workbook
from planner.io.xlsx_import import import_workbook
from tests.planner.helpers import peak_memory

SHEET = "xl/worksheets/sheet2.xml"  # "Leaked plan"
MB = 1024 * 1024


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("safety") / "builtin.xlsx"
    export_workbook(builtin_project(), path)
    return path


def rewrite(
    source: Path,
    target: Path,
    change: Callable[[str, bytes], bytes | None],
    extra: dict[str, bytes] | None = None,
) -> Path:
    """Copy a zip, passing each part through ``change`` (None drops it), adding ``extra``."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = change(info.filename, old.read(info))
            if data is not None:
                new.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            new.writestr(name, data)
    return target


def edit_part(part: str, edit: Callable[[bytes], bytes]) -> Callable[[str, bytes], bytes]:
    return lambda name, data: edit(data) if name == part else data


def before_sheet_data_end(xml: bytes) -> Callable[[bytes], bytes]:
    return lambda data: data.replace(b"</sheetData>", xml + b"</sheetData>")


# --- a zip header that lies ------------------------------------------------------------


def padded_chunks(head: bytes, padding: int) -> Iterator[bytes]:
    yield head
    for _ in range(padding // MB):
        yield b" " * MB


def understate(path: Path, part: str, size: int, crc: int) -> None:
    """Make ``part``'s local and central headers declare ``size`` bytes with checksum ``crc``."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        offset = archive.getinfo(part).header_offset
    struct.pack_into("<L", data, offset + 14, crc)
    struct.pack_into("<L", data, offset + 22, size)
    encoded = part.encode()
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == encoded:
            struct.pack_into("<L", data, central + 16, crc)
            struct.pack_into("<L", data, central + 24, size)
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))


def test_a_part_inflating_past_its_declared_size_is_refused_early(
    exported: Path, tmp_path: Path
) -> None:
    with zipfile.ZipFile(exported) as archive:
        book = archive.read("xl/workbook.xml")
        parts = [(info, archive.read(info)) for info in archive.infolist()]
    path = tmp_path / "liar.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts:
            if info.filename != "xl/workbook.xml":
                archive.writestr(info.filename, data)
                continue
            with archive.open("xl/workbook.xml", "w") as part:
                for chunk in padded_chunks(book, 256 * MB):  # trailing blanks parse fine
                    part.write(chunk)
    # the header claims only the real part, with its checksum: zipfile reads no further
    understate(path, "xl/workbook.xml", len(book), zlib.crc32(book))
    assert path.stat().st_size < 2 * MB
    with zipfile.ZipFile(path) as archive, archive.open("xl/workbook.xml") as part:
        assert part.read(len(book) + 1) == book
    with pytest.raises(WorkbookError, match=r"workbook\.xml' inflates beyond the [\d,]+ bytes"):
        check_archive(path)
    assert peak_memory(lambda: check_archive(path)) < 8 * MB


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_parts_compressed_other_than_by_deflate_are_refused(
    exported: Path, tmp_path: Path, method: int
) -> None:
    path = tmp_path / "bz.xlsx"
    with zipfile.ZipFile(exported) as old, zipfile.ZipFile(path, "w", method) as new:
        for info in old.infolist():
            new.writestr(info.filename, old.read(info))
    with pytest.raises(WorkbookError, match=f"compressed with method {method}; workbooks use"):
        check_archive(path)


def test_a_damaged_part_is_refused_by_its_checksum(exported: Path, tmp_path: Path) -> None:
    path = rewrite(exported, tmp_path / "crc.xlsx", lambda name, data: data)
    with zipfile.ZipFile(path) as archive:
        book = archive.read("xl/workbook.xml")
    understate(path, "xl/workbook.xml", len(book), zlib.crc32(book) ^ 1)
    with pytest.raises(WorkbookError, match=r"workbook\.xml' is damaged \(its checksum"):
        check_archive(path)


def incompressible_text(size: int) -> bytes:
    return b"".join(b"%08x" % (n * 2654435761 % 2**32) for n in range(size // 8))


def test_memory_follows_the_chunk_not_the_part(exported: Path, tmp_path: Path) -> None:
    # 20 MB of shared strings that do not compress, stored: within every limit
    strings = b"".join(b"<si><t>" + incompressible_text(40_000) + b"</t></si>" for _ in range(500))
    path = tmp_path / "big.xlsx"
    with zipfile.ZipFile(exported) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "xl/sharedStrings.xml":
                data = data.replace(b"</sst>", strings + b"</sst>")
            new.writestr(info.filename, data)
    del strings
    assert path.stat().st_size > 20_000_000
    assert peak_memory(lambda: check_archive(path)) < 4 * MB


def test_one_oversized_piece_of_markup_is_refused(exported: Path, tmp_path: Path) -> None:
    comment = b"<!--" + incompressible_text(5 * MB) + b"-->"
    path = tmp_path / "comment.xlsx"
    rewrite(
        exported,
        path,
        edit_part(SHEET, lambda d: d.replace(b"<sheetData>", comment + b"<sheetData>")),
    )
    with pytest.raises(WorkbookError, match="holds a tag, comment or attribute of more than 4 MB"):
        check_archive(path)
    assert peak_memory(lambda: check_archive(path)) < 16 * MB


# --- DOCTYPE anywhere, in any XML part ---------------------------------------------------

DTD = b'<!DOCTYPE workbook SYSTEM "http://example.com/evil.dtd">'


def after_prolog(insert: bytes) -> Callable[[bytes], bytes]:
    return lambda data: re.sub(rb"^(<\?xml[^>]*\?>)", lambda m: m.group(1) + insert, data)


def straddling_a_chunk(data: bytes) -> bytes:
    prolog = re.match(rb"<\?xml[^>]*\?>", data)
    assert prolog is not None
    head = prolog.group(0)
    pad = CHUNK - len(head) - len(b"<!---->") - 4  # "<!DO" ends the first chunk
    return head + b"<!--" + b" " * pad + b"-->" + DTD + data[len(head) :]


def in_utf16(data: bytes) -> bytes:
    text = data.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    text = text.replace("?>", "?>" + DTD.decode(), 1)
    return text.encode("utf-16")


@pytest.mark.parametrize(
    ("part", "edit"),
    [
        ("xl/workbook.xml", after_prolog(b"<!--" + b" " * 10240 + b"-->" + DTD)),
        ("xl/workbook.xml", after_prolog(b"\n" * 20000 + DTD)),
        ("xl/workbook.xml", straddling_a_chunk),
        ("xl/workbook.xml", in_utf16),
        ("xl/styles.xml", in_utf16),
        ("docProps/app.xml", after_prolog(b"<!--" + b"x" * 5000 + b"-->" + DTD)),
    ],
    ids=["comment-padded", "blank-padded", "across-chunks", "utf16-book", "utf16-styles", "app"],
)
def test_a_doctype_is_refused_wherever_it_sits(
    exported: Path, tmp_path: Path, part: str, edit: Callable[[bytes], bytes]
) -> None:
    path = rewrite(exported, tmp_path / "dtd.xlsx", edit_part(part, edit))
    message = f"part '{part}' declares a DOCTYPE, which a workbook never needs; refused for safety"
    with pytest.raises(WorkbookError, match=re.escape(message)):
        check_archive(path)


@pytest.mark.parametrize("name", ["customXml/item1", "xl/extra.data", "xl/printerSettings.txt"])
def test_a_doctype_is_refused_in_parts_of_any_name(
    exported: Path, tmp_path: Path, name: str
) -> None:
    xml = b"  \n" + DTD + b"<root/>"
    path = rewrite(exported, tmp_path / "named.xlsx", lambda n, d: d, {name: xml})
    with pytest.raises(WorkbookError, match=f"part '{name}' declares a DOCTYPE"):
        check_archive(path)


def test_parts_that_are_not_xml_are_not_parsed(exported: Path, tmp_path: Path) -> None:
    picture = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64 + DTD
    path = rewrite(exported, tmp_path / "picture.xlsx", lambda n, d: d, {"xl/media/a.png": picture})
    check_archive(path)


def test_malformed_xml_is_refused_with_its_line(exported: Path, tmp_path: Path) -> None:
    path = rewrite(
        exported, tmp_path / "bad.xlsx", edit_part("xl/styles.xml", lambda d: d + b"<extra>")
    )
    with pytest.raises(WorkbookError, match=r"'xl/styles\.xml' is not well-formed XML \(.*line"):
        check_archive(path)


# --- sheets judged by their data ---------------------------------------------------------

LIBREOFFICE_LAST_ROW = (
    b'<row r="1048576" s="2" customFormat="1" ht="12.8" hidden="false" customHeight="false" '
    b'outlineLevel="0" collapsed="false"><c r="A1048576" s="2"/></row>'
)


def as_libreoffice_writes_after_deleting_a_row(data: bytes) -> bytes:
    data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:W1048576"', data)
    return before_sheet_data_end(LIBREOFFICE_LAST_ROW)(data)


def test_an_empty_styled_last_row_is_not_counted(exported: Path, tmp_path: Path) -> None:
    path = rewrite(
        exported,
        tmp_path / "deleted.xlsx",
        edit_part(SHEET, as_libreoffice_writes_after_deleting_a_row),
    )
    extents = check_archive(path)
    assert extents["Leaked plan"] == check_archive(exported)["Leaked plan"]
    assert extents["Leaked plan"].rows < 1000  # the data's, not the empty row's
    assert import_workbook(path) == import_workbook(exported)


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (b'<row r="100001"><c r="A100001"><v>1</v></c></row>', r"data in row 100,001; .* at most"),
        (b'<row r="100001"><c r="A100001" t="inlineStr"><is><t>x</t></is></c></row>', "100,001"),
        (b'<row r="100002"><c r="B100002"><f>1+1</f></c></row>', "row 100,002"),
        (b'<row r="90"><c r="BXY90"><v>1</v></c></row>', r"data in column 2,001; .* at most"),
        (b'<row><c r="BXX1048576"><v>1</v></c></row>', "data in row 1,048,576"),
        (b'<row r="1048577"/>', r"a row numbered 1,048,577, past a sheet's last row"),
        (b'<row r="9"><c r="XFE9"/></row>', r"a cell in column 16,385, past a sheet's last"),
        (b'<row r="99999999999"/>', "'99999999999', which is not a row number"),
        (b'<row r="9"><c r="A99999999999"/></row>', "'A99999999999', which is not a row"),
    ],
)
def test_data_beyond_the_limits_is_refused(
    exported: Path, tmp_path: Path, xml: bytes, message: str
) -> None:
    path = rewrite(exported, tmp_path / "far.xlsx", edit_part(SHEET, before_sheet_data_end(xml)))
    with pytest.raises(WorkbookError, match=rf"sheet Leaked plan .*{message}"):
        check_archive(path)


# --- what openpyxl would allocate ----------------------------------------------------------


def merged(ref: bytes) -> Callable[[bytes], bytes]:
    xml = b'<mergeCells count="1"><mergeCell ref="' + ref + b'"/></mergeCells>'
    return lambda data: data.replace(b"</sheetData>", b"</sheetData>" + xml)


def hyperlinked(ref: bytes) -> Callable[[bytes], bytes]:
    xml = b'<hyperlinks><hyperlink ref="' + ref + b'" display="x"/></hyperlinks>'
    return lambda data: data.replace(b"<pageMargins", xml + b"<pageMargins")


@pytest.mark.parametrize(
    ("edit", "what"),
    [
        (merged(b"A1:XFD1048576"), "merged cells"),
        (merged(b"A1:C99999999999"), "merged cells"),
        (hyperlinked(b"A1:XFD1048576"), "hyperlinked cells"),
        (before_sheet_data_end((b"<row>" + b"<c/>" * 1500 + b"</row>") * 10), "cells"),
    ],
)
def test_cells_openpyxl_would_create_are_counted(
    exported: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    edit: Callable[[bytes], bytes],
    what: str,
) -> None:
    path = rewrite(exported, tmp_path / "cells.xlsx", edit_part(SHEET, edit))
    monkeypatch.setattr(workbook_scan, "MAX_CELLS", 20_000)  # the built-in uses about 10,000
    with pytest.raises(WorkbookError, match=f"brings its {what} past 20,000 cells"):
        check_archive(path)


def test_shared_strings_and_elements_are_counted(
    exported: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workbook_scan, "MAX_SHARED_STRINGS", 100)
    with pytest.raises(WorkbookError, match="more than 100 distinct strings"):
        check_archive(exported)
    monkeypatch.undo()
    monkeypatch.setattr(workbook_scan, "MAX_ELEMENTS", 1000)
    with pytest.raises(WorkbookError, match="more than 1,000 XML elements"):
        check_archive(exported)


def test_a_directory_too_large_to_load_is_refused_from_its_end_record(tmp_path: Path) -> None:
    path = tmp_path / "many.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for n in range(5001):
            archive.writestr(f"p{n}", b"")
    with pytest.raises(WorkbookError, match="holds 5,001 parts; a workbook has at most 5,000"):
        check_archive(path)


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"", "the file is empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "Excel 97-2003 .xls file or a password"),
        (b'\xef\xbb\xbf<?xml version="1.0"?><Workbook/>', "looks like XML or HTML"),
        (b"<html><table><tr><td>1</td></tr></table></html>", "looks like XML or HTML"),
        (b"year,revenue\n2025,3.7\n" * 40, "looks like text, such as CSV"),
        ("année;coût\n2025;3,7\n".encode("cp1252"), "looks like text, such as CSV"),
        (bytes(range(256)) * 3, "it is not a zip archive"),
    ],
)
def test_a_file_that_is_no_workbook_is_refused_saying_what_it_seems_to_be(
    tmp_path: Path, content: bytes, said: str
) -> None:
    path = tmp_path / "plan.xlsx"
    path.write_bytes(content)
    with pytest.raises(
        WorkbookError, match=rf"plan\.xlsx is not an \.xlsx workbook: .*{re.escape(said)}"
    ):
        check_archive(path)
