"""A scanned page of table 四 printed without ruling lines, one row with blank cells, read end to end (OCR,
words, the word-position reconstruction): the blank cells leave no trace on the page, and the row's
values are put into the fifteen columns the header names (etl/readers/pdf_columns.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from etl.readers.ocr import read_scan

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
WIDTH, HEIGHT = 1654, 2339
"""An A4 page at 200 dpi."""
LEFT, PITCH = 150, 95
OUTCOMES = (("结果", "维持"), ("结果", "纠正"), ("其他", "结果"), ("尚未", "审结"), ("总计", ""))
VALUES = {0: "3", 1: "1", 3: "1", 4: "5", 5: "2", 6: "4", 7: "1", 9: "7", 10: "1", 11: "2", 13: "6", 14: "9"}
"""The printed values by column; columns 2, 8 and 12 are blank."""


def _x(column: int) -> int:
    return LEFT + PITCH * column


def _page(path: Path) -> Path:
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), 29)

    def text(x: int, y: int, words: str) -> None:
        draw.text((x, y), words, font=font, fill="black")

    text(150, 300, "四、政府信息公开行政复议、行政诉讼情况")
    text(_x(1), 420, "行政复议")
    text(_x(9), 420, "行政诉讼")
    text(_x(6), 490, "未经复议直接起诉")
    text(_x(11), 490, "复议后起诉")
    for column in range(15):
        upper, lower = OUTCOMES[column % 5]
        text(_x(column), 560, upper)
        text(_x(column), 600, lower)
    for column, value in VALUES.items():
        text(_x(column) + 10, 700, value)
    text(150, 820, "五、存在的主要问题及改进情况")
    text(150, 890, "本年度工作中仍存在一些不足，我们将继续改进政府信息公开工作，提高公开质量和水平。")
    image.save(path)
    return path


@pytest.mark.skipif(not FONT.exists(), reason="needs fonts-noto-cjk (NotoSansCJK-Regular.ttc)")
def test_scanned_one_row_table_with_blank_cells_is_put_into_its_header_columns(tmp_path: Path) -> None:
    page = _page(tmp_path / "table4.png")
    document = read_scan(str(page), page.read_bytes()).document
    rows = [
        [c.text for c in sorted((c for c in table.cells if c.row == r), key=lambda c: c.col)]
        for table in document.tables
        for r in range(table.n_rows)
    ]
    values = next(row for row in rows if "9" in row)
    assert values == [VALUES.get(column, "") for column in range(15)]
    assert all(not table.notes for table in document.tables)
