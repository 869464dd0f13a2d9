"""Hostile inputs: files built to hang or exhaust a reader, and report text built to break out of the
dashboard's markdown. The reliability tests and `tools/fuzz.py` feed them to the parser.

Each file is small on disk; what it asks for is not: a PDF whose objects refer to themselves, a sheet
with one cell at XFD1048576 or one merge over the whole sheet, a Word table cell 100,000,000 columns
wide, a Word file whose 4 MB inflate to 4 GB, a web page of tables whose cells span 200 × 200 grid cells.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

MIB = 1 << 20


@dataclass(frozen=True)
class HostileFile:
    name: str
    data: bytes
    attack: str


def _pdf(objects: list[bytes]) -> bytes:
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj" % number + body + b"endobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer<</Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % xref


def self_referencing_pdf() -> HostileFile:
    """The page tree's root is an object that is only a reference to itself (pdfminer followed it
    forever)."""
    return HostileFile("self_reference.pdf", _pdf([b"<</Type/Catalog/Pages 2 0 R>>", b" 2 0 R "]), "loop")


def _workbook(edit: str) -> bytes:
    """A small workbook; the merge over the whole sheet is written into its XML afterwards, because
    openpyxl itself would make a cell object for each of the 17 billion merged positions."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = "政府信息公开工作年度报告"
    sheet["A2"] = "收到申请数"
    sheet["B2"] = 3
    if edit == "stray":
        sheet["XFD1048576"] = "x"
    else:
        sheet.merge_cells("A1:B1")
    out = io.BytesIO()
    book.save(out)
    if edit == "stray":
        return out.getvalue()
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    rewritten = io.BytesIO()
    with zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = data.replace(b'ref="A1:B1"', b'ref="A1:XFD1048576"')
            target.writestr(info.filename, data)
    return rewritten.getvalue()


def xlsx_stray_cell() -> HostileFile:
    return HostileFile("stray_cell_XFD1048576.xlsx", _workbook("stray"), "grid")


def xlsx_whole_sheet_merge() -> HostileFile:
    return HostileFile("merge_A1_XFD1048576.xlsx", _workbook("merge"), "grid")


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _document_xml(table: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}"><w:body>'
        "<w:p><w:r><w:t>某局2021年政府信息公开工作年度报告</w:t></w:r></w:p>"
        f"{table}</w:body></w:document>"
    ).encode()


def docx_grid_span(span: int = 100_000_000) -> HostileFile:
    cell = '<w:tc><w:tcPr><w:gridSpan w:val="{}"/></w:tcPr><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:tc>'
    rows = "".join(f"<w:tr>{cell.format(span, 'x')}{cell.format(1, '1')}</w:tr>" for _ in range(20))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("word/document.xml", _document_xml(f"<w:tbl>{rows}</w:tbl>"))
    return HostileFile(f"gridSpan_{span}.docx", out.getvalue(), "grid")


def docx_zip_bomb(inflated: int = 4000 * MIB) -> HostileFile:
    """word/document.xml of `inflated` bytes (spaces after a valid opening) in a few megabytes: the
    deflate stream is one compressed megabyte repeated, each block independent of the one before."""
    head = _document_xml("")[: -len(b"</w:body></w:document>")]
    chunk = b" " * MIB
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = squeeze.compress(head) + squeeze.flush(zlib.Z_FULL_FLUSH)
    block = squeeze.compress(chunk) + squeeze.flush(zlib.Z_FULL_FLUSH)
    repeats = max(1, (inflated - len(head)) // MIB)
    tail = b"</w:body></w:document>"
    last = squeeze.compress(tail) + squeeze.flush(zlib.Z_FINISH)
    crc = zlib.crc32(head)
    for _ in range(repeats):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + repeats * MIB + len(tail)
    compressed = first + block * repeats + last
    return HostileFile(
        f"zip_bomb_{size >> 20}MiB.docx", _zip_one("word/document.xml", compressed, crc, size), "zip"
    )


def _zip_one(name: str, compressed: bytes, crc: int, size: int) -> bytes:
    """A ZIP archive of one deflated part, written by hand (zipfile cannot store a precompressed part)."""
    encoded = name.encode()
    local = struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(compressed), size, len(encoded), 0
    )
    sizes = (crc, len(compressed), size, len(encoded))
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, *sizes, 0, 0, 0, 0, 0, 0)
    body = local + encoded + compressed
    directory = central + encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(directory), len(body), 0)
    return body + directory + end


def html_span_grids(tables: int = 60, rows: int = 40) -> HostileFile:
    cell = '<td rowspan="100000" colspan="100000">0</td>'
    table = "<table>" + "".join(f"<tr>{cell}</tr>" for _ in range(rows)) + "</table>"
    html = (
        "<html><head><title>某局政府信息公开工作年度报告</title></head><body><div id='zoom'>"
        + table * tables
        + "</div></body></html>"
    )
    return HostileFile("span_grids.html", html.encode(), "grid")


def hostile_files(bomb: int = 4000 * MIB) -> list[HostileFile]:
    """The hostile files of the reliability tests (special files such as /dev/zero and FIFOs are made
    where they are needed)."""
    return [
        self_referencing_pdf(),
        xlsx_stray_cell(),
        xlsx_whole_sheet_merge(),
        docx_grid_span(),
        docx_zip_bomb(bomb),
        html_span_grids(),
    ]


HOSTILE_TEXT = (
    "![t](http://127.0.0.1:9/x.png)[点击下载原文](http://127.0.0.1:9/download)"
    " **粗体** $x^2$ :red[红字] :material/home: `code` <b>b</b> <img src=x onerror=alert(1)> # 标题"
)
"""Markdown, LaTeX, Streamlit directives and HTML that must reach the screen as the characters they are."""

HOSTILE_AGENCY = "开化县**发展**和$x$:red[改革]`[点我](javascript:alert(1))`局"
"""An agency name the metadata reader accepts (it ends in 局 and names its county) full of markup."""
HOSTILE_FILE = "报告`x`[点我](javascript:alert(1))_$y$_**粗**.html"


def hostile_report(source: str) -> str:
    """A generated v2019 report page (tests/fixtures/reports/开化县发展和改革局_2020.html) whose agency and
    title carry markup: the report loads, and its texts must reach the screen as they are."""
    agency = "开化县发展和改革局"
    title = f"{agency}2020年政府信息公开工作年度报告"
    return source.replace(title, f"{HOSTILE_AGENCY}2020年政府信息公开工作年度报告{HOSTILE_TEXT}").replace(
        agency, HOSTILE_AGENCY
    )
