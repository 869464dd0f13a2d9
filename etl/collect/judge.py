"""Is it an annual report? Judged from the title and the body together: a notice about compiling the
reports names them in its title, and a report's body has the report's sections."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from etl.metadata import clean_title, looks_like_report_title
from etl.normalise import fold

NOTICE = re.compile(
    r"通知|通报|的函|方案|意见|工作要点|解读|图解|问答|模板|样表|提纲|培训|征集|考核|评议|检查|督查|报送"
)
SECTIONS = (
    "总体情况",
    "主动公开政府信息情况",
    "收到和处理政府信息公开申请情况",
    "政府信息公开行政复议、行政诉讼情况",
    "存在的主要问题及改进情况",
    "其他需要报告的事项",
    "依申请公开政府信息",
    "政府信息公开的收费及减免情况",
    "因政府信息公开申请提起行政复议",
    "不予公开政府信息",
    "政府信息公开工作年度报告",
    "主动公开政府信息",
)
MIN_SECTIONS = 3
Verdict = Literal["report", "container", "images", "not_a_report"]


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    reason: str

    @property
    def is_report(self) -> bool:
        return self.verdict in ("report", "images")


def is_notice(title: str) -> bool:
    return bool(NOTICE.search(fold(clean_title(title))))


def title_names_report(title: str) -> bool:
    return looks_like_report_title(title) and not is_notice(title)


def report_sections(text: str) -> int:
    """How many of the report's section headings the text holds."""
    body = fold(text[:200_000])
    return sum(fold(section) in body for section in SECTIONS)


def body_is_report(text: str) -> bool:
    return report_sections(text) >= MIN_SECTIONS


def judge_page(title: str, body: str, *, attachments: int, images: int) -> Judgement:
    """An article page: the report itself, a container of attachments, a 图片版 page, or not a report."""
    if is_notice(title):
        return Judgement("not_a_report", f"a notice or similar ({clean_title(title)[:40]}), not a report")
    named = looks_like_report_title(title)
    if body_is_report(body) and (named or "年度报告" in fold(body[:3000])):
        return Judgement("report", "" if named else "judged by its body (the title does not name a report)")
    if not named:
        return Judgement("not_a_report", "neither the title nor the body is an annual report")
    if attachments:
        return Judgement("container", "the report is in its attachments")
    if images and len(body) < 600:
        return Judgement("images", "图片版: the report is printed as images (xxgk ingest needs text)")
    return Judgement(
        "not_a_report", "the title names a report but the page holds neither its text nor an attachment"
    )


def judge_file(name: str, text: str | None, unreadable: str, article_title: str) -> Judgement:
    """An attachment: by its text when it can be read, else by its name (or the article's title)."""
    if text is not None:
        if body_is_report(text):
            return Judgement("report", "")
        if len(text.strip()) > 200:
            return Judgement("not_a_report", "its text has none of the annual report's sections")
    for candidate in (name, article_title):
        if candidate and title_names_report(candidate):
            how = "its name" if candidate == name else "the article's title"
            why = unreadable or "its text is too short to judge"
            return Judgement("report", f"judged by {how}: {why}")
    return Judgement(
        "not_a_report", f"neither its text nor its name is an annual report ({unreadable or 'short'})"
    )
