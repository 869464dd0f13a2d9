"""Every per-report check with a passing and a failing case."""

from __future__ import annotations

from decimal import Decimal

import pytest

from etl.checks import HANDLED, OTHER_V2021
from etl.records import CellRef, CheckResult, Fact, Template
from etl.templates import run_checks

REF = CellRef(None, "", "")
T3_ROWS = ("req.received", "req.carried_in", *HANDLED, *OTHER_V2021, "req.total", "req.carried_out")
COLUMNS = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total")


def fact(code: str, value: int | str | None, breakdown: str = "") -> Fact:
    number = None if value is None else Decimal(value)
    semantic = "blank" if value is None else ("zero" if number == 0 else "number")
    return Fact(code, breakdown, number, "" if value is None else str(value), semantic, REF)  # type: ignore[arg-type]


def facts_map(*items: Fact) -> dict[tuple[str, str], Fact]:
    return {(f.metric_code, f.breakdown): f for f in items}


def results(facts: dict[tuple[str, str], Fact], template: Template, check_id: str) -> list[CheckResult]:
    return [c for c in run_checks(facts, template) if c.check_id == check_id]


def table_three(values: dict[str, int]) -> list[Fact]:
    """Every row with the natural person column holding the value and the other columns 0."""
    out = []
    for code in T3_ROWS:
        value = values.get(code, 0)
        out += [fact(code, value, "natural_person"), fact(code, value, "total")]
        out += [fact(code, 0, c) for c in COLUMNS[1:-1]]
    return out


def table_four(review: tuple[int, ...]) -> list[Fact]:
    names = ("upheld", "corrected", "other", "pending", "total")
    return [
        fact(f"{g}.{n}", v)
        for g in ("review", "suit_direct", "suit_after_review")
        for n, v in zip(names, review, strict=True)
    ]


GOOD = {
    "req.received": 10,
    "req.carried_in": 2,
    "req.granted": 5,
    "req.partial": 1,
    "req.denied.state_secret": 1,
    "req.unable.not_held": 2,
    "req.not_processed.repeat": 1,
    "req.other.other": 1,
    "req.total": 11,
    "req.carried_out": 1,
}


def test_new_template_identities_pass() -> None:
    facts = facts_map(*table_three(GOOD), *table_four((1, 1, 0, 1, 3)))
    checks = run_checks(facts, "v2021")
    assert {c.check_id for c in checks} == {"N1", "N2", "N3", "N4", "N5"}
    assert all(c.status == "pass" for c in checks), [c.message for c in checks if c.status != "pass"]


def test_n1_fails_when_carry_over_does_not_balance() -> None:
    facts = facts_map(*table_three({**GOOD, "req.carried_out": 3}))
    failed = [c for c in results(facts, "v2021", "N1") if c.status == "fail"]
    assert {c.breakdown for c in failed} == {"natural_person", "total"}
    assert failed[0].expected == 12 and failed[0].actual == 14


def test_n2_fails_when_outcomes_do_not_sum_to_total() -> None:
    facts = facts_map(*table_three({**GOOD, "req.granted": 6}))
    assert {c.status for c in results(facts, "v2021", "N2") if c.breakdown == "total"} == {"fail"}


def test_n3_fails_when_a_row_total_is_wrong() -> None:
    facts = facts_map(*table_three(GOOD))
    facts[("req.granted", "total")] = fact("req.granted", 7, "total")
    failed = [c for c in results(facts, "v2021", "N3") if c.status == "fail"]
    assert [c.breakdown for c in failed] == ["req.granted"]


def test_n3_checks_the_legal_subtotal() -> None:
    facts = facts_map(
        *table_three(GOOD), fact("req.received", 3, "legal_subtotal"), fact("req.received", 2, "commercial")
    )
    statuses = [c.status for c in results(facts, "v2021", "N3") if c.breakdown == "req.received"]
    assert statuses.count("fail") == 2


def test_n4_each_group_and_n5_negative_values() -> None:
    facts = facts_map(*table_four((1, 1, 0, 1, 4)))
    assert [c.status for c in results(facts, "v2021", "N4")] == ["fail", "fail", "fail"]
    facts = facts_map(fact("req.received", -1, "total"), fact("v2019.licensing.change", -8))
    (n5,) = results(facts, "v2019", "N5")
    assert n5.status == "fail" and n5.cells == (("req.received", "total"),)
    assert "一、本年新收政府信息公开申请数量（总计）填写为“-1”" in n5.message_zh
    assert "New requests received this year (Total) = -1" in n5.message


def test_missing_cells_are_not_assessable_never_pass() -> None:
    facts = facts_map(fact("req.received", 1, "total"))
    statuses = {c.check_id: c.status for c in run_checks(facts, "v2021") if c.check_id in ("N1", "N2")}
    assert statuses == {"N1": "not_assessable", "N2": "not_assessable"}


def test_blank_counts_as_zero_and_says_so() -> None:
    facts = facts_map(
        fact("old.requests.received", 0),
        *(fact(f"old.requests.received.{c}", None) for c in ("in_person", "fax", "online", "letter")),
    )
    (o1,) = results(facts, "old", "O1")
    assert o1.status == "pass" and "blank cells counted as 0: 4" in o1.message
    assert "其中4个空白单元格按0计" in o1.message_zh


OLD_CASES = [
    (
        "O1",
        {
            "old.requests.received": 5,
            "old.requests.received.in_person": 2,
            "old.requests.received.fax": 0,
            "old.requests.received.online": 2,
            "old.requests.received.letter": 0,
        },
    ),
    ("O2", {"old.requests.closed": 3, "old.requests.closed.on_time": 2, "old.requests.closed.extended": 0}),
    (
        "O6",
        {
            "old.reconsideration.total": 2,
            "old.reconsideration.upheld": 1,
            "old.reconsideration.corrected": 0,
            "old.reconsideration.other": 0,
        },
    ),
    (
        "O7",
        {
            "old.litigation.total": 2,
            "old.litigation.upheld": 1,
            "old.litigation.corrected": 0,
            "old.litigation.other": 0,
        },
    ),
    ("O8", {"old.staff.total": 3, "old.staff.full_time": 1, "old.staff.part_time": 1}),
    ("O10", {"old.proactive.normative_docs": 9, "old.proactive.total": 5}),
    ("O11", {"old.response.press_conferences_heads": 3, "old.response.press_conferences": 2}),
    ("O12", {"old.section.proactive": 130, "old.proactive.total": 122}),
    ("O5", {"old.requests.answered": 4, "old.requests.closed": 5}),
]


@pytest.mark.parametrize(("check_id", "values"), OLD_CASES)
def test_old_template_checks_fail_on_planted_faults(check_id: str, values: dict[str, int]) -> None:
    facts = facts_map(*(fact(code, v) for code, v in values.items()))
    assert "fail" in [c.status for c in results(facts, "old", check_id)]


@pytest.mark.parametrize(("check_id", "values"), OLD_CASES)
def test_old_template_checks_pass_when_consistent(check_id: str, values: dict[str, int]) -> None:
    first = next(iter(values))
    rest = dict(list(values.items())[1:])
    fixed = {
        first: sum(rest.values()) if check_id in ("O1", "O2", "O6", "O7", "O8") else min(rest.values()),
        **rest,
    }
    facts = facts_map(*(fact(code, v) for code, v in fixed.items()))
    assert [c.status for c in results(facts, "old", check_id)][:1] == ["pass"]


def test_o9_proactive_total_between_largest_channel_and_sum() -> None:
    channels = [fact("old.proactive.channel.website", 100), fact("old.proactive.channel.wechat", 30)]
    ok = facts_map(fact("old.proactive.total", 110), *channels)
    bad = facts_map(fact("old.proactive.total", 150), *channels)
    assert results(ok, "old", "O9")[0].status == "pass"
    assert results(bad, "old", "O9")[0].status == "fail"


def test_o3_o4_answer_categories() -> None:
    facts = facts_map(
        fact("old.requests.answered", 3),
        fact("old.requests.answered.granted", 1),
        fact("old.requests.answered.denied", 1),
        fact("old.requests.answered.denied.privacy", 1),
        *(
            fact(f"old.requests.answered.{c}", 0)
            for c in ("already_public", "partial", "not_this_agency", "not_exist", "amend", "redirected")
        ),
        *(
            fact(f"old.requests.answered.denied.{c}", 0)
            for c in (
                "state_secret",
                "commercial_secret",
                "security_stability",
                "not_gov_info",
                "other_legal",
            )
        ),
    )
    assert results(facts, "old", "O3")[0].status == "fail"
    assert results(facts, "old", "O4")[0].status == "pass"


def test_narrative_against_table() -> None:
    facts = facts_map(
        fact("text.requests.received", 70),
        fact("req.received", 70, "total"),
        fact("text.proactive.total", 132),
        fact("old.proactive.total", 122),
        fact("old.requests.received", 5),
    )
    assert results(facts, "v2021", "T1")[0].status == "pass"
    assert results(facts, "old", "T1")[0].status == "fail"
    assert results(facts, "old", "T2")[0].status == "fail"


def test_table_three_rows_resolve_with_group_context_and_variants() -> None:
    from etl.extract.table3 import resolve_row

    assert resolve_row(["三、本年度办理结果", "（三）不予公开", "1.属于国家秘密"], None) == (
        "req.denied.state_secret",
        "denied",
    )
    assert resolve_row(["3.其他"], "other") == ("req.other.other", "other")
    assert resolve_row(["3.其他"], None)[0] == "req.other.other"
    assert resolve_row(["（六）其他处理"], "not_processed") == ("req.other", "other")
    assert resolve_row(["四、结转下年度继续办理的政府信息公开申请数量"], None)[0] == "req.carried_out"
    assert resolve_row(["其他主动公开文件(含以本单位名义印发的文件)"], None)[0] is None


def test_t3_fees_in_narrative_against_none_in_table_or_section_six() -> None:
    facts = facts_map(fact("text.fees.amount", 3940), fact("old.fees", 0))
    assert [c.status for c in run_checks(facts, "old") if c.check_id == "T3"] == ["fail"]
    facts = facts_map(fact("text.fees.amount", 3940), fact("old.fees", "0.394"))
    assert [c.status for c in run_checks(facts, "old") if c.check_id == "T3"] == ["pass"]
    new = facts_map(fact("text.fees.amount", 50))
    assert [c.status for c in run_checks(new, "v2021", "本机关未收取信息处理费") if c.check_id == "T3"] == [
        "fail"
    ]
    assert [c.status for c in run_checks(new, "v2021") if c.check_id == "T3"] == ["pass"]
    assert not [c for c in run_checks(facts_map(fact("old.fees", 0)), "old") if c.check_id == "T3"]


def test_no_fees_statement() -> None:
    from etl.narrative import no_fees_statement

    assert no_fees_statement(["2021年，本机关未收取信息处理费。"]) == "未收取信息处理费"
    assert no_fees_statement(["无收取信息处理费情况。"]) is not None
    assert no_fees_statement(["本年度共收取检索、复制、邮寄等费用120元。"]) is None


def test_t2_passes_when_narrative_and_table_agree() -> None:
    facts = facts_map(fact("text.proactive.total", 122), fact("old.proactive.total", 122))
    assert results(facts, "old", "T2")[0].status == "pass"


def test_every_result_speaks_both_languages_and_names_its_cells() -> None:
    facts = facts_map(*table_three({**GOOD, "req.carried_out": 3}), *table_four((1, 1, 0, 1, 4)))
    checks = run_checks(facts, "v2021")
    for check in checks:
        assert check.message and check.message_zh, check
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in check.message), check.message
    n1 = next(c for c in checks if c.check_id == "N1" and c.breakdown == "natural_person")
    assert n1.cells == tuple((code, "natural_person") for code in ROWS_N1)
    assert n1.message_zh.startswith("自然人列：第一项（本年新收）10 + 第二项（上年结转）2 = 12")
    n4 = next(c for c in checks if c.check_id == "N4" and c.status == "fail")
    assert n4.cells[0] == ("review.total", "") and "行政复议 / 总计为4，各分项之和为3" in n4.message_zh


ROWS_N1 = ("req.received", "req.carried_in", "req.total", "req.carried_out")
