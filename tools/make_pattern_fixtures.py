"""Write tests/fixtures/patterns/: reports of our own that reproduce patterns of real published reports.

Each document is made up (figures and wording are ours) but laid out as real reports are:
- 淮安市人民政府 2023 (HTML) and 2024 (HTML, PDF): the 2024 title is split over two lines (unit, then
  "2024年政府信息公开工作年度报告"), the first sentence says "本报告由淮安市人民政府办公室…编制", the
  contact sentence names the office, and table 三 misprints "2.其他法律行政止公开"; the site's metadata
  table gives 发布机构 and 公开日期. The two years chain (carried over, documents in force).
- 宿迁市水利局 2022 (HTML, PDF): table 三 prints （六）其他处理 as one row and leaves out rows 7 and 8
  of （三）不予公开; the narrative states 共公布政府信息…条, 共收到依申请信息公开…件, 未发生收费情况 and the
  disclosure staff.
- 沭阳县教育局 2024 (HTML, text): a saved page that starts with the collector's block (source URL,
  capture time) and the site's 信息公开 table; a county department's own report whose compiler and
  contact are its office; table 三 doubles a character ("4.保护第三三方合法权益"); the narrative says
  受理…申请17件, 未收取任何费用 and 配备政府信息公开工作人员3名.

PDFs are printed from DOCX by LibreOffice (as most real PDFs are made) and committed, so the tests need
no LibreOffice. Run: .venv/bin/python tools/make_pattern_fixtures.py
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document as new_docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm

from etl.outcomes import outcome_groups
from xxgk.samples.model import Cell, Fact, Para, Row, Table
from xxgk.samples.office import print_pdfs, reproducible_zip
from xxgk.samples.render_docx import add_para, add_table, set_font

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "patterns"
COLUMNS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
HEADINGS = ("一、", "二、", "三、", "四、", "五、", "六、")
MARK = Fact("", "", None, "number", "")
"""Value cells are marked so the DOCX writer centres them and keeps their text as printed."""


def value(number: int | str) -> Cell:
    return Cell(str(number), fact=MARK)


def header(text: str, rowspan: int = 1, colspan: int = 1) -> Cell:
    return Cell(text, rowspan, colspan, header=True)


@dataclass(frozen=True)
class Layout:
    """How a report's table 三 departs from the template."""

    single_other: bool = False
    omit: tuple[str, ...] = ()
    misprint: dict[str, str] = field(default_factory=dict)


def table2(issued: int, repealed: int, in_force: int, licensing: int, penalty: int, coercion: int) -> Table:
    decisions = header("本年处理决定数量", colspan=3)
    rows: list[Row] = [
        (header("第二十条第（一）项", colspan=4),),
        tuple(header(t) for t in ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数")),
        (Cell("规章"), value(0), value(0), value(0)),
        (Cell("行政规范性文件"), value(issued), value(repealed), value(in_force)),
        (header("第二十条第（五）项", colspan=4),),
        (header("信息内容"), decisions),
        (Cell("行政许可"), Cell(str(licensing), colspan=3, fact=MARK)),
        (header("第二十条第（六）项", colspan=4),),
        (header("信息内容"), decisions),
        (Cell("行政处罚"), Cell(str(penalty), colspan=3, fact=MARK)),
        (Cell("行政强制"), Cell(str(coercion), colspan=3, fact=MARK)),
        (header("第二十条第（八）项", colspan=4),),
        (header("信息内容"), header("本年收费金额（单位：万元）", colspan=3)),
        (Cell("行政事业性收费"), Cell("0", colspan=3, fact=MARK)),
    ]
    return Table("t2", tuple(rows))


def t3_rows(layout: Layout) -> list[tuple[str | None, str, str]]:
    """(group label, row label, code) of the result rows as this table prints them."""
    rows: list[tuple[str | None, str, str]] = []
    for group in outcome_groups():
        label = f"{group.number}{group.label_zh}"
        items = [i for i in group.items_in("v2021") if i.code not in layout.omit]
        if group.name == "partial":
            label += "（区分处理的，只计这一情形，不计其他情形）"
        if not items or (group.name == "other" and layout.single_other):
            rows.append((None, label, group.whole_code or ""))
            continue
        rows += [(label, layout.misprint.get(i.code, i.printed), i.code) for i in items]
    return [*rows, (None, "（七）总计", "req.total")]


def table3(figures: dict[str, list[int]], layout: Layout) -> Table:
    rows: list[Row] = [
        (header(NOTE, rowspan=3, colspan=3), header("申请人情况", colspan=7)),
        (header("自然人", rowspan=2), header("法人或其他组织", colspan=5), header("总计", rowspan=2)),
        tuple(header(t) for t in COLUMNS[1:]),
    ]

    def values(code: str) -> tuple[Cell, ...]:
        numbers = figures[code]
        return tuple(value(n) for n in (*numbers, sum(numbers)))

    rows.append((Cell("一、本年新收政府信息公开申请数量", colspan=3), *values("req.received")))
    rows.append((Cell("二、上年结转政府信息公开申请数量", colspan=3), *values("req.carried_in")))
    results = t3_rows(layout)
    for index, (group, label, code) in enumerate(results):
        lead = (Cell("三、本年度办理结果", rowspan=len(results)),) if index == 0 else ()
        if group is None:
            rows.append((*lead, Cell(label, colspan=2), *values(code)))
            continue
        first = index == 0 or results[index - 1][0] != group
        span = sum(1 for g, _, _ in results if g == group)
        rows.append((*lead, *((Cell(group, rowspan=span),) if first else ()), Cell(label), *values(code)))
    rows.append((Cell("四、结转下年度继续办理", colspan=3), *values("req.carried_out")))
    return Table("t3", tuple(rows))


def table4(numbers: tuple[int, ...]) -> Table:
    results = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    rows: list[Row] = [
        (header("行政复议", colspan=5), header("行政诉讼", colspan=10)),
        (
            *(header(t, rowspan=2) for t in results),
            header("未经复议直接起诉", colspan=5),
            header("复议后起诉", colspan=5),
        ),
        tuple(header(t) for _ in range(2) for t in results),
        tuple(value(n) for n in numbers),
    ]
    return Table("t4", tuple(rows))


def t3_figures(
    outcomes: dict[str, list[int]], carried_in: list[int], carried_out: list[int]
) -> dict[str, list[int]]:
    """Table 三 figures by column that satisfy N1–N3: totals from the outcomes, received from the rest."""
    total = [sum(column) for column in zip(*outcomes.values(), strict=True)]
    received = [t + o - i for t, o, i in zip(total, carried_out, carried_in, strict=True)]
    if min(received) < 0:
        raise ValueError("carried over more than handled")
    return {
        **outcomes,
        "req.total": total,
        "req.received": received,
        "req.carried_in": carried_in,
        "req.carried_out": carried_out,
    }


def zero() -> list[int]:
    return [0] * 6


@dataclass(frozen=True)
class Report:
    stem: str
    title_lines: tuple[str, ...]
    page_title: str
    paragraphs: tuple[str, ...]
    tables: tuple[Table, Table, Table]
    site_fields: tuple[tuple[str, str], ...] = ()
    crawler: tuple[tuple[str, str], ...] = ()

    def blocks(self) -> list[Para | Table]:
        t2, t3, t4 = self.tables
        found: list[Para | Table] = []
        for text in self.paragraphs:
            found.append(
                Para(
                    text,
                    "heading" if text[:2] in ("一、", "二、", "三、", "四、", "五、", "六、") else "body",
                )
            )
            if text.startswith("二、"):
                found.append(t2)
            elif text.startswith("三、"):
                found.append(t3)
            elif text.startswith("四、"):
                found.append(t4)
        return found


def cell_html(cell: Cell) -> str:
    spans = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
        f' colspan="{cell.colspan}"' if cell.colspan > 1 else ""
    )
    return f'<td{spans} style="border:1px solid #000"><p>{html.escape(cell.text)}</p></td>'


def render_html(report: Report) -> str:
    parts = []
    if report.crawler:
        lines = "".join(f"<p>{html.escape(k)}：{html.escape(v)}</p>" for k, v in report.crawler)
        parts.append(f'<div class="saved-page-info">{lines}</div>')
    parts.append('<div class="header"><div class="logo">政府门户网站</div></div>')
    parts.append('<div class="xxgk-content">')
    if report.site_fields:
        cells = [x for pair in report.site_fields for x in pair]
        rows = [cells[i : i + 6] for i in range(0, len(cells), 6)]
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
        parts.append(f'<table class="xxgk-info">{body}</table>')
    parts += [
        f'<p style="text-align:center"><strong>{html.escape(t)}</strong></p>' for t in report.title_lines
    ]
    for block in report.blocks():
        if isinstance(block, Table):
            rows = "".join("<tr>" + "".join(cell_html(c) for c in row) + "</tr>" for row in block.rows)
            parts.append(f'<table border="1" cellspacing="0">{rows}</table>')
        else:
            parts.append(f'<p style="text-indent:2em">{html.escape(block.text)}</p>')
    parts.append("</div>")
    title = html.escape(report.page_title)
    head = f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>{title}</title>\n</head>\n'
    return head + "<body>\n" + "\n".join(parts) + "\n</body>\n</html>\n"


def render_text(report: Report) -> str:
    lines = [f"{k}: {v}" for k, v in (*report.crawler, *report.site_fields)]
    lines += ["", *report.title_lines, ""]
    for block in report.blocks():
        if isinstance(block, Table):
            lines += ["\t".join(c.text.replace("\n", "") for c in row) for row in block.rows]
            lines.append("")
        else:
            lines += [block.text, ""]
    return "\n".join(lines) + "\n"


def render_docx(report: Report) -> bytes:
    docx = new_docx()
    section = docx.sections[0]
    section.left_margin = section.right_margin = Cm(2.7)
    for number, line in enumerate(report.title_lines):
        title = docx.add_paragraph(line)
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_font(title, "方正小标宋简体", 22 if number == 0 else 16, bold=number == 0)
    for block in report.blocks():
        if isinstance(block, Table):
            add_table(docx, block)
            docx.add_paragraph()
        else:
            add_para(docx, block)
    docx.core_properties.title = ""
    out = io.BytesIO()
    docx.save(out)
    return reproducible_zip(out.getvalue())


HUAIAN_INTRO = (
    "本报告由淮安市人民政府办公室根据《中华人民共和国政府信息公开条例》（以下简称《条例》）规定编制。"
    "报告所列统计期限自{y}年1月1日至{y}年12月31日。如对本报告有疑问，请与淮安市人民政府办公室联系"
    "（地址：淮安市示例路1号，电话：0517-80000000）。"
)


def huaian(year: int) -> Report:
    carried_in = [30, 2, 0, 0, 1, 1] if year == 2024 else [20, 1, 0, 0, 0, 0]
    carried_out = [90, 6, 0, 0, 4, 3] if year == 2024 else [30, 2, 0, 0, 1, 1]
    outcomes = {code: zero() for group in outcome_groups() for code in group.parts("v2021")}
    outcomes.update(
        {
            "req.granted": [1210, 20, 0, 0, 48, 3],
            "req.partial": [420, 7, 0, 0, 2, 0],
            "req.denied.state_secret": [2, 0, 0, 0, 0, 0],
            "req.denied.law_forbidden": [28, 1, 0, 0, 0, 0],
            "req.denied.third_party": [6, 0, 0, 0, 0, 0],
            "req.denied.process_info": [11, 0, 0, 0, 0, 0],
            "req.denied.query_matter": [98, 0, 0, 0, 0, 0],
            "req.unable.not_held": [700, 12, 0, 0, 9, 1],
            "req.unable.unclear": [40, 1, 0, 0, 0, 0],
            "req.not_processed.petition": [60, 0, 0, 0, 1, 0],
            "req.not_processed.repeat": [55, 1, 0, 0, 0, 0],
            "req.other.no_amendment": [66, 3, 0, 0, 1, 0],
            "req.other.other": [30, 0, 0, 0, 0, 0],
        }
    )
    if year == 2023:
        outcomes["req.granted"] = [1000, 18, 0, 0, 40, 2]
    figures = t3_figures(outcomes, carried_in, carried_out)
    layout = Layout(misprint={"req.denied.law_forbidden": "2.其他法律行政止公开"} if year == 2024 else {})
    issued, in_force = (11, 104) if year == 2024 else (9, 96)
    tables = (
        table2(issued, 3, in_force, 3960, 3985, 88),
        table3(figures, layout),
        table4((72, 64, 178, 37, 351, 13, 4, 8, 1, 26, 12, 1, 1, 6, 20)),
    )
    received = sum(figures["req.received"])
    narrative = (
        HUAIAN_INTRO.format(y=year),
        "一、总体情况",
        f"（一）主动公开情况。{year}年，市政府网站主动公开各类政府信息5500余条，制作《淮安市人民政府公报》6期。",
        f"（二）依申请公开情况。{year}年，市政府办公室代表市政府共受理政府信息公开申请{received}件，"
        f"均在法定期限内予以答复。",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "政策解读形式还不够丰富，依申请公开答复的规范化水平有待提高。",
        "六、其他需要报告的事项",
        f"{year}年，本机关没有收取信息处理费。",
    )
    title = f"{year}年政府信息公开工作年度报告"
    return Report(
        stem=f"淮安市人民政府_{year}",
        title_lines=("淮安市人民政府", title) if year == 2024 else (f"淮安市人民政府{title}",),
        page_title="政府信息公开年报_淮安市人民政府",
        paragraphs=narrative,
        tables=tables,
        site_fields=(
            ("索 引 号", f"014289810/{year + 1}-00013"),
            ("主题分类", "信息公开年报"),
            ("发布机构", "淮安市人民政府"),
            ("公开日期", f"{year + 1}-02-25"),
            ("名 称", f"淮安市人民政府{title}"),
            ("文 号", ""),
        ),
    )


def suqian() -> Report:
    outcomes = {code: zero() for code in ("req.granted", "req.partial")}
    outcomes["req.granted"] = [5, 1, 0, 0, 0, 0]
    outcomes["req.partial"] = [1, 0, 0, 0, 0, 0]
    for group in outcome_groups():
        for item in group.items_in("v2021"):
            outcomes[item.code] = zero()
    outcomes["req.unable.not_held"] = [2, 0, 0, 0, 0, 0]
    for code in (
        "req.denied.enforcement_file",
        "req.denied.query_matter",
        *(i.code for i in outcome_groups()[-1].items),
    ):
        outcomes.pop(code)
    outcomes["req.other"] = [1, 0, 0, 0, 0, 1]
    figures = t3_figures(outcomes, [1, 0, 0, 0, 0, 0], zero())
    layout = Layout(single_other=True, omit=("req.denied.enforcement_file", "req.denied.query_matter"))
    received = sum(figures["req.received"])
    narrative = (
        "根据《中华人民共和国政府信息公开条例》规定，现发布宿迁市水利局2022年政府信息公开工作年度报告。"
        "本报告所列数据的统计期限为2022年1月1日至2022年12月31日。如对报告有任何疑问，请与宿迁市水利局办公室联系。",
        "一、总体情况",
        "（一）主动公开情况。2022年，我局在门户网站共公布政府信息1286条，召开新闻发布会4场次。",
        f"（二）依申请公开情况。2022年，我局共收到依申请信息公开{received}件，均在法定期限内答复。",
        "（三）政府信息管理情况。我局配备政府信息公开工作人员3名，其中专职1名、兼职2名。",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "公开内容的深度和广度还需拓展。",
        "六、其他需要报告的事项",
        "2022年，本机关未发生收费情况。",
    )
    return Report(
        stem="宿迁市水利局_2022",
        title_lines=("宿迁市水利局2022年政府信息公开工作年度报告",),
        page_title="宿迁市水利局2022年政府信息公开工作年度报告",
        paragraphs=narrative,
        tables=(
            table2(0, 0, 4, 120, 35, 2),
            table3(figures, layout),
            table4((0,) * 15),
        ),
        site_fields=(("发布机构", "宿迁市水利局"), ("公开日期", "2023-01-13")),
    )


def shuyang() -> Report:
    outcomes = {code: zero() for group in outcome_groups() for code in group.parts("v2021")}
    outcomes.update(
        {
            "req.granted": [9, 1, 0, 0, 0, 0],
            "req.partial": [2, 0, 0, 0, 0, 0],
            "req.denied.third_party": [1, 0, 0, 0, 0, 0],
            "req.unable.not_held": [3, 0, 0, 0, 0, 0],
            "req.not_processed.repeat": [1, 0, 0, 0, 0, 0],
        }
    )
    figures = t3_figures(outcomes, zero(), [1, 0, 0, 0, 0, 0])
    received = sum(figures["req.received"])
    narrative = (
        "本报告由沭阳县教育局办公室根据《中华人民共和国政府信息公开条例》编制。本报告所列数据的统计期限自2024年1月1日"
        "起至2024年12月31日止。如对本报告有疑问，请与沭阳县教育局办公室联系（电话：0527-80000000）。",
        "一、总体情况",
        "（一）主动公开情况。2024年，我局在县政府门户网站教育局专栏主动公开政府信息312条。",
        f"（二）依申请公开情况。2024年，我局受理公民、法人和其他组织提出的政府信息公开申请{received}件，"
        "均在法定期限内予以答复。",
        "（三）政府信息管理情况。我局配备政府信息公开工作人员3名，其中专职1名、兼职2名。",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "政策解读的针对性还需加强。",
        "六、其他需要报告的事项",
        "本年度办理政府信息公开申请未收取任何费用。",
    )
    return Report(
        stem="沭阳县教育局_2024",
        title_lines=("沭阳县教育局2024年政府信息公开工作年度报告",),
        page_title="沭阳县教育局2024年政府信息公开工作年度报告_沭阳县人民政府",
        paragraphs=narrative,
        tables=(
            table2(2, 0, 17, 860, 3, 0),
            table3(figures, Layout(misprint={"req.denied.third_party": "4.保护第三三方合法权益"})),
            table4((1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
        ),
        site_fields=(
            ("索引号", "11321322014160000X/2025-00021"),
            ("发布机构", "沭阳县教育局"),
            ("公开日期", "2025-01-20"),
        ),
        crawler=(
            ("来源", "http://www.shuyang.gov.cn/syjyj/xxgk/202501/t20250120_0000001.html"),
            ("采集时间", "2025-06-03 14:02:11"),
        ),
    )


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    reports = [huaian(2023), huaian(2024), suqian(), shuyang()]
    for report in reports:
        (OUT / f"{report.stem}.html").write_text(render_html(report), encoding="utf-8")
    (OUT / "沭阳县教育局_2024.txt").write_text(render_text(shuyang()), encoding="utf-8")
    printed = [huaian(2024), suqian()]
    pdfs = print_pdfs([render_docx(report) for report in printed])
    if pdfs is None:
        raise SystemExit("LibreOffice (soffice) is needed to print the PDF fixtures")
    for report, data in zip(printed, pdfs, strict=True):
        (OUT / f"{report.stem}.pdf").write_bytes(data)
    print(f"wrote {len(reports) + 1 + len(pdfs)} documents to {OUT}")


if __name__ == "__main__":
    main()
