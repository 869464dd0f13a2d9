"""The import use case of the browser workbench: stage uploaded files (and ZIP archives), collect 年报
column URLs, ingest everything through `xxgk.ingest.ingest` (the same parsing, workers and publishing
as the command line), and say what became of each file.

An import runs in a thread of the dashboard's server and reports its progress through an `ImportJob`
that any session can read; it never touches Streamlit itself.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from etl.collect import CollectSettings, ProgressEvent, Seed, collect
from etl.collect.settings import check_url
from warehouse import queries
from warehouse.db import open_version
from warehouse.publish import current_version
from xxgk.ingest import IngestSummary, ingest
from xxgk.uploads import Staging, UploadLimits, stage_uploads

UPLOADS = "uploads"
COLLECTED = "collected"
INGEST_JOBS = 2
"""Parser processes: parsing happens outside the dashboard's server process (see xxgk.ingest)."""
MAX_URLS = 50
KEPT_JOBS = 20

Phase = Literal["staging", "collecting", "parsing", "publishing", "done", "failed"]
FileStatus = Literal["loaded", "replaced", "unchanged", "rejected", "error", "refused"]


@dataclass(frozen=True)
class FileResult:
    shown: str
    status: FileStatus
    reason: str = ""
    report_id: str | None = None
    agency: str | None = None
    year: int | None = None
    note: str = ""
    """`superseded` (another version of the agency and year is current) or `replaces N` (it is the
    current version and N other versions are kept as superseded)."""


@dataclass(frozen=True)
class JobView:
    """A job as a page shows it: a frozen copy taken under the job's lock."""

    id: str
    user: str
    started: str
    phase: Phase
    done: int
    total: int | None
    current: str
    results: tuple[FileResult, ...]
    message: str
    ignored: tuple[tuple[str, int], ...]

    @property
    def finished(self) -> bool:
        return self.phase in ("done", "failed")

    def count(self, status: FileStatus) -> int:
        return sum(r.status == status for r in self.results)


@dataclass
class ImportJob:
    user: str
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    started: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"))
    phase: Phase = "staging"
    done: int = 0
    total: int | None = None
    current: str = ""
    results: list[FileResult] = field(default_factory=list)
    message: str = ""
    ignored: dict[str, int] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def view(self) -> JobView:
        with self.lock:
            return JobView(
                self.id,
                self.user,
                self.started,
                self.phase,
                self.done,
                self.total,
                self.current,
                tuple(self.results),
                self.message,
                tuple(sorted(self.ignored.items())),
            )

    def update(self, **changes: object) -> None:
        with self.lock:
            for name, value in changes.items():
                setattr(self, name, value)

    def advance(self, current: str) -> None:
        with self.lock:
            self.done += 1
            self.current = current


@dataclass(frozen=True)
class ImportRequest:
    uploads: tuple[tuple[str, bytes], ...] = ()
    urls: tuple[str, ...] = ()
    limits: UploadLimits = field(default_factory=UploadLimits)
    collect_settings: CollectSettings | None = None


def parse_urls(text: str) -> tuple[list[str], list[str]]:
    """URLs one per line (blank lines and `#` comments skipped): (good ones, one-line problems)."""
    good: list[str] = []
    problems: list[str] = []
    for line in text.splitlines():
        url = line.strip()
        if not url or url.startswith("#"):
            continue
        try:
            check_url(url)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        good.append(url)
    if len(good) > MAX_URLS:
        problems.append(f"{len(good)} URLs: at most {MAX_URLS} in one import")
        good = good[:MAX_URLS]
    return list(dict.fromkeys(good)), problems


# --- running --------------------------------------------------------------------------------------


def run_import(job: ImportJob, directory: Path, request: ImportRequest) -> None:
    """Do the whole import, recording progress and results in `job`; never raises."""
    try:
        staging = stage_uploads(request.uploads, directory / UPLOADS, request.limits)
        job.update(ignored=dict(staging.ignored))
        shown = {str(item.path.resolve()): item.shown for item in staging.files}
        collected: list[FileResult] = []
        paths = [Path(p) for p in shown]
        if request.urls:
            collected = _collect(job, directory, request, shown)
            paths.append(directory / UPLOADS / COLLECTED)  # also what an earlier, stopped run saved
        job.update(phase="parsing", done=0, total=None)
        summary = _ingest(job, directory, paths)
        results = _results(directory, summary, shown, staging) + collected
        job.update(phase="done", results=results, current="", message=_message(summary))
    except Exception as exc:  # the page must say what went wrong, not lose it in a thread
        job.update(phase="failed", message=f"{type(exc).__name__}: {exc}".splitlines()[0][:300])


def _collect(
    job: ImportJob, directory: Path, request: ImportRequest, shown: dict[str, str]
) -> list[FileResult]:
    job.update(phase="collecting", done=0, total=None)
    out = directory / UPLOADS / COLLECTED

    def progress(event: ProgressEvent) -> None:
        job.update(done=event.done, total=event.done + event.pending, current=event.url)

    summary = collect(
        [Seed(url) for url in request.urls],
        out,
        request.collect_settings,
        progress=progress,
        should_stop=job.stop.is_set,
    )
    for path in summary.saved:
        shown[str(path.resolve())] = f"{path.relative_to(out)}"
    return [FileResult(url, "error", f"{status}: {reason}") for url, status, reason in summary.problems]


def _ingest(job: ImportJob, directory: Path, paths: list[Path]) -> IngestSummary | None:
    if not paths:
        return None

    def started(total: int) -> None:
        job.update(total=total)

    def parsed(path: str) -> None:
        job.advance(shown_name(path))
        view = job.view()
        if view.total is not None and view.done >= view.total:
            job.update(phase="publishing")

    return ingest(paths, directory, jobs=INGEST_JOBS, progress=parsed, on_start=started)


def shown_name(path: str) -> str:
    return Path(path).name


def _message(summary: IngestSummary | None) -> str:
    if summary is None or not summary.published:
        return ""
    return summary.version.name if summary.version else ""


def _results(
    directory: Path, summary: IngestSummary | None, shown: dict[str, str], staging: Staging
) -> list[FileResult]:
    results = [FileResult(r.shown, "refused", r.reason) for r in staging.refused]
    if summary is None:
        return results
    found: list[FileResult] = []
    for outcome in summary.outcomes:
        name = shown.get(str(Path(outcome.path).resolve()))
        if name is None and outcome.status == "unchanged":
            continue  # collected by an earlier import and loaded then
        name = name or Path(outcome.path).name
        report_id = _hash(outcome.path) if outcome.status in ("loaded", "replaced", "unchanged") else None
        found.append(FileResult(name, outcome.status, outcome.reason, report_id))
    return _with_reports(directory, found) + results


def _hash(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _with_reports(directory: Path, results: list[FileResult]) -> list[FileResult]:
    """Each loaded file's agency and year, and whether it is now the current version of its agency-year."""
    version = current_version(directory)
    ids = [r.report_id for r in results if r.report_id]
    if version is None or not ids:
        return results
    con = open_version(version)
    try:
        rows = con.execute(queries.sql("import_reports"), {"report_ids": ids}).fetchall()
    finally:
        con.close()
    known = {row[0]: row for row in rows}
    updated: list[FileResult] = []
    for result in results:
        row = known.get(result.report_id or "")
        if row is None:
            updated.append(result)
            continue
        _, agency, year, _, is_current, others = row
        note = "superseded" if not is_current else (f"replaces {others}" if others else "")
        updated.append(replace(result, agency=agency, year=year, note=note))
    return updated


# --- the jobs of this server process ----------------------------------------------------------------

_JOBS: dict[str, ImportJob] = {}
_JOBS_LOCK = threading.Lock()


def start_import(directory: Path, request: ImportRequest, user: str) -> ImportJob:
    """Run an import in a background thread; its progress is read with `job(id).view()`."""
    job = ImportJob(user=user)
    with _JOBS_LOCK:
        _JOBS[job.id] = job
        for old in list(_JOBS)[:-KEPT_JOBS]:
            if _JOBS[old].view().finished:
                del _JOBS[old]
    thread = threading.Thread(target=run_import, args=(job, directory, request), name=f"import-{job.id}")
    thread.daemon = True
    thread.start()
    return job


def job(job_id: str) -> ImportJob | None:
    with _JOBS_LOCK:
        return _JOBS.get(job_id)


def running_jobs() -> list[JobView]:
    with _JOBS_LOCK:
        jobs = list(_JOBS.values())
    return [view for view in (j.view() for j in jobs) if not view.finished]
