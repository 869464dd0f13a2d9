"""Inputs the loader must refuse: empty, binary, undecodable, unsupported, not a report, cut off."""

from __future__ import annotations

import random
from dataclasses import dataclass

from xxgk.samples.narrative import MARKER

NOT_A_REPORT_TITLE = "关于2014年政府信息公开工作要点落实情况的函"


@dataclass(frozen=True)
class BadInput:
    name: str
    data: bytes
    expect: str
    kind: str
    fmt: str | None
    encoding: str | None = None
    agency: str | None = None
    year: int | None = None
    template: str | None = None


@dataclass(frozen=True)
class Page:
    """A generated v2021 web page, the raw material of the cut-off input."""

    name: str
    html: str
    agency: str | None = None
    year: int | None = None


FALLBACK_PAGE = Page(
    "政府信息公开工作年度报告.html", f"<p>{MARKER}</p><table></table><table><tr><td>0</td></tr></table>"
)


def page(title: str, body: str, agency: str, column: str = "_政府信息公开年报") -> str:
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        '<meta name="xxgk-sample" content="示例数据">\n'
        f"<title>{title}{column}_{agency}</title>\n</head>\n<body>\n"
        f'<div class="crumbs">当前位置：首页 &gt; 政府信息公开 &gt; 政府信息公开年报</div>\n'
        f'<h1 class="article-title">{title}</h1>\n<div class="article-info">发布机构：{agency}</div>\n'
        f'<div id="zoom">\n<p>{MARKER}</p>\n{body}\n</div>\n</body>\n</html>\n'
    )


def not_a_report(county: str) -> BadInput:
    office = f"{county}人民政府办公室"
    body = (
        f"<p>衢州市人民政府办公室：</p><p>根据《关于印发2014年政府信息公开工作要点的通知》要求，现将{office}"
        "2014年政府信息公开工作要点落实情况函告如下：</p><p>一、加强组织领导，明确专人负责政府信息公开工作。</p>"
        "<p>二、按时编制并公布2013年政府信息公开工作年度报告，全年主动公开政府信息312条。</p>"
        f"<p>特此函告。</p><p>{office}</p><p>2014年12月10日</p>"
    )
    html = page(NOT_A_REPORT_TITLE, body, office)
    return BadInput(
        f"{NOT_A_REPORT_TITLE}.html", html.encode(), "rejected", "bad_not_a_report", "html", "utf-8", office
    )


def column_listing(county: str, agencies: list[str]) -> BadInput:
    items = "".join(
        f'<li><a href="/art/{y + 1}/1/{10 + i}/art_{i}.html">{a}{y}年政府信息公开工作年度报告</a>'
        f"<span>{y + 1}-01-{10 + i}</span></li>"
        for i, a in enumerate(agencies[:8])
        for y in (2020, 2021)
    )
    html = page(
        "政府信息公开年报",
        f'<ul class="list">{items}</ul><div class="page">共 3 页 下一页</div>',
        f"{county}人民政府",
        column="",
    )
    return BadInput(
        "政府信息公开年报_栏目列表.html", html.encode(), "rejected", "bad_not_a_report", "html", "utf-8"
    )


def truncated(source: Page) -> BadInput:
    start = source.html.index("<table", source.html.index("<table") + 1)
    end = source.html.index("</table>", start)
    name = source.name.replace(".html", "_截断.html")
    data = source.html[: (start + end) // 2].encode()
    template = "v2021" if source.agency else None
    return BadInput(
        name, data, "error", "bad_truncated", "html", "utf-8", source.agency, source.year, template
    )


def simple_inputs(rng: random.Random) -> list[BadInput]:
    text = f"{MARKER}\n一、总体情况\n本年度共收到政府信息公开申请3件。\n".encode()
    undecodable = b"\xff".join(text[i : i + 7] for i in range(0, len(text), 7)) + b"\x80"
    rtf = (
        "{\\rtf1\\ansi\\ansicpg936\\deff0{\\fonttbl{\\f0 SimSun;}}\\f0 "
        + "".join(f"\\u{ord(ch)}?" for ch in MARKER + "政府信息公开工作年度报告")
        + "}"
    ).encode("ascii")
    return [
        BadInput("empty.html", b"", "error", "bad_empty", "html"),
        BadInput(
            "garbage.html",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(2048),
            "error",
            "bad_binary",
            "html",
        ),
        BadInput("undecodable.txt", undecodable, "error", "bad_undecodable", "txt"),
        BadInput("政府信息公开工作年度报告.rtf", rtf, "error", "bad_unsupported_extension", "rtf", "ascii"),
    ]


def bad_inputs(seed: int, county: str, agencies: list[str], source: Page | None) -> list[BadInput]:
    """All bad inputs; `source` is a v2021 web page of the corpus to cut off in the middle of table 三."""
    rng = random.Random(f"{seed}|bad")
    return [
        *simple_inputs(rng),
        not_a_report(county),
        column_listing(county, agencies),
        truncated(source or FALLBACK_PAGE),
    ]
