"""Readers: encodings, merged cells, content among site chrome, flattened text shapes."""

from __future__ import annotations

import codecs

import pytest

from etl.decode import decode_bytes, rare_cjk_ratio
from etl.errors import UnreadableDocument, UnsupportedFormat
from etl.readers import read_document
from etl.readers.html import read_html
from etl.readers.text import read_text, split_row_line
from etl.records import Table

REPORT = "本报告所列数据的统计期限自2021年1月1日起至2021年12月31日止。主动公开政府信息情况良好。" * 3


def test_gb18030_declared_as_gb2312_decodes() -> None:
    page = f'<html><head><meta charset="gb2312"></head><body><p>{REPORT}</p><p>䶮</p></body></html>'
    text, encoding = decode_bytes(page.encode("gb18030"), html=True)
    assert encoding == "gb18030"
    assert "统计期限" in text and "䶮" in text


def test_undeclared_gbk_text_decodes() -> None:
    text, encoding = decode_bytes(REPORT.encode("gbk"))
    assert encoding == "gb18030" and text == REPORT


def test_utf8_declared_as_gbk_is_not_read_as_mojibake() -> None:
    page = f'<html><head><meta charset="gbk"></head><body><p>{REPORT}</p></body></html>'
    text, encoding = decode_bytes(page.encode("utf-8"), html=True)
    assert encoding == "utf-8" and "统计期限" in text


def test_mojibake_is_recognised() -> None:
    mojibake = REPORT.encode("utf-8").decode("gbk", errors="replace")
    assert rare_cjk_ratio(mojibake) > 0.35 > rare_cjk_ratio(REPORT)


@pytest.mark.parametrize("bom", [codecs.BOM_UTF8])
def test_bom_is_honoured_and_removed(bom: bytes) -> None:
    text, encoding = decode_bytes(bom + REPORT.encode("utf-8"))
    assert text == REPORT and encoding == "utf-8"


def test_utf16_with_bom() -> None:
    text, _ = decode_bytes(codecs.BOM_UTF16_LE + REPORT.encode("utf-16-le"))
    assert text == REPORT


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"  \n\t ", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary data"),
        (b"\x80\xff\xfe\x81" * 40, "cannot decode"),
    ],
)
def test_unreadable_inputs_say_why(data: bytes, reason: str) -> None:
    with pytest.raises(UnreadableDocument, match=reason):
        decode_bytes(data)


def test_unsupported_extension_lists_readable_types() -> None:
    with pytest.raises(UnsupportedFormat, match=r"'\.rtf'.*\.html"):
        read_document("report.rtf", b"{\\rtf1}")


def _grid_text(table: Table) -> list[list[str]]:
    return [[cell.text if cell else "·" for cell in row] for row in table.grid()]


def test_rowspan_and_colspan_expand_into_a_full_grid() -> None:
    page = f"""<html><body><div id="zoom"><p>{REPORT}</p><table>
      <tr><td rowspan="3" colspan="2">note</td><td colspan="2">申请人情况</td></tr>
      <tr><td rowspan="2">自然人</td><td>法人</td></tr>
      <tr><td>商业<br/>企业</td></tr>
      <tr><td rowspan="2">三、结果</td><td>（一）</td><td>1</td><td>&nbsp;</td></tr>
      <tr><td>（二）</td><td colspan="2">2</td></tr>
    </table></div></body></html>"""
    document = read_html("x.html", page.encode())
    (table,) = document.tables
    grid = _grid_text(table)
    assert grid[0] == ["note", "note", "申请人情况", "申请人情况"]
    assert grid[2] == ["note", "note", "自然人", "商业\n企业"]
    assert grid[3] == ["三、结果", "（一）", "1", ""]
    assert grid[4] == ["三、结果", "（二）", "2", "2"]
    assert table.aligned and table.n_cols == 4


def test_overlong_rowspan_is_clipped_to_the_table() -> None:
    page = "<table><tr><td rowspan='99'>a</td><td>1</td></tr><tr><td>2</td></tr></table>"
    (table,) = read_html("x.html", page.encode()).tables
    assert table.n_rows == 2 and table.cells[0].rowspan == 2


def test_layout_tables_are_walked_and_data_tables_kept() -> None:
    page = f"""<html><head><title>某某局2020年政府信息公开工作年度报告_政务公开_某某网</title></head><body>
    <div class="nav">首页 2019年 通知</div>
    <table width="100%"><tr><td><div class="TRS_Editor"><p>{REPORT}</p>
    <table><tr><td>规章</td><td>1</td></tr></table><p>五、存在的主要问题</p></div></td></tr></table>
    <div class="footer">版权所有</div></body></html>"""
    document = read_html("x.html", page.encode())
    assert document.title == "某某局2020年政府信息公开工作年度报告_政务公开_某某网"
    assert [t.n_rows for t in document.tables] == [1]
    texts = [p.text for p in document.paragraphs]
    assert texts[-1] == "五、存在的主要问题"
    assert not any("版权所有" in t or "首页" in t for t in texts)


def test_word_comments_scripts_and_entities() -> None:
    page = f"""<html><body><div id="zoom"><p>{REPORT}</p><script>var a="统计表";</script>
    <p><!--[if !supportLists]-->7、<!--[endif]-->告知&ldquo;其他&rdquo;&#8226;</p></div></body></html>"""
    document = read_html("x.html", page.encode())
    assert document.paragraphs[-1].text == "7、告知“其他”•"


def test_tab_per_cell_text_with_wrapped_labels_and_spacers() -> None:
    text = "附件\n\n\t统计指标\n\t单位\n\t统计数\n\n\t（一）主动公开政府信息数\n     (不同渠道计1条）\n\t条\n\t　122\n\n\t\n\t\n\t\n\n\t1．当面申请数\n\t件\n\t\n"
    (table,) = read_text("x.txt", text.encode()).tables
    rows = [[c.text for c in view.cells] for view in table.row_views()]
    assert rows == [
        ["统计指标", "单位", "统计数"],
        ["（一）主动公开政府信息数\n(不同渠道计1条）", "条", "122"],
        ["1．当面申请数", "件", ""],
    ]
    assert not table.aligned


@pytest.mark.parametrize(
    ("line", "cells"),
    [
        (
            "一、本年新收政府信息公开申请数量 64 0 0 2 0 4 70",
            ["一、本年新收政府信息公开申请数量", "64", "0", "0", "2", "0", "4", "70"],
        ),
        ("规章\t0\t\t0", ["规章", "0", "", "0"]),
        ("行政许可    396    0    181", ["行政许可", "396", "0", "181"]),
        ("（一）予以公开 27\t0\t0", ["（一）予以公开", "27", "0", "0"]),
        ("1 0 2 0 3 12 0 0 0 12 0 0 0 0 0", [*"10203", "12", "0", "0", "0", "12", *"00000"]),
        ("2021年新增主动公开政府信息132条。", None),
        ("引  言。", None),
    ],
)
def test_row_lines(line: str, cells: list[str] | None) -> None:
    assert split_row_line(line) == cells


def test_header_block_of_flattened_page() -> None:
    text = "标题: 某某局2021年度政府信息公开工作年度报告\n发布时间: 2022-02-08 16:34\n原文链接: https://x.gov.cn/202202/t1.htm\n==== 正文 ====\n正文第一段。\n"
    document = read_text("x.txt", text.encode())
    assert document.title == "某某局2021年度政府信息公开工作年度报告"
    assert document.meta_value("published") == "2022-02-08 16:34"
    assert [p.text for p in document.paragraphs] == ["正文第一段。"]


def test_prose_with_double_spaces_stays_prose() -> None:
    document = read_text("x.txt", "引  言\n\n根据条例，现公布报告。\n".encode())
    assert not document.tables
    assert document.paragraphs[0].text == "引 言"
