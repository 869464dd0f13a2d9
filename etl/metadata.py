"""Agency, year, place and scope of a report, each from the strongest evidence the document gives.

Year evidence, strongest first: the title, the 统计期限 sentence, the "现编制并公布本单位YYYY年…"
sentence, the appendix or table title, then the publication date and the URL (the report for Y comes
out in Y+1). Weak evidence that contradicts strong evidence is rejected, with a warning.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from etl.normalise import fold, one_line
from etl.places import expand_short_form, resolve_place
from etl.records import Document, ParseIssue, ReportMeta
from etl.scope import scope_of_folded

REPORT_WORDS = re.compile(r"(?:政府信息公开|政务公开|信息公开).{0,6}(?:年度报告|年报|工作报告)")
_TITLE_SPLIT = re.compile(r"\s*(?:_|\||｜|--| - | — )\s*")
_TITLE_AGENCY_FIRST = re.compile(
    r"^(?P<agency>.*?)(?:关于)?(?P<year>(?:19|20)\d{2})\s*年度?(?:的)?(?:政府信息公开|政务公开|信息公开)"
)
_TITLE_YEAR_FIRST = re.compile(
    r"^(?P<year>(?:19|20)\d{2})\s*年度?(?P<agency>.+?)(?:政府信息公开|政务公开|信息公开)"
)
_TITLE_YEAR_INSIDE = re.compile(
    r"^(?P<agency>.+?)(?:政府信息公开|政务公开|信息公开)(?:工作)?(?P<year>(?:19|20)\d{2})\s*年度?(?:工作)?(?:年度)?(?:报告|年报)"
)
_PERIOD = re.compile(
    r"统计期限(?:为|是)?(?:自|从)?((?:19|20)\d{2})年1月1日(?:起)?(?:至|到)((?:19|20)\d{2})年12月31日"
)
_COMPILED = re.compile(
    r"(?:编制并公布|现公布|编制完成|向社会公布|特发布|现发布|编制)(?:了)?(?:本单位|本机关|本部门|我[局委区县市镇办厅中心]|本)?"
    r"((?:19|20)\d{2})年度?(?:的)?(?:政府信息公开|政务公开|信息公开)"
)
_APPENDIX = re.compile(r"附件[:：]?(?P<agency>[^:：]{2,40}?)(?P<year>(?:19|20)\d{2})年度?[^。]{0,30}?统计表")
_TABLE_TITLE = re.compile(r"((?:19|20)\d{2})年度?[^。|]{0,20}?政府信息公开[^。|]{0,8}?统计表")
_COMPILED_FROM = re.compile(
    r"本(?:年度)?报告(?:是)?由(?P<agency>[^,，。;；:：()（）|、]{2,40}?)(?:根据|依据|按照|依照|结合|编制|汇总|负责)"
)
_CONTACT = re.compile(r"请与(?P<agency>[^,，。;；:：()（）|]{2,40}?)联系")
_COMPILED_BY = re.compile(
    r"(?P<agency>[^,，。;；:：()（）|、]{2,40}?)(?:编制了|编制完成了|编制完成|编制)本报告"
)
_DATE_LINE = re.compile(r"^(?:19|20)\d{2}年\d{1,2}月\d{1,2}日$")
_FILLER = re.compile(r"填报单位(?:\(盖章\))?[:：](?P<agency>[^|\s:：()]{2,40})")
_PUBLISHED_YEAR = re.compile(r"((?:19|20)\d{2})")
_URL_YEAR = re.compile(r"/((?:19|20)\d{2})(?:\d{2}|/\d{1,2}/)")
_SUFFIXES = re.compile(
    r"[(（](?:图片版|超链版|更正版|更正|修订版|修订|修正版|全文|正式版|附件|文字版|简版)[)）]"
)
AGENCY_SUFFIXES = (
    "人民政府办公室",
    "人民政府办公厅",
    "人民政府",
    "政府办公室",
    "政府办",
    "办公室",
    "办公厅",
    "委员会",
    "管委会",
    "管理委员会",
    "局",
    "委",
    "办",
    "厅",
    "中心",
    "院",
    "所",
    "支队",
    "大队",
    "分局",
    "联合会",
    "残联",
    "供销社",
    "政府",
    "街道办事处",
    "街道",
    "镇",
    "乡",
    "区",
    "县",
    "市",
    "旗",
    "省",
    "自治区",
    "自治州",
    "盟",
    "队",
    "站",
    "馆",
    "处",
    "会",
    "社",
    "行",
)
MIN_REPORT_YEAR = 2000
_URL_LIKE = re.compile(r"https?:|www\.|\.(?:gov\.cn|com|cn|net|org)\b", re.I)
_TITLE_LINES = 8
"""The report title is printed within the first lines of the body."""
_TITLE_PARTS = 3
_TITLE_LINE_MAX = 60


@dataclass(frozen=True)
class Evidence:
    value: str
    source: str


def clean_title(title: str) -> str:
    """The report title without site suffixes ('…年度报告_政府信息公开年报_某某网')."""
    parts = [p for p in _TITLE_SPLIT.split(one_line(title)) if p]
    return parts[0] if parts else ""


def looks_like_report_title(title: str) -> bool:
    """A report's own title names the report and its year; a column page ("政府信息公开年报") does not."""
    cleaned = fold(clean_title(title))
    return bool(REPORT_WORDS.search(cleaned) and re.search(r"(?:19|20)\d{2}", cleaned))


def _agency_name(raw: str) -> str | None:
    name = _SUFFIXES.sub("", raw).strip(" ：:，,。、")
    name = re.sub(r"^(?:关于|附件[:：]?)", "", name)
    if len(name) < 2 or name.startswith(("本", "我")) or not name.endswith(AGENCY_SUFFIXES):
        return None
    if name in AGENCY_SUFFIXES or _URL_LIKE.search(name):
        return None
    return name


def body_title(paragraphs: Sequence[str]) -> str | None:
    """The report's title as printed at the top of the body, joined when it is split over lines.

    PDFs and pages often print the unit on one line and "2024年政府信息公开工作年度报告" on the next
    (or break the title elsewhere); the title that names an agency is the joined one.
    """
    lines = [one_line(p) for p in paragraphs[:_TITLE_LINES]]
    for start in range(len(lines)):
        for end in range(start + 1, min(start + _TITLE_PARTS, len(lines)) + 1):
            parts = lines[start:end]
            if any(not _title_line(part) for part in parts):
                break
            joined = "".join(parts)
            agency, _ = title_evidence(joined)
            if agency is not None and looks_like_report_title(joined):
                return joined
    return None


def _title_line(line: str) -> bool:
    return 0 < len(line) <= _TITLE_LINE_MAX and not re.search(r"[，,。；;：:]", line)


def report_title(document: Document) -> str:
    """The title that names the report's agency: the document's own, else the one printed in the body."""
    own = clean_title(document.title)
    if title_evidence(own)[0] is not None:
        return own
    printed = body_title([p.text for p in document.paragraphs])
    return printed if printed is not None else own


def title_evidence(title: str) -> tuple[Evidence | None, Evidence | None]:
    """(agency, year) as the title states them."""
    text = fold(_SUFFIXES.sub("", clean_title(title)))
    for pattern in (_TITLE_AGENCY_FIRST, _TITLE_YEAR_FIRST, _TITLE_YEAR_INSIDE):
        match = pattern.search(text)
        if match:
            name = match.group("agency")
            agency = Evidence(name, "title") if name and _agency_name(name) else None
            return agency, Evidence(match.group("year"), "title")
    return None, None


_TABLE_TITLE_END = "统计表"
_TABLE_TITLE_BEFORE_END = 40
"""The most characters `_TABLE_TITLE` takes before its 统计表: year and 年度 6, 20, 政府信息公开 6, 8."""


def _table_title(body: str) -> re.Match[str] | None:
    """`_TABLE_TITLE.search(body)`, started where a match can start: every match ends in 统计表 with at
    most 40 characters before it and the pattern has no anchor or lookbehind, so the leftmost match
    starts at or after 40 characters before the first 统计表 (the year it begins with is at every date
    of the body)."""
    end = body.find(_TABLE_TITLE_END)
    if end < 0:
        return None
    return _TABLE_TITLE.search(body, max(0, end - _TABLE_TITLE_BEFORE_END))


def _year_evidence(document: Document, body: str, title_year: Evidence | None) -> list[Evidence]:
    found = [title_year] if title_year else []
    for pattern, source in ((_PERIOD, "统计期限"), (_COMPILED, "编制公布")):
        match = pattern.search(body)
        if match and (source != "统计期限" or match.group(1) == match.group(2)):
            found.append(Evidence(match.group(1), source))
    if match := _table_title(body):
        found.append(Evidence(match.group(1), "统计表标题"))
    appendix = _APPENDIX.search(body)
    if appendix:
        found.append(Evidence(appendix.group("year"), "附件"))
    published = document.meta_value("published")
    if published and (match := _PUBLISHED_YEAR.search(published)):
        found.append(Evidence(str(int(match.group(1)) - 1), "发布时间"))
    url = document.meta_value("url")
    if url and (match := _URL_YEAR.search(url)):
        found.append(Evidence(str(int(match.group(1)) - 1), "网址"))
    return [e for e in found if int(e.value) >= MIN_REPORT_YEAR]


WEAK_YEAR_SOURCES = frozenset({"发布时间", "网址"})


def choose_year(evidence: list[Evidence]) -> tuple[int | None, str, list[ParseIssue]]:
    """The strongest year; conflicts become warnings, weak sources that disagree are rejected."""
    if not evidence:
        return None, "", [ParseIssue("no_year", "no report year found in title, text, date or URL")]
    chosen = evidence[0]
    issues = []
    for other in evidence[1:]:
        if other.value != chosen.value:
            verb = "rejected" if other.source in WEAK_YEAR_SOURCES else "conflicts with"
            issues.append(
                ParseIssue(
                    "year_conflict",
                    f"year {other.value} from {other.source} {verb} {chosen.value} from {chosen.source}",
                )
            )
    return int(chosen.value), chosen.source, issues


def _agency_evidence(document: Document, body: str, title_agency: Evidence | None) -> list[Evidence]:
    found = [title_agency] if title_agency else []
    filler = _FILLER.search(body)
    if filler:
        found.append(Evidence(filler.group("agency"), "填报单位"))
    appendix = _APPENDIX.search(body)
    if appendix:
        found.append(Evidence(appendix.group("agency"), "附件"))
    signature = _signature(document)
    if signature:
        found.append(Evidence(signature, "落款"))
    compiled = _compiled_by(body) or _COMPILED_FROM.search(body)
    if compiled:
        found.append(Evidence(compiled.group("agency"), "编制说明"))
    publisher = document.meta_value("publisher")
    if publisher:
        found.append(Evidence(fold(publisher), "发布机构"))
    contact = _CONTACT.search(body)
    if contact:
        found.append(Evidence(contact.group("agency"), "联系方式"))
    return [Evidence(name, e.source) for e in found if (name := _agency_name(e.value))]


_COMPILED_BY_ENDS = ("编制本报告", "编制了本报告", "编制完成本报告", "编制完成了本报告")
_COMPILED_BY_AGENCY = 40
"""The longest agency name `_COMPILED_BY` takes (its `{2,40}`)."""


def _compiled_by(body: str) -> re.Match[str] | None:
    """`_COMPILED_BY.search(body)`, started where a match can start. The pattern begins with no literal,
    so the regex engine tries it at every position of the body (about 50 µs a report); every match ends
    in one of `_COMPILED_BY_ENDS` with at most 40 characters before it, and the pattern has no anchor or
    lookbehind, so the leftmost match starts at or after 40 characters before the first of them."""
    found = [at for end in _COMPILED_BY_ENDS if (at := body.find(end)) >= 0]
    if not found:
        return None
    return _COMPILED_BY.search(body, max(0, min(found) - _COMPILED_BY_AGENCY))


def _signature(document: Document) -> str | None:
    """The agency signing the report: a short name line just before the closing date line."""
    lines = [fold(p.text) for p in document.paragraphs[-6:]]
    for name, date in itertools.pairwise(lines):
        if _DATE_LINE.match(date) and 2 <= len(name) <= 30 and not re.search(r"[,，。:：;；]", name):
            return name
    return None


def places(agency: str | None, year: int | None = None) -> tuple[str | None, str | None, str | None]:
    """(province, city, county) of an agency by division lookup (etl/places.py); None where unknown."""
    place = resolve_place(agency, year)
    return place.province, place.city, place.county


def _with_site_place(agency: Evidence, document: Document) -> Evidence:
    """A short form (市统计局, 区管委会) prefixed with the place of the site it was published on."""
    site = [p for p in _TITLE_SPLIT.split(one_line(document.title))[1:] if p]
    site += [document.meta_value("publisher") or ""]
    expanded = expand_short_form(agency.value, site)
    return Evidence(expanded, f"{agency.source}+站点") if expanded else agency


def read_meta(document: Document, body_paragraphs: Sequence[str]) -> tuple[ReportMeta, list[ParseIssue]]:
    folded = [fold(p) for p in body_paragraphs]
    body = "|".join(folded)
    title = report_title(document)
    title_agency, title_year = title_evidence(title)
    year, year_source, issues = choose_year(_year_evidence(document, body, title_year))
    agencies = _agency_evidence(document, body, title_agency)
    agency = _with_site_place(agencies[0], document) if agencies else None
    if agency is None:
        issues.append(
            ParseIssue("no_agency", "no agency name found in title, 填报单位, appendix or page metadata")
        )
    place = resolve_place(
        agency.value if agency else None,
        year,
        (
            document.title,
            document.meta_value("publisher") or "",
            document.meta_value("url") or "",
            document.source,
            body,
        ),
    )
    scope, scope_evidence = scope_of_folded(folded)
    meta = ReportMeta(
        title=title,
        agency=agency.value if agency else None,
        agency_source=agency.source if agency else "",
        year=year,
        year_source=year_source,
        province=place.province,
        city=place.city,
        county=place.county,
        publisher=document.meta_value("publisher"),
        published=document.meta_value("published"),
        url=document.meta_value("url"),
        province_code=place.province_code,
        city_code=place.city_code,
        county_code=place.county_code,
        place_status=place.status,
        place_note=place.note,
        scope=scope,
        scope_evidence=scope_evidence,
        source_url=document.meta_value("source_url"),
    )
    return meta, issues
