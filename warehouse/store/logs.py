"""Sources (path → content) and ingest errors as logs: one small file per run, the latest row per path
wins (an error row of kind 'cleared' removes an earlier error). Folded into one file when they pile up."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from warehouse.engine import duckdb
from warehouse.load import Batch
from warehouse.store.catalog import LOG_RELATIONS, Catalog, Part, stored_columns
from warehouse.store.parts import copy_to
from warehouse.store.version import insert_rows, scan_sql

MAX_LOG_FILES = 16
KEYS = {"sources_log": "path", "errors_log": "source_file"}


def _rows(batch: Batch, seq: int) -> dict[str, list[dict[str, object]]]:
    sources: list[dict[str, object]] = [
        {"path": p, "report_id": r, "seen_at": batch.at, "_seq": seq} for p, r in batch.sources.items()
    ]
    errors: list[dict[str, object]] = [
        {
            "source_file": e.path,
            "content_hash": e.content_hash,
            "kind": e.kind,
            "reason": e.reason,
            "recorded_at": batch.at,
            "_seq": seq,
        }
        for e in batch.errors
    ]
    errors += [
        {
            "source_file": path,
            "content_hash": None,
            "kind": "cleared",
            "reason": "",
            "recorded_at": batch.at,
            "_seq": seq,
        }
        for path in sorted(batch.cleared_errors - {e.path for e in batch.errors})
    ]
    return {"sources_log": sources, "errors_log": errors}


def write_logs(
    con: duckdb.DuckDBPyConnection, directory: Path, run_id: str, batch: Batch, seq: int
) -> list[Part]:
    """The run's log files, written through `con` (an in-memory connection of the run)."""
    written = []
    for relation, rows in _rows(batch, seq).items():
        if not rows:
            continue
        columns = stored_columns(relation)
        con.execute(f"CREATE TEMP TABLE {relation} ({', '.join(f'{c} {t}' for c, t in columns)})")
        insert_rows(con, relation, [tuple(row[c] for c, _ in columns) for row in rows])
        name = f"parts/{run_id}/log-{relation}.parquet"
        copy_to(con, f"SELECT * FROM {relation} ORDER BY {KEYS[relation]}", directory / name)
        written.append(Part(relation, name, len(rows), ""))
    return written


def logs_due(catalog: Catalog) -> bool:
    """Whether the next run's `fold_logs` may fold a log (each run adds at most one file per log)."""
    return any(len(catalog.files(relation)) + 1 > MAX_LOG_FILES for relation in LOG_RELATIONS)


def fold_logs(con: duckdb.DuckDBPyConnection, directory: Path, catalog: Catalog, run_id: str) -> Catalog:
    """Replace a log's files by one holding only the latest row per path, when there are too many."""
    parts = list(catalog.parts)
    for relation in LOG_RELATIONS:
        files = catalog.files(relation)
        if len(files) <= MAX_LOG_FILES:
            continue
        key = KEYS[relation]
        drop = "WHERE kind <> 'cleared'" if relation == "errors_log" else ""
        sql = (
            f"SELECT * FROM (SELECT * FROM ({scan_sql(directory, relation, files)}) "
            f"QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY _seq DESC) = 1) {drop} ORDER BY {key}"
        )
        name = f"parts/{run_id}/folded-{relation}.parquet"
        rows = copy_to(con, sql, directory / name)
        parts = [p for p in parts if p.relation != relation] + [Part(relation, name, rows, "")]
    return replace(catalog, parts=tuple(parts))
