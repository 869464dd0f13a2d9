"""Parsing one input file, as a worker process does it: every outcome is a report or a one-line failure.

Kept apart from xxgk/ingest.py so that a worker imports the parsers and nothing of the warehouse.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from etl.errors import XxgkError
from etl.limits import open_input, read_input
from etl.ocr.progress import on_page, page_read
from etl.records import ParsedReport
from xxgk.workers import Limits, Pool, allow, fork_early, guess, in_worker, tell

if TYPE_CHECKING:
    from warehouse.packed import PackedRows
    from warehouse.rows import ReportRows


@dataclass(frozen=True)
class Failure:
    kind: Literal["rejected", "error"]
    reason: str
    detail: str = ""
    """The traceback of an internal error (a bug), for `--verbose` and the log; empty otherwise."""


@dataclass(frozen=True)
class Parsed:
    """What a worker returns for one file: its hash and size, and a report (as its warehouse rows when
    the job asked for them) or a failure."""

    path: str
    digest: str
    size: int
    result: ParsedReport | ReportRows | PackedRows | Failure


@dataclass(frozen=True)
class Job:
    """A file to parse, with the hash the plan saw (kept when the worker fails without reading it)."""

    path: str
    digest: str = ""
    rows: bool = False
    """Return the report as the rows it adds to the warehouse (warehouse/rows.py): what an ingest
    inserts, built here in the worker and a fraction of the report's size to send back."""
    packed: bool = False
    """With `rows`: the rows packed (warehouse/packed.py), for a bulk ingest, whose driver stages them as
    Arrow without a Python object per value."""


def parse_one(job: Job) -> Parsed:
    """Read and parse one file: an `XxgkError` becomes its one-line reason, any other exception (a bug)
    an internal error with its traceback kept. Running out of memory is left to the worker."""
    from etl.collect.manifest import evidence_for  # imported in the worker, not by `xxgk parse` itself
    from etl.pipeline import parse_bytes

    try:
        data = read_input(job.path)
    except XxgkError as exc:
        return Parsed(job.path, job.digest, 0, Failure("error", exc.reason))
    digest = hashlib.sha256(data).hexdigest()
    try:
        report = parse_bytes(job.path, data, evidence_for(job.path), digest=digest)
        if job.rows and job.packed:
            from warehouse.packed import pack_report  # a bulk ingest's worker only

            return Parsed(job.path, digest, len(data), pack_report(report, job.path, len(data)))
        if job.rows:
            from warehouse.rows import report_rows  # an ingest's worker only

            return Parsed(job.path, digest, len(data), report_rows(report, job.path, len(data)))
        return Parsed(job.path, digest, len(data), report)
    except XxgkError as exc:
        kind: Literal["rejected", "error"] = "rejected" if exc.kind == "rejected" else "error"
        return Parsed(job.path, digest, len(data), Failure(kind, exc.reason))
    except MemoryError:
        raise
    except Exception as exc:  # a bug on one file must not stop the batch
        import traceback  # a bug's traceback: not imported by every worker (about 2 ms with textwrap)

        reason = f"internal error while parsing ({type(exc).__name__}: {_first_line(exc)})"
        return Parsed(job.path, digest, len(data), Failure("error", reason, traceback.format_exc()))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else ""


OCR_PAGE = "ocr_page"
OCR_WALL_PER_CPU = 2.0
"""Wall-clock seconds a scan may take per CPU second of its OCR budget (a busy machine)."""
PRELOADED = ("etl.pipeline", "etl.collect.manifest", "xxgk.parsing:warm_up", "xxgk.parsing:collect_less")
"""Imported (or, as `module:function`, called) by each worker before it says it is ready, so that no
file's time limit pays for them, and so that an early worker (`fork_worker_early`) has done this while
the command was busy with its own start-up rather than when the first file comes."""


def warm_up() -> None:
    """What every parse loads on first use and would otherwise load when the first file comes: the
    administrative divisions (every report's place is resolved against them, ~25 ms of CPU). An early
    ingest worker waits idle for its first file for ~0.3 s (the command imports its CLI, reads the
    warehouse and opens its part writer meanwhile), so this is off the one-file ingest's critical path
    (docs/scale.md §5, one file). A reader is not warmed: importing the HTML reader (~14 ms) would be
    wasted on `xxgk parse` of a text file."""
    from etl.places import divisions

    divisions()


COLLECT_EVERY = 10_000
"""Container objects a worker's garbage collector lets pile up (allocations less deallocations) before a
young collection; CPython's default is 700."""


def collect_less() -> None:
    """The last thing a worker does before it says it is ready: everything it holds now (the parsers'
    modules, the divisions, the patterns) set aside from the garbage collector for good (`gc.freeze`), and
    a young collection only every `COLLECT_EVERY` objects. A parse frees nearly all it builds by
    reference counts, but its memos grow between collections, so CPython's collector ran ≈ 0.5 young and
    ≈ 0.05 old collections a report, each old one over the whole heap: ≈ 0.1 ms of a report's CPU
    (docs/scale.md §2, issue12wk). Cycles are still collected, ten thousand objects late at most."""
    import gc

    gc.freeze()
    gc.set_threshold(COLLECT_EVERY, *gc.get_threshold()[1:])


def ocr_allowance(pages: int) -> float:
    """The wall-clock seconds a scan of `pages` pages may take from the start of its OCR, and again from
    each page read: twice its OCR budget (etl/readers/ocr.py: 30 CPU s a page, at least 120 s), so 60 s a
    page and at least 240 s. A scan that keeps reading pages is not cut short by --timeout; one page that
    hangs is."""
    from etl.readers.ocr import budget_seconds  # already imported: OCR is running

    return OCR_WALL_PER_CPU * budget_seconds(pages)


def _relay_ocr_page(name: str, page: int, pages: int, seconds: float) -> None:
    """In a worker: when a scan starts (page 0) and after each page, ask for the time the scan allows
    from now, and pass every page on to the caller's progress display."""
    if not in_worker():
        return
    allow(ocr_allowance(pages))
    tell((OCR_PAGE, name, page, pages, seconds))


on_page(_relay_ocr_page)


def _shown(note: object) -> None:
    """In the caller: a page a worker read by OCR, told to this process's listeners (xxgk/ocr_progress)."""
    if isinstance(note, tuple) and len(note) == 5 and note[0] == OCR_PAGE:
        page_read(*note[1:])


def fork_worker_early() -> None:
    """`xxgk parse`'s worker, forked before the command imports its CLI (xxgk/launch.py); the pool of
    `parsing_pool(fork=True)` takes it when the limits allow (--memory-limit left at its default)."""
    fork_early(parse_one, Limits(), PRELOADED)


GUESSED_SUFFIXES = frozenset({".html", ".htm", ".shtml", ".xhtml", ".txt", ".text", ".docx"})
"""The files `guess_first` hands to the early worker: read without OCR or a conversion, so a wrong guess
(a file the warehouse already holds) costs the worker tens of milliseconds, not minutes."""
GUESSED_BYTES = 4 << 20
"""Nor a larger one: the command hashes the file before it goes on (≈ 2 ms a MB), and hashes it again
when it plans the run."""


def file_hash(path: str | Path) -> str:
    """The SHA-256 of a file's bytes, read as an input is (`open_input`: a regular file within the size
    limit, else an `XxgkError`)."""
    digest = hashlib.sha256()
    with open_input(path) as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def guess_first(path: str) -> None:
    """`xxgk ingest PATH …` (xxgk/launch.py): hand the job an ingest would give its first file to the
    worker forked early, as the ingest will build it (`Job(resolved path, hash, rows=True)`), so that the
    file is parsed while the command imports its CLI, hashes its inputs and reads the warehouse; the
    ingest's pool takes the result when its first job is that one (`workers.guess`). Nothing is guessed
    for a file the worker would read by OCR or convert, a large one, or one that cannot be read."""
    file = Path(path)
    if file.suffix.lower() not in GUESSED_SUFFIXES:
        return
    try:
        if file.stat().st_size > GUESSED_BYTES:
            return
        resolved = file.resolve()
        job = Job(str(resolved), file_hash(resolved), rows=True)
    except (XxgkError, OSError, RuntimeError):  # RuntimeError: a symbolic link loop
        return
    guess(job)


def parsing_pool(*, workers: int = 1, limits: Limits | None = None, fork: bool = False) -> Pool[Job, Parsed]:
    """Workers for `parse_isolated(..., pool=)`, started now: they load the parsers while the caller goes
    on with its own imports (`xxgk parse`). The caller closes the pool (`run` also does). `fork`: workers
    forked from this process (xxgk/workers.py), for a caller that holds no lock."""
    pool = _pool(workers, limits, fork)
    pool.start()
    return pool


def _pool(workers: int, limits: Limits | None, fork: bool = False) -> Pool[Job, Parsed]:
    return Pool(parse_one, workers, limits or Limits(), on_note=_shown, preload=PRELOADED, fork=fork)


def parse_isolated(
    jobs: Iterable[Job],
    *,
    workers: int = 1,
    limits: Limits | None = None,
    pool: Pool[Job, Parsed] | None = None,
) -> Iterator[Parsed]:
    """Each job parsed in a worker process within `limits`, in input order; a worker that overruns its
    time or memory, or dies, gives its file an error with the reason. Pages read by OCR in a worker are
    told to this process's OCR progress listeners. `pool`: workers already started (`parsing_pool`)."""
    if pool is None:
        pool = _pool(workers, limits)
    for job, result in pool.run(jobs):
        if result.value is not None:
            yield result.value
        else:
            yield Parsed(job.path, job.digest, 0, Failure("error", result.failure))
