"""Ingest benchmark: reports/s per format and per core, the ratio to a bare lxml parse of the same files,
and peak memory.

    python benchmarks/ingest_bench.py [--agencies 100 | --national 2000] [--jobs 2] [--no-office]

Generates a corpus (the demo roster with `--agencies`, or the first N reports of the national roster
with `--national N`) into a temporary folder, then in one run:
1. the lxml floor: every file parsed by lxml alone on one core (HTML and text with lxml.html, DOCX's
   word/document.xml with lxml.etree; PDFs have no lxml floor and are left out of the ratio);
2. the parser alone, per format, on one core (median and p95 per report, reports/s);
3. `ingest --jobs N` into a fresh warehouse (reports/s, per core) and a re-ingest of the same folder.
Ratio = ingest wall time ÷ lxml time of the same non-PDF files (the issue's measure: today 69×, target
25×), with PDFs counted in the ingest time when present (use --no-office to leave them out).
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import tempfile
import time
import zipfile
from collections import defaultdict
from pathlib import Path

import lxml.html
from lxml import etree

from etl.errors import XxgkError
from etl.pipeline import parse_file
from xxgk.ingest import ingest
from xxgk.samples import generate_corpus
from xxgk.samples.national import write_national

TEXT_LIKE = (".html", ".htm", ".shtml", ".txt")


def _files(folder: Path, office: bool) -> list[Path]:
    found = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.endswith(".json"))
    if not office:
        found = [p for p in found if p.suffix in TEXT_LIKE]
    return [p for p in found if "bad" not in p.relative_to(folder).parts]


def _lxml_floor(files: list[Path]) -> tuple[float, int]:
    """Seconds lxml alone takes to parse the files it can parse, and how many."""
    total, count = 0.0, 0
    for path in files:
        data = path.read_bytes()
        start = time.perf_counter()
        if path.suffix in TEXT_LIKE:
            lxml.html.document_fromstring(data)
        elif path.suffix == ".docx":
            with zipfile.ZipFile(io.BytesIO(data)) as package:
                etree.fromstring(package.read("word/document.xml"))
        else:
            continue
        total += time.perf_counter() - start
        count += 1
    return total, count


def _parse_times(files: list[Path]) -> dict[str, list[float]]:
    times: dict[str, list[float]] = defaultdict(list)
    for path in files:
        start = time.perf_counter()
        try:
            parse_file(path)
        except XxgkError:
            continue
        times[path.suffix].append(time.perf_counter() - start)
    return times


def _corpus(folder: Path, args: argparse.Namespace) -> None:
    start = time.perf_counter()
    if args.national:
        written = write_national(folder, limit=args.national, workers=args.jobs)
    else:
        written = len(generate_corpus(folder, n_agencies=args.agencies))
    print(f"generated {written} reports in {time.perf_counter() - start:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=100)
    parser.add_argument("--national", type=int, default=0, help="first N reports of the national roster")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-office", action="store_true", help="leave DOCX and PDF files out")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus, warehouse = Path(tmp) / "corpus", Path(tmp) / "wh"
        _corpus(corpus, args)
        files = _files(corpus, not args.no_office)
        if args.no_office:
            for other in set(_files(corpus, True)) - set(files):
                other.unlink()
        floor, floor_files = _lxml_floor(files)
        rate = floor_files / floor
        print(f"lxml floor: {floor_files} files in {floor:.2f} s ({rate:.0f} files/s on one core)")
        for suffix, times in sorted(_parse_times(files).items()):
            ms = sorted(t * 1000 for t in times)
            p95 = ms[int(len(ms) * 0.95) - 1] if len(ms) > 1 else ms[0]
            rate = len(ms) / (sum(ms) / 1000)
            print(
                f"parse {suffix:<7} n={len(ms):<6} median {statistics.median(ms):6.1f} ms  "
                f"p95 {p95:6.1f} ms  {rate:5.0f} reports/s on one core"
            )
        start = time.perf_counter()
        summary = ingest([corpus], warehouse, jobs=args.jobs)
        seconds = time.perf_counter() - start
        loaded = summary.count("loaded")
        print(
            f"ingest --jobs {args.jobs}: {loaded} reports in {seconds:.1f} s "
            f"({loaded / seconds:.0f} reports/s, {loaded / seconds / args.jobs:.0f}/s per core); "
            f"{seconds / floor:.0f}× the lxml floor "
            f"({seconds * args.jobs / floor:.0f}× per core)"
        )
        start = time.perf_counter()
        again = ingest([corpus], warehouse, jobs=args.jobs)
        seconds = time.perf_counter() - start
        print(f"re-ingest unchanged: {again.count('unchanged')} reports in {seconds:.1f} s")
        size = sum(p.stat().st_size for p in warehouse.rglob("*") if p.is_file()) / 2**20
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(
            f"warehouse {size:.1f} MiB; peak RSS driver {peak:.0f} MiB, largest worker {workers:.0f} MiB; "
            f"load average {os.getloadavg()[0]:.1f}"
        )


if __name__ == "__main__":
    main()
