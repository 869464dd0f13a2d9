"""The ingest use case: find inputs, parse what changed (in parallel), publish one new warehouse version.

Every input ends as loaded, unchanged, rejected or error; one bad file never stops the batch and never
touches what is already loaded. Identical bytes are recognised by their SHA-256 and change nothing.
Parsed reports are written into the new version in chunks, so memory stays flat on large batches.
"""

from __future__ import annotations

import hashlib
import shutil
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from etl.agencies import read_aliases
from etl.collect.manifest import evidence_for
from etl.errors import XxgkError
from etl.pipeline import parse_bytes
from etl.places import read_overrides
from etl.readers import READERS
from etl.records import ParsedReport
from warehouse.load import Batch, IngestError, LoadedFile, WarehouseState, is_recorded
from warehouse.publish import current_version, publish
from warehouse.store.state import lookup_state
from warehouse.store.writer import StoreRun

if TYPE_CHECKING:
    from xxgk.cluster import Extracted

Status = Literal["loaded", "replaced", "unchanged", "rejected", "error"]
DOCUMENT_SUFFIXES = frozenset(
    {".pdf", ".doc", ".docx", ".wps", ".rtf", ".xls", ".xlsx", ".odt", ".et", ".mht"}
)
CHUNK = 200


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


@dataclass(frozen=True)
class Parsed:
    """What a worker returns for one file: its hash and size, and a report or a failure."""

    path: str
    digest: str
    size: int
    result: ParsedReport | Failure


@dataclass
class IngestSummary:
    outcomes: list[Outcome] = field(default_factory=list)
    ignored: Counter[str] = field(default_factory=Counter)
    templates: Counter[str] = field(default_factory=Counter)
    with_warnings: int = 0
    failing_checks: int = 0
    version: Path | None = None
    published: bool = False
    seconds: float = 0.0

    def count(self, status: Status) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status in ("rejected", "error")]

    def add(self, outcome: Outcome) -> None:
        """Record an outcome, keeping only counts of a loaded report's contents."""
        report = outcome.report
        if report is not None:
            self.templates[report.template] += 1
            self.with_warnings += bool(report.warnings)
            self.failing_checks += any(c.status == "fail" for c in report.checks)
        self.outcomes.append(Outcome(outcome.path, outcome.status, outcome.reason))


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


def parse_one(path: str) -> Parsed:
    """Read and parse one file in a worker: every exception becomes a one-line failure."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return Parsed(path, "", 0, Failure("error", f"cannot read file ({exc.strerror or exc})"))
    digest = hashlib.sha256(data).hexdigest()
    try:
        return Parsed(path, digest, len(data), parse_bytes(path, data, evidence_for(path)))
    except XxgkError as exc:
        return Parsed(
            path, digest, len(data), Failure("rejected" if exc.kind == "rejected" else "error", exc.reason)
        )
    except Exception as exc:  # a bug on one file must not stop the batch
        reason = f"internal error while parsing ({type(exc).__name__}: {exc})"
        return Parsed(path, digest, len(data), Failure("error", reason))


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _hashes(files: Sequence[Path]) -> dict[Path, str | OSError]:
    found: dict[Path, str | OSError] = {}
    for file in files:
        try:
            found[file] = _file_hash(file)
        except OSError as exc:
            found[file] = exc
    return found


@dataclass
class _Plan:
    """Files that need parsing, and outcomes already known from their hashes."""

    to_parse: list[str] = field(default_factory=list)
    known: list[Outcome] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    errors: list[IngestError] = field(default_factory=list)


def _plan(hashes: dict[Path, str | OSError], state: WarehouseState) -> _Plan:
    plan = _Plan()
    for file, digest in hashes.items():
        path = str(file)
        if isinstance(digest, OSError):
            reason = f"cannot read file ({digest.strerror or digest})"
            plan.known.append(Outcome(path, "error", reason))
            plan.errors.append(IngestError(path, None, "error", reason))
            continue
        previous_error = state.errors.get(path)
        if state.sources.get(path) == digest:
            plan.known.append(Outcome(path, "unchanged"))
        elif digest in state.report_ids:
            plan.sources[path] = digest
            plan.known.append(Outcome(path, "unchanged", "same content as an already loaded file"))
        elif previous_error is not None and previous_error[0] == digest and path not in state.sources:
            plan.known.append(Outcome(path, previous_error[1], previous_error[2]))  # type: ignore[arg-type]
        else:
            plan.to_parse.append(path)
    return plan


def _parse_all(paths: list[str], jobs: int) -> Iterator[Parsed]:
    """Parsed files in input order; at most a few dozen results wait in memory at any time."""
    if jobs <= 1 or len(paths) < 4:
        yield from map(parse_one, paths)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        todo = iter(paths)
        pending: deque[Future[Parsed]] = deque(pool.submit(parse_one, p) for p in islice(todo, jobs * 16))
        while pending:
            done = pending.popleft().result()
            following = next(todo, None)
            if following is not None:
                pending.append(pool.submit(parse_one, following))
            yield done


def _chunks(items: Iterable[Parsed], size: int) -> Iterator[list[Parsed]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class _Loader:
    """Streams parsed files into the version being built and collects what goes into the batch."""

    def __init__(
        self,
        summary: IngestSummary,
        batch: Batch,
        state: WarehouseState,
        hashes: dict[str, str] | None = None,
    ) -> None:
        self.summary, self.batch, self.state = summary, batch, state
        self.seen: set[str] = set()
        self.hashes = hashes or {}

    def load(self, run: StoreRun, parsed: Iterable[Parsed], progress: Callable[[str], None]) -> None:
        for chunk in _chunks(parsed, CHUNK):
            new = [item for item in map(self._take, chunk) if item is not None]
            run.add(new, self.batch.at)
            for item in chunk:
                progress(item.path)

    def load_on_cluster(
        self, run: StoreRun, paths: list[str], cluster: tuple[str, int], progress: Callable[[str], None]
    ) -> None:
        """Extract on a Dask cluster (xxgk/cluster.py): workers write the parts, only outcomes come back.
        Files with the same bytes are extracted once."""
        from xxgk.cluster import Extracted, run_on_cluster

        first: dict[str, str] = {}
        for path in paths:
            first.setdefault(self.hashes[path], path)
        twins = {p: first[self.hashes[p]] for p in paths if first[self.hashes[p]] != p}
        by_path: dict[str, Extracted] = {}

        def taken(item: Extracted) -> None:
            by_path[item.path] = item

        parts = run_on_cluster(
            *cluster, run.directory, run.run_id, list(first.values()), self.batch.at, taken
        )
        for path in paths:
            item = by_path[twins.get(path, path)]
            self._take_extracted(Extracted(path, *[getattr(item, f) for f in EXTRACTED_TAIL]))
            progress(path)
        run.parts.parts.extend(parts)

    def _take_extracted(self, item: Extracted) -> None:
        if item.failure is not None:
            kind, reason = item.failure
            self._take(Parsed(item.path, item.digest, item.size, Failure(kind, reason)))  # type: ignore[arg-type]
            return
        status: Status = "replaced" if item.path in self.state.sources else "loaded"
        self.summary.add(Outcome(item.path, status))
        self.summary.templates[item.template or ""] += 1
        self.summary.with_warnings += item.warnings
        self.summary.failing_checks += item.failing
        self.batch.sources[item.path] = item.digest
        if item.path in self.state.errors:
            self.batch.cleared_errors.add(item.path)

    def _take(self, item: Parsed) -> LoadedFile | None:
        if isinstance(item.result, Failure):
            self.summary.add(Outcome(item.path, item.result.kind, item.result.reason))
            error = IngestError(item.path, item.digest or None, item.result.kind, item.result.reason)
            if not is_recorded(self.state, error):
                self.batch.errors.append(error)
            return None
        status: Status = "replaced" if item.path in self.state.sources else "loaded"
        self.summary.add(Outcome(item.path, status, report=item.result))
        self.batch.sources[item.path] = item.digest
        if item.path in self.state.errors:
            self.batch.cleared_errors.add(item.path)
        if item.digest in self.seen:
            return None
        self.seen.add(item.digest)
        return LoadedFile(item.result, item.path, item.size)


EXTRACTED_TAIL = ("digest", "size", "failure", "template", "warnings", "failing")

OVERRIDES_FILE = "places_overrides.csv"
ALIASES_FILE = "agency_aliases.csv"


@dataclass(frozen=True)
class PlaceInputs:
    """The user's files that settle places and agency names (README: places and agencies)."""

    overrides: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)


def place_inputs(
    directory: Path, overrides_file: Path | None = None, aliases_file: Path | None = None
) -> PlaceInputs:
    """Read the overrides and aliases files: the given ones (saved into the warehouse directory so later
    runs keep them), else the ones already there. Raises ValueError on a bad row."""
    found: list[dict[str, str]] = []
    for given, name, reader in (
        (overrides_file, OVERRIDES_FILE, read_overrides),
        (aliases_file, ALIASES_FILE, read_aliases),
    ):
        kept = directory / name
        if given is not None:
            table = reader(given)
            directory.mkdir(parents=True, exist_ok=True)
            if given.resolve() != kept.resolve():
                shutil.copyfile(given, kept)
            found.append(table)
        else:
            found.append(reader(kept) if kept.exists() else {})
    return PlaceInputs(found[0], found[1])


def ingest(
    paths: Sequence[Path],
    directory: Path,
    *,
    jobs: int = 1,
    progress: Callable[[str], None] = lambda _: None,
    on_start: Callable[[int], None] = lambda _: None,
    inputs: PlaceInputs | None = None,
    cluster: str | None = None,
) -> IngestSummary:
    """`cluster` ('local' or a Dask scheduler address) runs the extract step there (xxgk/cluster.py)."""
    started = datetime.now(UTC)
    inputs = inputs or place_inputs(directory)
    files, ignored = discover(paths)
    hashes = _hashes(files)
    digests = [d for d in hashes.values() if isinstance(d, str)]
    state = lookup_state(current_version(directory), [str(f) for f in files], digests)
    plan = _plan(hashes, state)
    on_start(len(plan.to_parse))
    summary = IngestSummary(ignored=ignored)
    for outcome in plan.known:
        summary.add(outcome)
    batch = Batch(
        at=started.replace(tzinfo=None),
        sources=dict(plan.sources),
        overrides=inputs.overrides,
        aliases=inputs.aliases,
    )
    batch.refresh = state.place_inputs != batch.place_inputs and state.loaded
    batch.errors += [e for e in plan.errors if not is_recorded(state, e)]
    summary.version = current_version(directory)
    if plan.to_parse or not batch.empty:
        loader = _Loader(summary, batch, state, {str(f): d for f, d in hashes.items() if isinstance(d, str)})

        def build(run: StoreRun) -> None:
            if cluster is not None:
                loader.load_on_cluster(run, plan.to_parse, (cluster, jobs), progress)
            else:
                loader.load(run, _parse_all(plan.to_parse, jobs), progress)
            run.finish(batch, _run_row(summary, started, datetime.now(UTC)))

        summary.version, _ = publish(directory, build)
        summary.published = True
    summary.seconds = (datetime.now(UTC) - started).total_seconds()
    return summary


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


def rebuild(directory: Path) -> Path:
    """Publish a version whose derived data (places, agencies, current versions, cross-report checks) is
    computed again for every agency from the stored reports; the reports themselves are not re-read."""
    inputs = place_inputs(directory)
    batch = Batch(
        at=datetime.now(UTC).replace(tzinfo=None), overrides=inputs.overrides, aliases=inputs.aliases
    )
    version, _ = publish(directory, lambda run: run.finish(batch, None, full=True))
    return version
