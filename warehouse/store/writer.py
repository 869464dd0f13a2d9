"""One ingest run against the store: parts written as reports arrive, then the touched buckets derived
again, segments compacted when due, and a new version file naming all of it."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, ExitStack, closing, nullcontext
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from warehouse import db
from warehouse.db import connect, open_version, quoted, stored_version, version_message
from warehouse.engine import duckdb
from warehouse.errors import SchemaMismatch, WarehouseError
from warehouse.load import Batch
from warehouse.packed import PackedRows
from warehouse.rows import ReportRows
from warehouse.store.catalog import Catalog, bucket_count, is_store_version, read_catalog, recall, remember
from warehouse.store.compact import Premerged, compact, due, merging_beside
from warehouse.store.derive import Inputs, derive
from warehouse.store.gc import read_versions
from warehouse.store.logs import fold_logs, logs_due, write_logs
from warehouse.store.memory import Fitted, fitted
from warehouse.store.parts import PartWriter
from warehouse.store.stages import stage
from warehouse.store.version import Begun, begin_patch, write_version


def spill_folder(directory: Path, run_id: str) -> Path:
    """Where a run's DuckDB spills beyond its memory limit. DuckDB makes this folder when it first spills,
    but not its parents: a first build has no `derived/` yet when its logs are sorted (at 1M reports they
    spill), so the run's folder is made here."""
    spill = directory / "derived" / run_id / "spill"
    spill.parent.mkdir(parents=True, exist_ok=True)
    return spill


def open_catalog(version: Path) -> tuple[Catalog, list[tuple[object, ...]]]:
    """The catalogue and run rows of a published version; refuses files of another schema version with
    the one message of warehouse/db.py, before reading anything else."""
    known = recall(version)
    if known is not None:  # read under this lock already, and of this schema version
        return known
    con = open_version(version)
    try:
        if not is_store_version(con):
            raise SchemaMismatch(version_message(version, stored_version(con) or ""))
        catalog, runs = read_catalog(con), [tuple(r) for r in con.execute("SELECT * FROM runs").fetchall()]
    finally:
        con.close()
    remember(version, catalog, runs)
    return catalog, runs


def _merged_after(con: duckdb.DuckDBPyConnection) -> Premerged | None:
    """Nothing merged beside the derivation: `compact` merges it all after."""
    return None


FITTED_FROM = 1_000
"""A run that parsed more reports than this (or builds everything, or merges segments) derives under
DuckDB's limit less what the process holds (`memory.fitted`); a smaller one under the configured limit:
what it derives is a handful of agencies' rows, tens of MB, and fitting costs its critical path ≈ 4–5 ms of
CPU (the heap trimmed, the process's size read, the limit set and set back: docs/scale.md §5, one file,
nineteenth pass)."""


class StoreRun:
    """What an ingest writes. Nothing is visible to readers until the version file is published; on
    failure `abort` removes every file the run wrote."""

    def __init__(self, directory: Path, previous: Path | None, target: Path | None = None) -> None:
        """`target`: where `write` will write the version (then begun beside the derivation)."""
        self.directory = directory
        self.target = target
        self.begun: Begun | None = None
        self.run_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{os.getpid()}"
        self.previous: Catalog | None = None
        self.previous_path = previous
        self.runs: list[tuple[object, ...]] = []
        if previous is not None:
            with stage("open catalogue"):
                self.previous, self.runs = open_catalog(previous)
        with stage("part writer"):
            self.parts = PartWriter(directory, self.run_id)
        self.catalog: Catalog | None = None

    def add(self, new: Sequence[ReportRows | PackedRows], at: datetime) -> None:
        with stage("insert reports"):
            self.parts.add(new, at)

    def finish(self, batch: Batch, run_row: tuple[object, ...] | None, *, full: bool = False) -> None:
        """Derive the touched agencies again and assemble the next catalogue."""
        with stage("write parts"):
            self.parts.flush(last=True)  # `release` next
        previous = self.previous or Catalog()
        written = Catalog(parts=tuple(self.parts.parts))
        full = full or self.previous is None or batch.refresh
        with stage("count reports"):
            stored = previous.n_reports if previous.n_reports is not None else self._reports(previous)
            parsed = sum(p.rows for p in written.parts if p.relation == "reports_parsed")
            n_buckets = bucket_count(stored + parsed, previous.n_buckets)
        full = full or n_buckets != previous.n_buckets
        known = replace(self.previous, n_reports=stored) if self.previous is not None else None
        seq = previous.run_seq + 1
        spill = spill_folder(self.directory, self.run_id)
        con = self.parts.release()  # one in-memory instance for the parts, deriving, the logs and compaction
        try:
            con.execute(f"SET temp_directory = {quoted(spill)}")  # beyond the memory limit, spill here
            segments = Catalog(parts=previous.parts + written.parts, dead=previous.dead)
            chosen = due(segments)
            merging = chosen is not None
            first_merge = chosen if full else None  # its streamed merges beside the derivation, on a thread
            # what the process holds is taken off DuckDB's limit; beside the merges, a limit of its own
            fitting: AbstractContextManager[Fitted] = nullcontext(Fitted(None))
            if full or merging or parsed > FITTED_FROM:
                fitting = fitted(con, db.MEMORY_LIMIT, beside=first_merge is not None)
            with fitting as fit:
                with stage("write logs"):
                    logs = write_logs(con, self.directory, self.run_id, batch, seq)
                on_buckets = None
                if self.target is not None and not full:  # the version's views over the parts, meanwhile
                    parts = previous.parts + written.parts + tuple(logs)
                    begun = replace(previous, parts=parts, place_inputs=batch.place_inputs, run_seq=seq)
                    self.begun = begin_patch(self.target, self.previous_path, self.directory, begun)
                    if self.begun is not None:
                        patch = self.begun
                        patch.also(lambda: read_versions(self.directory))  # what garbage collection reads

                        def on_buckets(buckets: dict[int, tuple[str, str]]) -> None:
                            patch.bind(replace(begun, buckets=buckets))

                inputs = Inputs(
                    self.directory, known, written, batch, self.run_id, full, n_buckets, on_buckets
                )
                with ExitStack() as beside:
                    premerged: Callable[[duckdb.DuckDBPyConnection], Premerged | None] = _merged_after
                    if first_merge:  # the thread beside gives the derivation its memory back when done
                        widening = beside.enter_context(closing(con.cursor()))
                        then = partial(fit.widen, widening)
                        premerged = beside.enter_context(
                            merging_beside(self.directory, segments, first_merge, self.run_id, then)
                        )
                    with stage("derive"):
                        derived = derive(inputs, con, clear=merging or logs_due(previous))
                    with stage("compact: beside, finished"):  # the run's thread takes what is left
                        ready = premerged(con)
                catalog = replace(
                    previous,
                    parts=previous.parts + written.parts + tuple(logs),
                    buckets=derived.buckets,
                    dead=derived.dead,
                    place_inputs=batch.place_inputs,
                    run_seq=seq,
                    n_buckets=n_buckets,
                    rollups=derived.rollups.files,
                    rollup_deltas=derived.rollups.deltas,
                    n_reports=derived.n_reports,
                )
                with stage("fold logs, compact"):
                    catalog = fold_logs(con, self.directory, catalog, self.run_id)
                    self.catalog = compact(con, self.directory, catalog, self.run_id, ready)
        finally:
            con.close()
            if spill.exists():  # only when DuckDB spilled: shutil not imported on a usual run
                import shutil

                shutil.rmtree(spill, ignore_errors=True)
        if run_row is not None:
            self.runs.append(run_row)

    def _reports(self, catalog: Catalog) -> int:
        """Reports in the catalogue's buckets (from the Parquet footers), or parsed in its parts."""
        files = catalog.files("reports") if catalog.buckets else catalog.files("reports_parsed")
        if not files:
            return 0
        paths = ", ".join("'" + str(self.directory / f).replace("'", "''") + "'" for f in files)
        con = duckdb.connect()
        try:
            found = con.execute(f"SELECT sum(num_rows) FROM parquet_file_metadata([{paths}])").fetchall()
        finally:
            con.close()
        return int(found[0][0] or 0)

    def write(self, path: Path) -> None:
        if self.catalog is None:
            raise WarehouseError("StoreRun.write before finish")
        begun, self.begun = self.begun, None
        if begun is not None and path != self.target:
            begun.abandon()
            begun = None
        with stage("write version"):
            write_version(path, self.directory, self.catalog, self.runs, self.previous_path, begun)

    def published(self, path: Path) -> None:
        """The version written by `write` is now `path`: keep its catalogue for garbage collection."""
        if self.catalog is not None:
            remember(path, self.catalog, self.runs)

    def abort(self) -> None:
        begun, self.begun = self.begun, None
        if begun is not None:  # wait for the version begun beside the derivation, and remove it
            begun.abandon()
        self.parts.close()
        import shutil

        for folder in ("parts", "derived"):
            shutil.rmtree(self.directory / folder / self.run_id, ignore_errors=True)


def add_rollups(directory: Path) -> Path:
    """Publish the current version again with every pre-aggregated table built (a warehouse written before
    they existed gets them so, without deriving its buckets again; an ingest would also build them)."""
    from warehouse.publish import publish
    from warehouse.store.rollups import build_all

    def change(run: StoreRun) -> None:
        previous = run.previous or Catalog()
        con = connect(None)
        try:
            built = build_all(con, directory, previous, run.run_id)
        finally:
            con.close()
        run.parts.close()
        run.catalog = replace(previous, rollups=built, rollup_deltas={})

    return publish(directory, change)[0]
