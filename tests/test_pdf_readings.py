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


def test_a_reading_that_leaves_a_row_out_does_not_win_by_the_identities_it_cannot_assess() -> None:
    """A label wrapped between two rows (柯城区财政局 2022, scanned without lines: "反复申请" under
    4、无正当理由大量…): given to the lower row it makes 5、要求行政机关确认… unknown, so N2 cannot be
    assessed; given to its own row every cell is read and N2 fails by a printed fault. The reading that
    reads the row wins."""
    document = read_document(UNRULED, UNRULED.read_bytes())
    whole = parse_document(replace(document, alternatives=()), "digest")
    code, breakdown = "req.not_processed.confirmation", "total"
    failing = replace(
        whole,
        checks=tuple(
            replace(c, status="fail") if c.check_id == "N2" and c.breakdown == "total" else c
            for c in whole.checks
        ),
    )
    row_left_out = replace(
        whole,
        facts=tuple(f for f in whole.facts if f.metric_code != code),
        checks=tuple(replace(c, status="not_assessable") if c.check_id == "N2" else c for c in whole.checks),
    )
    assert any(c.check_id == "N2" and c.breakdown == breakdown for c in whole.checks)
    candidates = [(FIRST, "first reading", row_left_out), ("label p3 y616 反复申请", "flip", failing)]
    assert min(candidates, key=rank)[0] == "label p3 y616 反复申请"
