"""Publisher, publication date and address from a saved page's header blocks; titles split over lines."""

from __future__ import annotations

import subprocess
import sys

import pytest

from etl.metadata import body_title, read_meta, title_evidence
from etl.page_meta import fields_in_cells, fields_in_text, published_of, publisher_of, url_of
from etl.readers.html import read_html
from etl.readers.text import read_text
from etl.records import Document, Paragraph
from tests.conftest import ROOT

CRAWLER = "来源：http://www.shuyang.gov.cn/syjyj/xxgk/202501/t20250120_1.html 采集时间：2025-06-03 14:02:11"


def test_a_url_is_never_a_publisher_and_a_capture_time_never_a_date() -> None:
    fields = fields_in_text(CRAWLER)
    assert publisher_of(fields) is None and published_of(fields) is None
    assert url_of(fields) == "http://www.shuyang.gov.cn/syjyj/xxgk/202501/t20250120_1.html"


def test_site_metadata_table_with_spaced_keys() -> None:
    fields = fields_in_cells(
        ["索 引 号", "014289810/2025-00013", "发布机构", "淮安市人民政府", "公开日期", "2025-02-25"]
    )
    assert (publisher_of(fields), published_of(fields)) == ("淮安市人民政府", "2025-02-25")


def test_glued_fields_are_cut_at_the_next_key() -> None:
    fields = fields_in_text("来源：平潭县人民政府时间：2017-01-18 浏览次数：")
    assert (publisher_of(fields), published_of(fields)) == ("平潭县人民政府", "2017-01-18")
    assert published_of(fields_in_text("更新时间：2025-06-01")) is None


def test_publisher_outranks_source_and_public_date_outranks_written_date() -> None:
    fields = fields_in_text("来源：本网 成文日期：2025-01-02 发布机构：沭阳县教育局 公开日期：2025-01-20")
    assert (publisher_of(fields), published_of(fields)) == ("沭阳县教育局", "2025-01-20")


def test_html_page_with_a_collector_block() -> None:
    page = (
        f"<html><head><title>年报</title></head><body><div><p>{CRAWLER}</p></div>"
        "<table><tr><td>发布机构</td><td>沭阳县教育局</td><td>公开日期</td><td>2025-01-20</td></tr></table>"
        "<div class='xxgk-content'><p>正文。</p></div></body></html>"
    )
    meta = dict(read_html("x.html", page.encode()).meta)
    assert (meta["publisher"], meta["published"]) == ("沭阳县教育局", "2025-01-20")
    assert meta["url"].startswith("http://www.shuyang.gov.cn/")


def test_text_file_with_a_collector_block() -> None:
    text = "来源: http://www.shuyang.gov.cn/a.html\n采集时间: 2025-06-03 14:02\n发布机构\t沭阳县教育局\t公开日期\t2025-01-20\n\n正文。\n"
    document = read_text("x.txt", text.encode())
    meta = dict(document.meta)
    assert (meta["publisher"], meta["published"], meta["url"]) == (
        "沭阳县教育局",
        "2025-01-20",
        "http://www.shuyang.gov.cn/a.html",
    )
    assert [p.text for p in document.paragraphs] == ["正文。"]


@pytest.mark.parametrize(
    ("lines", "title"),
    [
        (
            ["淮安市人民政府", "2024年政府信息公开工作年度报告"],
            "淮安市人民政府2024年政府信息公开工作年度报告",
        ),
        (
            ["淮安市人民政府2024年政府信息公开", "工作年度报告"],
            "淮安市人民政府2024年政府信息公开工作年度报告",
        ),
        (
            ["重庆市大足区人民政府外事办公室", "政府信息公开工作2022年度报告"],
            "重庆市大足区人民政府外事办公室政府信息公开工作2022年度报告",
        ),
        (["根据条例，现公布本报告。", "2024年政府信息公开工作年度报告"], None),
    ],
)
def test_title_split_over_lines_is_joined(lines: list[str], title: str | None) -> None:
    assert body_title(lines) == title


def test_title_beats_the_compiler_and_the_contact() -> None:
    lines = (
        "淮安市人民政府",
        "2024年政府信息公开工作年度报告",
        "本报告由淮安市人民政府办公室根据《条例》编制。如对本报告有疑问，请与淮安市人民政府办公室联系。",
    )
    document = Document("x.pdf", "pdf", "", lines[1], tuple(Paragraph(i, t) for i, t in enumerate(lines)))
    meta, _ = read_meta(document, lines)
    assert (meta.agency, meta.agency_source, meta.year) == ("淮安市人民政府", "title", 2024)
    untitled = Document("x.pdf", "pdf", "", "", (Paragraph(0, lines[2]),))
    meta, _ = read_meta(untitled, lines[2:])
    assert (meta.agency, meta.agency_source) == ("淮安市人民政府办公室", "编制说明")


def test_a_bare_suffix_is_no_agency() -> None:
    assert title_evidence("2024年政府信息公开工作年度报告")[0] is None


def test_samples_refuses_more_agencies_than_it_knows_in_one_line(tmp_path: object) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "xxgk", "samples", str(tmp_path), "--agencies", "99999"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "--agencies 99999" in done.stderr
    assert "Traceback" not in done.stderr
