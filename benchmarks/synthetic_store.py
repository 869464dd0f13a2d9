"""A warehouse of any size for the benchmarks, written straight into the store.

    python benchmarks/synthetic_store.py --reports 100000 --out /tmp/wh100k [--sources 300]

Parses a small national sample corpus for real (`--sources` reports), then clones those reports onto the
agency-years of the national roster (xxgk.samples.national): every clone has its own report id, agency
name, year, place and path, and the facts, checks, warnings, text and series of a parsed report of the
same template. Clones count as having tables of their own for X4 (their fingerprint is salted with the
clone's id), as real reports of different agencies almost always do. The parts are written with DuckDB
in segments of 50,000 reports, and the version is
published by the store's own full derivation (places, agencies, current versions, X1–X5), so the result
is a warehouse like any other — only its numbers repeat.
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import shutil
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from warehouse.db import connect
from warehouse.load import Batch
from warehouse.publish import current_version, publish
from warehouse.store.catalog import PART_RELATIONS, Part
from warehouse.store.parts import SORT_KEYS, copy_to, part_row_group
from warehouse.store.version import scan_sql
from warehouse.store.writer import StoreRun, open_catalog
from xxgk.ingest import ingest
from xxgk.samples.national import counties, national_plans, write_national

SEGMENT = 50_000
YEARS = range(2014, 2026)


def _county_codes() -> dict[tuple[str, str, str], str]:
    import csv
    from importlib import resources

    text = resources.files("etl").joinpath("data", "divisions.csv").read_text(encoding="utf-8")
    return {
        (r["province"], r["city"], r["name"]): r["code"]
        for r in csv.DictReader(text.splitlines())
        if r["level"] == "county"
    }


def _city_codes() -> dict[tuple[str, str], str]:
    import csv
    from importlib import resources

    text = resources.files("etl").joinpath("data", "divisions.csv").read_text(encoding="utf-8")
    return {
        (r["province"], r["name"]): r["code"]
        for r in csv.DictReader(text.splitlines())
        if r["level"] == "city"
    }


def _sources(directory: Path, n: int) -> tuple[Path, dict[str, list[str]]]:
    """A real warehouse of `n` national sample reports, and its report ids per template."""
    corpus = directory / "corpus"
    write_national(corpus, limit=n, workers=2)
    wh = directory / "wh"
    ingest([corpus], wh, jobs=2)
    version = current_version(wh)
    assert version is not None
    con = connect(version, read_only=True)
    try:
        by_template: dict[str, list[str]] = defaultdict(list)
        for report_id, template in con.execute(
            "SELECT report_id, template FROM reports ORDER BY 1"
        ).fetchall():
            by_template[template].append(report_id)
    finally:
        con.close()
    return wh, dict(by_template)


def _clone_rows(n: int, by_template: dict[str, list[str]]) -> list[dict[str, object]]:
    county_codes, city_codes = _county_codes(), _city_codes()
    rows: list[dict[str, object]] = []
    for agency, plans in national_plans(42, YEARS, n):
        code = (
            county_codes.get((agency.province, agency.city, agency.county or ""))
            if agency.county
            else city_codes.get((agency.province, agency.city))
        )
        for plan in plans:
            pool = by_template.get(plan.template) or next(iter(by_template.values()))
            index = len(rows)
            new_id = hashlib.sha256(f"synthetic|{index}".encode()).hexdigest()
            rows.append(
                {
                    "new_id": new_id,
                    "src_id": pool[index % len(pool)],
                    "agency": agency.name,
                    "year": plan.year,
                    "parsed_place_code": code,
                    "path": f"/synthetic/{agency.province}/{agency.city}/{plan.file_name}",
                }
            )
    return rows


def build(out: Path, reports: int, sources: int = 300) -> float:
    """Write a warehouse of `reports` reports into `out`; returns seconds."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        source_wh, by_template = _sources(Path(tmp), sources)
        print(
            f"parsed {sum(map(len, by_template.values()))} source reports "
            f"in {time.perf_counter() - started:.0f} s"
        )
        source_catalog, _ = open_catalog(current_version(source_wh))  # type: ignore[arg-type]
        rows = _clone_rows(reports, by_template)
        print(f"planned {len(rows)} clones over {len(counties())} counties")
        batch = Batch(at=datetime(2026, 1, 1), sources={c["path"]: c["new_id"] for c in rows})  # type: ignore[misc]
        clones = pa.Table.from_pylist(rows)  # columns, not a million dicts held through the derivation
        del rows

        def change(run: StoreRun) -> None:
            con = connect(None)
            try:
                for start in range(0, clones.num_rows, SEGMENT):
                    segment = f"{run.run_id}/s{start // SEGMENT:04d}"
                    run.parts.parts += write_segment(
                        con, run.directory, segment, source_wh, source_catalog, clones.slice(start, SEGMENT)
                    )
                    print(f"  wrote reports {start}..{min(start + SEGMENT, clones.num_rows)}", flush=True)
            finally:
                con.close()
            run.finish(batch, None, full=True)

        out.mkdir(parents=True, exist_ok=True)
        publish(out, change)
    return time.perf_counter() - started


def write_segment(con, directory: Path, segment: str, source_wh: Path, catalog, clones) -> list[Part]:  # type: ignore[no-untyped-def]
    """The part files of one segment of `clones` (sorted as the part writer sorts them); its parts."""
    con.register("clones", clones)
    parts = []
    for relation in PART_RELATIONS:
        source = scan_sql(source_wh, relation, catalog.files(relation))
        if relation == "reports_parsed":
            sql = f"""
                SELECT s.* REPLACE (c.new_id AS report_id, c.agency AS agency, c.year AS year,
                                    c.parsed_place_code AS parsed_place_code, c.path AS source_file,
                                    regexp_extract(c.path, '[^/]+$') AS file_name,
                                    md5(s._fingerprint || c.new_id) AS _fingerprint)
                FROM clones AS c JOIN ({source}) AS s ON s.report_id = c.src_id"""
        else:
            sql = f"""SELECT s.* REPLACE (c.new_id AS report_id)
                      FROM clones AS c JOIN ({source}) AS s ON s.report_id = c.src_id"""
        name = f"parts/{segment}-{relation}.parquet"
        copy_to(con, f"{sql} ORDER BY {SORT_KEYS[relation]}", directory / name, part_row_group(relation))
        rows = con.execute(f"SELECT count(*) FROM read_parquet('{directory / name}')").fetchall()[0][0]
        parts.append(Part(relation, name, int(rows), segment))
    con.unregister("clones")
    return parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--sources", type=int, default=300)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.out.exists():
        shutil.rmtree(args.out)
    seconds = build(args.out, args.reports, args.sources)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"built {args.reports} reports into {args.out} in {seconds:.0f} s, peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
