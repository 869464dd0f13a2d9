"""The collector's pure parts: names, types, challenges, robots, list parsing, judging, seeds, links."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.components import link_markdown
from etl.collect.families import detect, hanweb, trs
from etl.collect.families.gkmlpt import article_document
from etl.collect.fetch import challenge, retry_after, robots_verdict
from etl.collect.judge import judge_file, judge_page
from etl.collect.manifest import evidence_for, write_manifest
from etl.collect.names import disposition_name, human_name, safe_file_name, showname, sniff_type
from etl.collect.settings import CollectSettings, read_seeds
from etl.pipeline import with_evidence
from etl.records import Document

NAME = "某某县财政局2023年政府信息公开工作年度报告.pdf"


@pytest.mark.parametrize(
    "header",
    [
        b"attachment; filename*=UTF-8''%E6%9F%90%E6%9F%90%E5%8E%BF%E8%B4%A2%E6%94%BF%E5%B1%802023%E5%B9%B4"
        b"%E6%94%BF%E5%BA%9C%E4%BF%A1%E6%81%AF%E5%85%AC%E5%BC%80%E5%B7%A5%E4%BD%9C%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A.pdf",
        b'attachment; filename="' + NAME.encode("utf-8") + b'"',
        b'attachment; filename="' + NAME.encode("gb18030") + b'"',
        b"attachment; filename=" + NAME.encode("utf-8").replace(b" ", b""),
        b"inline; filename=\"x.pdf\"; filename*=utf-8''"
        + b"%E6%9F%90%E6%9F%90%E5%8E%BF%E8%B4%A2%E6%94%BF%E5%B1%802023%E5%B9%B4%E6%94%BF%E5%BA%9C%E4%BF%A1"
        b"%E6%81%AF%E5%85%AC%E5%BC%80%E5%B7%A5%E4%BD%9C%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A.pdf",
    ],
)
def test_content_disposition_variants(header: bytes) -> None:
    assert disposition_name(header) == NAME


def test_percent_encoded_filename() -> None:
    from urllib.parse import quote

    assert disposition_name(f'attachment; filename="{quote(NAME)}"'.encode()) == NAME


def test_showname_and_human_names() -> None:
    url = "http://x.gov.cn/module/download/downfile.jsp?classid=0&showname=%E5%B9%B4%E6%8A%A5.pdf&filename=9f2c.pdf"
    assert showname(url) == "年报.pdf"
    assert human_name(["", "P020240115123456789.pdf", "下载", "附件1", "年报.pdf"]) == "年报.pdf"
    assert safe_file_name('a/b:c*?"<>|.pdf', ".pdf") == "a_b_c_.pdf"
    assert len(safe_file_name("长" * 200, ".pdf").encode()) <= 184


def test_types_come_from_magic_bytes() -> None:
    assert sniff_type(b"%PDF-1.7 ...") == "pdf"
    assert sniff_type(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 100, ".wps") == "wps"
    assert sniff_type(b"<!DOCTYPE html><html><body>404</body></html>") == "html"
    assert sniff_type("  <html><head><title>出错了</title>".encode()) == "html"
    assert sniff_type(b'{"articles": []}') == "json"
    assert sniff_type(b"PK\x03\x04 not a zip") == "zip"


def test_challenges_are_recognised() -> None:
    assert "瑞数" in challenge(412, httpx.Headers(), b"<script>$_ts=window['$_ts'];</script>")
    assert "加速乐" in challenge(521, httpx.Headers({"X-Via-JSL": "abc"}), b"")
    assert "firewall" in challenge(403, httpx.Headers(), b"<title>Just a moment...</title>")
    assert challenge(200, httpx.Headers(), b"<html>ok</html>") == ""
    assert challenge(404, httpx.Headers(), b"not found") == ""


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert retry_after("7") == 7.0
    assert retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert retry_after("soon") is None


@pytest.mark.parametrize(
    ("status", "disallows_all"),
    [(200, False), (404, False), (410, False), (403, True), (401, True), (503, True)],
)
def test_robots_failures_are_conservative(status: int, disallows_all: bool) -> None:
    note, _ = robots_verdict(status, b"User-agent: *\nDisallow: /x/\n")
    assert bool(note) is disallows_all


def test_hanweb_datastore_records() -> None:
    text = (
        '<script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?'
        'page=1&columnid=1&unitid=2"></a>]]></nextgroup><recordset>'
        '<record><![CDATA[<li><a href="/art/2024/1/2/art_1_3.html" title="甲局2023年政府信息公开工作年度报告">'
        "甲局…</a><span>2024-01-02</span></li>]]></record>"
        "<record><![CDATA[<div><a href='/art/2024/1/3/art_1_4.html'>乙局报告</a>\n<i>\n2024-01-03\n</i></div>]]></record>"
        "</recordset></datastore></script><script>x.jpage({totalRecord: 9, perPage: 2, groupSize: 3})</script>"
    )
    listing = hanweb.first_page("http://x.gov.cn/col/col1/index.html", text, {})
    assert [link.title for link in listing.links] == ["甲局2023年政府信息公开工作年度报告", "乙局报告"]
    assert [link.published for link in listing.links] == ["2024-01-02", "2024-01-03"]
    assert listing.following is not None and "page=2" in listing.following.url
    assert detect("http://x.gov.cn/col/col1/index.html", text) == "hanweb"


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ('createPageHTML(5, 0, "index", "html");', (5, "index", "html")),
        ("createPageHTML('page_div', 7, 1, 'list', 'shtml', 140);", (7, "list", "shtml")),
        ('createPageHTML(3, 0, "index");', (3, "index", "html")),
        ("var countPage = 4;", (4, "index", "html")),
    ],
)
def test_trs_page_counts(call: str, expected: tuple[int, str, str]) -> None:
    assert trs.pager(f"<script>{call}</script>", "http://x.gov.cn/zfxxgk/nb/index.html") == expected


def test_gkmlpt_body_from_script() -> None:
    text = (
        '<script>window._CONFIG = {SID: \'s\', DETAIL: {"title": "\\u7532\\u5c40\\u5e74\\u62a5", '
        '"content": "\\u003Cp\\u003E\\u4e00\\u3001\\u603b\\u4f53\\u60c5\\u51b5\\u003C/p\\u003E", '
        '"publisher": "\\u7532\\u5c40", "display_publish_time": 1705708800}};</script>'
    )
    built = article_document("http://x.gov.cn/gkmlpt/content/1/1/post_1.html", text)
    assert built is not None
    document, fields = built
    assert "<p>一、总体情况</p>" in document.decode() and fields["published"] == "2024-01-20"
    assert fields["publisher"] == "甲局"


def test_a_notice_is_not_a_report_even_with_the_report_in_its_title() -> None:
    body = "主动公开政府信息情况 收到和处理政府信息公开申请情况 政府信息公开行政复议、行政诉讼情况"
    notice = judge_page(
        "关于做好2023年度政府信息公开工作年度报告编制发布工作的通知", body, attachments=1, images=0
    )
    assert notice.verdict == "not_a_report"
    report = judge_page("甲局2023年政府信息公开工作年度报告", body + " 总体情况", attachments=0, images=0)
    assert report.verdict == "report"
    assert (
        judge_page("甲局2023年政府信息公开工作年度报告", "附件", attachments=1, images=0).verdict
        == "container"
    )
    assert judge_file("甲局2023年政府信息公开工作年度报告.ofd", None, "cannot read .ofd", "").is_report
    assert not judge_file(
        "政策解读.pdf", "一图读懂" * 100, "", "甲局2023年政府信息公开工作年度报告"
    ).is_report


def test_seed_files(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds.csv"
    seeds.write_text("url,agency,place_code\n# a comment\nhttp://a.gov.cn/col/col1/index.html,甲县财政局,330825\n"
                     "https://b.gov.cn/nb/\n", encoding="utf-8")  # fmt: skip
    found = read_seeds(seeds)
    assert [(s.url, s.agency, s.place_code) for s in found] == [
        ("http://a.gov.cn/col/col1/index.html", "甲县财政局", "330825"),
        ("https://b.gov.cn/nb/", "", ""),
    ]
    seeds.write_text("file:///etc/passwd\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"seeds\.csv:1"):
        read_seeds(seeds)
    with pytest.raises(ValueError, match="ASCII"):
        CollectSettings(user_agent="采集器")


def test_manifest_evidence_reaches_the_document(tmp_path: Path) -> None:
    folder = tmp_path / "甲县"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(b"%PDF")
    row = {"url": "http://a.gov.cn/a.pdf", "path": "甲县/a.pdf", "status": "saved", "published": "2024-01-20",
           "publisher": "甲县财政局"}  # fmt: skip
    write_manifest(tmp_path, [row])
    evidence = evidence_for(folder / "a.pdf")
    assert evidence == {"source_url": "http://a.gov.cn/a.pdf", "url": "http://a.gov.cn/a.pdf",
                        "published": "2024-01-20", "publisher": "甲县财政局"}  # fmt: skip
    assert evidence_for(tmp_path / "other.pdf") == {}
    document = Document("a.pdf", "pdf", "", "", (), meta=(("published", "2024-02-01"),))
    merged = dict(with_evidence(document, evidence).meta)
    assert merged["published"] == "2024-02-01" and merged["source_url"] == "http://a.gov.cn/a.pdf"


@given(st.text(max_size=60))
def test_report_links_never_break_out_of_markdown(tail: str) -> None:
    link = link_markdown("原文", "http://a.gov.cn/" + tail)
    target = link[link.index("](") + 2 : -1]
    assert not set(target) & set(' ()[]<>"\n\t`')
    assert link_markdown("原文", "javascript:alert(1)") == "" and link_markdown("原文", None) == ""


def test_since_uses_the_title_year_then_the_publication_year() -> None:
    from etl.collect.page import Link
    from etl.collect.process import report_year

    assert report_year(Link("u", "甲局2019年政府信息公开工作年度报告", "2020-01-05")) == 2019
    assert report_year(Link("u", "甲局年报", "2021-01-05")) == 2020
    assert report_year(Link("u", "甲局年报")) is None


def test_a_cms_metadata_table_is_page_metadata_not_a_report_table() -> None:
    from etl.readers.html import read_html

    page = (
        '<html><head><meta charset="utf-8"></head><body><div id="zoom">'
        "<table><tr><td>索引号：</td><td>113308/2024-00001</td><td>发布机构：</td><td>甲县财政局</td></tr>"
        "<tr><td>成文日期：</td><td>2024-01-20</td><td>文号：</td><td></td></tr></table>"
        "<p>甲县财政局2023年政府信息公开工作年度报告</p>"
        "<table><tr><td>收到申请数</td><td>3</td></tr></table></div></body></html>"
    ).encode()
    document = read_html("a.html", page)
    assert len(document.tables) == 1 and "收到申请数" in document.tables[0].cells[0].text
    assert document.meta_value("publisher") == "甲县财政局"
