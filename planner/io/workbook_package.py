"""The XlsxWriter workbook the export uses: fast cells, notes, chart caches and zip.

Every note becomes a comment, which XlsxWriter writes twice (a VML shape and
an entry in the comments part), element by element with a regex escape per
attribute; a chart caches each point of its series the same way. Most of that
is fixed text, so the writers here emit each note, point and shared string as
one string and keep XlsxWriter's escaping only for text that may need more than
& < > escaped. The parts are zipped by planner.io.zip_parts.

This relies on private parts of XlsxWriter (pinned in pyproject.toml): the
``_get_packager`` hook, ``_store_workbook`` zipping the list that
``Packager._create_package`` returns (``StringIO``/``BytesIO`` parts in memory),
``Worksheet.workbook_add_format``, ``Packager._write_vml_files`` / ``_write_comment_files``,
``_write_shared_strings_file``, the ``_write_comment_shape``, ``_write_comment``
and ``_write_si`` methods of ``Vml``, ``Comments`` and ``SharedStrings``, a
note's ``vertices`` (cells, offsets, then position and size in pixels),
``Chart._write_pt``, and the chart classes ``add_chart`` makes.
tests/planner/test_xlsx_cells.py compares whole exports with XlsxWriter's own
writers byte for byte.
"""

from __future__ import annotations

import functools
import io
import os
from typing import Any

from xlsxwriter.chart_column import ChartColumn
from xlsxwriter.chart_line import ChartLine
from xlsxwriter.comments import Comments
from xlsxwriter.packager import Packager
from xlsxwriter.sharedstrings import SharedStrings
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.vml import Vml
from xlsxwriter.workbook import Workbook

from planner.io.workbook_cells import FastWorksheet, FloatTexts, escape_text
from planner.io.workbook_xml import FastXml, attribute_value
from planner.io.zip_parts import zip_bytes

# The parts of a comment's VML shape that XlsxWriter writes the same for every note.
_SHAPE_BODY = (
    '<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
    '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto">'
    '<div style="text-align:left"></div></v:textbox>'
    '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
)


_column_name = functools.cache(xl_col_to_name)


def _plain(text: str) -> bool:
    """Whether XlsxWriter would write ``text`` with only & < > escaped.

    Anything else (control characters and what looks like their escapes,
    non-characters, leading or trailing space) goes through XlsxWriter's own code.
    """
    return (
        "_x" not in text
        and text.replace("\n", "").replace("\t", "").isprintable()
        and not text[:1].isspace()
        and not text[-1:].isspace()
    )


class _Points(dict[float, str]):
    """A length in points as XlsxWriter writes it in a note's VML style.

    Positions and sizes are never negative, so 0.0 and -0.0 (one key) cannot meet.
    """

    def __missing__(self, value: float) -> str:
        text = self[value] = f"{value:.15g}"
        return text


class FastVml(Vml):  # type: ignore[misc]
    """The VML drawing of a sheet's notes, one string per note."""

    def __init__(self) -> None:
        super().__init__()
        # The last note's colour and its attribute: a sheet's notes share one colour
        # object (see FastWorksheet.put_comment).
        self._fill: tuple[Any, str] = (None, "")
        self._points = _Points()  # notes line up, so positions and sizes repeat

    def _write_comment_shape(self, shape_id: int, z_index: int, comment: Any) -> None:
        col_start, row_start, x1, y1, col_end, row_end, x2, y2, *pixels = comment.vertices
        left, top, width, height = (size * 0.75 for size in pixels[:4])  # pixels to points
        visible = comment.is_visible
        points = self._points
        color, fill = self._fill
        if color is not comment.color:
            color = comment.color
            fill = attribute_value(color._vml_rgb_hex_value())
            self._fill = (color, fill)
        self.fh.write(
            f'<v:shape id="_x0000_s{shape_id}" type="#_x0000_t202" style="position:absolute;'
            f"margin-left:{points[left]}pt;margin-top:{points[top]}pt;width:{points[width]}pt;"
            f"height:{points[height]}pt;z-index:{z_index};"
            f'visibility:{"visible" if visible else "hidden"}" fillcolor="{fill}" '
            f'o:insetmode="auto">{_SHAPE_BODY}'
            f"<x:Anchor>{col_start}, {x1}, {row_start}, {y1}, {col_end}, {x2}, {row_end}, {y2}"
            f"</x:Anchor><x:AutoFill>False</x:AutoFill>"
            f"<x:Row>{comment.row}</x:Row><x:Column>{comment.col}</x:Column>"
            f"{'<x:Visible/>' if visible else ''}</x:ClientData></v:shape>"
        )


class FastComments(Comments):  # type: ignore[misc]
    """A sheet's comments part, one string per note around its escaped text."""

    def _write_comment(self, comment: Any, author_id: int) -> None:
        escape = attribute_value
        author = f' authorId="{author_id}"' if author_id != -1 else ""
        self.fh.write(
            f'<comment ref="{_column_name(comment.col)}{comment.row + 1}"{author}>'
            f'<text><r><rPr><sz val="{escape(comment.font_size)}"/><color indexed="81"/>'
            f'<rFont val="{escape(comment.font_name)}"/>'
            f'<family val="{escape(comment.font_family)}"/></rPr>'
        )
        text = comment.text
        if _plain(text):
            self.fh.write(f"<t>{escape_text(text)}</t></r></text></comment>")
        else:
            self._write_text_t(text)
            self.fh.write("</r></text></comment>")


class FastSharedStrings(SharedStrings):  # type: ignore[misc]
    """The shared strings part, plain strings written without regex passes."""

    def _write_si(self, string: str) -> None:
        if _plain(string) and not string.startswith("<r>"):
            self.fh.write(f"<si><t>{escape_text(string)}</t></si>")
        else:
            super()._write_si(string)


class _FastPoints:
    """Chart mixin: each cached point of a series written as one string."""

    fh: Any
    _escape_data: Any
    _escape_control_characters: Any

    def _write_pt(self, idx: int, value: Any) -> None:
        if value is None:
            return
        kind = value.__class__
        if kind is str:
            if (
                not value.isprintable()
                or "_x" in value
                or "&" in value
                or "<" in value
                or ">" in value
            ):
                value = self._escape_control_characters(self._escape_data(value))
        elif kind is not float and kind is not int:
            value = self._escape_control_characters(self._escape_data(value))
        self.fh.write(f'<c:pt idx="{idx}"><c:v>{value}</c:v></c:pt>')


class FastChartLine(_FastPoints, FastXml, ChartLine):  # type: ignore[misc]
    pass


class FastChartColumn(_FastPoints, FastXml, ChartColumn):  # type: ignore[misc]
    pass


_FAST_CHARTS = {ChartLine: FastChartLine, ChartColumn: FastChartColumn}


class FastPackager(Packager):  # type: ignore[misc]
    """XlsxWriter's packager with the notes' writers above.

    Given a list, it puts the parts written in memory there for
    :class:`FastWorkbook` to zip, and hands XlsxWriter none.
    """

    def __init__(self, parts: list[tuple[str, bytes]] | None = None) -> None:
        super().__init__()
        self._parts = parts

    def _create_package(self) -> list[Any]:
        files: list[Any] = super()._create_package()
        if self._parts is None or not self.in_memory:
            return files
        for handle, name, is_binary in files:
            content = handle.getvalue()
            self._parts.append((name, content if is_binary else content.encode()))
        return []

    def _write_vml_files(self) -> None:
        sheets = self.workbook.worksheets()
        if any(ws.has_header_vml or ws.buttons_list for ws in sheets):
            super()._write_vml_files()
            return
        index = 1
        for ws in sheets:
            if not ws.has_vml:
                continue
            vml = FastVml()
            vml._set_xml_writer(self._filename(f"xl/drawings/vmlDrawing{index}.vml"))
            vml._assemble_xml_file(
                ws.vml_data_id, ws.vml_shape_id, ws.comments_list, ws.buttons_list
            )
            index += 1

    def _write_shared_strings_file(self) -> None:
        if not self.workbook.str_table.count:
            return
        strings = FastSharedStrings()
        strings.string_table = self.workbook.str_table
        strings._set_xml_writer(self._filename("xl/sharedStrings.xml"))
        strings._assemble_xml_file()

    def _write_comment_files(self) -> None:
        index = 1
        for ws in self.workbook.worksheets():
            if not ws.has_comments:
                continue
            comments = FastComments()
            comments._set_xml_writer(self._filename(f"xl/comments{index}.xml"))
            comments._assemble_xml_file(ws.comments_list)
            index += 1


class FastWorkbook(Workbook):  # type: ignore[misc]
    """An XlsxWriter workbook whose sheets are :class:`FastWorksheet` and whose notes are fast.

    Written in memory (the ``in_memory`` option), its parts are zipped by
    planner.io.zip_parts; otherwise XlsxWriter zips them itself.
    """

    worksheet_class = FastWorksheet
    filename: Any

    def __init__(self, filename: Any = None, options: dict[str, Any] | None = None) -> None:
        super().__init__(filename, options)
        self._parts: list[tuple[str, bytes]] | None = None
        self._float_texts = FloatTexts()

    def _get_packager(self) -> Packager:
        return FastPackager(self._parts)

    def _store_workbook(self) -> None:
        if not self.in_memory:
            super()._store_workbook()
            return
        target, self._parts = self.filename, []
        self.filename = io.BytesIO()  # XlsxWriter's own archive, left empty by FastPackager
        try:
            super()._store_workbook()
        finally:
            self.filename = target
        parts, self._parts = self._parts, None
        archive = zip_bytes(parts)
        if isinstance(target, (str, os.PathLike)):
            with open(target, "wb") as file:
                file.write(archive)
        else:
            target.write(archive)

    def add_worksheet(self, name: str | None = None, worksheet_class: Any = None) -> Any:
        sheet = super().add_worksheet(name, worksheet_class)
        if isinstance(sheet, FastWorksheet):
            sheet.float_texts = self._float_texts  # values repeat from sheet to sheet
        return sheet

    def close(self) -> None:
        super().close()
        # Each worksheet keeps the workbook's add_format, a reference cycle that would
        # leave the whole workbook, cells included, to the cycle collector.
        for worksheet in self.worksheets():
            worksheet.workbook_add_format = None

    def add_chart(self, options: dict[str, Any]) -> Any:
        chart = super().add_chart(options)
        fast = _FAST_CHARTS.get(type(chart))
        if fast is not None:
            chart.__class__ = fast  # the same chart, with the faster point writer
        return chart
