"""Own or aggregate: a government's report compiled from its departments' and subordinate units' reports
covers them (domain notes §12), so summing it with theirs would count twice.

A report is `aggregate` when one sentence says it was compiled (综合 / 汇总 … 编制而成 / 统计数据而成) from
sub-units (各县、区, 各部门, 各乡镇, 下属单位 …); that sentence is kept as the evidence. Otherwise `own`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from etl.normalise import fold

_SENTENCE = re.compile(r"[^。；;！!？?|\n]+")
_COMPILED_FROM = re.compile(r"(?:综合|汇总|汇集|整合|根据)")
_SUB_UNITS = re.compile(
    r"各(?:县|区|市|乡|镇|街道|部门|单位|委办局|直属|成员单位)|下属|所属|部门和|及其?所属|县直各|市直各|区直各|各级"
)
_COMPILED = re.compile(r"编制而成|统计数据而成|汇总而成|数据汇总|汇总编制|综合编制|编制完成|编制")
MAX_SENTENCE = 200


def detect_scope(paragraphs: Iterable[str]) -> tuple[str, str]:
    """('aggregate', the sentence that says so) or ('own', '')."""
    return scope_of_folded([fold(paragraph) for paragraph in paragraphs])


def scope_of_folded(folded: Sequence[str]) -> tuple[str, str]:
    """`detect_scope` of paragraphs already folded: only those that hold 报告 are looked into (found by
    `str.find` over them joined by line breaks, which a folded text never holds)."""
    joined = "\n".join(folded)
    at = joined.find("报告")  # in every sentence looked at (年度报告 holds it)
    while at != -1:
        start = joined.rfind("\n", 0, at) + 1
        end = joined.find("\n", at)
        end = len(joined) if end == -1 else end
        for sentence in _SENTENCE.findall(joined, start, end):
            if len(sentence) > MAX_SENTENCE or ("年度报告" not in sentence and "报告" not in sentence):
                continue
            if _COMPILED_FROM.search(sentence) and _SUB_UNITS.search(sentence) and _COMPILED.search(sentence):
                return "aggregate", sentence
        at = joined.find("报告", end)
    return "own", ""
