"""The collector: `collect(seeds, out_dir, settings, progress=callback) -> CollectSummary`.

One loop takes the next request whose host may be asked again (per-host delay, Retry-After, backoff),
fetches it politely, keeps the response, and processes it by kind: a seed page (a list, an article or a
file), a further list page, an article, a file. It saves documents and never parses statistics.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from etl.collect.fetch import Fetched, Fetcher, Request, host_key
from etl.collect.frontier import Frontier, Row, Spec
from etl.collect.manifest import manifest_rows, write_manifest
from etl.collect.process import Outcome, Processor
from etl.collect.settings import CollectSettings, Seed

MANIFEST_EVERY = 25


@dataclass(frozen=True)
class ProgressEvent:
    """Sent after every request: how far the run is, and what just happened."""

    done: int
    pending: int
    saved: int
    url: str
    status: str
    message: str = ""


@dataclass
class SiteSummary:
    host: str
    pages: int = 0
    reports: int = 0
    duplicates: int = 0
    not_reports: int = 0
    blocked: int = 0
    failed: int = 0
    robots_disallowed: int = 0
    requests: int = 0


@dataclass
class CollectSummary:
    out_dir: Path
    manifest: Path
    run: int
    resumed: bool
    sites: dict[str, SiteSummary] = field(default_factory=dict)
    saved: list[Path] = field(default_factory=list)
    problems: list[tuple[str, str, str]] = field(default_factory=list)
    """(url, status, reason) of what was blocked or failed in this run."""
    requests: int = 0
    not_modified: int = 0
    seconds: float = 0.0
    stopped: bool = False
    """The run was asked to stop early; the next call goes on where it stopped."""

    @property
    def exit_code(self) -> int:
        return 1 if any(status in ("blocked", "failed") for _, status, _ in self.problems) else 0

    def total(self, name: str) -> int:
        return sum(int(getattr(site, name)) for site in self.sites.values())


ProgressCallback = Callable[[ProgressEvent], None]


class Scheduler:
    """Pending requests by host, in the order they were met; the next one is the first whose host may be
    asked again soonest."""

    def __init__(self, fetcher: Fetcher) -> None:
        self.fetcher = fetcher
        self.by_host: dict[str, dict[int, float]] = {}

    def add(self, request_id: int, url: str, not_before: float = 0.0) -> None:
        self.by_host.setdefault(host_key(url), {})[request_id] = not_before

    def remove(self, request_id: int, url: str) -> None:
        queue = self.by_host.get(host_key(url), {})
        queue.pop(request_id, None)
        if not queue:
            self.by_host.pop(host_key(url), None)

    def __len__(self) -> int:
        return sum(len(q) for q in self.by_host.values())

    def next(self, sleep: Callable[[float], None]) -> int | None:
        best: tuple[float, int] | None = None
        now_wall, now_mono = time.time(), time.monotonic()
        for host, queue in self.by_host.items():
            host_wait = (
                max(0.0, self.fetcher.hosts[host].next_at - now_mono) if host in self.fetcher.hosts else 0.0
            )
            request_id, not_before = min(queue.items(), key=lambda item: (item[1], item[0]))
            wait = max(host_wait, not_before - now_wall)
            if best is None or wait < best[0]:
                best = (wait, request_id)
        if best is None:
            return None
        if best[0] > 0:
            sleep(best[0])
        return best[1]


def collect(
    seeds: Sequence[Seed],
    out_dir: Path,
    settings: CollectSettings | None = None,
    progress: ProgressCallback | None = None,
    *,
    should_stop: Callable[[], bool] = lambda: False,
) -> CollectSummary:
    """Collect the annual reports reachable from `seeds` into `out_dir` (see docs/collect.md).

    Safe to call again with the same `out_dir`: an unfinished run goes on, a finished one is followed by
    a run that asks only for what may be new. Callable from any thread; progress goes to `progress`.
    """
    settings = settings or CollectSettings()
    started = time.monotonic()
    out_dir.mkdir(parents=True, exist_ok=True)
    frontier = Frontier(out_dir)
    run = frontier.start_run()
    fetcher = Fetcher(settings, robots_store=frontier.robots, robots_save=frontier.save_robots)
    summary = CollectSummary(out_dir, out_dir / "manifest.csv", run, frontier.resumed)
    try:
        _Run(frontier, fetcher, settings, out_dir, progress, should_stop).go(seeds, summary)
        if not summary.stopped:
            frontier.finish_run()
        _summarise(frontier, fetcher, summary)
        summary.manifest = write_manifest(out_dir, manifest_rows(frontier.records()))
    finally:
        fetcher.close()
        frontier.close()
    summary.seconds = time.monotonic() - started
    return summary


class _Run:
    def __init__(
        self,
        frontier: Frontier,
        fetcher: Fetcher,
        settings: CollectSettings,
        out_dir: Path,
        progress: ProgressCallback | None,
        should_stop: Callable[[], bool],
    ) -> None:
        self.frontier, self.fetcher, self.settings = frontier, fetcher, settings
        self.progress, self.should_stop = progress, should_stop
        self.scheduler = Scheduler(fetcher)
        self.processor = Processor(frontier, settings, out_dir)
        self.done = 0
        self.saved = 0

    def go(self, seeds: Sequence[Seed], summary: CollectSummary) -> None:
        for seed in seeds:
            context = {
                "seed_url": seed.url,
                "agency": seed.agency,
                "place_code": seed.place_code,
                "page_no": 1,
            }
            self.frontier.add(Spec(seed.url, "page", context))
        for row in self.frontier.pending():
            self.scheduler.add(row.id, row.spec.url, row.not_before)
        while len(self.scheduler):
            if self.should_stop():
                summary.stopped = True
                return
            request_id = self.scheduler.next(self.fetcher.sleep)
            if request_id is None:
                return
            self.step(self.frontier.get(request_id))

    def step(self, row: Row) -> None:
        fetched = self._fetch(row)
        outcome = self._outcome(row, fetched)
        if outcome.retry_in is not None:
            self.frontier.retry_later(row.id, outcome.retry_in, outcome.reason)
            self.scheduler.add(row.id, row.spec.url, time.time() + outcome.retry_in)
        else:
            queued = self.frontier.finish(
                row.id, outcome.status, outcome.reason, outcome.record, outcome.found, outcome.saved
            )
            self.scheduler.remove(row.id, row.spec.url)
            for request_id in queued:
                queued_row = self.frontier.get(request_id)
                self.scheduler.add(request_id, queued_row.spec.url, queued_row.not_before)
            self.done += 1
            self.saved += outcome.status == "saved"
            if self.done % MANIFEST_EVERY == 0:
                write_manifest(self.processor.out_dir, manifest_rows(self.frontier.records()))
        if self.progress is not None:
            self.progress(
                ProgressEvent(
                    self.done, len(self.scheduler), self.saved, row.spec.url, outcome.status, outcome.reason
                )
            )

    def _fetch(self, row: Row) -> Fetched:
        """The response to process: one kept from this run (a restart after a kill), else a new fetch."""
        if row.fetched_run == self.frontier.run and row.http_status is not None and row.http_status < 400:
            body = self.frontier.read_body(row.id)
            if body is not None:
                return Fetched(
                    "ok", row.spec.url, row.final_url, row.http_status, row.headers, row.disposition, body
                )
        conditional = (
            row.fetched_run is not None
            and row.spec.method == "GET"
            and self.frontier.body_path(row.id).exists()
        )
        request = Request(
            row.spec.url,
            method=row.spec.method,
            form=row.spec.form,
            referer=str(row.spec.context.get("referer", "")),
            etag=row.etag if conditional else "",
            last_modified=row.last_modified if conditional else "",
        )
        fetched = self.fetcher.fetch(request)
        if fetched.kind in ("ok", "blocked") and fetched.status:
            keep = None if fetched.status == 304 else fetched.body
            self.frontier.record_response(
                row.id,
                status=fetched.status,
                final_url=fetched.final_url,
                headers=fetched.headers,
                disposition=fetched.disposition,
                body=keep,
            )
            if fetched.status == 304:
                fetched = replace(fetched, body=self.frontier.read_body(row.id) or b"")
        return fetched

    def _outcome(self, row: Row, fetched: Fetched) -> Outcome:
        if fetched.kind == "failed" and fetched.retryable and row.attempts < self.settings.retries:
            wait = (
                fetched.retry_after
                if fetched.retry_after is not None
                else self.settings.backoff * 2**row.attempts
            )
            if wait <= self.settings.max_retry_after:
                return Outcome("retry", f"{fetched.reason}: retrying in {wait:g} s", retry_in=wait)
            return self.processor.problem(
                row, fetched, "failed", f"{fetched.reason} with Retry-After {wait:g} s, longer than the limit"
            )
        return self.processor.process(
            row, fetched, earlier_run=row.fetched_run is not None and row.fetched_run < self.frontier.run
        )


def _summarise(frontier: Frontier, fetcher: Fetcher, summary: CollectSummary) -> None:
    counters = {
        "saved": "reports",
        "duplicate": "duplicates",
        "not_a_report": "not_reports",
        "blocked": "blocked",
        "failed": "failed",
        "robots_disallowed": "robots_disallowed",
    }
    query = "SELECT url, kind, status, reason, record FROM requests WHERE run = ? AND state = 'done'"
    for url, kind, status, reason, record in frontier.db.execute(query, (frontier.run,)):
        host = host_key(url)
        site = summary.sites.setdefault(host, SiteSummary(host))
        if kind in ("page", "list") and status in ("listed", "end", "unchanged"):
            site.pages += 1
        if status in counters:
            setattr(site, counters[status], getattr(site, counters[status]) + 1)
        if status in ("blocked", "failed"):
            summary.problems.append((url, status, reason or ""))
        if status == "saved":
            path = json.loads(record or "{}").get("path")
            if path:
                summary.saved.append(summary.out_dir / path)
    for host, count in fetcher.counters.per_host.items():
        summary.sites.setdefault(host, SiteSummary(host)).requests = count
    summary.requests = fetcher.counters.requests
    summary.not_modified = fetcher.counters.not_modified
