"""Tables printed without ruling lines: a short row's values put into the columns the template's header
names (etl/readers/pdf_columns.py), a blank where no word lies, and a row left out with a note where a
value cannot be put into exactly one column."""

from __future__ import annotations

from dataclasses import replace

from etl.extract.old import extract_old, split_old_row
from etl.extract.rows import FactCollector
from etl.extract.table2 import Table2Reader, column_keys
from etl.pipeline import parse_document
from etl.readers import read_document
from etl.readers.pdf_columns import Span, header_columns, place
from etl.readers.pdf_text import TextReading, Word, old_table_lines, rebuilt_lines, text_tables, word_lines
from etl.records import RowView, Table, TableCell
from tests.conftest import FIXTURES

PITCH = 36.0
WIDTH = 22.0
LEFT = 100.0
OUTCOMES = (("结果", "维持"), ("结果", "纠正"), ("其他", "结果"), ("尚未", "审结"), ("总", "计"))


def _x(column: int) -> float:
    return LEFT + PITCH * column


def _word(text: str, x0: float, x1: float, top: float) -> Word:
    return Word(text, x0, x1, top, top + 10)


def _table4_header() -> list[Word]:
    """Table 四's header printed without lines: group headers over their columns, each outcome printed
    over two lines (结果 over 维持)."""
    words = [
        _word("行政复议", _x(0), _x(4) + WIDTH, 100),
        _word("行政诉讼", _x(5), _x(14) + WIDTH, 100),
        _word("未经复议直接起诉", _x(5), _x(9) + WIDTH, 115),
        _word("复议后起诉", _x(10), _x(14) + WIDTH, 115),
    ]
    for column in range(15):
        upper, lower = OUTCOMES[column % 5]
        words += [
            _word(upper, _x(column), _x(column) + WIDTH, 130),
            _word(lower, _x(column), _x(column) + WIDTH, 142),
        ]
    return words


def _row(values: dict[int, tuple[float, float]], top: float = 170) -> list[Word]:
    return [_word(str(column + 1), x0, x1, top) for column, (x0, x1) in sorted(values.items())]


def _read(words: list[Word]) -> tuple[TextReading, Table]:
    lines = word_lines(words, 1, 0.0)
    reading = text_tables(lines, max(w.x1 for w in words))
    (table,) = [t.table for t in reading.tables]
    return reading, table


def _cells(table: Table, row: int) -> list[str]:
    return [c.text for c in sorted((c for c in table.cells if c.row == row), key=lambda c: c.col)]


def test_a_row_with_blank_cells_is_put_into_the_columns_its_header_names() -> None:
    values = {c: (_x(c) + 2, _x(c) + 8) for c in range(15) if c not in (2, 9)}
    _, table = _read(_table4_header() + _row(values))
    row = max(c.row for c in table.cells)
    expected = [str(c + 1) if c in values else "" for c in range(15)]
    assert _cells(table, row) == expected
    blank = next(c for c in table.cells if c.row == row and c.col == 2)
    assert blank.box is not None and blank.box[0] == _x(2) and blank.box[2] >= _x(2) + WIDTH
    assert table.notes == ()


def test_a_value_over_two_columns_leaves_its_row_out_with_a_note() -> None:
    values = {c: (_x(c) + 2, _x(c) + 8) for c in range(15) if c not in (2, 3)}
    values[2] = (_x(2) + 16, _x(3) + 4)  # printed across the gap between 其他结果 and 尚未审结
    _, table = _read(_table4_header() + _row(values))
    row = max(c.row for c in table.cells)
    assert len(_cells(table, row)) == 14 and "" not in _cells(table, row)  # short, as read: skipped later
    (note,) = table.notes
    assert "'3'" in note and "more than one column of table 四 (其他结果、尚未审结)" in note


def test_a_value_under_no_column_or_two_values_under_one_are_not_placed() -> None:
    spans = [Span(_x(c), _x(c) + WIDTH) for c in range(3)]
    assert place([_word("7", _x(0) + 2, _x(0) + 8, 0), _word("9", _x(2), _x(2) + 6, 0)], spans) == [0, 2]
    assert place([_word("7", _x(0) + WIDTH + 4, _x(1) - 4, 0)], spans) is None  # in the gap
    assert place([_word("7", _x(1), _x(1) + 5, 0), _word("8", _x(1) + 9, _x(1) + 14, 0)], spans) is None


def test_a_header_that_is_not_the_templates_places_nothing() -> None:
    fourteen = [w for w in _table4_header() if not (w.x0 == _x(3) and w.top >= 130)]  # 尚未审结 not printed
    assert header_columns(fourteen, LEFT) is None
    values = {c: (_x(c) + 2, _x(c) + 8) for c in range(15) if c != 4}
    _, table = _read(fourteen + _row(values))
    assert "" not in _cells(table, max(c.row for c in table.cells)) and table.notes == ()


def test_stacked_header_words_and_group_headers_give_the_table_4_columns() -> None:
    columns = header_columns(_table4_header(), LEFT)
    assert columns is not None and columns.table == "四" and len(columns.spans) == 15
    assert columns.spans[3] == Span(_x(3), _x(3) + WIDTH)


def test_values_of_one_row_read_at_two_heights_are_not_placed() -> None:
    """Two short rows 4 points apart under the header: one printed row whose values a scan put at two
    heights, or two rows; neither is put into columns, and the note says why."""
    first = _row({0: (_x(0) + 2, _x(0) + 8)}, top=170)
    second = [_word("15", _x(14) + 2, _x(14) + 12, 174)]
    _, table = _read(_table4_header() + first + second)
    assert all("" not in _cells(table, r) for r in range(table.n_rows))
    assert len(table.notes) == 2 and all("may be one row or two" in n for n in table.notes)


def _values(top: float, bottom: float, *values: tuple[str, float, float]) -> list[Word]:
    return [Word(text, x0, x1, top, bottom) for text, x0, x1 in values]


def test_a_label_wrapped_around_its_values_goes_whole_to_their_row() -> None:
    """（二）部分公开 of table 三 printed over four lines with its values between the second and the third
    (the words of the 平潭 2021 phone copy, page 3): a scan boxes words by their ink, so the lines that
    start with a bracket stand half a character right of the others. The four lines are one label, of
    the row of those values: not the row above, nor a paragraph that cuts the table in two; a word is
    put in a column by its neighbours above and below, not by a long label elsewhere on the page."""
    words = [
        Word("三、本", 63.7, 97.2, 270.0, 280.4),
        Word("（一）予以公开", 110.9, 183.6, 270.0, 280.4),
        *_values(
            270.0,
            280.4,
            ("27", 195.1, 208.4),
            ("0", 232.6, 238.7),
            ("0", 260.6, 266.8),
            ("2", 289.1, 294.8),
            ("0", 316.8, 323.3),
            ("1", 369.0, 373.3),
            ("30", 396.4, 410.0),
        ),
        Word("年度办", 64.1, 97.2, 288.0, 298.4),
        Word("理结果", 63.4, 97.2, 304.2, 314.6),
        Word("（二）部分公开", 110.9, 184.0, 304.2, 314.6),
        Word("(区分处理的,", 110.9, 175.7, 321.5, 331.9),
        *_values(
            327.2,
            337.7,
            ("5", 195.1, 200.9),
            ("0", 232.6, 238.7),
            ("0", 260.6, 266.8),
            ("0", 288.7, 295.2),
            ("0", 316.8, 323.3),
            ("0", 368.3, 374.4),
            ("5", 400.0, 406.1),
        ),
        Word("只计这一情形，", 104.4, 175.7, 338.0, 348.5),
        Word("不计其他情形)", 104.4, 177.1, 353.2, 363.6),
        Word("(三", 110.9, 126.0, 385.7, 396.2),
        Word("1.属于国家", 133.2, 188.3, 385.7, 396.2),
        *_values(
            392.4,
            402.8,
            ("0", 194.8, 201.2),
            ("0", 232.6, 238.7),
            ("0", 260.6, 266.8),
            ("0", 288.7, 295.2),
            ("0", 316.8, 323.3),
            ("0", 368.3, 374.4),
            ("0", 396.4, 402.5),
        ),
        Word("）不", 104.4, 126.0, 402.1, 412.6),
        Word("秘密", 132.5, 154.1, 402.1, 412.6),
        Word("予公", 104.4, 126.4, 418.3, 428.8),
    ]
    # a long label two pages on, whose middle is that of the wrapped lines (its page's values stand
    # further right, so it is a label there)
    later = [
        *_values(160.0, 170.4, ("1", 211.0, 215.0), ("1", 410.0, 415.0)),
        Word("四、结转下年度继续办理", 80.6, 204.8, 173.5, 185.0),
    ]
    lines = word_lines(words, 3, 1500.0) + word_lines(later, 5, 2930.0)
    reading = text_tables(lines, 415)
    (table,) = [t.table for t in reading.tables]
    labels = ["".join(c.text for c in table.cells if c.row == r and not c.text.isdigit()) for r in range(3)]
    assert labels[0] == "三、本年度办理结果（一）予以公开"
    assert labels[1] == "（二）部分公开(区分处理的,只计这一情形，不计其他情形)"


def test_a_label_line_above_a_row_that_starts_with_an_item_number_is_not_that_rows() -> None:
    """The words of the 平潭 2019 LibreOffice copy scanned (pages 5 and 6): "明确", the end of
    "3.补正后申请内容仍不明确", is the last line of page 5, and the next page's first line follows it on
    one axis (1.5 lines on) nearer than its own row (1.8 lines up). An item number starts its cell's
    label, so a line above "1.信访举报投诉类申请" in its column is not in that cell: it goes to the row
    above, and 1.信访举报投诉类申请 stays the template's row."""
    xs = [(818.0, 836.0), (921.0, 939.0), (1054.0, 1072.0), (1152.0, 1170.0), (1272.0, 1290.0)]
    xs += [(1429.0, 1447.0), (1502.0, 1520.0)]

    def row(label: str, x1: float, top: float, first: str = "0") -> list[Word]:
        texts = [first, "0", "0", "0", "0", "0", first]
        values = [(text, x0, right) for text, (x0, right) in zip(texts, xs, strict=True)]
        return [Word(label, 478.0, x1, top, top + 31), *_values(top, top + 31, *values)]

    page5 = [*row("3.补正后申请内容仍不", 804.0, 2122.0, "5"), Word("明确", 478.0, 541.0, 2179.0, 2210.0)]
    page6 = [*row("1.信访举报投诉类申请", 805.0, 88.0), *row("2.重复申请", 638.0, 183.0, "3")]
    lines = word_lines(page5, 5, 0.0)
    lines += word_lines(page6, 6, lines[-1].y + 1.5 * lines[-1].height - 88.0)
    reading = text_tables(lines, 1520.0)
    (table,) = [t.table for t in reading.tables]
    labels = [_cells(table, r)[0] for r in range(table.n_rows)]
    assert labels == ["3.补正后申请内容仍不明确", "1.信访举报投诉类申请", "2.重复申请"]
    assert reading.ambiguous == []


def test_a_word_cut_before_a_comma_is_joined_to_the_word_before_it() -> None:
    """（二）部分公开 of 龙游县人民政府办公室 2025 scanned without lines (page 2): the scan cut
    "只计这一情形，不计" at the blank before the comma, and "，不计", standing right of the label
    column, was a label column of its own, so the row had three label cells and was not the template's.
    A word that starts with a mark no word starts with continues the word before it."""
    xs = [(637.0, 652.0), (766.0, 778.0), (892.0, 906.0), (1020.0, 1034.0), (1147.0, 1161.0)]
    xs += [(1275.0, 1289.0), (1402.0, 1416.0)]

    def values(top: float, texts: str) -> list[Word]:
        return _values(top, top + 25, *((t, x0, x1) for t, (x0, x1) in zip(texts, xs, strict=True)))

    words = [
        Word("三、本", 214.0, 295.0, 1539.0, 1564.0),
        Word("（一）予以公开", 359.0, 534.0, 1539.0, 1564.0),
        *values(1539.0, "1821002"),
        Word("年度办", 214.0, 295.0, 1574.0, 1599.0),
        Word("（二）部分公开", 359.0, 533.0, 1574.0, 1599.0),
        Word("理结果", 214.0, 295.0, 1607.0, 1632.0),
        Word("(区分处理的，只", 343.0, 544.0, 1607.0, 1632.0),
        *values(1621.0, "4100005"),
        Word("计这一情形", 342.0, 478.0, 1638.0, 1663.0),
        Word("，不计", 491.0, 562.0, 1638.0, 1663.0),
        Word("其他情形)", 342.0, 461.0, 1672.0, 1697.0),
        Word("(三)", 359.0, 405.0, 1706.0, 1730.0),
        Word("1.属于", 471.0, 549.0, 1706.0, 1730.0),
        Word("不予公", 342.0, 423.0, 1736.0, 1761.0),
        Word("国家秘", 470.0, 550.0, 1736.0, 1761.0),
        *values(1736.0, "0000000"),
    ]
    reading = text_tables(word_lines(words, 2, 0.0), 1416.0)
    (table,) = [t.table for t in reading.tables]
    labels = [[c for c in _cells(table, r) if not c.isdigit()] for r in range(table.n_rows)]
    assert labels[1] == ["年度办理结果", "（二）部分公开(区分处理的，只计这一情形，不计其他情形)"]


APPLICANT_XS = (229.0, 275.0, 321.0, 367.0, 413.0, 459.0, 505.0)
APPLICANTS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")


def _applicant_row(label: list[Word], top: float, texts: str) -> list[Word]:
    values = [Word(t, x, x + 5.0, top, top + 11.5) for t, x in zip(texts, APPLICANT_XS, strict=True)]
    return [*label, *values]


def _label(text: str, x0: float, x1: float, top: float) -> Word:
    return Word(text, x0, x1, top, top + 11.5)


def test_rows_whose_values_are_all_blank_are_rows_of_their_labels() -> None:
    """Table 三 of a report that leaves its zeros blank, scanned without lines (常山县水利局_2024
    borderless200, pages 2 to 4): a row whose cells are all blank prints only its label. Between two rows
    of values under the template's header, a label that starts with an item number is such a row, blank
    in every column (each blank boxed over its column, for the trust step to look at); a group's label
    printed beside one of its items is of that item's row; a label run onto the next page is of the row
    before. "3、其他", whose line is above "（七）总计", is not that row's label: "（七）总计" prints its own
    on its line. Before, these labels were paragraphs that cut the table, and "3、其他" was joined to
    总计, so the row 总计 was lost and the report refused."""
    header = [
        _label(name, x - 12.0, x + 18.0, 300.0) for name, x in zip(APPLICANTS, APPLICANT_XS, strict=True)
    ]
    page2 = [
        *header,
        *_applicant_row([_label("一、本年新收政府信息公开申请数量", 77.0, 196.0, 337.0)], 337.0, "3000003"),
        _label("(三)", 129.0, 146.0, 438.8),
        _label("1、属于国家秘密", 170.0, 198.0, 438.8),
        _label("不予公开", 123.0, 152.0, 450.4),
        _label("2、其他法律", 169.0, 198.0, 473.8),
        _label("行政法规", 169.0, 198.0, 486.0),
    ]
    page3 = [
        _label("禁止公开", 165.0, 193.0, 75.0),
        _label("3、其他", 169.0, 194.0, 261.7),
        *_applicant_row(
            [_label("(七)", 129.0, 145.0, 284.8), _label("总计", 153.0, 172.0, 284.8)], 284.8, "3000003"
        ),
    ]
    lines = word_lines(page2, 2, 0.0) + word_lines(page3, 3, 842.0)
    reading = text_tables(lines, 510.0)
    (table,) = [t.table for t in reading.tables]
    rows = [_cells(table, r) for r in range(table.n_rows)]
    blank = [""] * 7
    assert rows == [
        ["一、本年新收政府信息公开申请数量", *"3000003"],
        ["(三)不予公开", "1、属于国家秘密", *blank],
        ["2、其他法律行政法规禁止公开", *blank],
        ["3、其他", *blank],
        ["(七)", "总计", *"3000003"],
    ]
    boxes = [c.box for c in table.cells if c.row == 1 and not c.text]
    assert len(boxes) == 7 and all(box is not None for box in boxes)
    assert all(box[0] <= x and box[2] >= x + 5.0 for box, x in zip(boxes, APPLICANT_XS, strict=True) if box)
    assert all(box[1] == 438.8 and box[3] == 450.4 + 11.5 for box in boxes if box)  # the label's lines
    assert table.notes == ()


def test_a_label_between_rows_of_values_without_the_templates_header_is_left_a_paragraph() -> None:
    """Without a header that names the template's columns there is nothing to put a blank row's cells
    into: the label stays a paragraph (as before), and the row under it keeps its own label."""
    page = [
        *_applicant_row([_label("一、本年新收", 77.0, 196.0, 337.0)], 337.0, "3000003"),
        _label("3、其他", 169.0, 194.0, 361.7),
        *_applicant_row(
            [_label("(七)", 129.0, 145.0, 384.8), _label("总计", 153.0, 172.0, 384.8)], 384.8, "3000003"
        ),
    ]
    reading = text_tables(word_lines(page, 2, 0.0), 510.0)
    assert [line.words[0].text for line in reading.paragraphs] == ["3、其他"]
    labels = [
        [c for c in _cells(t.table, r) if not c.isdigit()]
        for t in reading.tables
        for r in range(t.table.n_rows)
    ]
    assert labels == [["一、本年新收"], ["(七)", "总计"]]


def test_a_group_label_beside_the_label_of_a_row_of_values_is_no_blank_row() -> None:
    """柯城区公安局_2023_无框线 (a text layer, table 三): （六）其他处理 is printed at the top of its first item,
    whose values stand beside the middle of its long label, too far for the group label to be given to
    that row. It starts beside that row's label, so it is no row of its own (a blank row named after a
    group would be read as the group printed with values); it stays a paragraph, as before."""
    header = [
        _label(name, x - 12.0, x + 18.0, 300.0) for name, x in zip(APPLICANTS, APPLICANT_XS, strict=True)
    ]
    item = [
        "1、申",
        "请人无",
        "正当理",
        "由逾期",
        "不补",
        "正、行",
        "政机关",
        "不再处",
        "理其政",
        "府信息",
        "公开申",
        "请",
    ]
    words = [
        *header,
        *_applicant_row([_label("一、本年新收", 77.0, 196.0, 337.0)], 337.0, "3000003"),
        _label("（六）", 123.0, 153.0, 400.0),
        _label("其他处", 123.0, 153.0, 413.4),
        _label("理", 123.0, 133.0, 426.8),
        *(_label(text, 168.0, 198.0, 400.0 + 13.4 * i) for i, text in enumerate(item)),
        *_applicant_row([], 473.6, "1000001"),
        *_applicant_row([_label("（七）总计", 123.0, 173.0, 570.0)], 570.0, "3000003"),
    ]
    reading = text_tables(word_lines(words, 4, 0.0), 510.0)
    rows = [_cells(t.table, r) for t in reading.tables for r in range(t.table.n_rows)]
    assert not any(row[-7:] == [""] * 7 for row in rows)
    assert "（六）" in [w.text for line in reading.paragraphs for w in line.words]


# --- the old national table (统计指标 | 单位 | 统计数) -------------------------------------------------------


def _old_table() -> list[Word]:
    """The old table as a scan boxes its words: a number of a label cut from it ("计" "1", "2" "·政府…"),
    a row whose value is printed blank (its unit alone), a section heading whose dash was not read."""
    return [
        _word("统计指标", 140, 180, 100),
        _word("单位", 300, 320, 100),
        _word("统计数", 450, 480, 100),
        _word("同渠道和方式公开相同信息计", 100, 230, 120),
        _word("1", 234, 239, 120),
        _word("条", 260, 270, 120),
        _word("8", 462, 467, 120),
        _word("2", 100, 105, 140),
        _word("·政府网站公开政府信息数", 108, 230, 140),
        _word("条", 260, 270, 140),
        _word("8", 462, 467, 140),
        _word("二、回应解读情况", 100, 180, 160),
        _word("其中：涉及国家秘密", 110, 200, 180),
        _word("件", 260, 270, 180),
    ]


def test_old_table_numbers_in_the_label_column_are_label_text_and_a_blank_value_is_a_row() -> None:
    _, table = _read(_old_table())
    rows = [_cells(table, r) for r in range(table.n_rows)]
    assert ["同渠道和方式公开相同信息计1", "条", "8"] in rows
    assert ["2．政府网站公开政府信息数", "条", "8"] in rows
    assert ["二、回应解读情况", ""] in rows
    assert ["其中：涉及国家秘密", "件", ""] in rows
    blank = next(
        c for c in table.cells if c.text == "" and c.row == rows.index(["其中：涉及国家秘密", "件", ""])
    )
    assert (
        blank.box is not None and blank.box[0] < 462 and blank.box[2] > 467
    )  # under 统计数, for the trust step


def test_old_table_numbers_stay_values_without_the_old_header() -> None:
    words = [w for w in _old_table() if w.text not in ("统计指标", "单位", "统计数")]
    reading = text_tables(word_lines(words, 1, 0.0), max(w.x1 for w in words))
    cells = [c.text for t in reading.tables for c in t.table.cells]
    assert "1" in cells and "" not in cells


def test_old_row_whose_item_number_is_a_cell_of_its_own_is_read_with_its_label() -> None:
    cells = tuple(TableCell(text, 0, c) for c, text in enumerate(["1.", "当面申请数", "件", "3"]))
    row = split_old_row(RowView(0, 0, cells, aligned=False))
    assert row is not None
    assert (row.label, row.unit, row.value and row.value.text) == ("1.当面申请数", "件", "3")


def test_old_row_rebuilt_from_words_takes_its_last_cell_as_the_value() -> None:
    texts = ["4.不同意公开答复数", "其中", "：涉及国家秘密", "件", "0"]
    cells = tuple(TableCell(text, 0, c) for c, text in enumerate(texts))
    row = split_old_row(RowView(0, 0, cells, aligned=False))
    assert row is not None
    assert (row.label, row.unit, row.value and row.value.text) == ("4.不同意公开答复数", "件", "0")


def test_old_row_whose_label_wraps_back_left_is_read_with_its_lines_in_order() -> None:
    """衢州市财政局_2016_无框线 (a text layer): the indented first line of a 其中 item and its flush-left
    continuation come out as two label cells, left to right."""
    path = FIXTURES / "unruled" / "衢州市财政局_2016_无框线.pdf"
    report = parse_document(read_document(path, path.read_bytes()), "digest")
    facts = {f.metric_code: f.value_raw for f in report.facts}
    assert facts["old.requests.answered.denied.security_stability"] == "0"
    assert facts["old.requests.answered.denied.not_gov_info"] == "0"
    assert facts["old.requests.answered.denied.other_legal"] == "0"


def _old_facts(words: list[Word]) -> dict[str, str]:
    """The old table's facts read from a table rebuilt from these words (value as printed)."""
    _, table = _read(words)
    collector = FactCollector()
    extract_old(table.row_views(), collector)
    return {code: fact.value_raw for (code, _), fact in collector.facts.items()}


def _old_header() -> list[Word]:
    return [_word("统计指标", 140, 180, 100), _word("单位", 300, 320, 100), _word("统计数", 450, 480, 100)]


def test_old_table_word_cut_at_a_colon_is_joined_to_the_word_before_it() -> None:
    """常山县司法局_2014_borderless150: a scan cuts "其中" from "：主要负责同志参加政府网" at the blank of the
    colon, and the flush-left continuation "站在线访谈次数" had joined "其中" alone, leaving a label no row
    of the table has."""
    words = [
        *_old_header(),
        _word("2、政府网站在线访谈次数", 100, 230, 120),
        _word("次", 260, 270, 120),
        _word("3", 462, 467, 120),
        _word("其中", 100, 120, 140),
        _word("：主要负责同志参加政府网", 126, 240, 140),
        _word("次", 260, 270, 147),
        _word("1", 462, 467, 147),
        _word("站在线访谈次数", 100, 170, 154),
    ]
    facts = _old_facts(words)
    assert facts["old.response.online_interviews"] == "3"
    assert facts["old.response.online_interviews_heads"] == "1"


def test_old_table_sub_heading_joined_to_the_row_under_it_is_read_as_that_row() -> None:
    """A sub-heading that prints no value (（二）通过不同渠道和方式回应解读的情况) goes, as label lines do, to
    the nearest row of values: the row is the label after it, whether the rest stands in the heading's
    cell (常山县司法局_2014) or in a cell of its own with its continuation joined to the heading's
    (常山县天马街道办事处_2015: an indented "1．参加或举办新闻发布会总" wrapping back left to "次数")."""
    in_one_column = [
        *_old_header(),
        _word("(二)", 105, 120, 120),
        _word("通过不同渠道和方式回应", 125, 240, 120),
        _word("解读的情况", 100, 150, 133),
        _word("1、参加或举办新闻发布会总次", 100, 240, 146),
        _word("次", 260, 270, 152),
        _word("4", 462, 467, 152),
        _word("数", 100, 110, 159),
    ]
    assert _old_facts(in_one_column)["old.response.press_conferences"] == "4"
    indented = [
        *_old_header(),
        _word("(二)", 105, 120, 120),
        _word("通过不同渠道和方式回应", 125, 240, 120),
        _word("解读的情况", 100, 150, 133),
        _word("1", 113, 118, 146),
        _word("·参加或举办新闻发布会总", 122, 240, 146),
        _word("次", 260, 270, 152),
        _word("4", 462, 467, 152),
        _word("次数", 100, 120, 159),
    ]
    facts = _old_facts(indented)
    assert facts["old.response.press_conferences"] == "4"
    assert "old.section.response_channels" not in facts


def test_old_table_numbered_label_line_before_another_label_is_a_row_printed_blank() -> None:
    """常山县天马街道办事处_2015_borderless200: "1·政府公报公开政府信息数" prints its dash under the seal
    and "其中：涉及国家秘密" nothing, (一) and (二) of 四 print no unit and no value: each line is followed by
    the next numbered label (or, for a 其中 item, by the next item indented further), so each is a row
    whose value is blank (for the trust step to look at), not label text of the row below."""
    words = [
        *_old_header(),
        _word("1．政府公报公开政府信息数", 110, 240, 120),
        _word("2", 110, 115, 133),
        _word("·政府网站公开政府信息数", 119, 240, 133),
        _word("8", 462, 467, 133),
        _word("4．不同意公开答复数", 110, 200, 146),
        _word("件", 260, 270, 146),
        _word("0", 462, 467, 146),
        _word("其中", 120, 130, 159),
        _word("：涉及国家秘密", 134, 200, 159),
        _word("涉及商业秘密", 140, 200, 172),
        _word("件", 260, 270, 172),
        _word("四、行政复议数量", 100, 180, 185),
        _word("件", 260, 270, 185),
        _word("0", 462, 467, 185),
        _word("（一）维持具体行政行为数", 105, 220, 198),
        _word("(二）被依法纠错数", 105, 200, 211),
        _word("(三)", 105, 115, 224),
        _word("其他情形数", 120, 180, 224),
        _word("件", 260, 270, 224),
    ]
    facts = _old_facts(words)
    assert facts["old.proactive.channel.gazette"] == ""
    assert facts["old.proactive.channel.website"] == "8"
    assert facts["old.requests.answered.denied"] == "0"
    assert facts["old.requests.answered.denied.state_secret"] == ""
    assert facts["old.requests.answered.denied.commercial_secret"] == ""
    assert facts["old.reconsideration.total"] == "0"
    assert facts["old.reconsideration.upheld"] == ""
    assert facts["old.reconsideration.corrected"] == ""
    assert facts["old.reconsideration.other"] == ""
    read_with_a_dot = [w if w.text[:2] != "1．" else replace(w, text="1·" + w.text[2:]) for w in words]
    lines = old_table_lines(word_lines(read_with_a_dot, 1, 0.0))
    assert [w.text for w in lines[1].words] == ["1·政府公报公开政府信息数", ""]


def test_old_table_label_that_wraps_under_its_item_number_stays_one_row() -> None:
    """The blank row above is only for a numbered line followed by another label: a numbered first line
    whose label wraps back left onto the line of its value (or under it) is one row with that value."""
    words = [
        *_old_header(),
        _word("(一)", 110, 125, 120),
        _word("回应公众关注热点或重大", 130, 240, 120),
        _word("舆情数（不同方式回应同一热点", 100, 240, 133),
        _word("次", 260, 270, 133),
        _word("5", 462, 467, 133),
        _word("(二)设置政府信息公开查阅点", 110, 240, 146),
        _word("个", 260, 270, 152),
        _word("2", 462, 467, 152),
        _word("数", 100, 110, 159),
    ]
    facts = _old_facts(words)
    assert facts["old.response.hotspots"] == "5"
    assert facts["old.org.reading_points"] == "2"


def test_a_money_unit_cut_from_its_value_is_joined_to_it() -> None:
    """平潭 2019, the LibreOffice print photographed: table 二's 政府集中采购 prints "75394432.52元" in one
    cell, and a scan cut the 元 into a word of its own, so the line ended in a word and was not a row
    (both its values were left out)."""
    words = [
        _word("信息内容", 100, 140, 100),
        _word("采购项目数量", 200, 260, 100),
        _word("采购总金额", 300, 350, 100),
        _word("政府集中采购", 100, 160, 120),
        _word("135", 200, 215, 120),
        _word("75394432.52", 300, 355, 120),
        _word("元", 359, 369, 120),
    ]
    _, table = _read(words)
    assert _cells(table, 1) == ["政府集中采购", "135", "75394432.52元"]
    apart = [*words[:-1], _word("元", 420, 430, 120)]  # a word further on is not the value's unit
    assert "元" in [w.text for line in rebuilt_lines(word_lines(apart, 1, 0.0)) for w in line.words]


def test_table_2_header_names_run_together_in_one_word_are_two_columns() -> None:
    """平潭 2021, the LibreOffice print photographed: detection found "本年废止件数" and "现行有效件数" as one
    line, so the rebuilt header named two columns for three values; the values were paired from the
    right (69 / 3 read as repealed / in force, 现行有效件数 left out). Both names are read from the word."""
    header = ["信息内容", "本年制发件数", "本年废止件数现行有效件数"]
    rows = [header, ["规章", "0", "0", "0"], ["行政规范性文件", "69", "3", "665"]]
    cells = tuple(TableCell(text, r, c) for r, row in enumerate(rows) for c, text in enumerate(row))
    table = Table(index=0, cells=cells, n_rows=3, n_cols=4, aligned=False)
    collector = FactCollector()
    reader = Table2Reader("v2021", collector)
    for view in table.row_views():
        reader.feed(view)
    facts = {code: fact.value_raw for (code, _), fact in collector.facts.items()}
    assert facts["v2021.normative_docs.issued"] == "69"
    assert facts["v2021.normative_docs.repealed"] == "3"
    assert facts["v2021.normative_docs.in_force"] == "665"
    assert facts["v2021.regulations.in_force"] == "0"
    assert column_keys("本年收费金额(单位:万元)") == ("本年收费金额",)
    assert column_keys("本年废止件数说明") == ("本年废止件数",)
