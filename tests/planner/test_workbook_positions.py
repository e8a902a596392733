"""The C-speed check of where a worksheet's rows and cells lie, against forms a writer
or an attacker may use."""

from __future__ import annotations

import random
import re

import pytest

from planner.io.workbook_positions import PositionCheck, at_most, written_in_utf8
from planner.io.workbook_scan import (
    EXCEL_COLUMNS,
    EXCEL_ROWS,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_TOKEN_BYTES,
    column_letters,
)

HEAD = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet><sheetData>'
TAIL = b"</sheetData></worksheet>"


def vouched(body: bytes, chunk: int = 1 << 20, head: bytes = HEAD) -> bool:
    data = head + body + TAIL
    check = PositionCheck()
    for at in range(0, len(data), chunk):
        check.feed(data[at : at + chunk])
    return check.close()


@pytest.mark.parametrize("limit", [EXCEL_ROWS, MAX_ROWS, 7, 10, 99, 100, 1000])
def test_a_numeral_pattern_admits_exactly_the_numbers_up_to_its_limit(limit: int) -> None:
    pattern = re.compile(at_most(str(limit), "0123456789"))
    numbers = {*range(0, 1200), *range(limit - 1200, limit + 1200), 10 * limit, 99_999_999}
    for n in sorted(x for x in numbers if x >= 0):
        assert bool(pattern.fullmatch(str(n))) == (n <= limit), n
    assert pattern.fullmatch("0" * len(str(limit)))  # leading zeros name a smaller number


@pytest.mark.parametrize("limit", [EXCEL_COLUMNS, MAX_COLUMNS, 26, 27, 702, 703])
def test_a_letters_pattern_admits_exactly_the_columns_up_to_its_limit(limit: int) -> None:
    pattern = re.compile(at_most(column_letters(limit), "ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    for n in range(1, 18_279):  # every column of up to three letters
        assert bool(pattern.fullmatch(column_letters(n))) == (n <= limit), n


PLACED = [
    b'<row r="1" spans="1:3"><c r="A1" s="1" t="s"><v>0</v></c>'
    b'<c r="B1"><f>A1+1</f><v>1</v></c></row>',
    b'<row r="99999"><c r="BXX99999"><v>1</v></c></row>',
    b'<row r="100000"><c r="BXX100000"><v>1</v></c></row>',
    b'<row r="1048576" s="2" customFormat="1" hidden="false"><c r="A1048576" s="2"/></row>',
    b'<row r="1048576"><c r="XFD1048576" s="2" t="n"  /></row>',
    b'<row r="1048576" customFormat="false" ht="12.8" hidden="false"></row>',
    b'<row r="5"/><c r="A1"><is><t>&lt;c&gt; and &lt;row&gt;</t></is></c>',
    b'<!-- <c r="A1"> --><cols><col min="1" max="3"/></cols><rowBreaks count="0"/>',
    b'<c r="A1"><v>1</v></c><c r="B2" t="str"><f>"x/&gt;"</f><v>x/&gt;</v></c>',
]


@pytest.mark.parametrize("body", PLACED)
def test_rows_and_cells_written_plainly_within_the_limits_are_vouched_for(body: bytes) -> None:
    assert vouched(body)


UNPLACED = {
    "cell-without-reference": b'<row r="1"><c><v>1</v></c></row>',
    "row-without-number": b'<row><c r="A1"><v>1</v></c></row>',
    "reference-not-first": b'<c s="1" r="A1"><v>1</v></c>',
    "single-quotes": b"<c r='A1'><v>1</v></c>",
    "two-spaces": b'<c  r="A1"><v>1</v></c>',
    "tab": b'<c\tr="A1"><v>1</v></c>',
    "dollars": b'<c r="$A$1"><v>1</v></c>',
    "lower-case": b'<c r="a1"><v>1</v></c>',
    "character-reference": b'<c r="A&#49;00001"><v>1</v></c>',
    "data-past-the-rows": b'<c r="A100001"><v>1</v></c>',
    "data-past-the-columns": b'<c r="BXY9"><v>1</v></c>',
    "empty-but-open": b'<c r="A1048576" s="2"></c>',
    "empty-past-the-sheet": b'<c r="A1048577"/>',
    "empty-past-the-last-column": b'<c r="XFE1"/>',
    "row-past-the-sheet": b'<row r="1048577"/>',
    "row-not-a-number": b'<row r="99999999999"/>',
    "self-closing-only-in-a-value": b'<c r="A1048576" t="/>"><v>1</v></c>',
    "value-in-single-quotes": b"<c r=\"A1048576\" s='/>'><v>1</v></c>",
    "prefixed-cell": b'<x:c r="A1"><x:v>1</x:v></x:c>',
    "prefixed-row": b'<x:row r="1"/>',
    "in-a-comment": b'<!-- <c r="A200000"><v>1</v></c> -->',
}


@pytest.mark.parametrize("body", UNPLACED.values(), ids=UNPLACED.keys())
def test_anything_else_is_left_to_the_element_by_element_scan(body: bytes) -> None:
    assert not vouched(body)


@pytest.mark.parametrize(
    "body", [*UNPLACED.values(), *PLACED], ids=[*UNPLACED, *range(len(PLACED))]
)
def test_a_tag_split_between_chunks_is_judged_whole(body: bytes) -> None:
    expected = vouched(body)
    filler = b'<row r="2"><c r="A2"><v>1</v></c></row>' * 20
    for chunk in (1, 2, 3, 5, 7, 64):
        assert vouched(filler + body + filler, chunk) == expected, chunk


def test_an_unplaced_cell_among_millions_of_bytes_is_found() -> None:
    rows = b"".join(
        b'<row r="%d">' % r
        + b"".join(b'<c r="%s%d"><v>1.5</v></c>' % (c, r) for c in (b"K", b"L"))
        + b"</row>"
        for r in range(1, 40_000)
    )
    assert vouched(rows, 4096)
    at = random.Random(3).randrange(len(rows))
    at = rows.index(b"<row", at)
    far = b'<row r="200000"><c r="A200000"><v>1</v></c></row>'
    assert not vouched(rows[:at] + far + rows[at:], 4096)


def test_an_endless_tag_is_not_vouched_for() -> None:
    assert not vouched(b"<c " + b" " * (MAX_TOKEN_BYTES + 10), 1 << 20)


@pytest.mark.parametrize(
    ("head", "utf8"),
    [
        (b'<?xml version="1.0" encoding="UTF-8"?><worksheet>', True),
        (b"<?xml version='1.0' encoding='us-ascii'?><worksheet>", True),
        (b'\xef\xbb\xbf<?xml version="1.0"?><worksheet>', True),
        (b"  <worksheet>", True),
        (b'<?xml version="1.0" encoding="UTF-16"?><worksheet>', False),
        (b'<?xml version="1.0" encoding="ISO-8859-1"?><worksheet>', False),
        (b'<?xml version="1.0" encoding="cp037"?><worksheet>', False),
        ('<?xml version="1.0"?><worksheet>'.encode("utf-16"), False),
        ("<worksheet>".encode("utf-16-le"), False),
        ("<worksheet>".encode("utf-16-be"), False),
        (b'<?xml version="1.0"', None),  # more is needed
        (b"<?x", None),
        (b"\xef\xbb", None),
        (b"<", None),
        (b'<?xml version="1.0"' + b" " * 5000, False),  # a declaration too long to be one
    ],
)
def test_only_parts_in_utf8_are_judged_by_their_bytes(head: bytes, utf8: bool | None) -> None:
    assert written_in_utf8(head) == utf8


def test_a_part_too_short_to_tell_its_encoding_is_judged_whole() -> None:
    assert written_in_utf8(b"<a/>", whole=True)
    assert written_in_utf8(b"<a>", whole=True)
    assert not written_in_utf8(b"<?xml", whole=True)
    assert not written_in_utf8(b"", whole=True)


def test_a_far_cell_in_utf16_is_not_vouched_for() -> None:
    body = '<row r="200000"><c r="A200000"><v>1</v></c></row>'
    head = '<?xml version="1.0" encoding="UTF-16"?><worksheet><sheetData>'
    data = (head + body + "</sheetData></worksheet>").encode("utf-16")
    check = PositionCheck()
    check.feed(data)
    assert not check.close()
