"""Blocks of cells as tab-separated text, the way spreadsheets copy and paste them."""

from __future__ import annotations

from collections.abc import Sequence

MAX_CELLS = 100_000


class ClipboardError(ValueError):
    """Clipboard text too large or malformed to paste."""


def parse_tsv(text: str) -> list[list[str]]:
    """Rows of fields from tab-separated text.

    Handles CRLF and CR line ends, a trailing line end, and quoted fields
    (``"a ""b"" c"``, possibly spanning lines) as Excel and LibreOffice write
    them. Rows may have different lengths.
    """
    rows: list[list[str]] = []
    row: list[str] = []
    field: list[str] = []
    i, n = 0, len(text)
    at_field_start = True
    cells = 0
    while i < n:
        char = text[i]
        if at_field_start and char == '"':
            end, value = _quoted(text, i)
            if end is not None:
                field.append(value)
                i = end
                at_field_start = False
                continue
        if char == "\t":
            row.append("".join(field))
            field, at_field_start = [], True
        elif char in "\r\n":
            row.append("".join(field))
            rows.append(row)
            row, field, at_field_start = [], [], True
            if char == "\r" and i + 1 < n and text[i + 1] == "\n":
                i += 1
        else:
            field.append(char)
            at_field_start = False
        i += 1
        cells += 1 if char in "\t\r\n" else 0
        if cells > MAX_CELLS:
            raise ClipboardError(f"the clipboard holds more than {MAX_CELLS:,} cells")
    if field or row:
        row.append("".join(field))
        rows.append(row)
    return rows


def _quoted(text: str, start: int) -> tuple[int | None, str]:
    """End index and value of a quoted field at ``start``, or None if it is not one."""
    i, n = start + 1, len(text)
    parts: list[str] = []
    while i < n:
        char = text[i]
        if char == '"':
            if i + 1 < n and text[i + 1] == '"':
                parts.append('"')
                i += 2
                continue
            following = text[i + 1] if i + 1 < n else ""
            if following in ("", "\t", "\r", "\n"):
                return i + 1, "".join(parts)
            return None, ""
        parts.append(char)
        i += 1
    return None, ""


def to_tsv(rows: Sequence[Sequence[str]]) -> str:
    """Tab-separated text; fields holding tabs, line ends or quotes are quoted."""
    lines = []
    for row in rows:
        fields = []
        for value in row:
            if any(c in value for c in '\t\r\n"'):
                value = '"' + value.replace('"', '""') + '"'
            fields.append(value)
        lines.append("\t".join(fields))
    return "\n".join(lines) + "\n"
