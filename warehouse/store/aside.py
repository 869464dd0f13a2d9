"""Work on a second cursor of the run's DuckDB instance, in a thread, beside what the first cursor does.

DuckDB releases the GIL while it runs a statement, so on a second core a read or write that the next
statements do not need goes on beside them (docs/scale.md §5, one file, eighth and tenth passes). The
tables the work reads must be tables of the instance's in-memory database, not temporary ones (those are
the first cursor's own), finished before it starts and left alone until it is waited for.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, TypeVar

from warehouse.engine import duckdb

Connection = duckdb.DuckDBPyConnection
T = TypeVar("T")


class Aside(Generic[T]):
    """`work(cursor)` started on a new cursor of `con`'s instance, in a thread."""

    def __init__(self, con: Connection, work: Callable[[Connection], T]) -> None:
        self.cursor = con.cursor()
        self.pool = ThreadPoolExecutor(max_workers=1)
        self.future = self.pool.submit(work, self.cursor)

    def wait(self) -> None:
        """Wait for `work` (whatever happened meanwhile: the caller may close the instance next)."""
        self.pool.shutdown(wait=True)
        self.cursor.close()

    def result(self) -> T:
        """What `work` returned; raises what it raised."""
        return self.future.result()


def side_by_side(con: Connection, beside: Callable[[Connection], T], here: Callable[[], object]) -> T:
    """`beside` on a second cursor while `here` runs on this thread; what `beside` returned. Both are
    always finished when this returns or raises (a failure of `here` is raised first)."""
    aside = Aside(con, beside)
    try:
        here()
    finally:
        aside.wait()
    return aside.result()


def shared(
    con: Connection,
    jobs: Sequence[Callable[[Connection], T]],
    prepare: Callable[[Connection], object] | None = None,
    finish: Callable[[Connection], object] | None = None,
) -> list[T]:
    """Run `jobs` on two cursors, `con` on this thread and a second one in a thread (set up by `prepare`,
    and given to `finish` after its last job, unless a job failed), each taking the next job not started;
    their results in the order of `jobs`. Both are finished when this returns or raises (the first
    failure; the jobs not started by then are dropped)."""
    results: list[T | None] = [None] * len(jobs)
    taken = [0]
    failed = [False]
    lock = threading.Lock()

    def take(cursor: Connection) -> None:
        while True:
            with lock:
                if failed[0] or taken[0] >= len(jobs):
                    return
                index = taken[0]
                taken[0] += 1
            try:
                results[index] = jobs[index](cursor)
            except BaseException:
                failed[0] = True
                raise

    def beside(cursor: Connection) -> None:
        if prepare is not None:
            prepare(cursor)
        take(cursor)
        if finish is not None and not failed[0]:
            finish(cursor)

    side_by_side(con, beside, lambda: take(con))
    return results  # type: ignore[return-value]
