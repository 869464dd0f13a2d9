"""Rewrite a warehouse copy's parts in the row groups the code writes today, as compaction would.

    python benchmarks/rewrite_parts.py --warehouse COPY [--rows RELATION=N ...] [--relation R ...] [--buckets]

Parts keep the row groups they were written with until compaction merges their segment; a store built
before a change of `parts.PART_ROW_GROUPS` (the kept synthetic stores) shows the change only after that.
This writes every segment's part files of the current version again with compaction's SQL
(`compact.merge_sql`: the same rows without the dead ones, in the part's sort order) and
`parts.part_row_group` (or `--rows`), each to a new file renamed over the old name, so the version files
keep naming them; with `--buckets`, the buckets' report files too, as a run writes them
(`parts.BUCKET_DICTIONARY`), the same rows in the same order. Only for a copy of a benchmark store: the
store's files are immutable otherwise, and a reader of a version that names a rewritten file would see
it change under it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

from warehouse.db import quoted
from warehouse.engine import duckdb
from warehouse.store.catalog import PART_RELATIONS
from warehouse.store.compact import merge_sql
from warehouse.store.parts import BUCKET_DICTIONARY, ROW_GROUP_ROWS, copy_to, part_row_group
from warehouse.store.writer import open_catalog


def rewrite(
    directory: Path, sizes: dict[str, int], relations: set[str] | None = None, buckets: bool = False
) -> list[tuple[str, int, int, int]]:
    """(file, rows, bytes before, bytes after) of every part file rewritten (of `relations`, or all;
    `buckets`: the buckets' report files too)."""
    version = directory / (directory / "CURRENT").read_text().strip()
    catalog, _ = open_catalog(version)
    con = duckdb.connect()
    con.execute("SET memory_limit = '1GB'")  # sorting a segment of 7M facts took 4.6 GB without it
    con.execute(f"SET temp_directory = '{directory / 'rewrite-spill'}'")
    done = []
    try:
        for part in catalog.parts:
            if not part.segment or part.relation not in PART_RELATIONS:
                continue
            if relations and part.relation not in relations:
                continue
            target = directory / part.file
            before = target.stat().st_size
            new = target.with_name(target.name + ".rewrite")
            sql = merge_sql(directory, part.relation, [part.file], sorted(catalog.dead))
            rows = copy_to(con, sql, new, sizes.get(part.relation, part_row_group(part.relation)))
            os.replace(new, target)
            done.append((part.file, rows, before, target.stat().st_size))
        for file, _ in catalog.buckets.values() if buckets else ():
            target = directory / file
            before = target.stat().st_size
            new = target.with_name(target.name + ".rewrite")
            sql = f"SELECT * FROM read_parquet({quoted(target)})"
            rows = copy_to(con, sql, new, ROW_GROUP_ROWS, dictionary=BUCKET_DICTIONARY)
            os.replace(new, target)
            done.append((file, rows, before, target.stat().st_size))
    finally:
        con.close()
        shutil.rmtree(directory / "rewrite-spill", ignore_errors=True)
    return done


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--rows", action="append", default=[], help="RELATION=N: rows per row group")
    parser.add_argument("--relation", action="append", default=[], help="only these relations")
    parser.add_argument("--buckets", action="store_true", help="the buckets' report files too")
    args = parser.parse_args()
    sizes = {k: int(v) for k, v in (s.split("=", 1) for s in args.rows)}
    start = time.perf_counter()
    done = rewrite(args.warehouse, sizes, set(args.relation) or None, args.buckets)
    for file, rows, before, after in done:
        print(f"{file}: {rows} rows, {before / 2**20:.2f} → {after / 2**20:.2f} MiB")
    before, after = sum(d[2] for d in done) / 2**20, sum(d[3] for d in done) / 2**20
    print(
        f"{len(done)} files, {before:.1f} → {after:.1f} MiB in {time.perf_counter() - start:.1f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
