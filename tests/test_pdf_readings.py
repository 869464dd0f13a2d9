"""The PDF reader's alternative readings have stable names: which reading is stored does not depend on
how many other ambiguities a reader finds, or in which order."""

from __future__ import annotations

from dataclasses import replace

from etl.pipeline import parse_document
from etl.readers import read_document
from etl.readers.pdf import read_pages, rebuild_unruled
from etl.readers.pdf_blocks import page_blocks
from etl.readers.pdf_clean import drop_running_lines
from etl.readings import FIRST, rank
from tests.conftest import FIXTURES

UNRULED = FIXTURES / "unruled" / "常山县司法局_2020_无框线.pdf"
PINGTAN = (
    FIXTURES / "cut_off" / "平潭综合实验区_2019_table_off_the_page.pdf"
)  # the text layer runs off the page


def test_alternative_readings_are_named_by_page_position_and_text() -> None:
    unruled = read_document(UNRULED, UNRULED.read_bytes())
    assert [a.name for a in unruled.alternatives] == [
        "label p2 y96 规范性文件(行政机关依法制定、涉及公民法人",
        "label p3 y424 （三）不予公开",
    ]
    pingtan = read_document(PINGTAN, PINGTAN.read_bytes())
    assert [a.name for a in pingtan.alternatives] == ["label p5 y474 予公开"]


def test_the_stored_reading_does_not_depend_on_the_order_of_the_alternatives() -> None:
    document = read_document(UNRULED, UNRULED.read_bytes())
    forward = parse_document(document, "digest")
    backward = parse_document(replace(document, alternatives=document.alternatives[::-1]), "digest")
    assert forward == backward
    (issue,) = [w for w in forward.warnings if w.code == "ambiguous_layout"]
    assert "kept 'first reading'" in issue.message


def test_ties_between_alternatives_go_to_the_first_name_then_the_first_reading() -> None:
    document = read_document(UNRULED, UNRULED.read_bytes())
    report = parse_document(replace(document, alternatives=()), "digest")
    candidates = [("label p9 y1 z", "z", report), ("join p2", "j", report), (FIRST, "first reading", report)]
    assert min(candidates, key=rank)[0] == FIRST
    assert min(candidates[:2], key=rank)[0] == "join p2"


def test_each_alternative_is_the_reading_with_the_decision_of_its_name_taken_the_other_way() -> None:
    data = UNRULED.read_bytes()
    document = read_document(UNRULED, data)
    pages = list(read_pages(str(UNRULED), data))
    for alternative in document.alternatives:
        flipped = page_blocks(drop_running_lines(rebuild_unruled(pages, alternative.name)[0]))[0]
        assert flipped == alternative.blocks
    unknown = page_blocks(drop_running_lines(rebuild_unruled(pages, "label p9 y1 no such label")[0]))[0]
    assert unknown == document.blocks
