"""The comparison as one self-contained HTML page. Every string taken from a document or the warehouse
(agency names, file names, labels, printed values, sentences, check messages) is escaped."""

from __future__ import annotations

from html import escape

from warehouse.documents.compare import Comparison
from warehouse.documents.compare_tables import Grid, grids, overview_lines, shown

STYLE = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif; margin: 2em;
       color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0; }
th, td { border: 1px solid #bbb; padding: 2px 6px; vertical-align: top; }
th { background: #f2f2f2; position: sticky; top: 0; }
tr.changed td { background: #fff3cd; } tr.not_comparable td { background: #eee; color: #555; }
tr.blank td, tr.missing td { background: #f7f7ff; }
tr.added td { background: #e6ffed; } tr.removed td { background: #ffeef0; text-decoration: line-through; }
tr.figures_changed td { background: #fff8e1; } tr.moved td { color: #777; }
dl { display: grid; grid-template-columns: max-content auto; gap: 2px 12px; }
dt { font-weight: bold; }
td.n { white-space: nowrap; } td { max-width: 48em; }
"""
SHORT = 14


def _cell(text: str) -> str:
    short = ' class="n"' if len(text) <= SHORT else ""
    return f"<td{short}>{escape(text)}</td>"


def _grid(grid: Grid) -> str:
    head = "".join(f"<th>{escape(name)}</th>" for name in grid.header)
    body = []
    for index, row in enumerate(grid.rows):
        kind = grid.kinds[index] if index < len(grid.kinds) else ""
        cells = "".join(_cell(shown(value)) for value in row)
        body.append(f'<tr class="{escape(kind)}">{cells}</tr>')
    return (
        f"<h2>{escape(grid.title)}</h2>\n<table><thead><tr>{head}</tr></thead><tbody>\n"
        + "\n".join(body)
        + ("\n</tbody></table>")
    )


def comparison_html(comparison: Comparison) -> bytes:
    described = "".join(
        f"<dt>{escape(zh)} {escape(en)}</dt><dd>{escape(value)}</dd>"
        for zh, en, value in comparison.described()
    )
    findings = "".join(f"<li>{escape(line)}</li>" for line in overview_lines(comparison))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{escape(comparison.title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(comparison.title)}</h1>",
        f"<dl>{described}</dl>",
        f"<h2>概况 findings</h2><ul>{findings}</ul>",
        *(_grid(grid) for grid in grids(comparison, every_check=False)),
        "<p><small>xxgk · 按规则逐格、逐句比对，不使用语言模型 (exact, rule-based comparison)</small></p>",
        "</body></html>",
    ]
    return "\n".join(parts).encode("utf-8")
