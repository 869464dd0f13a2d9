"""The ingest use case: find inputs, parse what changed (in parallel), publish one new warehouse version.

Every input ends as loaded, unchanged, rejected or error; one bad file never stops the batch and never
touches what is already loaded. Identical bytes are recognised by their SHA-256 and change nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from etl.errors import XxgkError
from etl.pipeline import content_hash, parse_bytes
from etl.readers import READERS
from etl.records import ParsedReport
from warehouse.db import connect
from warehouse.load import (
    Batch,
    IngestError,
    LoadedFile,
    WarehouseState,
    apply_batch,
    empty_state,
    read_state,
)
from warehouse.publish import current_version, publish

Status = Literal["loaded", "replaced", "unchanged", "rejected", "error"]
DOCUMENT_SUFFIXES = frozenset(
    {".pdf", ".doc", ".docx", ".wps", ".rtf", ".xls", ".xlsx", ".odt", ".et", ".mht"}
)


@dataclass(frozen=True)
class Outcome:
    path: str
    status: Status
    reason: str = ""
    report: ParsedReport | None = None


@dataclass(frozen=True)
class Failure:
    kind: Literal["rejected", "error"]
    reason: str


@dataclass
class IngestSummary:
    outcomes: list[Outcome] = field(default_factory=list)
    ignored: Counter[str] = field(default_factory=Counter)
    version: Path | None = None
    published: bool = False
    seconds: float = 0.0

    def count(self, status: Status) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status in ("rejected", "error")]


def discover(paths: Iterable[Path]) -> tuple[list[Path], Counter[str]]:
    """Input files in a stable order: files as given, folders walked for report-like files."""
    found: list[Path] = []
    ignored: Counter[str] = Counter()
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if any(part.startswith(".") for part in child.relative_to(path).parts):
                    continue
                suffix = child.suffix.lower()
                if suffix in READERS or suffix in DOCUMENT_SUFFIXES:
                    found.append(child)
                else:
                    ignored[suffix or "(none)"] += 1
        else:
            found.append(path)
    return list(dict.fromkeys(p.resolve() for p in found)), ignored


def parse_one(path: str, data: bytes) -> ParsedReport | Failure:
    """Parse in a worker: every exception becomes a one-line failure, never a crash of the batch."""
    try:
        return parse_bytes(path, data)
    except XxgkError as exc:
        return Failure("rejected" if exc.kind == "rejected" else "error", exc.reason)
    except Exception as exc:
        return Failure("error", f"internal error while parsing ({type(exc).__name__}: {exc})")


def _read_state(directory: Path) -> WarehouseState:
    version = current_version(directory)
    if version is None:
        return empty_state()
    con = connect(version, read_only=True)
    try:
        return read_state(con)
    finally:
        con.close()


@dataclass
class _Plan:
    """Files that need parsing, and outcomes already known from their hashes."""

    to_parse: list[tuple[str, bytes]] = field(default_factory=list)
    known: list[Outcome] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    errors: list[IngestError] = field(default_factory=list)


def _plan(files: Sequence[Path], state: WarehouseState) -> _Plan:
    plan = _Plan()
    for file in files:
        path = str(file)
        try:
            data = file.read_bytes()
        except OSError as exc:
            reason = f"cannot read file ({exc.strerror or exc})"
            plan.known.append(Outcome(path, "error", reason))
            plan.errors.append(IngestError(path, None, "error", reason))
            continue
        digest = content_hash(data)
        if state.sources.get(path) == digest:
            plan.known.append(Outcome(path, "unchanged"))
        elif digest in state.report_ids:
            plan.sources[path] = digest
            plan.known.append(Outcome(path, "unchanged", "same content as an already loaded file"))
        else:
            plan.to_parse.append((path, data))
    return plan


def _parse_all(
    items: list[tuple[str, bytes]], jobs: int, progress: Callable[[str], None]
) -> Iterator[tuple[str, str, int, ParsedReport | Failure]]:
    if jobs <= 1 or len(items) < 4:
        for path, data in items:
            result = parse_one(path, data)
            progress(path)
            yield path, content_hash(data), len(data), result
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures: list[tuple[str, str, int, Future[ParsedReport | Failure]]] = [
            (path, content_hash(data), len(data), pool.submit(parse_one, path, data)) for path, data in items
        ]
        for path, digest, size, future in futures:
            result = future.result()
            progress(path)
            yield path, digest, size, result


def _outcome(path: str, digest: str, result: ParsedReport | Failure, state: WarehouseState) -> Outcome:
    if isinstance(result, Failure):
        return Outcome(path, result.kind, result.reason)
    status: Status = "replaced" if path in state.sources else "loaded"
    return Outcome(path, status, report=result)


def _unchanged_error(error: IngestError, state: WarehouseState) -> bool:
    return state.errors.get(error.path) == (error.content_hash, error.kind, error.reason)


def ingest(
    paths: Sequence[Path],
    directory: Path,
    *,
    jobs: int = 1,
    progress: Callable[[str], None] = lambda _: None,
    on_start: Callable[[int], None] = lambda _: None,
) -> IngestSummary:
    started = datetime.now(UTC)
    files, ignored = discover(paths)
    state = _read_state(directory)
    plan = _plan(files, state)
    on_start(len(plan.to_parse))
    summary = IngestSummary(outcomes=list(plan.known), ignored=ignored)
    batch = Batch(at=started.replace(tzinfo=None), sources=dict(plan.sources))
    batch.errors += [e for e in plan.errors if not _unchanged_error(e, state)]
    seen_hashes: set[str] = set()
    for path, digest, size, result in _parse_all(plan.to_parse, jobs, progress):
        outcome = _outcome(path, digest, result, state)
        summary.outcomes.append(outcome)
        _add_to_batch(
            batch,
            outcome,
            LoadedFile(outcome.report, path, size) if outcome.report else None,
            digest,
            seen_hashes,
            state,
        )
    finished = datetime.now(UTC)
    summary.seconds = (finished - started).total_seconds()
    summary.version = current_version(directory)
    if not batch.empty:
        batch.run = _run_row(summary, started, finished)
        summary.version, _ = publish(directory, lambda con: apply_batch(con, batch))
        summary.published = True
    return summary


def _add_to_batch(
    batch: Batch,
    outcome: Outcome,
    loaded: LoadedFile | None,
    digest: str,
    seen: set[str],
    state: WarehouseState,
) -> None:
    path = outcome.path
    if loaded is None:
        error = IngestError(path, digest, outcome.status, outcome.reason)
        if not _unchanged_error(error, state):
            batch.errors.append(error)
        return
    batch.sources[path] = digest
    if path in state.errors:
        batch.cleared_errors.add(path)
    if digest not in seen:
        seen.add(digest)
        batch.new_reports.append(loaded)


def _run_row(summary: IngestSummary, started: datetime, finished: datetime) -> tuple[object, ...]:
    return (
        started.replace(tzinfo=None),
        finished.replace(tzinfo=None),
        len(summary.outcomes),
        summary.count("loaded"),
        summary.count("replaced"),
        summary.count("unchanged"),
        summary.count("rejected"),
        summary.count("error"),
    )
