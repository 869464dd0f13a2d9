"""A report as text copied out of a browser or CMS, in the three shapes seen in the wild.

A: one cell per line behind a tab, a blank line between rows, long labels wrapped onto a second line
   that starts with spaces (the bundled 龙游 file). B: one row per line, cells separated by tabs.
C: one row per line, cells separated by runs of two or more spaces. Cells covered by a rowspan are
   printed once, on the first row of their span, as a browser copy does.
"""

from __future__ import annotations

import random

from xxgk.samples.model import Cell, Document, Para, Row, Table

WRAP_AT = 17


def wrap(text: str) -> list[str]:
    """Split a long label as a narrow Word column does: before a note that starts early, else by width."""
    body = text.lstrip(" \u3000")
    lines: list[str] = []
    while len(body) > WRAP_AT + 2:
        notes = [at for at in (body.find("（", 6), body.find("(", 6)) if 6 <= at <= WRAP_AT]
        cut = min(notes, default=WRAP_AT)
        lines.append(body[:cut])
        body = body[cut:]
    lines.append(body)
    return [text[: len(text) - len(text.lstrip(" \u3000"))] + lines[0], *lines[1:]]


def cell_lines(cell: Cell, wrapping: bool) -> list[str]:
    parts = cell.text.split("\n")
    if wrapping and cell.fact is None and not cell.header and len(parts) == 1:
        parts = wrap(cell.text)
    return parts


def shape_a_row(row: Row, rng: random.Random, wrapping: bool, spacer: bool) -> tuple[list[str], set[str]]:
    lines: list[str] = []
    used: set[str] = set()
    for cell in row:
        parts = cell_lines(cell, wrapping)
        if len(parts) > 1:
            used.add("wrapped_labels")
        lines.append(f"\t{parts[0]}")
        lines.extend(" " * rng.randint(5, 15) + part for part in parts[1:])
    lines.append("")
    if spacer and used and rng.random() < 0.5:
        lines.extend(["\t"] * len(row) + [""])
        used.add("spacer_rows")
    return lines, used


def flat(cell: Cell) -> str:
    return cell.text.replace("\n", "").strip(" ")


def table_lines(table: Table, doc: Document, rng: random.Random, used: set[str]) -> list[str]:
    plan = doc.plan
    if plan.has("text_shape_a"):
        lines: list[str] = []
        for row in table.rows:
            row_lines, row_used = shape_a_row(row, rng, plan.has("wrapped_labels"), plan.has("spacer_rows"))
            lines.extend(row_lines)
            used.update(row_used)
        return lines
    if plan.has("text_shape_b"):
        return ["\t".join(flat(cell) for cell in row) for row in table.rows] + [""]
    gap = " " * rng.randint(2, 4)
    return [gap.join(flat(cell) for cell in row).rstrip(" ") for row in table.rows] + [""]


def para_lines(para: Para, doc: Document) -> list[str]:
    lines = para.text.split("\n")
    if doc.plan.has("text_shape_a") and para.kind != "sign":
        return [*lines, ""]
    return lines


def header_lines(doc: Document) -> list[str]:
    if doc.plan.has("crawler_header"):
        return [
            f"标题: {doc.title}",
            f"发布时间: {doc.published} 09:30",
            f"发布机构: {doc.plan.agency.name}",
            "栏目: 政府信息公开年报",
            "=" * 20 + " 正文 " + "=" * 20,
        ]
    return [] if doc.title is None else [doc.title, ""]


def render_text(doc: Document, rng: random.Random) -> tuple[str, set[str]]:
    used: set[str] = set()
    lines = header_lines(doc)
    for block in doc.blocks:
        if isinstance(block, Table):
            lines.extend(table_lines(block, doc, rng, used))
        else:
            lines.extend(para_lines(block, doc))
    text = "\n".join(lines) + "\n"
    if doc.plan.has("crlf"):
        text = text.replace("\n", "\r\n")
    fixed = {
        "text_shape_a",
        "text_shape_b",
        "text_shape_c",
        "no_title",
        "crawler_header",
        "crlf",
        "gb18030_text",
    }
    return text, used | {flag for flag in fixed if doc.plan.has(flag)}
