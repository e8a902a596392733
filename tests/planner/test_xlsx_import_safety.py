"""The import's own defences: the sheets it reads are checked in its one pass over them,
every other part at C speed, and nothing it does not read costs it memory."""

from __future__ import annotations

import re
import warnings
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from planner.builtin import builtin_project
from planner.io import workbook_scan, workbook_stream
from planner.io.workbook_safety import WorkbookError, check_archive
from planner.io.workbook_stream import Package
from planner.io.xlsx_export import export_workbook
from planner.io.xlsx_import import import_workbook
from planner.model import Project
from tests.planner.helpers import peak_memory
from tests.planner.test_workbook_safety import (
    DTD,
    MB,
    after_prolog,
    before_sheet_data_end,
    edit_part,
    in_utf16,
    incompressible_text,
    padded_chunks,
    rewrite,
    understate,
)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("import-safety") / "builtin.xlsx"
    export_workbook(builtin_project(), path)
    return path


@pytest.fixture(scope="module")
def builtin() -> Project:
    return builtin_project()


@pytest.fixture(scope="module")
def parts(exported: Path) -> dict[str, str]:
    """Sheet title -> part; "Summary" is never read, "Leaked plan" and "Bull case" are
    scenario sheets, "_burnrate" is read whole."""
    with zipfile.ZipFile(exported) as archive:
        return Package(archive, exported.name).sheet_parts()


def with_top_row(xml: bytes) -> Callable[[bytes], bytes]:
    """Put ``xml`` first in the sheet's data, before the rows the import reads."""
    return lambda data: data.replace(b"<sheetData>", b"<sheetData>" + xml, 1)


def fast_path_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if a sheet the import reads is judged element by element."""

    def judged(*args: object) -> None:
        raise AssertionError("a sheet went the element-by-element way")

    monkeypatch.setattr(workbook_stream, "check_sheet", judged)


# --- DOCTYPEs: wherever they sit, in every part ----------------------------------------------


@pytest.mark.parametrize(
    ("part", "edit"),
    [
        ("xl/workbook.xml", after_prolog(b"<!--" + b" " * 10240 + b"-->" + DTD)),
        ("xl/styles.xml", in_utf16),
        ("docProps/app.xml", after_prolog(b"\n" * 20000 + DTD)),
        ("xl/sharedStrings.xml", after_prolog(b"<!--" + b"x" * 5000 + b"-->" + DTD)),
        ("xl/comments1.xml", after_prolog(DTD)),
        ("Summary", after_prolog(b"<!--" + b" " * 10240 + b"-->" + DTD)),
        ("Leaked plan", after_prolog(b"<!--" + b" " * 10240 + b"-->" + DTD)),
        ("Bull case", in_utf16),
        ("_burnrate", after_prolog(b"\n" * 20000 + DTD)),
    ],
    ids=[
        "book",
        "styles-utf16",
        "app",
        "strings",
        "notes",
        "unread-sheet",
        "base",
        "utf16-sheet",
        "meta",
    ],
)
def test_a_doctype_in_any_part_stops_the_import(
    exported: Path,
    parts: dict[str, str],
    tmp_path: Path,
    part: str,
    edit: Callable[[bytes], bytes],
) -> None:
    part = parts.get(part, part)  # a sheet is given by its title
    path = rewrite(exported, tmp_path / "dtd.xlsx", edit_part(part, edit))
    with pytest.raises(
        WorkbookError, match=rf"part '?{re.escape(part)}'? declares a DOCTYPE"
    ) as caught:
        import_workbook(path)
    assert "refused" in str(caught.value)


@pytest.mark.parametrize("name", ["customXml/item1.xml", "xl/printerSettings.txt"])
def test_a_doctype_in_a_part_no_reader_opens_stops_the_import(
    exported: Path, tmp_path: Path, name: str
) -> None:
    path = rewrite(exported, tmp_path / "extra.xlsx", lambda n, d: d, {name: b"\n" + DTD + b"<a/>"})
    with pytest.raises(WorkbookError, match=f"part '{name}' declares a DOCTYPE, which a workbook"):
        import_workbook(path)


def test_a_doctype_in_an_entry_hidden_behind_another_of_its_name_stops_the_import(
    exported: Path, parts: dict[str, str], tmp_path: Path
) -> None:
    sheet = parts["Bull case"]
    path = tmp_path / "twice.xlsx"
    with zipfile.ZipFile(exported) as old, zipfile.ZipFile(path, "w") as new:
        new.writestr(sheet, after_prolog(DTD)(old.read(sheet)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zipfile warns of the second entry of that name
            for info in old.infolist():
                new.writestr(info.filename, old.read(info))
    with pytest.raises(WorkbookError, match=f"part '{sheet}' declares a DOCTYPE"):
        import_workbook(path)


# --- limits on the sheets the import reads -----------------------------------------------------

FAR = [
    (b'<row r="100001"><c r="A100001"><v>1</v></c></row>', r"data in row 100,001; .* at most"),
    (b'<row r="100002"><c r="B100002"><f>1+1</f></c></row>', "row 100,002"),
    (b'<row r="90"><c r="BXY90"><v>1</v></c></row>', r"data in column 2,001; .* at most"),
    (b"<row>" + b"<c><v>1</v></c>" * 2001 + b"</row>", "data in column 2,001"),
    (b'<row><c r="BXX1048576"><v>1</v></c></row>', "data in row 1,048,576"),
    (b'<row r="1048577"/>', r"a row numbered 1,048,577, past a sheet's last row"),
    (b'<row r="9"><c r="XFE9"/></row>', r"a cell in column 16,385, past a sheet's last"),
    (b'<row r="99999999999"/>', "'99999999999', which is not a row number"),
]


@pytest.mark.parametrize(("xml", "message"), FAR)
@pytest.mark.parametrize(
    "where",
    [before_sheet_data_end, with_top_row],
    ids=["after-the-model", "before-the-model"],
)
def test_a_read_sheet_breaking_a_limit_is_refused_naming_it(
    exported: Path,
    parts: dict[str, str],
    tmp_path: Path,
    xml: bytes,
    message: str,
    where: Callable[[bytes], Callable[[bytes], bytes]],
) -> None:
    path = rewrite(exported, tmp_path / "far.xlsx", edit_part(parts["Bull case"], where(xml)))
    with pytest.raises(WorkbookError, match=rf"sheet Bull case .*{message}"):
        import_workbook(path)


def test_a_read_sheet_in_utf16_is_judged_element_by_element(
    exported: Path, parts: dict[str, str], builtin: Project, tmp_path: Path
) -> None:
    def utf16(data: bytes) -> bytes:
        text = data.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
        return text.encode("utf-16")

    path = rewrite(exported, tmp_path / "utf16.xlsx", edit_part(parts["Bull case"], utf16))
    assert import_workbook(path) == builtin
    far = b'<row r="100001"><c r="A100001"><v>1</v></c></row>'
    edit = edit_part(parts["Bull case"], lambda data: utf16(before_sheet_data_end(far)(data)))
    path = rewrite(exported, tmp_path / "utf16-far.xlsx", edit)
    with pytest.raises(WorkbookError, match="sheet Bull case holds data in row 100,001"):
        import_workbook(path)


@pytest.mark.parametrize(
    "rows",
    [
        b'<row r="99999"><c r="BXX99999"><v>1</v></c></row>',
        b'<row r="1048576" s="2" customFormat="1" hidden="false"><c r="A1048576" s="2"/></row>',
        b'<row r="1048576" customFormat="false" ht="12.8" hidden="false"></row>',
    ],
    ids=["far-cell-within-limits", "libreoffice-styled-last-row", "libreoffice-last-row"],
)
def test_far_rows_within_the_limits_cost_no_memory_nor_a_slow_scan(
    exported: Path,
    parts: dict[str, str],
    builtin: Project,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    rows: bytes,
) -> None:
    def edit(data: bytes) -> bytes:
        data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', data)
        return before_sheet_data_end(rows)(data)

    path = rewrite(exported, tmp_path / "far.xlsx", edit_part(parts["Leaked plan"], edit))
    fast_path_only(monkeypatch)
    assert import_workbook(path) == builtin
    assert peak_memory(lambda: import_workbook(path)) < 40 * MB


def test_cells_past_the_full_scans_count_are_not_kept(
    exported: Path,
    parts: dict[str, str],
    builtin: Project,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The count of cells bounds what openpyxl would create; the import keeps only the cells
    it asks for, so more cells cost it their bytes, not their number in objects."""
    rows = b"".join(
        b'<row r="%d">' % r
        + b"".join(b'<c r="%s%d"><v>1</v></c>' % (c, r) for c in (b"AA", b"AB"))
        + b"</row>"
        for r in range(20_000, 35_000)
    )
    path = rewrite(
        exported, tmp_path / "many.xlsx", edit_part(parts["Bull case"], before_sheet_data_end(rows))
    )
    monkeypatch.setattr(workbook_scan, "MAX_CELLS", 20_000)  # the built-in uses about 10,000
    with pytest.raises(WorkbookError, match="past 20,000 cells"):
        check_archive(path)  # the plain-sheet import's full scan still counts them
    assert import_workbook(path) == builtin
    assert peak_memory(lambda: import_workbook(path)) < 40 * MB


def test_oversized_markup_in_a_read_sheet_is_refused(
    exported: Path, parts: dict[str, str], tmp_path: Path
) -> None:
    comment = b"<!--" + incompressible_text(5 * MB) + b"-->"
    edit = edit_part(
        parts["Bull case"], lambda d: d.replace(b"<sheetData>", comment + b"<sheetData>")
    )
    path = rewrite(exported, tmp_path / "comment.xlsx", edit)
    with pytest.raises(WorkbookError, match="holds a tag, comment or attribute of more than 4 MB"):
        import_workbook(path)
    assert peak_memory(lambda: import_workbook(path)) < 24 * MB


def test_a_read_sheet_inflating_past_its_declared_size_is_refused_early(
    exported: Path, parts: dict[str, str], builtin: Project, tmp_path: Path
) -> None:
    scenario = parts["Bull case"]
    with zipfile.ZipFile(exported) as archive:
        sheet = archive.read(scenario)
        contents = [(info, archive.read(info)) for info in archive.infolist()]
    path = tmp_path / "liar.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in contents:
            if info.filename != scenario:
                archive.writestr(info.filename, data)
                continue
            with archive.open(scenario, "w") as part:
                for chunk in padded_chunks(sheet, 256 * MB):
                    part.write(chunk)
    understate(path, scenario, len(sheet), zlib.crc32(sheet))
    message = rf"{re.escape(scenario)}' inflates beyond the [\d,]+ bytes its header declares"
    with pytest.raises(WorkbookError, match=message):
        import_workbook(path)
    assert peak_memory(lambda: import_workbook(path)) < 40 * MB


# --- sheets the import never reads -------------------------------------------------------------


@pytest.mark.parametrize(
    "xml",
    [
        b'<row r="1048577"/>',
        b'<row r="9"><c r="XFE9"><v>1</v></c></row>',
        b'<row r="200000"><c r="BXY200000"><v>1</v></c></row>',
        b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (r, r) for r in range(100, 30_100)),
    ],
    ids=["row-past-the-sheet", "column-past-the-sheet", "far-data", "many-cells"],
)
def test_a_sheet_the_import_never_reads_costs_only_a_quick_scan(
    exported: Path,
    parts: dict[str, str],
    builtin: Project,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    xml: bytes,
) -> None:
    path = rewrite(
        exported, tmp_path / "summary.xlsx", edit_part(parts["Summary"], before_sheet_data_end(xml))
    )
    monkeypatch.setattr(workbook_scan, "MAX_CELLS", 20_000)
    assert import_workbook(path) == builtin
    assert peak_memory(lambda: import_workbook(path)) < 40 * MB
