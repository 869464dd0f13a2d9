"""Review database benchmark: how long a reviewer's change takes (idle, while an ingest publishes, with
several reviewers at once), what the overlay costs the queries, and the password hash.

    python benchmarks/review_bench.py [--agencies 120] [--warehouse DIR] [--corrections 0 100 1000]

Builds a warehouse of generated reports (示例数据) unless --warehouse names an existing one (a copy of its
review database is used, the original is left alone). Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import duckdb

from warehouse import dashboard_queries as dq
from warehouse.db import connect
from warehouse.export import export_table
from warehouse.filters import ReportFilter
from warehouse.publish import publish, require_current
from warehouse.review import overlay, store
from warehouse.review.ledger import FactKey, add_correction, load_snapshot, set_status
from warehouse.review.users import SCRYPT_N, hash_password, matches
from xxgk.ingest import ingest
from xxgk.samples import generate_corpus

CODES = ("req.received", "req.total", "req.granted", "req.carried_out")
BREAKDOWNS = ("natural_person", "commercial", "total", "")


def _build(directory: Path, agencies: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        docs = generate_corpus(Path(tmp) / "corpus", n_agencies=agencies)
        started = time.perf_counter()
        summary = ingest([Path(tmp) / "corpus"], directory, jobs=os.cpu_count() or 1)
        took = time.perf_counter() - started
        print(
            f"built a warehouse of {summary.count('loaded')} reports from {len(docs)} files in {took:.0f} s"
        )


def _facts(directory: Path, n: int) -> list[FactKey]:
    con = connect(require_current(directory), read_only=True)
    try:
        rows = con.execute(
            """SELECT f.report_id, f.metric_code, f.breakdown
               FROM facts AS f JOIN reports AS r USING (report_id)
               WHERE r.is_current AND f.value IS NOT NULL
               ORDER BY hash(f.report_id, f.metric_code, f.breakdown) LIMIT ?""",
            [n],
        ).fetchall()
    finally:
        con.close()
    return [FactKey(*row) for row in rows]


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    median = statistics.median(ordered)
    return f"median {median * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, max {ordered[-1] * 1000:.1f} ms"


def _timed(action: Callable[[], object], repeat: int) -> list[float]:
    found = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        found.append(time.perf_counter() - started)
    return found


def writes(directory: Path, keys: list[FactKey]) -> None:
    key = keys[0]
    counter = iter(range(10**9))

    def one() -> None:
        add_correction(
            directory, key, Decimal(next(counter)), kind="extraction", reason="bench", user="bench"
        )

    print(f"correction (idle): {_ms(_timed(one, 50))}")
    status = _timed(lambda: set_status(directory, key.report_id, "approved", "", "bench"), 50)
    print(f"review status (idle): {_ms(status)}")
    publishing = threading.Event()
    done = threading.Event()

    def slow(con: duckdb.DuckDBPyConnection) -> None:
        publishing.set()
        done.wait(60)

    writer = threading.Thread(target=lambda: publish(directory, slow))
    writer.start()
    publishing.wait(60)
    during = _timed(one, 50)
    done.set()
    writer.join()
    print(f"correction while an ingest holds the writer lock: {_ms(during)}")


def _reviewer(directory: str, keys: list[tuple[str, str, str]], who: str, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    times = []
    for i, key in enumerate(keys):
        started = time.perf_counter()
        add_correction(Path(directory), FactKey(*key), Decimal(i), kind="extraction", reason=who, user=who)
        times.append(time.perf_counter() - started)
    out.put(times)


def concurrent(directory: Path, keys: list[FactKey], reviewers: int, each: int) -> None:
    context = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue = context.Queue()  # type: ignore[type-arg]
    chunks = [keys[i * each : (i + 1) * each] for i in range(reviewers)]
    processes = [
        context.Process(
            target=_reviewer, args=(str(directory), [tuple(k.__dict__.values()) for k in c], f"r{i}", queue)
        )
        for i, c in enumerate(chunks)
    ]
    started = time.perf_counter()
    for process in processes:
        process.start()
    samples = [t for _ in processes for t in queue.get(timeout=600)]
    for process in processes:
        process.join()
    took = time.perf_counter() - started
    kept = sum(1 for c in load_snapshot(directory).active() if c.reason.startswith("r"))
    print(
        f"{reviewers} reviewers × {each} corrections at once: {_ms(samples)}; {kept} of {reviewers * each} "
        f"kept; {took:.1f} s wall including process start"
    )


def queries(directory: Path, label: str) -> None:
    snapshot = load_snapshot(directory)
    con = connect(require_current(directory), read_only=True)
    report = _facts(directory, 1)[0].report_id
    prepared = _timed(lambda: overlay.prepare(con.cursor(), snapshot), 5)
    relations = overlay.prepare(con.cursor(), snapshot)  # as the dashboard caches it per version and revision

    def run(read: Callable[[duckdb.DuckDBPyConnection], object]) -> list[float]:
        def once() -> None:
            cursor = con.cursor()
            overlay.register(cursor, relations)
            read(cursor)
            cursor.close()

        once()
        return _timed(once, 7)

    flt = ReportFilter()
    by_year = run(lambda c: dq.metric_by_year(c, flt, CODES, BREAKDOWNS))
    series = run(lambda c: dq.series_by_year(c, flt, ("requests.received", "requests.handled")))
    facts = run(lambda c: dq.report_facts(c, report))
    reports = run(lambda c: dq.reports(c, flt))
    con.close()
    export = _timed(lambda: export_table(directory, "facts", "parquet", directory / "bench.parquet"), 3)
    active = len(snapshot.active())
    print(f"[{label}: {active} active corrections, {len(snapshot.statuses)} statuses]")
    print(f"  prepare the overlay (once per version and revision): {_ms(prepared)}")
    print(f"  metric_by_year (whole warehouse): {_ms(by_year)}")
    print(f"  series_by_year: {_ms(series)}")
    print(f"  report_facts (one report): {_ms(facts)}")
    print(f"  reports (with review status): {_ms(reports)}")
    print(f"  export facts → parquet: {_ms(export)}")
    revision = _timed(lambda: store.revision(directory), 200)
    loading = _timed(lambda: load_snapshot(directory), 20)
    print(f"  revision read: {_ms(revision)}; snapshot load: {_ms(loading)}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--agencies", type=int, default=120)
    parser.add_argument("--warehouse", type=Path)
    parser.add_argument("--corrections", type=int, nargs="+", default=[0, 100, 1000])
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f} (2-core machine shared with other jobs)")
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "data"
        if args.warehouse:
            shutil.copytree(
                args.warehouse, directory, ignore=shutil.ignore_patterns("uploads", "parts", "derived")
            )
            (directory / store.FILE).unlink(missing_ok=True)
        else:
            _build(directory, args.agencies)
        keys = _facts(directory, max(args.corrections) + 400)
        made = 0
        for wanted in args.corrections:
            for key in keys[made:wanted]:
                add_correction(directory, key, Decimal(7), kind="extraction", reason="bench", user="bench")
            made = max(made, wanted)
            queries(directory, f"{wanted} corrections")
        writes(directory, keys)
        concurrent(directory, keys[made : made + 400], reviewers=4, each=100)
    started = time.perf_counter()
    secret = hash_password("correct horse battery")
    hashed = time.perf_counter() - started
    checks = _timed(lambda: matches("wrong horse battery", secret), 5)
    print(f"scrypt (n={SCRYPT_N}, r=8, p=1): hash {hashed * 1000:.0f} ms; verify {_ms(checks)}")
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
