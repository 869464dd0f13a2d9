"""Per-report arithmetic checks of shared/spec/checks.md (N1–N5, O1–O12, T1–T3).

Which of them a template runs is part of its description (etl/templates.py, `run_checks`).

Checks never change values. Blank and not-applicable cells count as 0 inside an identity and the
message says so; a check whose cells are missing is `not_assessable`, never a pass. Each result says what
it found in English (`message`) and Chinese (`message_zh`) and names the cells it read (`cells`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

from etl.catalogue import APPLICANT_BREAKDOWNS, metric
from etl.check_catalogue import breakdown_label
from etl.normalise import remember
from etl.outcomes import handled_codes, outcome_group
from etl.records import CheckResult, CheckStatus, Fact, Severity, Template, new_check_result

if TYPE_CHECKING:
    from etl.extract.rows import FactCodes

FactMap = Mapping[tuple[str, str], Fact]
Term = tuple[str, str]

LEGAL_COLUMNS = ("commercial", "research", "social_org", "legal_service", "other_org")
ROW_COLUMNS = ("natural_person", *LEGAL_COLUMNS)
HANDLED = tuple(code for code in handled_codes("v2019") if code != "req.other")
"""The outcome rows v2019 and v2021 share; the template's own （六）其他处理 rows follow (etl/outcomes.py)."""
OTHER_V2019 = outcome_group("other").parts("v2019")
OTHER_V2021 = outcome_group("other").parts("v2021")
OUTCOMES = ("upheld", "corrected", "other", "pending")
OLD_SECTION_FIRST_ROWS = {
    "old.section.proactive": "old.proactive.total",
    "old.section.proactive_channels": "old.proactive.channel.gazette",
    "old.section.response": "old.response.hotspots",
    "old.section.response_channels": "old.response.press_conferences",
    "old.section.requests": "old.requests.received",
    "old.section.org": "old.org.bodies",
    "old.section.training": "old.training.meetings",
}


class Reading(NamedTuple):
    """A cell as the checks read it (a tuple: made for every term of every identity, ~240 a report)."""

    value: Decimal
    blank: bool


_ZERO = Decimal(0)


def read(facts: FactMap, code: str, breakdown: str = "") -> Reading | None:
    fact = facts.get((code, breakdown))
    if fact is None:
        return None
    value = fact.value
    return Reading(_ZERO, True) if value is None else Reading(value, False)


@cache
def _name(term: Term, lang: str = "zh") -> str:
    """`_make_name`, once per (cell, language): a pure function of the catalogue, asked twice an identity."""
    return _make_name(term, lang)


def _make_name(term: Term, lang: str) -> str:
    code, breakdown = term
    found = metric(code)
    label = found.label_en if lang == "en" else found.label_zh
    if not breakdown:
        return label
    column = breakdown_label(breakdown, lang)
    return f"{label} ({column})" if lang == "en" else f"{label}（{column}）"


def _scope(breakdown: str, lang: str) -> str:
    """Where a result applies, as a message prefix: '自然人列：', 'Natural persons: ' ('' for none)."""
    if not breakdown:
        return ""
    label = breakdown_label(breakdown, lang)
    if lang == "en":
        return f"{label}: "
    return f"{label}列：" if breakdown in APPLICANT_BREAKDOWNS else f"{label}："


def _blank_note(count: int, lang: str) -> str:
    if not count:
        return ""
    return f" (blank cells counted as 0: {count})" if lang == "en" else f"（其中{count}个空白单元格按0计）"


def _not_assessable(
    check_id: str, severity: Severity, breakdown: str, gone: Sequence[Term], cells: Sequence[Term]
) -> CheckResult:
    zh = "、".join(_name(t) for t in gone[:4]) + ("等" if len(gone) > 4 else "")
    en = ", ".join(_name(t, "en") for t in gone[:4]) + (" …" if len(gone) > 4 else "")
    return new_check_result(
        check_id,
        severity,
        "not_assessable",
        breakdown,
        None,
        None,
        f"not assessable: {en} missing",
        f"无法判断：缺少{zh}",
        tuple(cells),
    )


def identity(
    check_id: str, severity: Severity, facts: FactMap, total: Term, parts: Sequence[Term], breakdown: str = ""
) -> CheckResult:
    """total == sum(parts); not assessable when the total or any part is missing.

    The facts are read in one pass over the cells (a blank cell adds 0, as `read` reads it)."""
    get = facts.get
    cells = (total, *parts)
    missing: list[Term] = []
    expected = _ZERO
    blanks = 0
    for part in parts:
        fact = get(part)
        if fact is None:
            missing.append(part)
            continue
        value = fact.value
        if value is None:
            blanks += 1
            expected += _ZERO  # as `read`'s blank adds it: 0 can change the sum's exponent (1E+1 + 0 = 10)
        else:
            expected += value
    whole_fact = get(total)
    if whole_fact is None or missing:
        return _not_assessable(
            check_id, severity, breakdown, ([total] if whole_fact is None else []) + missing, cells
        )
    whole = whole_fact.value
    if whole is None:
        whole = _ZERO
        blanks += 1
    status: CheckStatus = "pass" if expected == whole else "fail"
    # str(): a Decimal's `format(d, "")` is its str() (tests/test_parse_structural.py), 4× slower
    shown, sum_shown = str(whole), str(expected)
    en = f"{_name(total, 'en')} = {shown}, sum of its parts = {sum_shown}{_blank_note(blanks, 'en')}"
    zh = f"{_name(total)}为{shown}，各分项之和为{sum_shown}{_blank_note(blanks, 'zh')}"
    return new_check_result(check_id, severity, status, breakdown, expected, whole, en, zh, cells)


RELATION_ZH = {"==": "应等于", "<=": "应不超过"}
RELATION_EN = {"==": "should equal", "<=": "should not exceed"}


def compare(
    check_id: str, severity: Severity, facts: FactMap, left: Term, right: Term, relation: str = "=="
) -> CheckResult:
    a, b = read(facts, *left), read(facts, *right)
    cells = (left, right)
    if a is None or b is None or a.blank or b.blank:
        gone = [t for t, r in ((left, a), (right, b)) if r is None or r.blank]
        result = _not_assessable(check_id, severity, left[1], gone, cells)
        zh = result.message_zh.replace("缺少", "缺少或空白：", 1)
        return replace(result, message=result.message.replace("missing", "missing or blank"), message_zh=zh)
    ok = a.value == b.value if relation == "==" else a.value <= b.value
    status: CheckStatus = "pass" if ok else "fail"
    en = f"{_name(left, 'en')} = {a.value} {RELATION_EN[relation]} {_name(right, 'en')} = {b.value}"
    zh = f"{_name(left)}为{a.value}，{RELATION_ZH[relation]}{_name(right)}（{b.value}）"
    return new_check_result(check_id, severity, status, left[1], b.value, a.value, en, zh, cells)


def _columns(facts: FactMap, breakdowns: Collection[str] | None = None) -> list[str]:
    """The applicant columns of table 三 the facts hold, in order (`breakdowns`: theirs, when known)."""
    present = {b for (code, b) in facts if code.startswith("req.")} if breakdowns is None else breakdowns
    return [b for b in APPLICANT_BREAKDOWNS if b in present]


def new_template_checks(
    facts: FactMap, template: Template, rows: Sequence[str] | None = None, codes: FactCodes | None = None
) -> Iterable[CheckResult]:
    """N1–N5. `rows` are the table 三 rows the document prints (etl/extract/layout.py): a group printed
    as one row stands for its rows, and rows the document never had are not part of N2's sum. `codes`:
    the facts' codes, when the caller has them (`FactCollector.codes`)."""
    handled = handled_codes(template, {code for code, _ in facts} if codes is None else codes.present)
    if rows is not None:
        handled = tuple(code for code in handled if code in rows)
    for column in _columns(facts, None if codes is None else codes.req_breakdowns):
        yield _n1(facts, column)
        yield identity("N2", "error", facts, ("req.total", column), [(c, column) for c in handled], column)
    yield from _n3(facts, handled)
    for group in ("review", "suit_direct", "suit_after_review"):
        yield identity(
            "N4", "error", facts, (f"{group}.total", ""), [(f"{group}.{o}", "") for o in OUTCOMES], group
        )
    yield from _n5(facts)


def _n1(facts: FactMap, column: str) -> CheckResult:
    """received + carried_in == total + carried_out, for one applicant column."""
    codes = ("req.received", "req.carried_in", "req.total", "req.carried_out")
    cells = tuple((code, column) for code in codes)
    terms = [read(facts, *cell) for cell in cells]
    if any(t is None for t in terms):
        gone = [cell for cell, t in zip(cells, terms, strict=True) if t is None]
        return _not_assessable("N1", "error", column, gone, cells)
    received, carried_in, total, carried_out = (t.value for t in terms if t is not None)
    left, right = received + carried_in, total + carried_out
    blanks = sum(t.blank for t in terms if t is not None)
    s_received, s_carried_in, s_left = str(received), str(carried_in), str(left)  # as in `identity`
    s_total, s_carried_out, s_right = str(total), str(carried_out), str(right)
    en = (
        f"{_scope(column, 'en')}new {s_received} + carried in {s_carried_in} = {s_left}; "
        f"total handled {s_total} + carried over {s_carried_out} = {s_right}{_blank_note(blanks, 'en')}"
    )
    zh = (
        f"{_scope(column, 'zh')}第一项（本年新收）{s_received} + 第二项（上年结转）{s_carried_in} "
        f"= {s_left}；第三项（七）总计 {s_total} + 第四项（结转下年度）{s_carried_out} "
        f"= {s_right}{_blank_note(blanks, 'zh')}"
    )
    status: CheckStatus = "pass" if left == right else "fail"
    return new_check_result("N1", "error", status, column, left, right, en, zh, cells)


@cache
def _n3_terms(code: str) -> tuple[Term, tuple[Term, ...], Term, tuple[Term, ...]]:
    """N3's cells of a row: (its total, the applicant columns, its legal-person subtotal, their columns)."""
    return (
        (code, "total"),
        tuple((code, c) for c in ROW_COLUMNS),
        (code, "legal_subtotal"),
        tuple((code, c) for c in LEGAL_COLUMNS),
    )


def _n3(facts: FactMap, handled: Sequence[str]) -> Iterable[CheckResult]:
    rows = ("req.received", "req.carried_in", *handled, "req.total", "req.carried_out")
    for code in rows:
        total, columns, subtotal, legal = _n3_terms(code)
        if total not in facts:
            continue
        yield identity("N3", "error", facts, total, columns, code)
        if subtotal in facts:
            yield identity("N3", "error", facts, subtotal, legal, code)


@cache
def _n5_rule(code: str) -> tuple[bool, bool] | None:
    """N5's rule for a metric code: None when N5 leaves it alone, else (may be negative, is money)."""
    if code.startswith(("text.", "old.", "fj.")):
        return None
    return code.startswith("v2019.") and code.endswith(".change"), metric(code).is_money


_VALUE_FLAGS: dict[Decimal, tuple[bool, bool]] = {}
"""`value_flags` per value: the same values recur in report after report (and equal Decimals, 0 and -0
or 1 and 1.0, answer alike)."""


def value_flags(value: Decimal) -> tuple[bool, bool]:
    """(below zero, not a whole number): what N5 asks of a value."""
    try:
        return _VALUE_FLAGS[value]
    except KeyError:
        return remember(_VALUE_FLAGS, value, (value < 0, value != value.to_integral_value()))


def _n5(facts: FactMap) -> Iterable[CheckResult]:
    bad: list[Fact] = []
    for (code, _), fact in facts.items():
        value = fact.value
        if value is None:
            continue
        rule = _n5_rule(code)
        if rule is None:
            continue
        may_be_negative, money = rule
        negative, fractional = value_flags(value)
        if (negative and not may_be_negative) or (fractional and not money):
            bad.append(fact)
    cells = tuple((f.metric_code, f.breakdown) for f in bad)
    if not bad:
        yield new_check_result("N5", "error", "pass", "", None, None, "all values valid", "数值均有效")
        return
    en = ", ".join(f"{_name(cell, 'en')} = {f.value_raw}" for cell, f in zip(cells[:6], bad, strict=False))
    zh = "、".join(f"{_name(cell)}填写为“{f.value_raw}”" for cell, f in zip(cells[:6], bad, strict=False))
    more_en, more_zh = (" …", "等") if len(bad) > 6 else ("", "")
    yield new_check_result(
        "N5",
        "error",
        "fail",
        "",
        None,
        None,
        f"values that are not whole numbers ≥ 0: {en}{more_en}",
        f"不是非负整数的数值：{zh}{more_zh}",
        cells,
    )


def old_template_checks(facts: FactMap) -> Iterable[CheckResult]:
    def parts(prefix: str, names: Sequence[str]) -> list[Term]:
        return [(f"{prefix}.{n}", "") for n in names]

    yield identity(
        "O1",
        "error",
        facts,
        ("old.requests.received", ""),
        parts("old.requests.received", ("in_person", "fax", "online", "letter")),
    )
    yield identity(
        "O2",
        "error",
        facts,
        ("old.requests.closed", ""),
        parts("old.requests.closed", ("on_time", "extended")),
    )
    yield identity(
        "O3",
        "warning",
        facts,
        ("old.requests.answered", ""),
        parts(
            "old.requests.answered",
            (
                "already_public",
                "granted",
                "partial",
                "denied",
                "not_this_agency",
                "not_exist",
                "amend",
                "redirected",
            ),
        ),
    )
    yield identity(
        "O4",
        "warning",
        facts,
        ("old.requests.answered.denied", ""),
        parts(
            "old.requests.answered.denied",
            (
                "state_secret",
                "commercial_secret",
                "privacy",
                "security_stability",
                "not_gov_info",
                "other_legal",
            ),
        ),
    )
    yield compare("O5", "warning", facts, ("old.requests.answered", ""), ("old.requests.closed", ""))
    yield identity(
        "O6",
        "error",
        facts,
        ("old.reconsideration.total", ""),
        parts("old.reconsideration", ("upheld", "corrected", "other")),
    )
    yield identity(
        "O7",
        "error",
        facts,
        ("old.litigation.total", ""),
        parts("old.litigation", ("upheld", "corrected", "other")),
    )
    yield identity(
        "O8", "error", facts, ("old.staff.total", ""), parts("old.staff", ("full_time", "part_time"))
    )
    yield _o9(facts)
    yield compare(
        "O10", "warning", facts, ("old.proactive.normative_docs", ""), ("old.proactive.total", ""), "<="
    )
    yield compare(
        "O11",
        "error",
        facts,
        ("old.response.press_conferences_heads", ""),
        ("old.response.press_conferences", ""),
        "<=",
    )
    yield compare(
        "O11",
        "error",
        facts,
        ("old.response.online_interviews_heads", ""),
        ("old.response.online_interviews", ""),
        "<=",
    )
    for section, first in OLD_SECTION_FIRST_ROWS.items():
        if (section, "") in facts:
            yield compare("O12", "warning", facts, (section, ""), (first, ""))


def _o9(facts: FactMap) -> CheckResult:
    names = ("gazette", "website", "weibo", "wechat", "other")
    total_cell = ("old.proactive.total", "")
    channel_cells = tuple((f"old.proactive.channel.{c}", "") for c in names)
    cells = (total_cell, *channel_cells)
    channels = [read(facts, *cell) for cell in channel_cells]
    total = read(facts, *total_cell)
    values = [c.value for c in channels if c is not None and not c.blank]
    if total is None or total.blank or not values:
        return new_check_result(
            "O9",
            "warning",
            "not_assessable",
            "",
            None,
            None,
            "not assessable: the total or every channel is missing",
            "无法判断：缺少主动公开政府信息数或全部渠道数",
            cells,
        )
    low, high = max(values), sum(values, Decimal(0))
    ok = low <= total.value <= high
    en = f"items disclosed {total.value} should lie between the largest channel {low} and the sum {high}"
    zh = f"主动公开政府信息数为{total.value}，应介于最大的单一渠道数{low}与各渠道之和{high}之间"
    return new_check_result("O9", "warning", "pass" if ok else "fail", "", high, total.value, en, zh, cells)


def narrative_checks(
    facts: FactMap, received: Term, proactive: Term | None, no_fees: str | None = None
) -> Iterable[CheckResult]:
    """T1–T3: the narrative's figures against the table's `received` (and `proactive`) rows."""
    if ("text.requests.received", "") in facts:
        yield compare("T1", "warning", facts, ("text.requests.received", ""), received)
    if ("text.proactive.total", "") in facts and proactive is not None:
        yield compare("T2", "warning", facts, ("text.proactive.total", ""), proactive)
    fees = read(facts, "text.fees.amount")
    if fees is not None and not fees.blank:
        yield _t3(facts, fees.value, no_fees)


def _t3(facts: FactMap, stated: Decimal, no_fees: str | None) -> CheckResult:
    """Fees stated in the narrative while section 六 (or the old table's 收费 row) says there were none."""
    cells = (("text.fees.amount", ""), ("old.fees", ""))
    table = facts.get(("old.fees", ""))
    table_none = table is not None and table.semantic in ("zero", "na")
    if no_fees:
        says_zh, says_en = f"正文又称“{no_fees}”", f"the text also says “{no_fees}”"
    elif table_none and table is not None:
        says_zh = f"统计表“依申请公开信息收取的费用”填写为“{table.value_raw}”"
        says_en = f"the table's fees row reads “{table.value_raw}”"
    else:
        says_zh = says_en = ""
    if stated > 0 and says_zh:
        en = f"the text states fees of {stated} yuan, but {says_en}"
        zh = f"正文称收取费用{stated}元，但{says_zh}"
        return new_check_result("T3", "warning", "fail", "", Decimal(0), stated, en, zh, cells)
    en = f"fees of {stated} yuan stated in the text do not contradict a statement of no fees"
    zh = f"正文所述费用{stated}元与“无收费”的表述不矛盾"
    return new_check_result("T3", "warning", "pass", "", None, stated, en, zh, cells)
