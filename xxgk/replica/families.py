"""The replica's sites, one builder per CMS family plus the hazard sites."""

# ruff: noqa: E501 - page templates and fixtures read better as whole lines

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import quote

from xxgk.replica.server import Answer, Asked, Handler
from xxgk.replica.site import NOT_FOUND, NOT_REPORT, Expect, Report, Site, digest, first_then, ok, page

TEMPLATE_DOCX = b"PK\x03\x04 template attachment: must never be downloaded"


def _index_no(n: int) -> str:
    return f"11330800002593{n:04d}/2024-{n:05d}"


class Deck:
    """Hands out reports in order so that every site gets its own."""

    def __init__(self, reports: list[Report]) -> None:
        self.items = list(reports)

    def take(self) -> Report | None:
        return self.items.pop(0) if self.items else None


def prose(title: str, text: str) -> str:
    return f"<p>{html.escape(title)}</p><p>{html.escape(text)}</p>"


NOTICE_TEXT = (
    "各单位：根据《中华人民共和国政府信息公开条例》要求，现就做好年度报告编制和发布工作通知如下。"
    "请于1月31日前向社会公布本单位年度报告，并报送电子版。附件：年度报告模板。（示例数据）"
)
GUIDE_TEXT = "本指南说明公开的范围、方式和程序，申请人可以通过当面、邮寄、网络等方式提出申请。（示例数据）"
READING_TEXT = "一图读懂：本年度主动公开信息、依申请公开办理情况的解读。（示例数据）"


# -- Hanweb --------------------------------------------------------------------------------------------


def hanweb_article(report: Report | None, title: str, body: str, column: str, n: int, date: str) -> str:
    agency = report.agency if report else "示例市人民政府办公室"
    head = (
        f'<meta name="ArticleTitle" content="{html.escape(title)}">\n'
        f'<meta name="PubDate" content="{date} 09:30">\n'
        f'<meta name="ContentSource" content="{html.escape(agency)}">\n'
        f'<meta name="ColumnName" content="{column}">\n'
    )
    meta_table = (
        '<table class="xxgk_table"><tr><td>索引号：</td><td>'
        + _index_no(n)
        + "</td><td>发布机构：</td><td>"
        + html.escape(agency)
        + "</td></tr><tr><td>成文日期：</td><td>"
        + date
        + "</td><td>文号：</td><td></td></tr></table>"
    )
    return page(
        title,
        f'<div class="title">{html.escape(title)}</div>\n<div id="zoom">{meta_table}\n'
        f'<meta name="ContentStart">{body}<meta name="ContentEnd">\n</div>',
        head=head,
    )


def record(url: str, title: str, date: str, style: int) -> str:
    t = html.escape(title)
    markup = (
        f'<li><a href="{url}" title="{t}" target="_blank">{t}</a><span>{date}</span></li>'
        if style % 2 == 0
        else f'<div class="item"><a href="{url}" title="{t}">{t}</a>\n<i>\n{date}\n</i></div>'
    )
    return f"<record><![CDATA[{markup}]]></record>"


def datastore(records: list[str], nextgroup: str = "", total: int | None = None) -> str:
    total_tag = f"<totalrecord>{total}</totalrecord>" if total is not None else ""
    return (
        f"<datastore><nextgroup><![CDATA[{nextgroup}]]></nextgroup>{total_tag}"
        f"<recordset>{''.join(records)}</recordset></datastore>"
    )


def column_page(unit: int, column: int, records: list[str], mode: str, total: int, per_page: int) -> str:
    nextgroup = ""
    if mode == "get":
        nextgroup = (
            f'<a href="/module/web/jpage/dataproxy.jsp?page=1&amp;appid=1&amp;webid=1&amp;path=/&amp;'
            f'columnid={column}&amp;unitid={unit}&amp;permissiontype=0"></a>'
        )
    script = f'<div id="{unit}"><script type="text/xml">{datastore(records[:per_page], nextgroup)}</script></div>\n'
    if mode == "post":
        script += (
            f"<script>$('#{unit}').jpage({{ dataStore: dataStore, proxyUrl: '/module/web/jpage/dataproxy.jsp', "
            f"totalRecord: {total}, perPage: {per_page}, groupSize: 3, ajaxParam: {{col: 1, appid: 1, webid: 1, "
            f"path: '/', columnid: {column}, sourceContentType: 1, unitid: {unit}, permissiontype: 0}} }});</script>"
        )
    elif mode == "get":
        script += f"<script>$('#{unit}').jpage({{totalRecord: {total}, perPage: {per_page}, groupSize: 3}});</script>"
    else:
        script += f'<div class="pages"><a href="?uid={unit}&amp;pageNum=2">下一页</a></div>'
    return page("政府信息公开年报", f'<div class="list">{script}</div>')


class Hanweb:
    """Columns col1001 (dataproxy GET), col1002 (dataproxy POST), col1003 (?uid=&pageNum=), col1004
    (disallowed by robots.txt); articles /art/…; attachments downfile.jsp → 302 → /attach/0/…"""

    def __init__(self, pages: Deck, files: Deck, expect: Expect) -> None:
        self.site = Site("hanweb")
        self.expect = expect
        self.columns: dict[int, list[str]] = {}
        self.site.add(
            "/robots.txt", ok("User-agent: *\nDisallow: /col/col1004/\nDisallow: /private/\n", "text/plain")
        )
        self.counter = 0
        self._col1001(pages, files)
        self._col1002(pages, files)
        self._col1003(pages, files)
        self._col1004(pages)
        self.site.add("/module/web/jpage/dataproxy.jsp", self.dataproxy)

    def _article(self, column: int, report: Report | None, title: str, body: str, *, path: str = "") -> str:
        self.counter += 1
        n = self.counter
        date = report.published if report else "2024-01-10"
        path = path or f"/art/{date[:4]}/{int(date[5:7])}/{int(date[8:10])}/art_{column}_{n}.html"
        self.site.add(path, ok(hanweb_article(report, title, body, f"col{column}", n, date)))
        self.columns.setdefault(column, []).append(record(path, title, date, n))
        return path

    def _report(self, column: int, report: Report | None, *, path: str = "", reachable: bool = True) -> None:
        if report is None:
            return
        where = self._article(column, report, report.title, report.body, path=path)
        self.expect.served[("hanweb", where)] = report.id
        (self.expect.expected if reachable else self.expect.unreachable).add(report.id)

    def _attachment(self, column: int, report: Report | None, style: str) -> None:
        if report is None:
            return
        name = f"{report.title}{report.ext}"
        hashed = digest(report.data)
        target = f"/attach/0/{hashed}{report.ext}"
        if style == "showname":
            link = f"/module/download/downfile.jsp?classid=0&showname={quote(name)}&filename={hashed}{report.ext}"
            self.site.add("/module/download/downfile.jsp", self._downfile)
            self.site.add(target, ok(report.data, "application/octet-stream"))
        else:
            link = f"/attach/1/{hashed}{report.ext}"
            disposition = f'attachment; filename="{name}"'.encode()  # raw UTF-8 bytes
            if style == "filename*":
                disposition = (
                    f"attachment; filename=\"{hashed}{report.ext}\"; filename*=UTF-8''{quote(name)}".encode()
                )
            self.site.add(
                link,
                Answer(
                    200,
                    report.data,
                    [("Content-Type", "application/octet-stream"), ("Content-Disposition", disposition)],
                ),
            )
        body = f'<p>{html.escape(report.title)}</p><p>附件：<a href="{html.escape(link)}">点击下载</a></p>'
        self._article(column, report, report.title, body)
        self.expect.served[("hanweb", link)] = report.id
        self.expect.expected.add(report.id)

    def _downfile(self, asked: Asked) -> Answer:
        name = asked.query.get("filename", "")
        return Answer(302, b"", [("Location", f"/attach/0/{name}")])

    def _col1001(self, pages: Deck, files: Deck) -> None:
        for _ in range(6):
            self._report(1001, pages.take())
        self._attachment(1001, files.take(), "showname")
        notice = "关于做好2024年度政府信息公开工作年度报告编制发布工作的通知"
        template = "/module/download/downfile.jsp?classid=0&showname=%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A%E6%A8%A1%E6%9D%BF.docx&filename=template.docx"
        where = self._article(
            1001,
            None,
            notice,
            f'<p>{NOTICE_TEXT}</p><p>附件：<a href="{html.escape(template)}">年度报告模板.docx</a></p>',
        )
        self.expect.served[("hanweb", where)] = NOT_REPORT
        self.expect.hazards["notice"] = ("hanweb", where, "not_a_report")
        self.expect.hazards["notice_template"] = ("hanweb", "/attach/0/template.docx", "never")
        reading = "示例市2023年政府信息公开工作年度报告解读"
        where = self._article(1001, None, reading, prose(reading, READING_TEXT))
        self.expect.served[("hanweb", where)] = NOT_REPORT
        self.duplicate = pages.take()
        self._report(1001, self.duplicate)
        self._report(1001, pages.take(), path="/private/art_9.html", reachable=False)
        if self.duplicate is not None:
            self.expect.hazards["robots_link"] = ("hanweb", "/private/art_9.html", "robots_disallowed")
        plan = "示例市2024年政务公开工作要点"
        where = self._article(1001, None, plan, prose(plan, GUIDE_TEXT))
        self.expect.served[("hanweb", where)] = NOT_REPORT
        for _ in range(2):
            self._report(1001, pages.take())
        self.site.add(
            "/col/col1001/index.html",
            self._gated(column_page(5001, 1001, self.columns[1001], "get", len(self.columns[1001]), 4)),
        )
        self.expect.seeds.append(("hanweb", "/col/col1001/index.html", "示例市人民政府"))
        self.expect.hazards["cookie_gate"] = ("hanweb", "/col/col1001/index.html", "listed")

    def _gated(self, text: str) -> Handler:
        def answer(asked: Asked) -> Answer:
            if "gate=ok" not in asked.headers.get("cookie", ""):
                return Answer(
                    302, b"", [("Location", asked.path), ("Set-Cookie", "gate=ok; Path=/")], cacheable=False
                )
            return ok(text)

        return answer

    def _col1002(self, pages: Deck, files: Deck) -> None:
        self._report(1002, pages.take())
        if self.duplicate is not None:
            where = self._article(1002, self.duplicate, self.duplicate.title, self.duplicate.body)
            self.expect.served[("hanweb", where)] = self.duplicate.id
            self.expect.hazards["duplicate_page"] = ("hanweb", where, "duplicate")
        self._attachment(1002, files.take(), "filename*")
        self._report(1002, pages.take())
        guide = "示例市政府信息公开指南"
        where = self._article(1002, None, guide, prose(guide, GUIDE_TEXT))
        self.expect.served[("hanweb", where)] = NOT_REPORT
        self._attachment(1002, files.take(), "utf8")
        self._report(1002, pages.take())
        self.site.add(
            "/col/col1002/index.html",
            ok(column_page(5002, 1002, self.columns[1002], "post", len(self.columns[1002]), 3)),
        )
        self.expect.seeds.append(("hanweb", "/col/col1002/index.html", "示例市人民政府"))

    def _col1003(self, pages: Deck, files: Deck) -> None:
        for _ in range(4):
            self._report(1003, pages.take())
        self._attachment(1003, files.take(), "showname")
        records = self.columns[1003]
        self.site.add("/col/col1003/index.html", self._pagenum(records))
        self.expect.seeds.append(("hanweb", "/col/col1003/index.html", "示例市人民政府"))

    def _pagenum(self, records: list[str]) -> Handler:
        first = column_page(5003, 1003, records, "pagenum", len(records), 3)

        def answer(asked: Asked) -> Answer:
            number = int(asked.query.get("pageNum", "1") or 1)
            if number <= 1:
                return ok(first)
            chunk = records[(number - 1) * 3 : number * 3]
            return ok(
                page(
                    "政府信息公开年报",
                    f'<div id="5003"><script type="text/xml">{datastore(chunk)}</script></div>',
                )
            )

        return answer

    def _col1004(self, pages: Deck) -> None:
        self._report(1004, pages.take(), reachable=False)
        self.site.add("/col/col1004/index.html", ok(column_page(5004, 1004, self.columns[1004], "get", 1, 4)))
        self.expect.seeds.append(("hanweb", "/col/col1004/index.html", "示例市人民政府"))
        self.expect.hazards["robots_column"] = ("hanweb", "/col/col1004/index.html", "robots_disallowed")
        self.expect.disallowed += [("hanweb", "/col/col1004/"), ("hanweb", "/private/")]

    def dataproxy(self, asked: Asked) -> Answer:
        """GET page=N answers the group of 3 pages holding page N; POST startrecord answers from the
        start of the group holding that record. Both overlap what the column page showed."""
        source = asked.form if asked.method == "POST" else asked.query
        column = int(source.get("columnid", "0") or 0)
        records = self.columns.get(column, [])
        if asked.method == "POST":
            per_page = int(asked.query.get("perpage", "3"))
            start = int(asked.query.get("startrecord", "1")) - 1
            group = per_page * 3
            begin = start // group * group
            chunk = records[begin : begin + group]
        else:
            per_page = 4
            number = int(asked.query.get("page", "1"))
            first_page = (number - 1) // 3 * 3
            chunk = records[first_page * per_page : (first_page + 3) * per_page]
        if not chunk:
            return ok("<datastore></datastore>", "text/xml")
        return Answer(
            200,
            datastore(chunk, total=len(records)).encode(),
            [("Content-Type", "text/xml; charset=utf-8")],
            cacheable=False,
        )


# -- TRS -----------------------------------------------------------------------------------------------


def trs_article(title: str, body: str, agency: str, date: str, n: int) -> bytes:
    info = (
        f'<div class="xxgk-info"><ul><li>索引号：{_index_no(100 + n)}</li><li>发布机构：{html.escape(agency)}</li>'
        f"<li>发布日期：{date}</li></ul></div>"
    )
    text = page(
        title,
        f'<div class="article"><h1>{html.escape(title)}</h1>{info}<div class="TRS_Editor">{body}</div></div>',
        charset="gb2312",
    )
    return text.encode("gb18030")


def trs_list(items: list[tuple[str, str, str]], count_script: str, scripted: bool) -> bytes:
    if scripted:
        rows = "".join(
            f"<script>var str_url = '{url}'; var str_title = '{html.escape(title)}'; var str_date = '{date}';\n"
            'document.writeln("<li><a href=\'" + str_url + "\'>" + str_title + "</a><span>" + str_date + "</span></li>");</script>\n'
            for url, title, date in items
        )
    else:
        rows = "".join(
            f'<li><a href="{url}" target="_blank">{html.escape(title)}</a><span>{date}</span></li>\n'
            for url, title, date in items
        )
    body = f'<div class="list"><ul>{rows}</ul></div><div class="page"><script>{count_script}</script></div>'
    return page("政府信息公开年报", body, charset="gb2312").encode("gb18030")


def gbk(data: bytes) -> Answer:
    return Answer(200, data, [("Content-Type", "text/html")])  # GBK bytes, no charset in the header


class Trs:
    """GBK lists without a header charset: /zfxxgk/zfxxgknb/ (createPageHTML, 3 pages, one written by
    script) and /zfxxgk/bmnb/ (countPage 4 but a stub at index_2); hazards on articles and files."""

    def __init__(self, pages: Deck, files: Deck, expect: Expect) -> None:
        self.site = Site("trs")
        self.expect = expect
        self.n = 0
        base = "/zfxxgk/zfxxgknb/"
        lists: list[list[tuple[str, str, str]]] = [[], [], []]
        lists[0] += [self._report(base, pages.take()), self._report(base, pages.take())]
        attached = files.take()
        lists[0].append(self._with_file(base, attached, "text"))
        lists[0].append(self._soft_404(base))
        lists[1] += [
            self._report(base, pages.take()),
            self._report(base, pages.take(), hazard="flaky_503"),
            self._report(base, pages.take(), hazard="slow"),
        ]
        lists[2] += [
            self._with_file(base, files.take(), "gbk"),
            self._error_pdf(base),
            self._with_file(base, files.take(), "429"),
        ]
        lists[2].append(self._duplicate_file(base, attached))
        for number, items in enumerate(lists):
            name = "index.html" if number == 0 else f"index_{number}.html"
            self.site.add(
                base + name,
                gbk(trs_list(items, f'createPageHTML(3, {number}, "index", "html");', number == 1)),
            )
        self.expect.seeds.append(("trs", base + "index.html", "示例县人民政府"))
        self._second_list(pages)
        self.site.add("/robots.txt", NOT_FOUND)

    @staticmethod
    def _month(date: str) -> str:
        """The folder of an article published on `date` (attachments sit beside their article)."""
        return f"{date[:4]}{date[5:7]}"

    def _item(self, base: str, title: str, body: bytes, date: str) -> tuple[str, str, str]:
        self.n += 1
        month = self._month(date)
        relative = f"./{month}/t{month}{date[8:10]}_{1000 + self.n}.html"
        self.site.add(base + relative[2:], gbk(body))
        return relative, title, date

    def _report(self, base: str, report: Report | None, hazard: str = "") -> tuple[str, str, str]:
        if report is None:
            return ("./missing.html", "", "")
        body = trs_article(report.title, report.body, report.agency, report.published, self.n)
        item = self._item(base, report.title, body, report.published)
        path = base + item[0][2:]
        self.expect.served[("trs", path)] = report.id
        self.expect.expected.add(report.id)
        if hazard == "flaky_503":
            self.site.add(path, first_then(Answer(503, b"busy", [("Content-Type", "text/plain")]), gbk(body)))
            self.expect.hazards["flaky_503"] = ("trs", path, "saved")
        elif hazard == "slow":
            slow = Answer(200, body, [("Content-Type", "text/html")], delay=1.6)
            self.site.add(path, first_then(slow, gbk(body)))
            self.expect.hazards["slow"] = ("trs", path, "saved")
        return item

    def _with_file(self, base: str, report: Report | None, style: str) -> tuple[str, str, str]:
        if report is None:
            return ("./missing.html", "", "")
        month = self._month(report.published)
        prefix = "P" if report.ext == ".pdf" else "W"
        name = f"{prefix}0{month}15{digest(report.data)[:12]}{report.ext}"
        file_path = f"{base}{month}/{name}"
        link_text = f"{report.title}{report.ext}" if style == "text" else "下载"
        headers: list[tuple[str, str | bytes]] = [("Content-Type", "application/octet-stream")]
        if style == "gbk":
            headers.append(
                (
                    "Content-Disposition",
                    b'attachment; filename="' + f"{report.title}{report.ext}".encode("gb18030") + b'"',
                )
            )
        if style == "429":
            headers.append(
                ("Content-Disposition", f'attachment; filename="{quote(report.title + report.ext)}"')
            )
            busy = Answer(429, b"slow down", [("Retry-After", "1")])
            self.site.add(file_path, first_then(busy, Answer(200, report.data, headers)))
            self.expect.hazards["retry_after"] = ("trs", file_path, "saved")
        else:
            self.site.add(file_path, Answer(200, report.data, headers))
        body = (
            f'<p>{html.escape(report.title)}</p><p>附件：<a href="./{name}">{html.escape(link_text)}</a></p>'
        )
        item = self._item(
            base,
            report.title,
            trs_article(report.title, body, report.agency, report.published, self.n),
            report.published,
        )
        self.expect.served[("trs", file_path)] = report.id
        self.expect.expected.add(report.id)
        if style == "gbk":
            self.expect.hazards["gbk_filename"] = ("trs", file_path, "saved")
        return item

    def _duplicate_file(self, base: str, report: Report | None) -> tuple[str, str, str]:
        if report is None:
            return ("./missing.html", "", "")
        file_path = f"{base}{self._month(report.published)}/P020240216copy{report.ext}"
        self.site.add(file_path, Answer(200, report.data, [("Content-Type", "application/pdf")]))
        title = f"{report.title}（重复发布）"
        body = f'<p>{html.escape(title)}</p><p>附件：<a href="./P020240216copy{report.ext}">{html.escape(report.title)}{report.ext}</a></p>'
        item = self._item(
            base, title, trs_article(title, body, report.agency, report.published, self.n), report.published
        )
        self.expect.served[("trs", file_path)] = report.id
        self.expect.hazards["duplicate_file"] = ("trs", file_path, "duplicate")
        return item

    def _error_pdf(self, base: str) -> tuple[str, str, str]:
        title = "示例县交通运输局2023年政府信息公开工作年度报告"
        file_path = f"{base}{self._month('2024-01-20')}/P020240120bad.pdf"
        error = "<html><head><title>出错了</title></head><body>服务器繁忙，文件暂时无法下载</body></html>".encode()
        self.site.add(file_path, Answer(200, error, [("Content-Type", "application/pdf")]))
        body = f'<p>{title}</p><p>附件：<a href="./P020240120bad.pdf">{title}.pdf</a></p>'
        self.expect.served[("trs", file_path)] = NOT_REPORT
        self.expect.hazards["html_as_pdf"] = ("trs", file_path, "failed")
        return self._item(
            base, title, trs_article(title, body, "示例县交通运输局", "2024-01-20", self.n), "2024-01-20"
        )

    def _soft_404(self, base: str) -> tuple[str, str, str]:
        title = "示例县水利局2023年政府信息公开工作年度报告"
        item = self._item(
            base,
            title,
            page("页面不存在", "<div class='err'>对不起，您访问的页面不存在！</div>").encode(),
            "2024-01-18",
        )
        self.expect.served[("trs", base + item[0][2:])] = NOT_REPORT
        self.expect.hazards["soft_404"] = ("trs", base + item[0][2:], "failed")
        return item

    def _second_list(self, pages: Deck) -> None:
        base = "/zfxxgk/bmnb/"
        first = [self._report(base, pages.take())]
        second = [self._report(base, pages.take())]
        self.site.add(base + "index.html", gbk(trs_list(first, "var countPage = 4;", False)))
        self.site.add(base + "index_1.html", gbk(trs_list(second, "var countPage = 4;", False)))
        self.site.add(base + "index_2.html", gbk(b"<html><body><p>&nbsp;</p></body></html>"))
        self.site.add(base + "index_3.html", gbk(trs_list([], "var countPage = 4;", False)))
        self.expect.seeds.append(("trs", base + "index.html", "示例县人民政府"))
        self.expect.hazards["stub_end"] = ("trs", base + "index_3.html", "never")


# -- gkmlpt --------------------------------------------------------------------------------------------


def _stamp(date: str) -> int:
    return int(datetime.strptime(date[:10], "%Y-%m-%d").replace(tzinfo=UTC).timestamp())


class Gkmlpt:
    """/gkmlpt/index (SID, TREE) → /gkmlpt/api/all/2838?page=N&sid=… (3 a page, page 0 = page 1, 404
    past the end); article bodies as JSON strings in script."""

    PER_PAGE = 3

    def __init__(self, pages: Deck, files: Deck, expect: Expect) -> None:
        self.site = Site("gkmlpt")
        self.expect = expect
        self.articles: list[dict[str, object]] = []
        for _ in range(4):
            self._report(pages.take())
        self._with_file(files.take())
        self._notice()
        self._report(pages.take())
        config = (
            "<script>window._CONFIG = {SID: 'sid9', TREE: [{id: 2837, name: '通知公告', children: []}, "
            "{id: 2838, name: '政府信息公开年报', children: []}]};</script>"
        )
        self.site.add("/gkmlpt/index", ok(page("政府信息公开目录", '<div id="app"></div>' + config)))
        self.site.add("/gkmlpt/api/all/2838", self.api)
        self.site.add("/robots.txt", ok("User-agent: *\nDisallow: /gkmlpt/admin/\n", "text/plain"))
        self.expect.seeds.append(("gkmlpt", "/gkmlpt/index#2838", "示例市人民政府"))

    def _detail(self, n: int, title: str, content: str, publisher: str, date: str) -> str:
        detail = {
            "id": n,
            "title": title,
            "content": content,
            "publisher": publisher,
            "display_publish_time": _stamp(date),
            "identifier": _index_no(200 + n),
        }
        encoded = json.dumps(detail).replace("<", "\\u003C").replace(">", "\\u003E")
        return page(
            title,
            '<div id="app"></div>',
            head=f"<script>window._CONFIG = {{SID: 'sid9', DETAIL: {encoded}}};</script>\n",
        )

    def _add(
        self, title: str, content: str, publisher: str, date: str, attachments: list[dict[str, str]]
    ) -> str:
        n = 3000 + len(self.articles)
        path = f"/gkmlpt/content/2/2838/post_{n}.html"
        self.site.add(path, ok(self._detail(n, title, content, publisher, date)))
        self.articles.append(
            {
                "id": n,
                "title": title,
                "url": f"{path}#2838",
                "publisher": publisher,
                "display_publish_time": _stamp(date),
                "identifier": _index_no(200 + n),
                "attachment": attachments,
            }
        )
        return path

    def _report(self, report: Report | None) -> None:
        if report is None:
            return
        path = self._add(report.title, report.body, report.agency, report.published, [])
        self.expect.served[("gkmlpt", path)] = report.id
        self.expect.expected.add(report.id)

    def _with_file(self, report: Report | None) -> None:
        if report is None:
            return
        file_path = f"/attachment/0/12/{digest(report.data)}{report.ext}"
        self.site.add(file_path, ok(report.data, "application/octet-stream"))
        content = f'<p>{html.escape(report.title)}</p><p><a href="{file_path}">{html.escape(report.title)}{report.ext}</a></p>'
        self._add(
            report.title,
            content,
            report.agency,
            report.published,
            [{"name": f"{report.title}{report.ext}", "url": file_path}],
        )
        self.expect.served[("gkmlpt", file_path)] = report.id
        self.expect.expected.add(report.id)

    def _notice(self) -> None:
        title = "关于报送2023年度政府信息公开工作年度报告的通知"
        path = self._add(title, f"<p>{NOTICE_TEXT}</p>", "示例市人民政府办公室", "2024-01-05", [])
        self.expect.served[("gkmlpt", path)] = NOT_REPORT

    def api(self, asked: Asked) -> Answer:
        number = max(1, int(asked.query.get("page", "1") or 1))
        chunk = self.articles[(number - 1) * self.PER_PAGE : number * self.PER_PAGE]
        if not chunk:
            return NOT_FOUND
        data = {"total": len(self.articles), "page": number, "articles": chunk}
        return ok(json.dumps(data, ensure_ascii=False), "application/json; charset=utf-8")


# -- /public/column ------------------------------------------------------------------------------------


class PublicColumn:
    def __init__(self, pages: Deck, expect: Expect) -> None:
        self.site = Site("public")
        self.expect = expect
        rows: list[str] = []
        for n in range(4):
            report = pages.take() if n != 3 else None
            title = report.title if report else "示例区政府信息公开工作年度报告编制说明会议纪要"
            body = report.body if report else prose(title, GUIDE_TEXT)
            date = report.published if report else "2024-01-08"
            path = f"/public/6596/{9000 + n}.html"
            suoyin = f'<table class="table_suoyin"><tr><th>索引号：</th><td>{_index_no(300 + n)}</td><th>发布机构：</th><td>示例区人民政府</td></tr></table>'
            content = f'{suoyin}<div class="wzcon j-fontContent">{body}</div>'
            self.site.add(path, ok(page(title, f'<h1 class="newstitle">{html.escape(title)}</h1>{content}')))
            self.expect.served[("public", path)] = report.id if report else NOT_REPORT
            if report:
                self.expect.expected.add(report.id)
            rows.append(
                f'<li><a href="{path}" title="{html.escape(title)}">{html.escape(title)}</a><span class="date">{date}</span></li>'
            )
        for number in (1, 2):
            chunk = "".join(rows[(number - 1) * 2 : number * 2])
            listing = page(
                "年度报告",
                f'<ul class="doc_list">{chunk}</ul><script>var pageCount:2;</script><script>pager({{pageCount:2, pageIndex:{number}}})</script>',
            )
            self.site.add(
                f"/public/column/6596?type=4&catId=7001&action=list&pageIndex={number}", ok(listing)
            )
        self.expect.seeds.append(
            ("public", "/public/column/6596?type=4&catId=7001&action=list&pageIndex=1", "示例区人民政府")
        )


# -- a plain list --------------------------------------------------------------------------------------


class Generic:
    def __init__(self, pages: Deck, files: Deck, expect: Expect) -> None:
        self.site = Site("generic")
        self.expect = expect
        first: list[str] = []
        report = pages.take()
        if report:
            self._page("/xxgk/nb/2024/0120/a1.html", report, first)
        direct = files.take()
        if direct:
            path = f"/xxgk/nb/files/{digest(direct.data)}{direct.ext}"
            self.site.add(path, ok(direct.data, "application/pdf"))
            first.append(
                f'<li><a href="{path}">{html.escape(direct.title)}</a> <span>{direct.published}</span></li>'
            )
            self.expect.served[("generic", path)] = direct.id
            self.expect.expected.add(direct.id)
        hidden = pages.take()
        if hidden:
            self._page("/xxgk/nb/secret/b1.html", hidden, first, reachable=False)
            self.expect.disallowed.append(("generic", "/xxgk/nb/secret/"))
        second: list[str] = []
        report = pages.take()
        if report:
            self._page("/xxgk/nb/2024/0121/a2.html", report, second)
        second.append(
            '<li><a href="/xxgk/nb/2024/0122/gone.html">示例镇2023年政府信息公开工作年度报告</a> <span>2024-01-22</span></li>'
        )
        self.expect.hazards["http_404"] = ("generic", "/xxgk/nb/2024/0122/gone.html", "failed")
        self.site.add(
            "/xxgk/nb/index.html",
            ok(page("年报", f'<ul class="list">{"".join(first)}</ul><a href="page2.html">下一页</a>')),
        )
        self.site.add(
            "/xxgk/nb/page2.html",
            ok(page("年报", f'<ul class="list">{"".join(second)}</ul><a href="index.html">上一页</a>')),
        )
        self.site.add("/robots.txt", ok("User-agent: *\nDisallow: /xxgk/nb/secret/\n", "text/plain"))
        self.expect.seeds.append(("generic", "/xxgk/nb/index.html", "示例镇人民政府"))

    def _page(self, path: str, report: Report, rows: list[str], reachable: bool = True) -> None:
        body = f'<div class="article-content"><h2>{html.escape(report.title)}</h2>{report.body}</div>'
        self.site.add(path, ok(page(report.title, body)))
        rows.append(
            f'<li><a href="{path}">{html.escape(report.title)}</a> <span>{report.published}</span></li>'
        )
        self.expect.served[("generic", path)] = report.id
        (self.expect.expected if reachable else self.expect.unreachable).add(report.id)


# -- hazard sites --------------------------------------------------------------------------------------


def hazard_sites(expect: Expect) -> Iterator[Site]:
    ruishu = Site("ruishu")
    challenge = (
        b"<html><head><script>$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=4182;</script></head></html>"
    )
    ruishu.add("/col/col1/index.html", Answer(412, challenge, [("Content-Type", "text/html")]))
    ruishu.add("/robots.txt", NOT_FOUND)
    expect.seeds.append(("ruishu", "/col/col1/index.html", "示例甲县人民政府"))
    expect.hazards["challenge_412"] = ("ruishu", "/col/col1/index.html", "blocked")
    yield ruishu
    jsl = Site("jsl")
    jsl.add(
        "/xxgk/index.html",
        Answer(
            521,
            b"<script>document.cookie=('__jsl_clearance')</script>",
            [("X-Via-JSL", "b4e8d3b,-"), ("Set-Cookie", "__jsluid_h=abc; Path=/")],
        ),
    )
    jsl.add("/robots.txt", NOT_FOUND)
    expect.seeds.append(("jsl", "/xxgk/index.html", "示例乙县人民政府"))
    expect.hazards["challenge_521"] = ("jsl", "/xxgk/index.html", "blocked")
    yield jsl
    waf = Site("waf")
    waf.add(
        "/nb/index.html",
        Answer(403, b"<html><title>Just a moment...</title><body>Checking your browser</body></html>"),
    )
    waf.add("/robots.txt", NOT_FOUND)
    expect.seeds.append(("waf", "/nb/index.html", "示例丙县人民政府"))
    expect.hazards["waf_page"] = ("waf", "/nb/index.html", "blocked")
    yield waf
    broken = Site("robots503")
    broken.add("/robots.txt", Answer(503, b"busy", [("Content-Type", "text/plain")]))
    broken.add(
        "/nb/index.html",
        ok(
            page(
                "年报",
                "<ul><li><a href='/nb/a.html'>示例丁县2023年政府信息公开工作年度报告</a> 2024-01-02</li></ul>",
            )
        ),
    )
    expect.seeds.append(("robots503", "/nb/index.html", "示例丁县人民政府"))
    expect.hazards["robots_503"] = ("robots503", "/nb/index.html", "robots_disallowed")
    expect.disallowed.append(("robots503", "/nb/"))
    yield broken
