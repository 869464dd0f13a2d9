"""Plain text copied from web pages -> Document.

Two table shapes are rebuilt:
- one cell per line, each starting with a tab, a blank line between rows, wrapped labels continued on
  the next line with leading spaces (the shape a browser gives when copying a Word-pasted table);
- one row per line, cells separated by tabs or runs of spaces, or a label followed by numbers.
Rows rebuilt from text are not column-aligned: merged cells appear only on their first row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from etl.decode import decode_bytes
from etl.limits import MAX_CELL_CHARS, MAX_TEXT_BYTES
from etl.normalise import clean_text
from etl.page_meta import Field, field_key, fields_in_cells, published_of, publisher_of, url_of
from etl.records import Block, Document, Paragraph, Table, new_paragraph, new_table_cell
from etl.values import is_value_text

_HEADER_FIELD = re.compile(r"^([^:：\s][^:：]{0,9}?)\s*[:：]\s*(.*)$")
_BODY_MARK = re.compile(r"^=+\s*正文\s*=+$")
_FIELD_SPLIT = re.compile(r"[ \u3000\u00a0]{2,}")
_CELL_SPLIT = re.compile(r"\t|[ \u3000\u00a0]{2,}")
_PLAIN_KEYS = {
    "标题": "title",
    "名称": "title",
    "栏目": "column",
    "文号": "doc_number",
    "索引号": "index_number",
}
"""Header fields kept as printed; publisher, date and address are chosen by etl/page_meta.py."""


def read_text(path: str, data: bytes) -> Document:
    MAX_TEXT_BYTES.check(path, len(data))
    text, encoding = decode_bytes(data)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    MAX_CELL_CHARS.check(path, max(map(len, lines)), "the longest line")
    meta, start = _header_fields(lines)
    builder = _Builder()
    builder.feed(lines, start)
    blocks = tuple(builder.finish())
    title = meta.get("title") or _first_line_title(blocks)
    return Document(
        source=path,
        format="text",
        encoding=encoding,
        title=title,
        blocks=blocks,
        meta=tuple(sorted(meta.items())),
    )


def _header_fields(lines: list[str]) -> tuple[dict[str, str], int]:
    """Key-value lines before the body (标题: … / 发布机构: … / a collector's 来源 and 采集时间) and where
    the body starts."""
    fields: list[Field] = []
    for i, line in enumerate(lines[:30]):
        stripped = line.strip().lstrip("\ufeff")
        if _BODY_MARK.match(stripped):
            return _header_meta(fields), i + 1
        found = _line_fields(stripped)
        if found:
            fields += found
        elif stripped and fields:
            return _header_meta(fields), i
        elif stripped:
            return _header_meta(fields), 0
    return _header_meta(fields), 0 if not fields else len(lines[:30])


def _line_fields(line: str) -> list[Field]:
    """A header line: "key：value", or a copied metadata table row (发布机构<TAB>某局<TAB>公开日期<TAB>…)."""
    cells = [c.strip() for c in _CELL_SPLIT.split(line) if c.strip()]
    if len(cells) >= 2 and field_key(cells[0]) is not None:
        return fields_in_cells(cells)
    match = _HEADER_FIELD.match(line)
    key = field_key(match.group(1)) if match else None
    if match is None or key is None:
        return []
    return [(key, match.group(2).strip())]


def _header_meta(fields: list[Field]) -> dict[str, str]:
    meta: dict[str, str] = {}
    for key, value in fields:
        if key in _PLAIN_KEYS and value and _PLAIN_KEYS[key] not in meta:
            meta[_PLAIN_KEYS[key]] = value
    for key, found in (
        ("publisher", publisher_of(fields)),
        ("published", published_of(fields, with_time=True)),
        ("url", url_of(fields)),
    ):
        if found is not None:
            meta[key] = found
    return meta


def _first_line_title(blocks: tuple[Block, ...]) -> str:
    for block in blocks[:3]:
        if isinstance(block, Paragraph):
            text = block.text
            if "报告" in text and len(text) <= 80 and not text.endswith("。"):
                return text
            return ""
    return ""


def split_row_line(line: str) -> list[str] | None:
    """Cells of a one-row-per-line table line, or None when the line reads as prose."""
    stripped = line.strip(" \t\u3000\u00a0")
    if not stripped:
        return None
    if "\t" in line.strip(" \u3000\u00a0\r\n"):
        fields = [f.strip(" \u3000\u00a0") for f in line.strip(" \u3000\u00a0\r\n").split("\t")]
    else:
        fields = [f for f in _FIELD_SPLIT.split(stripped) if f.strip()]
    if len(fields) >= 2 and not stripped.endswith("。"):
        return _split_trailing_values(fields)
    tokens = stripped.split()
    values = _trailing_values(tokens)
    if len(values) == len(tokens) >= 2:
        return values
    if values and len(values) < len(tokens):
        label = " ".join(tokens[: len(tokens) - len(values)])
        if not label.endswith(("。", "，", ",")):
            return [label, *values]
    return None


def _trailing_values(tokens: list[str]) -> list[str]:
    start = len(tokens)
    while start > 0 and is_value_text(tokens[start - 1]):
        start -= 1
    return tokens[start:]


def _split_trailing_values(fields: list[str]) -> list[str]:
    """A first field like '（一）予以公开 27' (label and value joined by one space) is split."""
    head, *rest = fields
    tokens = head.split()
    values = _trailing_values(tokens)
    if values and len(values) < len(tokens):
        return [" ".join(tokens[: len(tokens) - len(values)]), *values, *rest]
    return fields


@dataclass
class _Builder:
    blocks: list[Block] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    row: list[str] | None = None
    table_line: int | None = None
    tab_mode: bool = False

    def feed(self, lines: list[str], start: int) -> None:
        for number, line in enumerate(lines[start:], start=start + 1):
            self._line(number, line)

    def _line(self, number: int, line: str) -> None:
        if line.startswith("\t"):
            self._cell(number, line[1:])
        elif not line.strip():
            self._end_row()
        elif self.row is not None and line.startswith((" ", "\u3000")) and self.tab_mode:
            self.row[-1] = f"{self.row[-1]}\n{line.strip()}"
        else:
            self._other(number, line)

    def _cell(self, number: int, text: str) -> None:
        if not self.tab_mode:
            self._end_table()
            self.tab_mode = True
        if self.table_line is None:
            self.table_line = number
        if self.row is None:
            self.row = []
        self.row.append(text)

    def _end_row(self) -> None:
        if self.row is not None:
            self.rows.append(self.row)
            self.row = None

    def _other(self, number: int, line: str) -> None:
        if self.tab_mode:
            self._end_table()
        cells = split_row_line(line)
        if cells is None:
            self._end_table()
            text = clean_text(line)
            if text:
                self.blocks.append(new_paragraph(len(self.blocks), text.replace("\n", " "), number))
            return
        if self.table_line is None:
            self.table_line = number
        self.rows.append(cells)

    def _end_table(self) -> None:
        self._end_row()
        rows = [[clean_text(c) for c in row] for row in self.rows]
        rows = [row for row in rows if any(row)]
        if rows and not self.tab_mode and not any(is_value_text(c) for row in rows for c in row):
            for row in rows:
                self.blocks.append(new_paragraph(len(self.blocks), " ".join(row)))
        elif rows:
            self.blocks.append(_table(rows, len(self.blocks), self.tables, self.table_line))
        self.rows = []
        self.tab_mode = False
        self.table_line = None

    @property
    def tables(self) -> int:
        return sum(isinstance(b, Table) for b in self.blocks)

    def finish(self) -> list[Block]:
        self._end_table()
        return self.blocks


def _table(rows: list[list[str]], block_index: int, table_index: int, line: int | None) -> Table:
    cells = tuple(new_table_cell(text, r, c) for r, row in enumerate(rows) for c, text in enumerate(row))
    n_cols = max(len(row) for row in rows)
    return Table(index=table_index, cells=cells, n_rows=len(rows), n_cols=n_cols, aligned=False, line=line)
