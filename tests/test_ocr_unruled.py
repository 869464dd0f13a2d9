"""Scanned tables printed without ruling lines (etl/ocr/words.py): found lines cut into words, words put
on their printed lines, values detection missed found in their column, and whole borderless scans
compared cell by cell with their truth (a generated report with its ruling lines taken out, and a real
平潭 report printed without lines, whose truth was checked by hand against the published page)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from etl.errors import IncompleteReport
from etl.ocr.engine import Box
from etl.ocr.grid import find_grids
from etl.ocr.image import binarise
from etl.ocr.page import edge_skew, line_skew, slashes_told
from etl.ocr.words import (
    ReadBox,
    gap_values,
    missed_labels,
    missed_values,
    page_words,
    split_words,
    without_stray_marks,
)
from etl.pipeline import parse_file
from tests.conftest import FIXTURES
from tests.ocr_scans import compare, truth_of
from xxgk.samples.scans import STYLES, render_pages, without_rules, write_scan

ROOT = Path(__file__).resolve().parent.parent
V2021 = FIXTURES / "reports" / "常山县水利局_2024.pdf"
PINGTAN_2021 = FIXTURES / "converted" / "平潭综合实验区_2021.pdf"
OFF_THE_PAGE = FIXTURES / "cut_off" / "平潭综合实验区_2019_table_off_the_page.pdf"
TRUTH_2021 = ROOT / "benchmarks" / "truth" / "平潭综合实验区_2021.truth.json"
STYLE = {s.name: s for s in STYLES}
HEIGHT = 30


def _ink(*spans: tuple[int, int], top: int = 30, bottom: int = 60) -> np.ndarray:
    """A strip of page with a solid block of ink (a character) over each (x0, x1)."""
    ink = np.zeros((100, 600), np.uint8)
    for x0, x1 in spans:
        ink[top:bottom, x0:x1] = 255
    return ink


def _piece(text: str, spans: list[tuple[int, int]], top: float = 25, bottom: float = 65) -> ReadBox:
    places = tuple((x0 + x1) / 2 for x0, x1 in spans)
    return ReadBox(Box(spans[0][0] - 3, top, spans[-1][1] + 3, bottom), text, 0.99, places)


# --- words ------------------------------------------------------------------------------------------


def test_a_value_printed_a_cell_after_its_label_is_its_own_word() -> None:
    spans = [(10, 38), (42, 70), (110, 125)]
    words = split_words(_piece("规章0", spans), _ink(*spans), HEIGHT)
    assert [w.text for w in words] == ["规章", "0"]
    assert words[1].box.x0 == 110 and words[1].box.x1 == 125


def test_characters_of_one_word_and_a_read_space_over_no_gap_stay_together() -> None:
    spans = [(10, 38), (48, 76), (86, 114), (124, 152)]
    assert [w.text for w in split_words(_piece("信息公开", spans), _ink(*spans), HEIGHT)] == ["信息公开"]
    spans = [(10, 24), (26, 30), (34, 62)]
    piece = ReadBox(Box(7, 25, 65, 65), "2. 申", 0.99, (17, 28, 31, 48))
    assert [w.text for w in split_words(piece, _ink(*spans), HEIGHT)] == ["2.申"]


def test_a_read_space_between_an_item_number_and_the_label_before_it_cuts_the_line() -> None:
    """平潭 2021 faxed: the rowspan label "（五）不予处理" and the next column's "4.无正当理由…" were
    found as one line "予处 4.无正当理"; the place of the read space lies in the middle of the paper
    between 处 and 4, and each half of it was narrower than a word gap, so the line stayed one word and
    the row's label was "予处4.无正当理"."""
    spans = [(10, 40), (43, 74), (90, 110), (114, 119), (124, 154)]
    piece = ReadBox(Box(7, 25, 157, 65), "予处 4.无", 0.99, (25, 58, 82, 100, 116, 139))
    assert [w.text for w in split_words(piece, _ink(*spans), 32)] == ["予处", "4.无"]
    close = [(10, 40), (43, 74), (78, 98), (102, 107), (112, 142)]
    piece = ReadBox(Box(7, 25, 145, 65), "予处 4.无", 0.99, (25, 58, 76, 88, 104, 127))
    assert [w.text for w in split_words(piece, _ink(*close), 32)] == ["予处4.无"]


def test_words_whose_ink_ends_near_one_baseline_share_a_line() -> None:
    label = [(10, 38), (42, 70)]
    ink = _ink(*label, top=30, bottom=60)
    ink[34:56, 200:215] = 255  # a digit: shorter, standing on the same line a little higher
    ink[90:99, 10:38] = 255  # the next printed line
    words = page_words([_piece("规章", label), _piece("0", [(200, 215)])], ink)
    assert len({w.box.bottom for w in words}) == 1
    assert [w.box.height for w in words] == [30.0, 30.0]  # the text height of the page


def test_a_piece_found_twice_is_one_word() -> None:
    ink = _ink((10, 38), (42, 70), (200, 212))
    twice = [_piece("规章", [(10, 38), (42, 70)]), _piece("1", [(200, 212)]), _piece("1", [(201, 212)])]
    assert [w.text for w in page_words(twice, ink)] == ["规章", "1"]
    inside = [_piece("2.其他", [(10, 38), (42, 70)]), _piece("2", [(10, 20)])]
    assert [w.text for w in page_words(inside, ink)] == ["2.其他"]


def test_a_value_detection_missed_is_found_in_its_column() -> None:
    ink = np.zeros((200, 600), np.uint8)
    words = []
    for row, xs in ((0, (200, 260, 320)), (1, (200, 320))):
        top = 40 + 60 * row
        ink[top : top + 30, 10:70] = 255
        words.append(ReadBox(Box(10, top, 70, top + 30), "规章", 0.99))
        for x in xs:
            ink[top : top + 30, x : x + 15] = 255
            words.append(ReadBox(Box(x, top, x + 15, top + 30), "0", 0.99))
    ink[100:130, 260:275] = 255  # the second row's middle value, which detection missed
    missed = missed_values(words, ink)
    assert len(missed) == 1
    assert (missed[0].x0, missed[0].top, missed[0].x1, missed[0].bottom) == (260, 100, 275, 130)


def test_a_value_no_row_of_the_page_shows_is_found_between_its_neighbours() -> None:
    """The last rows of a table alone on a page (the phone copy of 平潭 2021, page 5): detection missed
    the same column's `0` in every row, so no other row shows that column; the ink between two values
    of the row is read on its own. Paper, a speck, or ink touching a value is not."""
    ink = np.zeros((200, 600), np.uint8)
    words = []
    for row in range(2):
        top = 40 + 60 * row
        ink[top : top + 30, 10:70] = 255
        words.append(ReadBox(Box(10, top, 70, top + 30), "规章", 0.99))
        for x in (200, 320, 440):
            ink[top : top + 30, x : x + 15] = 255
            words.append(ReadBox(Box(x, top, x + 15, top + 30), "0", 0.99))
        ink[top : top + 30, 260:275] = 255  # the middle column, missed in both rows
    ink[100:103, 380:383] = 255  # a speck between the second row's last two values
    missed = missed_values(words, ink)
    assert sorted((m.x0, m.top, m.x1, m.bottom) for m in missed) == [(260, 40, 275, 70), (260, 100, 275, 130)]
    first = [w for w in words if w.box.top == 40]
    assert gap_values(first[:2], ink) == []  # between a label and a value: not a column of values


def test_a_label_detection_missed_left_of_its_values_is_found_in_the_label_column() -> None:
    """平潭 2019 faxed: detection missed the line "5.要求行政机关确认或 0 …" (its values were found again
    in their columns), so the row had only its second label line "重新出具已获取信息" and was not the
    template's. Ink left of a row's values that no word covers is read on its own; the label stands a
    little higher than its values. Ink that reaches a word (a word's box is one text height on its
    baseline, its ink may stand out of it) is that word's, and a speck is not a label."""
    ink = np.zeros((300, 600), np.uint8)
    words = []
    for top, label in ((40, "2.重复申请"), (200, "3.要求提供")):
        ink[top : top + 30, 10:150] = 255
        words.append(ReadBox(Box(10, top, 150, top + 30), label, 0.99))
    for top in (40, 125, 200):
        for x in (200, 260):
            ink[top : top + 30, x : x + 15] = 255
            words.append(ReadBox(Box(x, top, x + 15, top + 30), "0", 0.99))
    ink[112:142, 10:170] = 255  # 5.要求行政机关确认或, missed, standing 13 px higher than its values
    ink[150:180, 10:130] = 255  # 重新出具已获取信息, found
    words.append(ReadBox(Box(10, 150, 130, 180), "重新出具已获取信息", 0.99))
    found = missed_labels(words, ink)
    assert [(b.x0, b.top, b.x1, b.bottom) for b in found] == [(10, 112, 170, 142)]
    ink[112:142, 10:170] = 0
    ink[30:40, 10:150] = 255  # ink of 2.重复申请 above its box
    ink[135:138, 60:63] = 255  # a speck
    assert missed_labels(words, ink) == []
    ink[150:180, 130:175] = 255  # ink of 重新出具已获取信息 right of its box
    assert missed_labels(words, ink) == []


def test_a_stray_mark_between_two_values_is_dropped() -> None:
    """The fax copy of 平潭 2019 (Chromium): a speck read as ☑ between the last two values of 一、本年新收
    made the line look like running text, so the row was lost. A dash or a slash is a value, and a mark
    that is not between two values is kept."""

    def word(text: str, x0: float) -> ReadBox:
        return ReadBox(Box(x0, 40, x0 + 12, 70), text, 0.9)

    row = [word("一、本年新收", 10), word("23", 200), word("0", 240), word("☑", 270), word("23", 300)]
    assert [w.text for w in without_stray_marks(row)] == ["一、本年新收", "23", "0", "23"]
    kept = [word("一、本年新收", 10), word("23", 200), word("-", 240), word("/", 270), word("23", 300)]
    assert without_stray_marks(kept) == kept
    ends = [word("☑", 10), word("23", 200), word("0", 240)]
    assert without_stray_marks(ends) == ends


def test_a_check_mark_read_at_the_end_of_a_label_of_a_row_of_values_is_dropped() -> None:
    """平潭 2016 (Chromium) scanned: a speck after "其中：1、同意公开答复数" was read as "☑" with it, and
    the label was no row of the table (its two values left out). A word of running text keeps it."""
    row = [
        ReadBox(Box(112, 900, 518, 931), "其中：1、同意公开答复数☑", 0.9),
        ReadBox(Box(541, 900, 571, 931), "条", 0.9),
        ReadBox(Box(704, 900, 719, 931), "0", 0.9),
    ]
    assert [w.text for w in without_stray_marks(row)] == ["其中：1、同意公开答复数", "条", "0"]
    prose = [ReadBox(Box(112, 900, 518, 931), "符合条件的请打☑", 0.9)]
    assert without_stray_marks(prose) == prose


def test_borderless_style_takes_the_ruling_lines_out() -> None:
    page = render_pages(V2021.read_bytes(), 150)[1]
    assert find_grids(binarise(page.min(axis=2)))
    assert find_grids(binarise(without_rules(page, 150).min(axis=2))) == []


def _column(x0: float, angle: float, lines: int = 40, pitch: float = 35.0) -> list[Box]:
    """Boxes of a column of short left-aligned lines (a table's label column) on a page turned by `angle`
    degrees: the left edges drift by tan(angle) per pixel down (boxes stay upright, as detection gives
    short lines)."""
    drift = np.tan(np.radians(angle))
    return [
        Box(x0 - drift * i * pitch, 200 + i * pitch, x0 - drift * i * pitch + 80, 229 + i * pitch)
        for i in range(lines)
    ]


def test_a_page_of_short_lines_is_levelled_by_the_left_edges_of_its_column() -> None:
    """Page 3 of 常山县水利局_2024 borderless200: table 三's label column run on from the page before, no
    line long enough to tell the slope of the text, and a row profile that does not change as narrow
    text turns; its left edges tell the rotation (0.8°), and the row's two values are one row again."""
    found = _column(450.0, 0.8) + _column(330.0, 0.8, lines=10, pitch=120.0)
    found += [Box(600, 1300, 613, 1329), Box(1350, 1288, 1363, 1317)]  # the row's values, 12 px apart
    assert line_skew(found) is None
    angle = edge_skew(found)
    assert angle is not None and abs(angle - 0.8) < 0.05
    other = edge_skew(_column(450.0, -1.5))
    assert other is not None and abs(other + 1.5) < 0.05
    assert edge_skew(_column(450.0, 0.8, lines=5)) is None  # too few lines to tell


# --- whole reports ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_generated_report_with_blank_cells_scanned_without_lines_is_read(tmp_path: Path) -> None:
    """This sample leaves its zero cells blank: without lines a blank cell leaves no trace, and a row whose
    cells are all blank prints only its label. Such labels between two rows of table 三 are rows of their
    own, blank in every column (etl/readers/pdf_text.py `blank_rows`), and page 3, which holds only the
    label column and one row of two values, is levelled by the left edges of its labels (`edge_skew`).
    Before, the labels cut the table, "3、其他" was joined to （七）总计, and the report was refused."""
    path = write_scan(V2021, tmp_path, STYLE["borderless200"])
    outcome = compare(parse_file(path), truth_of(path))
    assert outcome.meta_right and outcome.wrong_unflagged == []
    assert outcome.right == outcome.cells == 202


@pytest.mark.slow
def test_real_report_printed_without_lines_and_scanned(tmp_path: Path) -> None:
    original = tmp_path / PINGTAN_2021.name
    original.write_bytes(PINGTAN_2021.read_bytes())
    Path(f"{original}.truth.json").write_text(TRUTH_2021.read_text(encoding="utf-8"), encoding="utf-8")
    path = write_scan(original, tmp_path, STYLE["scan200"])
    report = parse_file(path)
    outcome = compare(report, truth_of(path))
    assert outcome.meta_right and outcome.wrong_unflagged == []
    assert outcome.right == outcome.cells == 200
    evidence = {(e.metric_code, e.breakdown): e for e in report.ocr}
    total = evidence[("req.total", "total")]  # 69: the crop of its word, confirmed by the identities
    assert total.confirmed and not total.doubt and total.crop_png.startswith(b"\x89PNG")


def _chars_off_the_paper(path: Path) -> int:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return sum(1 for page in pdf.pages for c in page.chars if c["x1"] > page.width + 1)


@pytest.mark.parametrize("path", sorted((FIXTURES / "converted").glob("*.pdf")), ids=lambda p: p.name)
def test_the_word_copies_print_their_tables_on_the_paper(path: Path) -> None:
    """A real agency's Word report fits its table on the paper; the LibreOffice copy of 平潭 2019 had kept
    the web page's table width and printed its total column off the page (tools/fit_docx_tables.py)."""
    assert _chars_off_the_paper(path) == 0


@pytest.mark.slow
def test_a_print_whose_table_runs_off_the_paper_is_refused_when_scanned(tmp_path: Path) -> None:
    """The 2019 copy as first converted: its text layer still holds the total column beyond the page's
    edge, but the paper does not, so the scan of it has no row of table 三 whole and is refused. Whether
    the table is then taken for cut off or for unreadable turns on the sliver of a `0` left at the
    paper's edge, read `0` (score 0.34) or blank depending on its padding (docs/ocr.md, Speed)."""
    assert _chars_off_the_paper(OFF_THE_PAGE) >= 30
    path = write_scan(OFF_THE_PAGE, tmp_path, STYLE["scan200"])
    with pytest.raises(IncompleteReport, match=r"table 三 (is cut off|.*not found or not readable)"):
        parse_file(path)


def test_a_lone_stroke_read_as_1_that_leans_right_is_the_slash_mark() -> None:
    """Table 二 of a v2019 report scanned without lines (衢江区高家镇人民政府_2019_borderless200): the
    recogniser reads a steep "/" as "1"; its ink leaning right tells it, as in a ruled cell."""
    ink = np.zeros((100, 200), np.uint8)
    for row in range(30, 60):  # "/": the top of the stroke 8 px right of its foot
        ink[row, 108 - (row - 30) * 8 // 30 : 111 - (row - 30) * 8 // 30] = 255
    ink[30:60, 150:153] = 255  # "1": upright
    slash = ReadBox(Box(100, 30, 112, 60), "1", 0.92, (106.0,))
    one = ReadBox(Box(148, 30, 155, 60), "1", 0.92, (151.0,))
    assert [w.text for w in slashes_told([slash, one], ink)] == ["/", "1"]
