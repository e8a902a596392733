"""Whether a worksheet's rows and cells all sit within the limits, judged at C speed.

The streaming import reads a few rows of each scenario sheet and leaves the
rest unparsed, so it cannot judge rows and cells element by element as the
full scan (workbook_scan) does without paying for the calculations it never
reads. Instead every byte of the sheet passes a compiled pattern that finds
any tag starting a row or a cell whose first attribute is not a reference
written plainly (``<c r="K13"``, ``<row r="13"``) to a place where no limit
is broken: a row anywhere in a sheet, a cell that may hold data within
``MAX_ROWS`` and ``MAX_COLUMNS``, an empty self-closing cell anywhere in a
sheet. Comments and text cannot hide a tag from it; at worst they hold
something that looks like one, and the sheet goes the slow way.

What the pattern cannot vouch for (a row or cell without its reference, a
reference far out or written otherwise, a namespace prefix, an encoding other
than UTF-8) is left to the element-by-element scan. Sheets written by
Burnrate, Excel and LibreOffice pass, LibreOffice's empty last row included.
"""

from __future__ import annotations

import re
import string

from planner.io.workbook_scan import (
    EXCEL_COLUMNS,
    EXCEL_ROWS,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_TOKEN_BYTES,
    column_letters,
)

_LETTERS = string.ascii_uppercase
_DIGITS = string.digits


def at_most(limit: str, alphabet: str) -> str:
    """A pattern for the strings over ``alphabet`` that sort at or before ``limit``
    among those of their length, or are shorter: for numerals and column letters,
    those naming at most ``limit``."""
    length = len(limit)
    choices = []
    if length > 1:
        choices.append(f"[{alphabet}]{{1,{length - 1}}}")
    for at, char in enumerate(limit):
        below = alphabet[: alphabet.index(char)]
        if below:
            rest = length - at - 1
            choices.append(f"{limit[:at]}[{below}]" + (f"[{alphabet}]{{{rest}}}" if rest else ""))
    choices.append(limit)
    return "(?:" + "|".join(choices) + ")"


def _reference(columns: int, rows: int) -> str:
    return at_most(column_letters(columns), _LETTERS) + at_most(str(rows), _DIGITS)


_ROW_ANYWHERE = at_most(str(EXCEL_ROWS), _DIGITS)
_DATA_CELL = _reference(MAX_COLUMNS, MAX_ROWS)
_CELL_ANYWHERE = _reference(EXCEL_COLUMNS, EXCEL_ROWS)
_ATTRIBUTES = r'(?:\s+[\w:.-]+="[^"<]*")*'  # each value whole, so that "/>" in one is not the end
# A tag starting a row or a cell whose first attribute does not place it where no limit
# is broken.
_UNPLACED = re.compile(
    (
        rf'<row(?! r="{_ROW_ANYWHERE}")[\s>/]'
        rf'|<c(?! r="(?:{_DATA_CELL}"|{_CELL_ANYWHERE}"{_ATTRIBUTES}\s*/>))[\s>/]'
    ).encode()
)
# A row or cell named with a namespace prefix: left to the element-by-element scan.
_PREFIXED = re.compile(rb":(?:c|row)[\s>/]")
_DECLARED_ENCODING = re.compile(rb"""\sencoding\s*=\s*["']([^"']*)["']""")
_UTF8_NAMES = frozenset({b"utf-8", b"us-ascii"})
_LONGEST_DECLARATION = 4096


def written_in_utf8(head: bytes, *, whole: bool = False) -> bool | None:
    """Whether a part starting with ``head`` is UTF-8 (or ASCII), so that its bytes are its
    text; None while the head is too short to tell, unless it is the ``whole`` part."""
    bare = head.removeprefix(b"\xef\xbb\xbf")
    if b"<?xml".startswith(bare[:5]) and len(bare) < 5 and not whole:
        return None
    if not bare.startswith(b"<?xml"):
        start = bare.lstrip(b" \t\r\n")
        if len(start) < 4 and not whole:
            return None
        return start.startswith(b"<") and b"\x00" not in start[:4]
    end = bare.find(b"?>")
    if end < 0:
        return None if len(bare) < _LONGEST_DECLARATION and not whole else False
    declared = _DECLARED_ENCODING.search(bare, 0, end)
    return declared is None or declared.group(1).lower() in _UTF8_NAMES


class PositionCheck:
    """Fed a worksheet's bytes in order; ``vouched`` stays true while every row and cell
    seen is within the limits as written."""

    def __init__(self) -> None:
        self.vouched = True
        self.head: bytes | None = b""  # the first bytes, until they tell the encoding
        self.pending = b""  # from the last "<" of what was fed: a tag may go on

    def feed(self, chunk: bytes) -> None:
        if not self.vouched:
            return
        if self.head is not None:
            self.head += chunk
            utf8 = written_in_utf8(self.head)
            if utf8 is None:
                return
            self.vouched = utf8
            chunk, self.head = self.head, None
        text = self.pending + chunk
        cut = text.rfind(b"<")
        if cut < 0:
            self._judge(text)
            self.pending = b""
            return
        self._judge(text[:cut])
        self.pending = text[cut:]
        if len(self.pending) > MAX_TOKEN_BYTES:
            self.vouched = False

    def close(self) -> bool:
        """Whether the whole sheet was vouched for."""
        if self.head is not None:
            self.vouched = bool(written_in_utf8(self.head, whole=True))
            self.pending, self.head = self.head, None
        self._judge(self.pending)
        self.pending = b""
        return self.vouched

    def _judge(self, text: bytes) -> None:
        if self.vouched and (_UNPLACED.search(text) or _PREFIXED.search(text)):
            self.vouched = False
