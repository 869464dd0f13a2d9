"""A small mutation fuzzer over sample files of every reader (HTML, text, PDF, DOCX, XLSX).

Mutants are made the way damage and malice happen: bytes flipped, cut, repeated or moved; numbers
with too many digits, spans of millions, deep nesting and self-references spliced in. The parts of a
ZIP package (DOCX, XLSX) are mutated inside the package as well as outside, so the mutants reach the
XML readers instead of stopping at the CRC check. Deterministic: the same seed gives the same mutants.
"""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from etl.readers import read_document
from etl.records import Document, Table

TOKENS: dict[str, tuple[bytes, ...]] = {
    "common": (
        b"9" * 40,
        b"99999999999999999999999999999.1234567",
        b"1e30",
        b"-0",
        b"\x00",
        b"\xff\xfe",
        "１２３，４５６.７８９万元".encode(),
        "（一）予以公开".encode(),
        "三、收到和处理政府信息公开申请情况".encode(),
        "本年新收政府信息公开申请数量".encode(),
    ),
    "html": (
        b'<td rowspan="99999" colspan="99999">',
        b'<td colspan="2147483648">',
        b"<table><tr><td>",
        b"</td></tr></table>",
        b"<div>" * 300,
        b'<meta charset="utf-16">',
        b"<![CDATA[",
        b"&#x0;",
        b"<br>" * 50,
    ),
    "text": (b"\t" * 200, b"\n\t1\n\t2\n\n", b" 1 2 3 4 5 6 7 8 9" * 50, "\u3000".encode() * 40),
    "pdf": (
        b" 1 0 R ",
        b"/Kids [2 0 R 2 0 R]",
        b"/Count 999999999",
        b"/MediaBox [0 0 1e30 1e30]",
        b"/Length 99999999",
        b"<<" * 200,
        b"[" * 300,
        b"/Filter /FlateDecode",
        b"stream\nendstream",
        b"/Prev 0",
        b"BT /F1 9999 Tf (x) Tj ET",
    ),
    "xml": (
        b'<w:gridSpan w:val="99999999999"/>',
        b'<w:vMerge w:val="restart"/>',
        b"<w:tbl><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl>",
        b'<mergeCell ref="A1:XFD1048576"/>',
        b'<hyperlink ref="A1:ZZ99999"/>',
        b'<c r="XFD1048576"><v>1</v></c>',
        b'<c r="A1" t="s"><v>999999</v></c>',
        b"<w:sdt><w:sdtContent>" * 120,
        b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>',
        b"&a;&a;&a;",
    ),
}
FORMAT_TOKENS = {
    ".html": ("common", "html"),
    ".htm": ("common", "html"),
    ".txt": ("common", "text"),
    ".pdf": ("common", "pdf"),
    ".docx": ("common", "xml"),
    ".xlsx": ("common", "xml"),
}
FORMATS = (".html", ".txt", ".pdf", ".docx", ".xlsx")


@dataclass(frozen=True)
class Seed:
    name: str
    data: bytes

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()


@dataclass(frozen=True)
class Mutant:
    name: str
    data: bytes
    seed: str
    how: str


def _flip(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        position = rng.randrange(len(out))
        out[position] ^= 1 << rng.randrange(8)
    return bytes(out)


def _bytes(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 16)):
        out[rng.randrange(len(out))] = rng.choice((0, 0xFF, 0x7F, 0x80, 0x20, 0x3C, 0x3E, 0x30, 0x39))
    return bytes(out)


def _cut(rng: random.Random, data: bytes) -> bytes:
    start = rng.randrange(len(data))
    return data[:start] + data[start + rng.randint(1, max(1, len(data) // 8)) :]


def _truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data))]


def _repeat(rng: random.Random, data: bytes) -> bytes:
    start = rng.randrange(len(data))
    piece = data[start : start + rng.randint(1, 4096)]
    at = rng.randrange(len(data))
    return data[:at] + piece * rng.randint(2, 64) + data[at:]


def _move(rng: random.Random, data: bytes) -> bytes:
    start = rng.randrange(len(data))
    piece = data[start : start + rng.randint(1, 2048)]
    rest = data[:start] + data[start + len(piece) :]
    at = rng.randrange(len(rest) + 1)
    return rest[:at] + piece + rest[at:]


def _token(rng: random.Random, data: bytes, suffix: str) -> bytes:
    groups = FORMAT_TOKENS.get(suffix, ("common",))
    token = rng.choice([t for group in groups for t in TOKENS[group]])
    at = rng.randrange(len(data) + 1)
    if rng.random() < 0.5 and at < len(data):
        return data[:at] + token + data[at + rng.randint(1, 32) :]
    return data[:at] + token + data[at:]


def _digits(rng: random.Random, data: bytes) -> bytes:
    """A run of digits replaced by a much longer one (values of 29+ digits, spans of billions)."""
    runs = [
        i for i in range(len(data) - 1) if data[i : i + 1].isdigit() and not data[i + 1 : i + 2].isdigit()
    ]
    if not runs:
        return data
    at = rng.choice(runs)
    return data[: at + 1] + b"9" * rng.choice((8, 12, 20, 30, 60, 400)) + data[at + 1 :]


BYTE_MUTATIONS = {
    "flip": _flip,
    "bytes": _bytes,
    "cut": _cut,
    "truncate": _truncate,
    "repeat": _repeat,
    "move": _move,
    "digits": _digits,
}


def mutate_bytes(rng: random.Random, data: bytes, suffix: str) -> tuple[bytes, str]:
    if not data:
        return b"x", "empty"
    names = [*BYTE_MUTATIONS, "token", "token"]
    applied = []
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        name = rng.choice(names)
        applied.append(name)
        data = _token(rng, data, suffix) if name == "token" else BYTE_MUTATIONS[name](rng, data)
        if not data:
            data = b"\x00"
    return data, "+".join(applied)


def mutate_package(rng: random.Random, data: bytes, suffix: str) -> tuple[bytes, str]:
    """One XML part of a DOCX/XLSX mutated inside a package that is still a valid ZIP."""
    try:
        source = zipfile.ZipFile(io.BytesIO(data))
        parts = [(info, source.read(info)) for info in source.infolist()]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError):
        return mutate_bytes(rng, data, suffix)
    xml = [i for i, (info, _) in enumerate(parts) if info.filename.endswith((".xml", ".rels"))]
    if not xml:
        return mutate_bytes(rng, data, suffix)
    weights = [8 if "document" in parts[i][0].filename or "sheet" in parts[i][0].filename else 1 for i in xml]
    chosen = rng.choices(xml, weights)[0]
    info, content = parts[chosen]
    changed, how = mutate_bytes(rng, content, suffix)
    parts[chosen] = (info, changed)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part, body in parts:
            target.writestr(part.filename, body)
    return out.getvalue(), f"{info.filename}:{how}"


def mutants(seeds: list[Seed], count: int, seed: int = 0) -> Iterator[Mutant]:
    """`count` mutants of the seeds, taken in turn."""
    rng = random.Random(seed)
    for number in range(count):
        source = seeds[number % len(seeds)]
        if source.suffix in (".docx", ".xlsx") and rng.random() < 0.8:
            data, how = mutate_package(rng, source.data, source.suffix)
        else:
            data, how = mutate_bytes(rng, source.data, source.suffix)
        yield Mutant(f"m{number:06d}_{Path(source.name).stem[:20]}{source.suffix}", data, source.name, how)


def xlsx_of(document: Document) -> bytes:
    """The document's tables as a workbook (one sheet each, merged cells for spans), its title in A1."""
    from openpyxl import Workbook

    book = Workbook()
    sheets = [book.active] + [book.create_sheet() for _ in document.tables[1:]]
    for sheet, table in zip(sheets, document.tables, strict=False):
        assert sheet is not None
        _fill(sheet, table, document.title if table is document.tables[0] else "")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fill(sheet: Any, table: Table, title: str) -> None:
    offset = 2 if title else 1
    if title:
        sheet["A1"] = title
    for cell in table.cells:
        row, col = cell.row + offset, cell.col + 1
        sheet.cell(row=row, column=col, value=cell.text)
        if cell.rowspan > 1 or cell.colspan > 1:
            end_row, end_column = row + cell.rowspan - 1, col + cell.colspan - 1
            sheet.merge_cells(start_row=row, start_column=col, end_row=end_row, end_column=end_column)


def seeds_from(files: list[Path]) -> list[Seed]:
    """Seeds of every format from sample files: the files themselves, and for each HTML report with
    tables a workbook of its tables (reports are rarely published as .xlsx, so none is committed)."""
    found = [Seed(path.name, path.read_bytes()) for path in files if path.suffix.lower() in FORMATS]
    for path in files:
        if path.suffix.lower() in (".html", ".htm") and sum(s.suffix == ".xlsx" for s in found) < 3:
            document = read_document(path, path.read_bytes())
            if document.tables:
                found.append(Seed(f"{path.stem}.xlsx", xlsx_of(document)))
    return found
