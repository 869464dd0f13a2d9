"""What a response means: list pages give items and the next page, articles give a report or
attachments, files are typed by their bytes, judged, named and saved (duplicates by content)."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from etl.collect.families import FIRST, FOLLOWING, Listing, detect
from etl.collect.families.gkmlpt import article_document
from etl.collect.fetch import Fetched, host_key
from etl.collect.frontier import Frontier, Row, Spec
from etl.collect.judge import judge_file, judge_page
from etl.collect.names import (
    EXTENSION_OF_TYPE,
    disposition_name,
    human_name,
    safe_file_name,
    showname,
    sniff_type,
    url_name,
)
from etl.collect.page import Link, decode_page, is_soft_404, read_article
from etl.collect.settings import CollectSettings
from etl.normalise import fold
from etl.readers import READERS, read_document

PAGE_TYPES = frozenset({"html", "json", "text"})
CARRIED = ("list_page", "article_url", "agency", "place_code", "seed_url")
YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年")


@dataclass(frozen=True)
class Outcome:
    status: str
    reason: str = ""
    record: dict[str, Any] = field(default_factory=dict)
    found: list[Spec] = field(default_factory=list)
    saved: tuple[str, str] | None = None
    retry_in: float | None = None


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def report_year(link: Link) -> int | None:
    """The report year a list item names (its title), else its publication year minus one."""
    match = YEAR_IN_TITLE.search(link.title)
    if match:
        return int(match.group(1))
    if link.published[:4].isdigit():
        return int(link.published[:4]) - 1
    return None


class Processor:
    def __init__(self, frontier: Frontier, settings: CollectSettings, out_dir: Path) -> None:
        self.frontier, self.settings, self.out_dir = frontier, settings, out_dir

    # -- records ----------------------------------------------------------------------------------------

    def record(self, row: Row, fetched: Fetched, **values: Any) -> dict[str, Any]:
        context = row.spec.context
        base = {key: context.get(key, "") for key in CARRIED}
        base["seed"] = base.pop("seed_url")
        base.update(
            url=row.spec.url,
            final_url=fetched.final_url or row.spec.url,
            title=context.get("title", ""),
            published=context.get("published", ""),
            publisher=context.get("publisher", ""),
            index_no=context.get("index_no", ""),
            kind=row.spec.kind,
            fetched_at=_now() if fetched.status else "",
        )
        base.update({k: v for k, v in values.items() if v not in (None, "")})
        return base

    def problem(self, row: Row, fetched: Fetched, status: str, reason: str) -> Outcome:
        return Outcome(status, reason, self.record(row, fetched))

    # -- dispatch ---------------------------------------------------------------------------------------

    def process(self, row: Row, fetched: Fetched, *, earlier_run: bool) -> Outcome:
        if fetched.kind == "disallowed":
            return self.problem(row, fetched, "robots_disallowed", fetched.reason)
        if fetched.kind == "blocked":
            return self.problem(row, fetched, "blocked", fetched.reason)
        if fetched.kind == "failed":
            if row.spec.kind == "list" and fetched.status == 404:
                return Outcome("end", "HTTP 404 past the first page: end of the list", {})
            return self.problem(row, fetched, "failed", fetched.reason)
        kind = sniff_type(fetched.body, _extension(row.spec.url))
        if row.spec.kind == "file" or (row.spec.kind in ("page", "article") and kind not in PAGE_TYPES):
            return self.file(row, fetched, kind)
        text = decode_page(fetched.body, fetched.header("content-type"))
        if row.spec.kind == "list":
            return self.listing(row, fetched, text, first=False, earlier_run=earlier_run)
        family = detect(row.spec.url, text)
        if family in ("article", "gkmlpt_article") or row.spec.kind == "article":
            return self.article(row, fetched, text)
        return self.listing(row, fetched, text, first=True, earlier_run=earlier_run, family=family)

    # -- lists ------------------------------------------------------------------------------------------

    def listing(
        self, row: Row, fetched: Fetched, text: str, *, first: bool, earlier_run: bool, family: str = ""
    ) -> Outcome:
        context = row.spec.context
        family = family or str(context.get("family", "generic"))
        list_url = str(context.get("list_url") or row.spec.url)
        if first:
            listing = FIRST[family](row.spec.url, text, context)
        else:

            def unique(links: list[Link]) -> int:
                return self.frontier.unique_in_list(list_url, [link.url for link in links], row.id)

            state = {"state": context.get("state", {}), "form": row.spec.form, "unique": unique}
            listing = FOLLOWING[family](row.spec.url, text, state)
        if first and not listing.links and listing.following is None and is_soft_404(text):
            return self.problem(row, fetched, "failed", "soft 404: the page says it does not exist")
        incremental = bool(context.get("incremental")) or (first and earlier_run)
        wanted, skipped = self._wanted(listing.links)
        items = [spec for link in wanted if (spec := self._item(link, row, list_url)) is not None]
        fresh = [s for s in items if s.key not in self.frontier.known(items)]
        seen = self.frontier.seen_in_list(list_url, [link.url for link in listing.links], row.id)
        new_here = [link for link in listing.links if link.url not in seen]
        end = self._end(listing, row, fetched, new_here, fresh, incremental, skipped, len(wanted))
        found = list(items)
        if not end and listing.following is not None:
            found.append(self._next_list(listing, row, list_url, family, incremental))
        record = {"family": family, "items": len(listing.links), "end": end or listing.end}
        return Outcome("listed", end or "", record, found)

    def _end(
        self,
        listing: Listing,
        row: Row,
        fetched: Fetched,
        new_here: list[Link],
        fresh: list[Spec],
        incremental: bool,
        skipped: int,
        wanted: int,
    ) -> str:
        page_no = int(row.spec.context.get("page_no", 1))
        if listing.following is None:
            return listing.end or "last page"
        if fetched.status == 304 and incremental and listing.links:
            return "unchanged since the last run (HTTP 304)"
        if page_no >= self.settings.max_pages:
            return f"--max-pages {self.settings.max_pages} reached"
        if not listing.links and page_no > 1:
            return "an empty page: end of the list"
        if listing.links and not new_here:
            return "no item that earlier pages did not give: end of the list"
        if incremental and not fresh:
            return "every item on this page is known from an earlier run"
        if skipped and not wanted:
            return f"every item is older than --since {self.settings.since}"
        return ""

    def _wanted(self, links: list[Link]) -> tuple[list[Link], int]:
        if self.settings.since is None:
            return links, 0
        kept = [link for link in links if (year := report_year(link)) is None or year >= self.settings.since]
        return kept, len(links) - len(kept)

    def _item(self, link: Link, row: Row, list_url: str) -> Spec | None:
        context = row.spec.context
        carried = {key: context.get(key, "") for key in ("agency", "place_code", "seed_url")}
        item_context = {
            **carried,
            "list_page": row.spec.url,
            "title": link.title,
            "published": link.published,
            "publisher": link.publisher,
            "index_no": link.index_no,
            "attachments": [list(pair) for pair in link.attachments],
            "referer": list_url,
        }
        return Spec(link.url.split("#")[0], "file" if link.is_file else "article", item_context)

    def _next_list(self, listing: Listing, row: Row, list_url: str, family: str, incremental: bool) -> Spec:
        assert listing.following is not None
        context = row.spec.context
        carried = {key: context.get(key, "") for key in ("agency", "place_code", "seed_url")}
        next_context = {
            **carried,
            "family": family,
            "list_url": list_url,
            "page_no": int(context.get("page_no", 1)) + 1,
            "state": listing.following.state,
            "incremental": incremental,
            "referer": list_url,
        }
        return Spec(
            listing.following.url, "list", next_context, listing.following.method, listing.following.form
        )

    # -- articles ---------------------------------------------------------------------------------------

    def article(self, row: Row, fetched: Fetched, text: str) -> Outcome:
        built = article_document(row.spec.url, text) if "/gkmlpt/" in row.spec.url else None
        data = built[0] if built else fetched.body
        article = read_article(row.spec.url, data, "" if built else fetched.header("content-type"))
        context = row.spec.context
        title = article.title or str(context.get("title", ""))
        listed = [tuple(pair) for pair in context.get("attachments", [])]
        files = list(dict.fromkeys([*article.attachments, *listed]))
        judgement = judge_page(title, article.text, attachments=len(files), images=article.images)
        if judgement.verdict != "report" and not files and is_soft_404(text):
            return self.problem(row, fetched, "failed", "soft 404: the page says it does not exist")
        record = self.record(
            row,
            fetched,
            kind="article",
            title=title,
            published=article.published,
            publisher=article.publisher,
            index_no=article.index_no,
            content_type="html",
        )
        found = [] if judgement.verdict == "not_a_report" else self._attachments(files, row, record)
        if judgement.verdict in ("container", "not_a_report"):
            status = "container" if judgement.verdict == "container" else "not_a_report"
            return Outcome(status, judgement.reason, record, found)
        key = "text:" + hashlib.sha256(body_key(article.text).encode("utf-8")).hexdigest()
        outcome = self._save(row, data, key, title, ".html", record, judgement.reason)
        return Outcome(outcome.status, outcome.reason, outcome.record, found, outcome.saved)

    def _attachments(self, files: list[tuple[Any, ...]], row: Row, record: dict[str, Any]) -> list[Spec]:
        context = row.spec.context
        specs = []
        for url, text in files:
            file_context = {
                **{key: context.get(key, "") for key in ("agency", "place_code", "seed_url", "list_page")},
                "article_url": row.spec.url,
                "title": record.get("title", ""),
                "published": record.get("published", ""),
                "publisher": record.get("publisher", ""),
                "index_no": record.get("index_no", ""),
                "link_text": text,
                "referer": row.spec.url,
            }
            specs.append(Spec(str(url), "file", file_context))
        return specs

    # -- files ------------------------------------------------------------------------------------------

    def file(self, row: Row, fetched: Fetched, kind: str) -> Outcome:
        context = row.spec.context
        record = self.record(row, fetched, kind="file", content_type=kind)
        if kind == "html":
            why = "soft 404" if is_soft_404(decode_page(fetched.body)) else "an error page?"
            return Outcome("failed", f"served an HTML page instead of a document ({why})", record)
        if kind in ("json", "binary") or not fetched.body:
            return Outcome("failed", f"served {kind or 'nothing'}, not a document", record)
        name = (
            human_name(
                [
                    showname(row.spec.url),
                    disposition_name(fetched.disposition),
                    str(context.get("link_text", "")),
                    url_name(fetched.final_url or row.spec.url),
                    url_name(row.spec.url),
                ]
            )
            or str(context.get("title", ""))
            or "document"
        )
        extension = _file_extension(name, kind)
        text, unreadable = _text_of(extension, fetched.body)
        judgement = judge_file(name, text, unreadable, str(context.get("title", "")))
        if not judgement.is_report:
            return Outcome("not_a_report", judgement.reason, record)
        key = "sha256:" + hashlib.sha256(fetched.body).hexdigest()
        return self._save(row, fetched.body, key, name, extension, record, judgement.reason)

    # -- saving -----------------------------------------------------------------------------------------

    def _save(
        self, row: Row, data: bytes, key: str, name: str, extension: str, record: dict[str, Any], reason: str
    ) -> Outcome:
        digest = hashlib.sha256(data).hexdigest()
        record = {**record, "sha256": digest}
        earlier = self.frontier.saved_path(key)
        if earlier is not None and earlier[1] == row.id:  # a seed read again in a later run
            return Outcome("saved", reason, {**record, "path": earlier[0]}, saved=(key, earlier[0]))
        if earlier is not None:
            return Outcome("duplicate", f"same report as {earlier[0]}", {**record, "path": ""})
        folder = _folder(row)
        path = write_document(self.out_dir / folder, safe_file_name(name, extension), data)
        relative = path.relative_to(self.out_dir).as_posix()
        return Outcome("saved", reason, {**record, "path": relative}, saved=(key, relative))


METADATA_LINE = re.compile(
    r"索\s*引\s*号|发布机构|发布单位|成文日期|发布日期|发布时间|文\s*号|主题分类|来源[:：]|浏览次数"
)


def body_key(text: str) -> str:
    """A report page's text without its metadata lines: the same report pushed into two columns has
    two URLs and may have two 索引号, but one body."""
    return fold("\n".join(line for line in text.splitlines() if not METADATA_LINE.search(line)))


def _extension(url: str) -> str:
    name = showname(url) or urlsplit(url).path
    match = re.search(r"(\.[A-Za-z0-9]{2,5})$", name)
    return match.group(1).lower() if match else ""


def _file_extension(name: str, kind: str) -> str:
    """The name's own extension when the bytes agree with it (.wps for an OLE file), else the type's."""
    own = _extension(name)
    ole = {".doc", ".wps", ".xls", ".et"}
    if own and (EXTENSION_OF_TYPE.get(kind) == own or (kind in {"doc", "xls", "wps", "et"} and own in ole)):
        return own
    return EXTENSION_OF_TYPE.get(kind, own or ".bin")


JUDGE_PDF_PAGES = 4


def _pdf_text(data: bytes) -> str:
    """The first pages' text: enough for the section headings, without rebuilding any table."""
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages[:JUDGE_PDF_PAGES])


def _text_of(extension: str, data: bytes) -> tuple[str | None, str]:
    """The text of a document for judging it, or why it could not be read."""
    if extension == ".pdf":
        try:
            text = _pdf_text(data)
        except Exception as exc:  # an unreadable PDF is judged by its name
            return None, f"the PDF could not be read ({exc})"
        return (text, "") if text.strip() else (None, "the PDF has no text layer (a scan?)")
    if extension not in READERS:
        return None, f"xxgk cannot read {extension} files"
    try:
        return read_document(f"document{extension}", data).plain_text(), ""
    except Exception as exc:  # any reader failure only means the file is judged by its name
        return None, f"the file could not be read ({getattr(exc, 'reason', exc)})"


def _folder(row: Row) -> str:
    agency = str(row.spec.context.get("agency", "")).strip()
    name = agency or host_key(row.spec.url).replace(":", "_")
    return safe_file_name(name, "")


def write_document(directory: Path, name: str, data: bytes) -> Path:
    """Write a document under a free name; a file already there with the same bytes is the one wanted
    (a restart after a kill between saving and recording)."""
    directory.mkdir(parents=True, exist_ok=True)
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    candidate = directory / name
    number = 2
    digest = hashlib.sha256(data).hexdigest()
    while candidate.exists():
        if hashlib.sha256(candidate.read_bytes()).hexdigest() == digest:
            return candidate
        candidate = directory / (f"{stem}_{number}.{extension}" if dot else f"{stem}_{number}")
        number += 1
    tmp = candidate.with_name(f".{candidate.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, candidate)
    return candidate
