"""The workbook's zip writer: what zipfile writes, with its own deflate settings."""

from __future__ import annotations

import io
import zipfile
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.io import zip_parts
from planner.io.zip_parts import deflate, zip_bytes

PARTS = [
    ("[Content_Types].xml", b"<Types/>"),
    ("xl/worksheets/sheet1.xml", b"<row>" + b"<c r='A1'><v>1.5</v></c>" * 4000 + b"</row>"),
    ("xl/empty.xml", b""),
    ("xl/media/image1.png", bytes(range(256)) * 3),
]


def _zipfile_archive(parts: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts:
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()


def test_archive_is_zipfiles_own_when_deflated_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    def default_deflate(data: bytes, level: int) -> bytes:
        compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
        return compressor.compress(data) + compressor.flush()

    monkeypatch.setattr(zip_parts, "deflate", default_deflate)
    parts = [*PARTS, ("xl/naïve.xml", b"<x/>")]
    assert zip_bytes(parts) == _zipfile_archive(parts)


def test_parts_read_back_in_order_with_valid_checksums() -> None:
    archive = zipfile.ZipFile(io.BytesIO(zip_bytes(PARTS)))
    assert archive.testzip() is None
    assert [(info.filename, archive.read(info)) for info in archive.infolist()] == PARTS
    for info in archive.infolist():
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.compress_type == zipfile.ZIP_DEFLATED


def test_a_large_part_shrinks_and_inflates_back() -> None:
    content = PARTS[1][1]
    data = deflate(content)
    assert zlib.decompress(data, -15) == content
    assert len(data) < len(content) / 20


@given(st.binary(max_size=70_000) | st.text(max_size=3_000).map(str.encode))
def test_any_content_inflates_back(content: bytes) -> None:
    assert zlib.decompress(deflate(content), -15) == content


def test_too_many_parts_for_a_plain_zip_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zip_parts, "ZIP_FILECOUNT_LIMIT", 2)
    with pytest.raises(zipfile.LargeZipFile):
        zip_bytes(PARTS)
