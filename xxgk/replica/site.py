"""A local replica of government sites (fictional text; reports from the sample generator), one per CMS
family, with the hazards of shared/notes/sites.md planted where the collector must meet them.

`build(samples_dir)` returns the handlers of every site and `Expect`: which report each path serves,
which reports a collection must save (each once), and where every hazard lives.
"""

# ruff: noqa: E501 - page templates and fixtures read better as whole lines

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html

from etl.decode import decode_bytes
from etl.readers.html import find_content
from xxgk.replica.server import Answer, Asked, Handler

NOT_REPORT = "not_a_report"


@dataclass(frozen=True)
class Report:
    id: str
    title: str
    agency: str
    year: int
    published: str
    body: str
    """Inner HTML of the report body (HTML samples)."""
    data: bytes
    """The file's bytes (PDF / DOCX samples)."""
    ext: str


@dataclass
class Expect:
    served: dict[tuple[str, str], str] = field(default_factory=dict)
    """(site, path) → the report id it serves, or NOT_REPORT."""
    expected: set[str] = field(default_factory=set)
    """Report ids a collection must save, each exactly once."""
    unreachable: set[str] = field(default_factory=set)
    """Report ids behind robots.txt, a challenge or a broken server: never saved."""
    hazards: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    """name → (site, path, manifest status it must end with)."""
    disallowed: list[tuple[str, str]] = field(default_factory=list)
    """(site, path prefix) robots.txt disallows: the server must never see them."""
    seeds: list[tuple[str, str, str]] = field(default_factory=list)
    """(site, path, agency) to collect from."""


def load_reports(samples: Path) -> tuple[list[Report], list[Report]]:
    """(in-page reports from HTML samples, attachment reports from PDF/DOCX samples), in a stable order."""
    pages: list[Report] = []
    files: list[Report] = []
    for truth_path in sorted(samples.glob("*.truth.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        if truth.get("expect") != "loaded":
            continue
        path = truth_path.with_name(truth["file"])
        title = truth.get("title") or f"{truth['agency']}{truth['year']}年政府信息公开工作年度报告"
        base = dict(
            id=path.name,
            title=title,
            agency=truth["agency"],
            year=int(truth["year"]),
            published=str(truth.get("published") or f"{truth['year'] + 1}-01-20"),
        )
        if path.suffix in (".html", ".htm", ".shtml"):
            pages.append(Report(**base, body=_body(path.read_bytes()), data=b"", ext=".html"))
        elif path.suffix in (".pdf", ".docx"):
            files.append(Report(**base, body="", data=path.read_bytes(), ext=path.suffix))
    return pages, files


def _body(data: bytes) -> str:
    text, _ = decode_bytes(data, html=True)
    root = lxml.html.document_fromstring(text)
    content = find_content(root)
    inner = (content.text or "") + "".join(lxml.html.tostring(child, encoding="unicode") for child in content)
    return inner


def page(title: str, body: str, *, charset: str = "utf-8", head: str = "") -> str:
    return (
        f'<!DOCTYPE html>\n<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
        f"<title>{html.escape(title)}</title>\n{head}</head>\n<body>\n"
        '<div class="header"><ul class="nav"><li><a href="/">首页</a></li><li><a href="/xxgk/">政务公开</a></li>'
        "</ul></div>\n"
        f'{body}\n<div class="footer">示例站点（示例数据）</div>\n</body>\n</html>\n'
    )


def ok(body: str | bytes, content_type: str = "text/html; charset=utf-8", **extra: str) -> Answer:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return Answer(200, data, [("Content-Type", content_type), *extra.items()])


NOT_FOUND = Answer(404, b"<html><body>404 Not Found</body></html>", [("Content-Type", "text/html")])


class Site:
    """Static paths (path or path?query → Answer factory) plus hazards keyed by path."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.routes: dict[str, Handler] = {}

    def add(self, path: str, answer: Answer | Handler) -> None:
        self.routes[path] = answer if callable(answer) else always(answer)

    def __call__(self, asked: Asked) -> Answer:
        query = "&".join(f"{k}={v}" for k, v in asked.query.items())
        for key in (f"{asked.path}?{query}", asked.path):
            if key in self.routes:
                return self.routes[key](asked)
        return NOT_FOUND


def always(answer: Answer) -> Handler:
    def handle(_asked: Asked) -> Answer:
        return answer

    return handle


def first_then(first: Answer, then: Answer) -> Handler:
    """A hazard met once: the first request gets `first`, later ones `then`."""

    def handle(asked: Asked) -> Answer:
        return first if asked.hits == 0 else then

    return handle


def digest(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()[:20]
