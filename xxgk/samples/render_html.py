"""A report as a government web page: site chrome, CMS content container, Word-pasted tables."""

from __future__ import annotations

import html
import random

from xxgk.samples.model import Block, Cell, Document, Para, Plan, Table
from xxgk.samples.quirks import HTML_QUIRKS

CONTAINERS = {
    "container_zoom": '<div id="zoom">',
    "container_trs_editor": '<div class="TRS_Editor">',
    "container_article_content": '<div class="article-content">',
    "container_xxgk_content": '<div class="xxgk-content">',
    "container_pages_content": '<div class="pages_content" id="UCAP-CONTENT">',
}
WORD_SPAN = '<span style="FONT-FAMILY: 仿宋_GB2312; FONT-SIZE: 12pt">'
WORD_TABLE = (
    '<table border="0" cellspacing="0" cellpadding="0" width="100%" style="border-collapse: collapse;">'
)
PLAIN_TABLE = '<table border="1" cellspacing="0" cellpadding="4" width="100%">'
NAV = ("首页", "政务公开", "政务服务", "互动交流", "走进{place}")


ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", 0xA0: "&nbsp;", ord("\n"): "<br/>"}
ENTITIES = {**ESCAPES, ord("“"): "&ldquo;", ord("”"): "&rdquo;"}


def escape(text: str, plan: Plan) -> str:
    return text.translate(ENTITIES if plan.has("html_entities") else ESCAPES)


def meta_charset(plan: Plan, rng: random.Random) -> str:
    if plan.has("meta_gb2312"):
        return '<meta charset="gb2312">'
    if plan.has("meta_gbk"):
        return '<meta http-equiv="Content-Type" content="text/html; charset=gbk">'
    if rng.random() < 0.5:
        return '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    return '<meta charset="utf-8">'


def head(doc: Document, rng: random.Random) -> str:
    plan = doc.plan
    title = doc.title or ""
    if plan.has("title_site_suffix"):
        title = f"{title}_政府信息公开年报_{plan.agency.site}"
    return (
        f"<!DOCTYPE html>\n<html>\n<head>\n{meta_charset(plan, rng)}\n"
        '<meta name="xxgk-sample" content="示例数据">\n'
        f"<title>{html.escape(title)}</title>\n"
        '<link rel="stylesheet" href="/css/article.css">\n</head>\n<body>\n'
    )


def chrome_top(plan: Plan) -> str:
    links = "".join(
        f'<li><a href="/col/col{i}/">{name.format(place=plan.agency.place)}</a></li>'
        for i, name in enumerate(NAV, start=1281)
    )
    return (
        f'<div class="header"><div class="logo">{plan.agency.site}</div><ul class="nav">{links}</ul></div>\n'
        '<div class="crumbs">当前位置：<a href="/">首页</a> &gt; <a href="/col/xxgk/">政府信息公开</a> &gt; '
        '<a href="/col/xxgknb/">政府信息公开年报</a></div>\n'
    )


def chrome_bottom(plan: Plan, rng: random.Random) -> str:
    related = ""
    if plan.has("related_links"):
        earlier = f"{plan.agency.name}{plan.year - 1}年政府信息公开工作年度报告"
        related = (
            f'<div class="related"><h3>相关信息</h3><ul><li><a href="/art/{plan.year}/1/{rng.randint(1, 28)}/'
            f'art_{rng.randint(1000, 9999)}.html">{earlier}</a></li></ul></div>\n'
        )
    if not plan.has("site_chrome"):
        return related
    return (
        f'{related}<div class="footer"><p>主办单位：{plan.agency.site}办公室　'
        f"承办单位：{plan.agency.place}大数据发展中心</p>"
        f"<p>版权所有 &copy; {plan.agency.site}　浙ICP备{rng.randint(10000000, 99999999)}号-1　"
        f"网站标识码：33{rng.randint(10000000, 99999999)}</p></div>\n"
        '<script type="text/javascript">var _trackPage = "xxgknb";</script>\n'
    )


def article_info(doc: Document) -> str:
    if not doc.plan.has("publish_meta"):
        return ""
    agency = doc.plan.agency.name
    return (
        f'<div class="article-info"><span>发布机构：{agency}</span>　<span>来源：{agency}</span>　'
        f"<span>发布时间：{doc.published} 16:{len(agency) + 10:02d}</span></div>\n"
    )


def spans(text: str, plan: Plan, rng: random.Random) -> str:
    cut = rng.randint(2, len(text) - 2) if len(text) >= 12 else 0
    if not cut or rng.random() < 0.4 or text[cut - 1 : cut + 1].isdigit():
        return f"{WORD_SPAN}{escape(text, plan)}</span>"
    return f"{WORD_SPAN}{escape(text[:cut], plan)}</span>{WORD_SPAN}{escape(text[cut:], plan)}</span>"


def list_prefix(text: str, plan: Plan) -> tuple[str, str]:
    """A leaked Word list marker or an entity bullet in front of a numbered paragraph, and the rest."""
    if plan.has("word_conditional_comments") and text.startswith("（") and "）" in text[:5]:
        number, rest = text.split("）", 1)
        return f"<!--[if !supportLists]-->{number}）<!--[endif]-->", rest
    if plan.has("html_entities") and text.startswith(("（三）", "（四）", "（五）")):
        return "&#8226;&nbsp;", text
    return "", text


def paragraph(para: Para, plan: Plan, rng: random.Random) -> str:
    prefix, text = list_prefix(para.text, plan)
    if para.kind == "heading":
        return f"<p><strong>{prefix}{escape(text, plan)}</strong></p>"
    if para.kind in ("meta", "sign"):
        align = "center" if para.kind == "meta" else "right"
        return f'<p style="text-align: {align};">{escape(text, plan)}</p>'
    if plan.has("word_table") and para.kind != "marker":
        return f'<p style="text-indent: 2em; line-height: 1.75;">{prefix}{spans(text, plan, rng)}</p>'
    return f'<p style="text-indent: 2em;">{prefix}{escape(text, plan)}</p>'


def cell_content(cell: Cell, plan: Plan) -> str:
    content = escape(cell.text, plan)
    return content if cell.fact is not None else content.strip()


def cell_html(cell: Cell, plan: Plan) -> str:
    attrs = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
        f' colspan="{cell.colspan}"' if cell.colspan > 1 else ""
    )
    content = cell_content(cell, plan) or ("&nbsp;" if plan.has("nbsp_cells") else "")
    if plan.has("word_table"):
        return (
            f'<td valign="center" style="border: 1px solid windowtext; padding: 0px 7px;"{attrs}>'
            f'<p style="text-align: center;">{WORD_SPAN}{content}</span></p></td>'
        )
    return f"<td{attrs}>{content}</td>"


def table_html(table: Table, plan: Plan) -> str:
    opening = WORD_TABLE if plan.has("word_table") else PLAIN_TABLE
    rows = []
    for index, row in enumerate(table.rows):
        tr = '<tr class="firstRow">' if index == 0 and plan.has("first_row_class") else "<tr>"
        rows.append(tr + "".join(cell_html(cell, plan) for cell in row) + "</tr>")
    return f"{opening}<tbody>" + "\n".join(rows) + "</tbody></table>"


def block_html(block: Block, plan: Plan, rng: random.Random) -> str:
    return table_html(block, plan) if isinstance(block, Table) else paragraph(block, plan, rng)


def render_html(doc: Document, rng: random.Random) -> tuple[str, set[str]]:
    plan = doc.plan
    top = chrome_top(plan) if plan.has("site_chrome") else ""
    container = next(CONTAINERS[name] for name in CONTAINERS if plan.has(name))
    title = escape(doc.title or "", plan)
    inner_title = (
        f'<p style="text-align: center;"><strong>{title}</strong></p>\n' if rng.random() < 0.3 else ""
    )
    body = "\n".join(block_html(block, plan, rng) for block in doc.blocks)
    page = (
        f'{head(doc, rng)}{top}<div class="article">\n<h1 class="article-title">{title}</h1>\n'
        f"{article_info(doc)}{container}\n{inner_title}{body}\n</div>\n</div>\n{chrome_bottom(plan, rng)}"
        "</body>\n</html>\n"
    )
    quirks = {name for name in HTML_QUIRKS if plan.has(name)}
    if not any(
        not (cell.text if cell.fact else cell.text.strip())
        for t in doc.tables()
        for r in t.rows
        for cell in r
    ):
        quirks.discard("nbsp_cells")
    return page, quirks
