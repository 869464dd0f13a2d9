"""Logical tables (rows of physical cells with spans) built from a report's figures and style flags."""

from __future__ import annotations

import random
from decimal import Decimal

from xxgk.samples import labels as L
from xxgk.samples.model import Cell, Figures, Plan, Row, Table
from xxgk.samples.values import WAN, Printer

NA_CODES = frozenset(
    {
        "old.fees",
        "old.org.budget",
        "old.proactive.channel.gazette",
        "v2021.regulations.issued",
        "v2021.regulations.repealed",
        "v2021.regulations.in_force",
        "v2021.coercion.decisions",
        "v2021.admin_fees.amount",
        "v2019.regulations.made",
        "v2019.regulations.published",
        "v2019.regulations.total_public",
        "v2019.coercion.prev_items",
        "v2019.coercion.change",
        "v2019.coercion.decisions",
        "v2019.admin_fees.prev_items",
        "v2019.admin_fees.change",
        "v2019.procurement.items",
        "v2019.procurement.amount",
    }
)
MONEY_WAN = frozenset({"old.fees", "old.org.budget", "v2021.admin_fees.amount"})
OMITTED = {
    "old": ("old.response.online_interviews_heads",),
    "old_early": ("old.proactive.channel.weibo", "old.proactive.channel.wechat"),
    "v2019": ("v2019.other_services.prev_items",),
    "v2021": ("v2021.coercion.decisions",),
}
EXTRA_ROW = "其他主动公开文件(含以本单位名义印发的非规范性文件)"
ANNOTATED_NORMATIVE = (
    "规范性文件(行政机关依法制定、涉及公民法人和其他组织权利义务的公文，一般情况下属于规范性文件)"
)


def header(text: str, plan: Plan, rowspan: int = 1, colspan: int = 1) -> Cell:
    shown = text if plan.has("br_in_header") else text.replace("\n", "")
    return Cell(shown, rowspan, colspan, header=True)


def relabel(label: str, plan: Plan) -> str:
    if plan.has("numbering_dunhao"):
        label = L.renumber(label, "、")
    elif plan.has("numbering_fullwidth_dot"):
        label = L.renumber(label, "．")
    elif plan.has("numbering_ascii_dot"):
        label = L.renumber(label, ".")
    if plan.has("mixed_brackets"):
        label = L.mix_brackets(label)
    if plan.has("straight_quotes"):
        label = L.straight_quotes(label)
    return label


def omitted(plan: Plan) -> tuple[str, ...]:
    if not plan.has("omitted_row"):
        return ()
    key = "old_early" if plan.template == "old" and plan.year <= 2015 else plan.template
    return OMITTED[key]


# --- OLD national table -------------------------------------------------------------------------


def old_blank_codes(plan: Plan, figures: Figures) -> frozenset[str]:
    if not plan.has("blank_under_zero_parent"):
        return frozenset()
    zero = {code for (code, _), value in figures.items() if value == 0}
    return frozenset(row.code for row in L.OLD_ROWS if row.parent in zero and row.code in zero)


def old_section_cells(row: L.OldRow, plan: Plan, figures: Figures, printer: Printer) -> Cell:
    first = figures[(L.OLD_SECTION_FIRST_ROW[row.code], "")]
    numbered = plan.has("section_row_number") and (
        row.code == "old.section.proactive" or printer.rng.random() < 0.3
    )
    if numbered:
        return printer.cell(row.code, "", first)
    return Cell(printer.rng.choice(("", "\u3000", "—")))


def old_table(plan: Plan, figures: Figures, printer: Printer) -> Table:
    indent = printer.rng.choice(("", "\u3000", "  "))
    blank = old_blank_codes(plan, figures)
    skip = omitted(plan)
    rows: list[Row] = [tuple(header(text, plan) for text in L.OLD_HEADER)]
    for row in L.OLD_ROWS:
        if row.code in skip:
            continue
        label = Cell(indent * row.indent + relabel(row.label, plan))
        if row.section:
            rows.append((label, Cell("—"), old_section_cells(row, plan, figures, printer)))
            continue
        scale = WAN if row.code in MONEY_WAN else Decimal(1)
        value = printer.cell(
            row.code,
            "",
            figures[(row.code, "")],
            blank=row.code in blank,
            na=row.code in NA_CODES,
            scale=scale,
        )
        rows.append((label, Cell(row.unit), value))
    return Table("old", tuple(rows))


# --- NEW table 二 -------------------------------------------------------------------------------


def t2_headers(block: L.T2Block, plan: Plan, procurement_header: str) -> tuple[str, ...]:
    headers = block.headers
    if block.caption.endswith("（九）项"):
        return (headers[0], procurement_header)
    if plan.has("annotated_labels") and headers[0] == "上一年项目数量" and len(headers) == 3:
        return (
            f"上一年项目数量(指{plan.year - 1}年事项数)",
            headers[1],
            f"处理决定数量(指{plan.year}年办件量)",
        )
    return headers


def t2_value(code: str, figures: Figures, printer: Printer, span: int, procurement: str) -> Cell:
    number = figures[(code, "")]
    na = code in NA_CODES
    if code == "v2019.procurement.amount" and number:
        if procurement == "yuan":
            return printer.cell(code, "", number, unit="元", colspan=span)
        return printer.cell(code, "", number / WAN, scale=WAN, unit=procurement, colspan=span, na=na)
    scale = WAN if code in MONEY_WAN else Decimal(1)
    return printer.cell(code, "", number, na=na, scale=scale, colspan=span)


def t2_row(
    label: str, codes: tuple[str, ...], spans: tuple[int, ...], ctx: tuple[Plan, Figures, Printer, str]
) -> Row:
    plan, figures, printer, procurement = ctx
    if plan.has("annotated_labels") and label == "规范性文件":
        label = ANNOTATED_NORMATIVE
    values = tuple(
        t2_value(code, figures, printer, span, procurement) for code, span in zip(codes, spans, strict=True)
    )
    return (Cell(label), *values)


def table2(plan: Plan, figures: Figures, printer: Printer) -> Table:
    blocks = L.T2_V2019 if plan.template == "v2019" else L.T2_V2021
    procurement = printer.rng.choice(("yuan", "yuan", "yuan", "万元", ""))
    ctx = (plan, figures, printer, procurement)
    amount_header = "采购总金额（万元）" if procurement == "" else "采购总金额"
    skip = omitted(plan)
    rows: list[Row] = []
    for block in blocks:
        rows.append((header(block.caption, plan, colspan=4),))
        headers = t2_headers(block, plan, amount_header)
        spans = block.spans
        rows.append(
            (
                header("信息内容", plan),
                *(header(h, plan, colspan=s) for h, s in zip(headers, spans, strict=True)),
            )
        )
        for label, codes in block.rows:
            if codes[0] in skip:
                continue
            rows.append(t2_row(label, codes, spans, ctx))
            if plan.has("extra_row") and label in ("规范性文件", "行政规范性文件"):
                rows.append((Cell(EXTRA_ROW), *(printer.spare(printer.rng.randint(0, 60)) for _ in spans)))
    return Table("t2", tuple(rows))


# --- NEW table 三 -------------------------------------------------------------------------------


def t3_header(plan: Plan) -> list[Row]:
    legal = tuple(header(text, plan) for text in L.T3_LEGAL_COLUMNS)
    note = header(L.T3_NOTE, plan, 3, 3)
    if plan.has("legal_subtotal_column"):
        return [
            (note, header(L.T3_APPLICANTS, plan, colspan=8)),
            (header("自然人", plan, 2), header(L.T3_LEGAL, plan, colspan=6), header("总计", plan, 2)),
            (header("小计", plan), *legal),
        ]
    if plan.has("misaligned_header"):
        shifted = (Cell("", header=True), header(L.T3_LEGAL_COLUMNS[0], plan, colspan=2), *legal[1:])
        return [
            (note, header(L.T3_APPLICANTS, plan, colspan=8)),
            (header("自然人", plan, colspan=2), header(L.T3_LEGAL, plan, colspan=5), header("总计", plan, 2)),
            shifted,
        ]
    return [
        (note, header(L.T3_APPLICANTS, plan, colspan=7)),
        (header("自然人", plan, 2), header(L.T3_LEGAL, plan, colspan=5), header("总计", plan, 2)),
        legal,
    ]


def t3_values(code: str, plan: Plan, figures: Figures, printer: Printer, blank: bool) -> tuple[Cell, ...]:
    columns = L.BREAKDOWNS_8 if plan.has("legal_subtotal_column") else L.BREAKDOWNS
    cells = []
    for column in columns:
        span = 2 if column == "commercial" and plan.has("misaligned_header") else 1
        cells.append(printer.cell(code, column, figures[(code, column)], blank=blank, colspan=span))
    return tuple(cells)


def t3_result_rows(plan: Plan, figures: Figures, printer: Printer) -> list[Row]:
    groups = L.T3_RESULTS[plan.template]
    n_rows = sum(len(rows) for _, rows in groups)
    first_span = 10 if plan.has("result_group_split") else n_rows
    found: list[Row] = []
    for group, rows in groups:
        for index, (label, code) in enumerate(rows):
            blank = plan.has("blank_cells") and group is not None
            values = t3_values(code, plan, figures, printer, blank)
            lead: list[Cell] = []
            if len(found) in (0, first_span):
                span = first_span if not found else n_rows - first_span
                lead.append(Cell(L.T3_GROUP, rowspan=span))
            if group is None:
                lead.append(Cell(relabel(label, plan), colspan=2))
            else:
                if index == 0:
                    lead.append(Cell(group, rowspan=len(rows)))
                lead.append(Cell(relabel(label, plan)))
            found.append((*lead, *values))
    return found


def table3(plan: Plan, figures: Figures, printer: Printer) -> Table:
    rows = t3_header(plan)
    for label, code in L.T3_HEAD:
        rows.append((Cell(label, colspan=3), *t3_values(code, plan, figures, printer, False)))
    rows.extend(t3_result_rows(plan, figures, printer))
    label, code = L.T3_TAIL
    rows.append((Cell(label, colspan=3), *t3_values(code, plan, figures, printer, False)))
    return Table("t3", tuple(rows))


# --- NEW table 四 -------------------------------------------------------------------------------


def table4(plan: Plan, figures: Figures, printer: Printer) -> Table:
    top = tuple(header(text, plan, colspan=span) for text, span in L.T4_TOP)
    second = (
        *(header(text, plan, 2) for text in L.T4_RESULTS),
        *(header(g, plan, colspan=5) for g in L.T4_GROUPS),
    )
    third = tuple(header(text, plan) for _ in L.T4_GROUPS for text in L.T4_RESULTS)
    values = tuple(printer.cell(code, "", figures[(code, "")]) for code in L.T4_CODES)
    return Table("t4", (top, second, third, values))


def build_tables(plan: Plan, figures: Figures, rng: random.Random) -> tuple[Table, ...]:
    printer = Printer(rng, plan.flags)
    if plan.template == "old":
        return (old_table(plan, figures, printer),)
    return (table2(plan, figures, printer), table3(plan, figures, printer), table4(plan, figures, printer))
