"""Per-report arithmetic checks of shared/spec/checks.md (N1–N5, O1–O12, T1–T3).

Which of them a template runs is part of its description (etl/templates.py, `run_checks`).

Checks never change values. Blank and not-applicable cells count as 0 inside an identity and the
message says so; a check whose cells are missing is `not_assessable`, never a pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from etl.catalogue import APPLICANT_BREAKDOWNS, metric
from etl.outcomes import handled_codes, outcome_group
from etl.records import CheckResult, CheckStatus, Fact, Severity, Template

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


@dataclass(frozen=True)
class Reading:
    value: Decimal
    blank: bool


def read(facts: FactMap, code: str, breakdown: str = "") -> Reading | None:
    fact = facts.get((code, breakdown))
    if fact is None:
        return None
    return Reading(fact.value if fact.value is not None else Decimal(0), fact.value is None)


def _name(term: Term) -> str:
    code, breakdown = term
    return f"{metric(code).label_zh}" + (f"[{breakdown}]" if breakdown else "")


def identity(
    check_id: str, severity: Severity, facts: FactMap, total: Term, parts: Sequence[Term], breakdown: str = ""
) -> CheckResult:
    """total == sum(parts); not assessable when the total or any part is missing."""
    whole = read(facts, *total)
    readings = [read(facts, *p) for p in parts]
    missing = [_name(p) for p, r in zip(parts, readings, strict=True) if r is None]
    if whole is None or missing:
        gone = ([_name(total)] if whole is None else []) + missing
        return CheckResult(
            check_id,
            severity,
            "not_assessable",
            breakdown,
            None,
            None,
            f"{check_id}: not assessable, missing {', '.join(gone[:4])}",
        )
    expected = sum((r.value for r in readings if r is not None), Decimal(0))
    blanks = [_name(p) for p, r in zip(parts, readings, strict=True) if r is not None and r.blank]
    status: CheckStatus = "pass" if expected == whole.value else "fail"
    note = f" (blank cells counted as 0: {len(blanks)})" if blanks else ""
    message = f"{check_id}: {_name(total)} = {whole.value}, sum of its parts = {expected}{note}"
    return CheckResult(check_id, severity, status, breakdown, expected, whole.value, message)


def compare(
    check_id: str, severity: Severity, facts: FactMap, left: Term, right: Term, relation: str = "=="
) -> CheckResult:
    a, b = read(facts, *left), read(facts, *right)
    if a is None or b is None or a.blank or b.blank:
        return CheckResult(
            check_id,
            severity,
            "not_assessable",
            "",
            None,
            None,
            f"{check_id}: not assessable, {_name(left)} or {_name(right)} missing or blank",
        )
    ok = a.value == b.value if relation == "==" else a.value <= b.value
    status: CheckStatus = "pass" if ok else "fail"
    message = f"{check_id}: {_name(left)} = {a.value} {relation} {_name(right)} = {b.value}"
    return CheckResult(check_id, severity, status, left[1], b.value, a.value, message)


def _columns(facts: FactMap) -> list[str]:
    present = {b for (code, b) in facts if code.startswith("req.")}
    return [b for b in APPLICANT_BREAKDOWNS if b in present]


def new_template_checks(
    facts: FactMap, template: Template, rows: Sequence[str] | None = None
) -> Iterable[CheckResult]:
    """N1–N5. `rows` are the table 三 rows the document prints (etl/extract/layout.py): a group printed
    as one row stands for its rows, and rows the document never had are not part of N2's sum."""
    handled = handled_codes(template, {code for code, _ in facts})
    if rows is not None:
        handled = tuple(code for code in handled if code in rows)
    for column in _columns(facts):
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
    terms = [
        read(facts, c, column) for c in ("req.received", "req.carried_in", "req.total", "req.carried_out")
    ]
    if any(t is None for t in terms):
        return CheckResult(
            "N1",
            "error",
            "not_assessable",
            column,
            None,
            None,
            f"N1[{column}]: not assessable, a row of 一/二/总计/四 is missing",
        )
    received, carried_in, total, carried_out = (t.value for t in terms if t is not None)
    left, right = received + carried_in, total + carried_out
    blanks = sum(t.blank for t in terms if t is not None)
    note = f" (blank cells counted as 0: {blanks})" if blanks else ""
    message = (
        f"N1[{column}]: 新收 {received} + 上年结转 {carried_in} = {left}; "
        f"总计 {total} + 结转下年 {carried_out} = {right}{note}"
    )
    return CheckResult("N1", "error", "pass" if left == right else "fail", column, left, right, message)


def _n3(facts: FactMap, handled: Sequence[str]) -> Iterable[CheckResult]:
    rows = ("req.received", "req.carried_in", *handled, "req.total", "req.carried_out")
    for code in rows:
        if (code, "total") not in facts:
            continue
        yield identity("N3", "error", facts, (code, "total"), [(code, c) for c in ROW_COLUMNS], code)
        if (code, "legal_subtotal") in facts:
            yield identity(
                "N3", "error", facts, (code, "legal_subtotal"), [(code, c) for c in LEGAL_COLUMNS], code
            )


def _n5(facts: FactMap) -> Iterable[CheckResult]:
    bad = []
    for (code, breakdown), fact in facts.items():
        if fact.value is None or code.startswith(("text.", "old.", "fj.")):
            continue
        may_be_negative = code.startswith("v2019.") and code.endswith(".change")
        money = metric(code).is_money
        if (fact.value < 0 and not may_be_negative) or (
            not money and fact.value != fact.value.to_integral_value()
        ):
            bad.append(f"{code}[{breakdown or '-'}]={fact.value_raw}")
    status: CheckStatus = "fail" if bad else "pass"
    message = (
        f"N5: values that are not non-negative integers: {', '.join(bad[:6])}"
        if bad
        else "N5: all values valid"
    )
    yield CheckResult("N5", "error", status, "", None, None, message)


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
    channels = [
        read(facts, f"old.proactive.channel.{c}") for c in ("gazette", "website", "weibo", "wechat", "other")
    ]
    total = read(facts, "old.proactive.total")
    values = [c.value for c in channels if c is not None and not c.blank]
    if total is None or total.blank or not values:
        return CheckResult(
            "O9",
            "warning",
            "not_assessable",
            "",
            None,
            None,
            "O9: not assessable, total or every channel missing",
        )
    low, high = max(values), sum(values, Decimal(0))
    ok = low <= total.value <= high
    message = (
        f"O9: 主动公开政府信息数 {total.value} should lie between the top channel {low} and the sum {high}"
    )
    return CheckResult("O9", "warning", "pass" if ok else "fail", "", high, total.value, message)


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
    table = facts.get(("old.fees", ""))
    table_none = table is not None and table.semantic in ("zero", "na")
    says_none = (
        f"正文称“{no_fees}”"
        if no_fees
        else ("统计表“收取的费用”为 " + table.value_raw if table_none and table else "")
    )
    if stated > 0 and says_none:
        message = f"T3: 正文称收取费用 {stated} 元，但{says_none}"
        return CheckResult("T3", "warning", "fail", "", Decimal(0), stated, message)
    message = f"T3: 正文所述费用 {stated} 元与“无收费”的表述不矛盾"
    return CheckResult("T3", "warning", "pass", "", None, stated, message)
