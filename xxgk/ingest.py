"""The ingest use case: find inputs, parse what changed (in worker processes), publish one new version.

Every input ends as loaded, unchanged, rejected or error; one bad file never stops the batch and never
touches what is already loaded. Identical bytes are recognised by their SHA-256 and change nothing.
Parsed reports are written into the new version in chunks, so memory stays flat on large batches.
The writer lock is taken before the warehouse is read, so a second ingest into the same directory waits
for the first and then parses only what the first did not load. Each file is parsed in a worker with a
time and memory limit (xxgk/workers.py); folders are walked without following a symbolic link into a
folder already walked, and special files (FIFOs, devices) are never opened.
"""

from __future__ import annotations

import contextlib
import errno
import os
import queue
import stat
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Generic, Literal, TypeVar, overload

from etl.agencies import read_aliases
from etl.errors import XxgkError, depends_on_the_installation
from etl.limits import file_kind
from etl.places import read_overrides
from etl.readers import READERS
from etl.records import ParsedReport
from warehouse.db import open_version
from warehouse.load import Batch, IngestError, Sources, WarehouseState, is_recorded
from warehouse.publish import current_version, publish, publish_locked, writer_lock
from warehouse.store import session, stages
from warehouse.store.stages import stage
from warehouse.store.state import lookup_state
from warehouse.store.strings import StringRows
from warehouse.store.writer import StoreRun
from xxgk.parsing import Failure, Job, Parsed, file_hash, parse_isolated, parsing_pool
from xxgk.workers import Limits, is_resource_failure

if TYPE_CHECKING:
    from warehouse.engine import duckdb
    from warehouse.packed import PackedRows
    from warehouse.rows import ReportRows
    from xxgk.cluster import Extracted

Status = Literal["loaded", "replaced", "unchanged", "rejected", "error"]
DOCUMENT_SUFFIXES = frozenset(
    {".pdf", ".doc", ".docx", ".wps", ".rtf", ".xls", ".xlsx", ".odt", ".et", ".mht"}
)
CHUNK = 200


@dataclass(frozen=True, slots=True)
class Outcome:
    path: str
    status: Status
    reason: str = ""
    report: ParsedReport | None = None
    detail: str = ""
    """The traceback of an internal error (shown with `xxgk ingest --verbose`, kept in the log)."""


class Outcomes(Sequence[Outcome]):
    """A run's outcomes in order, their paths and statuses held packed (warehouse/store/strings.py: a
    bulk run keeps one for each of its files); reasons and tracebacks, which few have, kept aside."""

    def __init__(self) -> None:
        self._rows = StringRows(2)
        self._explained: dict[int, tuple[str, str]] = {}
        """Index → (reason, traceback) of the outcomes that have either."""

    def append(self, outcome: Outcome) -> None:
        if outcome.reason or outcome.detail:
            self._explained[len(self._rows)] = (outcome.reason, outcome.detail)
        self._rows.append((outcome.path, outcome.status))

    def statuses(self) -> Iterator[Status]:
        return (status for _, status in self._rows)  # type: ignore[misc]  # appended as a Status

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[Outcome]:
        for index, (path, status) in enumerate(self._rows):
            reason, detail = self._explained.get(index, ("", ""))
            yield Outcome(path, status, reason, detail=detail)  # type: ignore[arg-type]  # a Status

    @overload
    def __getitem__(self, index: int) -> Outcome: ...

    @overload
    def __getitem__(self, index: slice) -> list[Outcome]: ...

    def __getitem__(self, index: int | slice) -> Outcome | list[Outcome]:
        return list(self)[index]

    def __repr__(self) -> str:
        return f"Outcomes({list(self)!r})"


@dataclass
class IngestSummary:
    outcomes: Outcomes | list[Outcome] = field(default_factory=Outcomes)
    ignored: Counter[str] = field(default_factory=Counter)
    templates: Counter[str] = field(default_factory=Counter)
    with_warnings: int = 0
    failing_checks: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """Entries of the folders walked that were not read, and why (a symbolic link loop, a FIFO)."""
    version: Path | None = None
    published: bool = False
    seconds: float = 0.0
    log: Path | None = None
    """Where the tracebacks of internal errors of this run were written."""

    def count(self, status: Status) -> int:
        outcomes = self.outcomes
        statuses = outcomes.statuses() if isinstance(outcomes, Outcomes) else (o.status for o in outcomes)
        return sum(s == status for s in statuses)

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
        self.outcomes.append(Outcome(outcome.path, outcome.status, outcome.reason, detail=outcome.detail))


@dataclass
class Found:
    """What the walk of the inputs found: files to read, other files counted by suffix, entries skipped."""

    files: list[Path] = field(default_factory=list)
    ignored: Counter[str] = field(default_factory=Counter)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    resolved: dict[Path, Path] = field(default_factory=dict, repr=False)
    """Files found by the walk under folders reached without a symbolic link: their resolved path, known
    without `Path.resolve` (a `lstat` of every component of the path, about 40 µs a file). Emptied when
    `discover` returns: `files` holds the resolved paths, and a run should not keep a second path of
    every file (≈ 0.3 KB a file) while it parses and derives."""


def discover(paths: Iterable[Path]) -> Found:
    """Input files in a stable order: files as given, folders walked for report-like files."""
    found = Found()
    for path in paths:
        if path.is_dir():
            files: list[Path] = []
            _walk(path, files, found)
            found.files += sorted(files)
        else:
            found.files.append(path)
    known = found.resolved
    found.files = list(dict.fromkeys(known.get(p) or p.resolve() for p in found.files))
    known.clear()
    return found


def _walk(root: Path, files: list[Path], found: Found) -> None:
    """Every file under `root` (hidden entries left out), following symbolic links but never into a
    folder already walked; loops, broken links and special files are named in `found.skipped`. A folder
    reached without a symbolic link from a root that is its own real path (`_real`) has its real path
    known, and so have its files (`found.resolved`)."""
    walked: set[tuple[int, int]] = set()
    folders: list[tuple[Path, str | None]] = [(root, _real(root))]
    while folders:
        folder, real = folders.pop()
        try:
            info = folder.stat()
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            found.skipped.append((str(folder), _unreadable(exc)))
            continue
        if (info.st_dev, info.st_ino) in walked:
            found.skipped.append((str(folder), "symbolic link loop: a folder already walked"))
            continue
        walked.add((info.st_dev, info.st_ino))
        for entry in entries:
            if not entry.name.startswith("."):
                inside = os.path.join(real, entry.name) if real is not None and _plain(entry) else None
                _visit(Path(entry.path), folders, files, found, inside)


def _real(folder: Path) -> str | None:
    """The real path of `folder` when no symbolic link leads to it (its absolute path is its real path),
    else None."""
    real = os.path.realpath(folder)
    return real if real == os.path.abspath(folder) else None


def _plain(entry: os.DirEntry[str]) -> bool:
    """The entry is not a symbolic link (told by the directory listing; an error counts as one)."""
    try:
        return not entry.is_symlink()
    except OSError:
        return False


def _visit(
    path: Path, folders: list[tuple[Path, str | None]], files: list[Path], found: Found, real: str | None
) -> None:
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        found.skipped.append((str(path), _unreadable(exc)))
        return
    if stat.S_ISDIR(mode):
        folders.append((path, real))
    elif not stat.S_ISREG(mode):
        found.skipped.append((str(path), f"{file_kind(mode)}: not read"))
    elif path.suffix.lower() in READERS or path.suffix.lower() in DOCUMENT_SUFFIXES:
        files.append(path)
        if real is not None:
            found.resolved[path] = Path(real)
    else:
        found.ignored[path.suffix.lower() or "(none)"] += 1


def _unreadable(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    if exc.errno == errno.ENOENT:
        return "broken symbolic link"
    return f"cannot read ({exc.strerror or exc})"


Digest = str | XxgkError | OSError


def _digest_or_none(path: str) -> str | None:
    """The file's SHA-256, None when it cannot be read."""
    try:
        return file_hash(path)
    except (XxgkError, OSError):
        return None


def _hashes(files: Sequence[Path]) -> dict[Path, Digest]:
    """Each file's SHA-256, or why it cannot be read (a special file, over the size limit, an OS error)."""
    found: dict[Path, Digest] = {}
    for file in files:
        try:
            found[file] = file_hash(file)
        except (XxgkError, OSError) as exc:
            found[file] = exc
    return found


@dataclass
class _Plan:
    """Files that need parsing, and outcomes already known from their hashes."""

    to_parse: list[Job] = field(default_factory=list)
    known: list[Outcome] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    errors: list[IngestError] = field(default_factory=list)


def _plan(hashes: dict[Path, Digest], state: WarehouseState) -> _Plan:
    plan = _Plan()
    bulk = len(hashes) > CHUNK  # rows packed for a run of several chunks (warehouse/packed.py)
    for file, digest in hashes.items():
        path = str(file)
        if not isinstance(digest, str):
            reason = _unhashed(digest)
            plan.known.append(Outcome(path, "error", reason))
            plan.errors.append(IngestError(path, None, "error", reason))
            continue
        previous_error = state.errors.get(path)
        if state.sources.get(path) == digest:
            plan.known.append(Outcome(path, "unchanged"))
        elif digest in state.report_ids:
            plan.sources[path] = digest
            plan.known.append(Outcome(path, "unchanged", "same content as an already loaded file"))
        elif _known_failure(previous_error, digest) and path not in state.sources:
            assert previous_error is not None
            plan.known.append(Outcome(path, previous_error[1], previous_error[2]))  # type: ignore[arg-type]
        else:
            plan.to_parse.append(Job(path, digest, rows=True, packed=bulk))
    return plan


def _first_plan(files: Sequence[Path]) -> _Plan:
    """Every file parsed, none hashed first: the plan of a bulk run (more than CHUNK files) into an empty
    warehouse, where no path, content or failure is known (`_plan` of an empty state sends every hashed
    file to the workers, and a worker hashes the bytes it reads). Hashing 100k files first took ≈ 13 s
    of one core before the workers started (docs/scale.md §5, the full build's driver). A file that
    cannot be read fails in its worker with the reason the hash gave it (both open it with
    `open_input`). A smaller run hashes first: its first job may have been guessed, with its hash
    (`parsing.guess_first`)."""
    return _Plan(to_parse=[Job(str(file), "", rows=True, packed=True) for file in files])


def _cluster_hashes(hashes: dict[Path, Digest], cluster: str | None) -> dict[str, str]:
    """Each path's hash, for a run on a cluster (which extracts files of the same bytes once); none
    otherwise, where the jobs carry them."""
    if cluster is None:
        return {}
    return {str(f): d for f, d in hashes.items() if isinstance(d, str)}


def _unhashed(exc: XxgkError | OSError) -> str:
    if isinstance(exc, XxgkError):
        return exc.reason
    return f"cannot read file ({exc.strerror or exc})"


def _known_failure(previous: tuple[str | None, str, str] | None, digest: str) -> bool:
    """The same bytes failed before for a reason of their own: not a time or memory limit of that run,
    nor OCR missing or out of time (`depends_on_the_installation`), which are tried again."""
    return (
        previous is not None
        and previous[0] == digest
        and not is_resource_failure(previous[2])
        and not depends_on_the_installation(previous[2])
    )


PREFETCH = 1024
"""Parsed files a drawing thread may hold ahead of the inserts (`prefetched`): ≈ 20 MB of results. With
256 the thread waited 3.9–11.2 s of a quiet 100k build's parse phase for room while the inserts caught
up, handing the workers nothing; with 1024 it never waited (docs/scale.md §5, the lead's check of
2026-12-05)."""
T = TypeVar("T")


def prefetched(items: Iterable[T], size: int = PREFETCH) -> Generator[T]:
    """`items`, drawn by a thread ahead of the caller (at most `size` waiting). The parse workers are
    handed their next file as soon as they finish one, also while the caller inserts a chunk: parsing
    and loading overlap instead of taking turns. An exception of `items` is raised here; when the
    caller stops early, the thread stops at the next item and closes `items` (the worker pool)."""
    drawer = _Drawer(items, size)
    try:
        yield from drawer.taken()
    finally:
        drawer.stop()


class _Drawer(Generic[T]):
    """The thread of `prefetched`."""

    def __init__(self, items: Iterable[T], size: int) -> None:
        self.items, self.size = iter(items), size
        self.waiting: queue.Queue[tuple[bool, object]] = queue.Queue(size)
        self.full = 0.0
        """Seconds the thread waited for room in `waiting`, handing the workers nothing meanwhile
        (`XXGK_STAGES`: printed when it stops)."""
        self.drawn = 0.0
        """`time.monotonic()` when the last item was drawn (the last file parsed; `XXGK_STAGES`: printed
        when it stops, against the stages' own clock: what the run does after it is on one core)."""
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._draw, name="xxgk-parsed", daemon=True)
        self.thread.start()

    def taken(self) -> Iterator[T]:
        while True:
            more, value = self.waiting.get()
            if not more:
                if isinstance(value, BaseException):
                    raise value
                return
            yield value  # type: ignore[misc]

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=1.0)  # a parse in progress is not waited for: its worker dies with the pool
        if stages.enabled() and self.drawn:
            print(f"xxgk drawer: the last item drawn at {self.drawn:.4f} (time.monotonic)", file=sys.stderr)
        if stages.enabled() and self.full:
            print(
                f"xxgk drawer: waited {self.full:.3f} s for room among the {self.size} parsed files held",
                file=sys.stderr,
            )

    def _put(self, entry: tuple[bool, object]) -> bool:
        try:
            self.waiting.put_nowait(entry)
            return True
        except queue.Full:  # the inserts are behind: the workers are handed no file meanwhile
            began = time.perf_counter()
        try:
            while not self.stopped.is_set():
                try:
                    self.waiting.put(entry, timeout=0.1)
                    return True
                except queue.Full:
                    continue
            return False
        finally:
            self.full += time.perf_counter() - began

    def _draw(self) -> None:
        try:
            for item in self.items:
                if not self._put((True, item)):
                    break
            else:
                self.drawn = time.monotonic()
                self._put((False, None))
        except BaseException as exc:  # handed to the caller, raised there
            self._put((False, exc))
        finally:
            close = getattr(self.items, "close", None)
            if close is not None:
                close()


def default_jobs() -> int:
    """The parse workers of an ingest when `--jobs` is not given: one a CPU, at most 4."""
    return min(4, os.cpu_count() or 1)


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


@contextmanager
def beside_workers(con: duckdb.DuckDBPyConnection, workers: int) -> Iterator[None]:
    """DuckDB's threads (an instance-wide setting) lowered, while `workers` parse workers run, to the
    cores they leave, at least one; restored after. Its default is a thread a core: on two cores with two
    workers, its second thread only took CPU from the workers, and the driver spent ≈ 0.5 CPU s more per
    1,194 reports (docs/scale.md §2, the bulk ingest path, second pass). The derivation after the last
    file runs with the threads it had."""
    if workers <= 0:
        yield
        return
    threads = max(1, cores() - workers)
    current = int(con.execute("SELECT current_setting('threads')").fetchall()[0][0])
    if threads >= current:
        yield
        return
    con.execute(f"SET threads = {threads}")
    try:
        yield
    finally:
        con.execute(f"SET threads = {current}")


def handed_out(jobs: list[Job]) -> Iterator[Job]:
    """The jobs in order, each dropped from `jobs` (left empty) as it is handed out: the run keeps no
    file's job (its path and hash, ≈ 0.4 KB) once the file is parsed."""
    waiting = deque(jobs)
    jobs.clear()
    while waiting:
        yield waiting.popleft()


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

    def load(
        self, run: StoreRun, parsed: Iterable[Parsed], progress: Callable[[str], None], workers: int = 0
    ) -> None:
        """Insert the reports in chunks while `workers` parse workers go on parsing (`prefetched`), with
        DuckDB on the cores they leave (`beside_workers`)."""
        # none beside a run of one chunk: then the part writer's connection is not asked for before the
        # first file comes back (it is set up in a thread while the file is parsed: store/parts.py)
        with beside_workers(run.parts.con, workers) if workers > 0 else contextlib.nullcontext():
            for chunk in _chunks(prefetched(parsed), CHUNK):
                new = [item for item in map(self._take, chunk) if item is not None]
                run.add(new, self.batch.at)
                for item in chunk:
                    progress(item.path)
        self.seen = set()  # not kept through the derivation (≈ 4 MB at 100k reports)

    def load_on_cluster(
        self,
        run: StoreRun,
        paths: list[str],
        cluster: tuple[str, int, Limits],
        progress: Callable[[str], None],
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

        address, workers, limits = cluster
        parts = run_on_cluster(
            address, workers, run.directory, run.run_id, list(first.values()), self.batch.at, taken, limits
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

    def _take(self, item: Parsed) -> ReportRows | PackedRows | None:
        if isinstance(item.result, Failure):
            self.summary.add(
                Outcome(item.path, item.result.kind, item.result.reason, detail=item.result.detail)
            )
            digest = item.digest or _digest_or_none(item.path)  # a file not hashed first (`_first_plan`)
            error = IngestError(item.path, digest, item.result.kind, item.result.reason)
            if not is_recorded(self.state, error):
                self.batch.errors.append(error)
            return None
        rows = item.result
        if isinstance(rows, ParsedReport):  # a job that did not ask for rows
            from warehouse.rows import report_rows

            rows = report_rows(rows, item.path, item.size)
        status: Status = "replaced" if item.path in self.state.sources else "loaded"
        self.summary.add(Outcome(item.path, status))
        self.summary.templates[rows.template] += 1
        self.summary.with_warnings += rows.has_warnings
        self.summary.failing_checks += rows.failing
        self.batch.sources[item.path] = item.digest
        if item.path in self.state.errors:
            self.batch.cleared_errors.add(item.path)
        if item.digest in self.seen:
            return None
        self.seen.add(item.digest)
        return rows


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
                import shutil  # not on a usual ingest's start-up (its import: ≈ 2.4 ms of CPU)

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
    limits: Limits | None = None,
    waiting: Callable[[], None] = lambda: None,
    cluster: str | None = None,
) -> IngestSummary:
    """`cluster` ('local' or a Dask scheduler address) runs the extract step there (xxgk/cluster.py),
    each file still parsed within `limits`."""
    started = datetime.now(UTC)
    with stage("check schema"):
        opened = _begin_run(directory)
    try:
        with stage("find, hash"):
            inputs = inputs or place_inputs(directory)
            found = discover(paths)
            # into an empty warehouse nothing is known by its hash: a bulk run's workers hash what they read
            # (a run of one chunk hashes first: its first file's job may be a guess, `guess_first`)
            first = opened is None and cluster is None and len(found.files) > CHUNK
            hashes = None if first else _hashes(found.files)
        summary = IngestSummary(ignored=found.ignored, skipped=found.skipped)
        with writer_lock(directory, waiting):
            with stage("look up inputs"):
                state, hashes = _look_up(directory, found.files, hashes, opened)
            plan = _plan(hashes, state) if hashes is not None else _first_plan(found.files)
            if plan.to_parse:
                warm_places()  # needed by the derivation, loaded meanwhile
            # the plan holds what the run needs of the walk and the hashes: not kept while it parses
            hashed = _cluster_hashes(hashes or {}, cluster)
            del found, hashes
            on_start(len(plan.to_parse))
            for outcome in plan.known:
                summary.add(outcome)
            batch = Batch(
                at=started.replace(tzinfo=None),
                sources=Sources(plan.sources),
                overrides=inputs.overrides,
                aliases=inputs.aliases,
            )
            batch.refresh = state.place_inputs != batch.place_inputs and state.loaded
            batch.errors += [e for e in plan.errors if not is_recorded(state, e)]
            summary.version = current_version(directory)
            if plan.to_parse or not batch.empty:
                loader = _Loader(summary, batch, state, hashed)

                # started now, the workers load the parsers while the run opens the current version
                pool = None
                if cluster is None and plan.to_parse:
                    pool = parsing_pool(workers=min(jobs, len(plan.to_parse)), limits=limits)

                handed: list[bool] = []  # the pool was handed to the parse loop, which closes it

                def build(run: StoreRun) -> None:
                    if pool is None:
                        todo = [job.path for job in plan.to_parse]
                        if cluster is not None:
                            loader.load_on_cluster(run, todo, (cluster, jobs, limits or Limits()), progress)
                    else:
                        handed.append(True)
                        with stage("parse and insert"):
                            # a run of one chunk inserts once, after its last file: its threads are left
                            beside = pool.jobs if len(plan.to_parse) > CHUNK else 0
                            run.parts.expect(len(plan.to_parse))
                            parsed = parse_isolated(handed_out(plan.to_parse), pool=pool)
                            loader.load(run, parsed, progress, workers=beside)
                    run.finish(batch, _run_row(summary, started, datetime.now(UTC)))

                try:
                    summary.version, _ = publish_locked(directory, build)
                finally:
                    if pool is not None and not handed:  # the run failed before parsing
                        pool.close()
                summary.published = True
    finally:  # closed by the lookup when it used it
        if opened is not None:
            opened[1].close()
        session.end()
    summary.log = write_tracebacks(directory, summary, started)
    summary.seconds = (datetime.now(UTC) - started).total_seconds()
    stages.report()
    return summary


def warm_places() -> None:
    """Load the administrative divisions in a thread (~25 ms of CPU, Python's), which the derivation
    resolves the places of its reports against (`refresh_places`): the run's own thread spends the
    time until then mostly in DuckDB, which releases the GIL — writing the parts, the logs, the lookups
    of the derivation's first statements. Without it the first report's place loads them on the
    one-file ingest's critical path (docs/scale.md §5, one file, twelfth pass). Loaded once a process
    (`divisions` is cached); should the derivation ask before the thread is done, it loads them itself."""
    from etl.places import divisions

    if divisions.cache_info().currsize:
        return
    threading.Thread(target=divisions, name="xxgk-places", daemon=True).start()


def _look_up(
    directory: Path,
    files: list[Path],
    hashes: dict[Path, Digest] | None,
    opened: tuple[Path, duckdb.DuckDBPyConnection] | None,
) -> tuple[WarehouseState, dict[Path, Digest] | None]:
    """What the current version knows of the files (under the writer lock), and their hashes: taken now
    when they were not (`_first_plan`) but another writer published a version meanwhile."""
    version = current_version(directory)
    if hashes is None and version is not None:
        hashes = _hashes(files)
    con = opened[1] if opened is not None and opened[0] == version else None
    if opened is not None and con is None:  # another writer published meanwhile
        opened[1].close()
    digests = [d for d in (hashes or {}).values() if isinstance(d, str)]
    return lookup_state(version, [str(f) for f in files], digests, con), hashes


def _begin_run(directory: Path) -> tuple[Path, duckdb.DuckDBPyConnection] | None:
    """`_refuse_another_schema` within a session: one DuckDB instance for the whole run
    (warehouse/store/session.py), ended by `ingest` (or here, when the warehouse is refused)."""
    session.begin()
    try:
        return _refuse_another_schema(directory)
    except BaseException:
        session.end()
        raise


def _refuse_another_schema(directory: Path) -> tuple[Path, duckdb.DuckDBPyConnection] | None:
    """A warehouse of another schema version is refused before anything is written into its directory
    (the lock file included); it is checked again under the lock. The current version and its open
    connection, for the lookups under the lock when no other writer published meanwhile."""
    version = current_version(directory)
    if version is None:
        return None
    return version, open_version(version)


LOG_FILE = "ingest.log"


def write_tracebacks(directory: Path, summary: IngestSummary, started: datetime) -> Path | None:
    """Append the tracebacks of this run's internal errors to DIR/ingest.log; None when there were none."""
    internal = [o for o in summary.outcomes if o.detail]
    if not internal:
        return None
    log = directory / LOG_FILE
    with log.open("a", encoding="utf-8") as handle:
        for outcome in internal:
            handle.write(f"--- {started:%Y-%m-%d %H:%M:%S} UTC {outcome.path}: {outcome.reason}\n")
            handle.write(outcome.detail.rstrip("\n") + "\n")
    return log


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
