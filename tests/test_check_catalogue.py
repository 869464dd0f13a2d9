"""Every check id has one meaning in both languages, the project's checks.md keeps the shared spec, and the
two agree on ids and severities."""

from __future__ import annotations

import re

import pytest

from etl.check_catalogue import BREAKDOWN_LABELS, breakdown_label, check_catalogue, labelled_id, meaning
from tests.conftest import REAL_CORPUS, ROOT
from warehouse.crosschecks import CROSS_CHECKS

DOCS = ROOT / "docs" / "checks.md"
SHARED = REAL_CORPUS.parent.parent / "spec" / "checks.md"
ROW = re.compile(r"^\| ([A-Z]\d+) \| .* \| (error|warning)\b", re.MULTILINE)
CJK = re.compile(r"[\u3400-\u9fff]")


def documented() -> dict[str, str]:
    return dict(ROW.findall(DOCS.read_text(encoding="utf-8")))


def test_the_project_copy_keeps_the_shared_spec_verbatim() -> None:
    if not SHARED.exists():
        pytest.skip(f"shared spec not available ({SHARED})")
    shared = SHARED.read_text(encoding="utf-8")
    assert DOCS.read_text(encoding="utf-8").startswith(shared)
    assert set(dict(ROW.findall(shared))) <= set(documented())


def test_catalogue_and_docs_name_the_same_ids_with_the_same_severity() -> None:
    catalogue = check_catalogue()
    assert {i: c.severity for i, c in catalogue.items()} == documented()
    assert {f"F{n}" for n in range(1, 7)} <= set(catalogue)
    assert set(CROSS_CHECKS) == {i for i, c in catalogue.items() if c.scope == "across"}


def test_every_meaning_is_written_in_both_languages() -> None:
    for info in check_catalogue().values():
        assert CJK.search(info.meaning_zh) and CJK.search(info.failed_zh), info
        for english in (info.meaning_en, info.failed_en):
            # English names the tables and sections by their printed numbers (table 三), nothing else
            assert english and not CJK.search(english.translate(NUMBERS)), info


NUMBERS = str.maketrans("", "", "一二三四五六七")


def test_ids_are_shown_with_their_meaning() -> None:
    assert labelled_id("N1", "zh") == "N1 表三 第一项加第二项之和等于第三项加第四项之和"
    assert labelled_id("F6", "en").startswith("F6 Published by the legal deadline")
    assert labelled_id("Z9", "zh") == "Z9" and meaning("Z9", "en") == ""


def test_breakdowns_have_labels_in_both_languages() -> None:
    assert breakdown_label("commercial", "zh") == "商业企业"
    assert breakdown_label("natural_person", "en") == "Natural persons"
    assert breakdown_label("req.granted", "zh") == "（一）予以公开"
    assert breakdown_label("", "zh") == "" and breakdown_label("2019", "en") == "2019"
    for zh, en in BREAKDOWN_LABELS.values():
        assert CJK.search(zh) and not CJK.search(en)
