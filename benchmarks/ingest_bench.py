"""Ingest benchmark: reports/s per format and per core, the ratio to a bare lxml parse of the same files,
and peak memory.

    python benchmarks/ingest_bench.py [--agencies 100 | --national 2000 | --corpus DIR] [--jobs 2]
                                      [--no-office | --no-pdf] [--repeat 1]

Generates a corpus (the demo roster with `--agencies`, or the first N reports of the national roster
with `--national N`) into a temporary folder, or copies an existing one (`--corpus DIR`, e.g. a folder
written by `xxgk samples --national`), then in one run:
1. the lxml floor: every file parsed by lxml alone on one core, in CPU seconds (HTML and text with
   lxml.html, DOCX's word/document.xml with lxml.etree; PDFs have no lxml floor and are left out);
2. the parser alone, per format, on one core (CPU time: median and p95 per report, reports/s);
3. `ingest --jobs N` into a fresh warehouse (reports/s, per core) and a re-ingest of the same folder.
Ratio = ingest wall time ÷ lxml time of the same non-PDF files (the issue's measure: target 25×), with
PDFs counted in the ingest time when present (`--no-pdf` leaves them out, `--no-office` DOCX too).
CPU seconds (this process and its workers) are printed beside wall times: on a shared machine they are
the honest figure. `--repeat N` runs everything N times and the best is the one to quote.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
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


def _files(folder: Path, office: bool, pdf: bool = True) -> list[Path]:
    found = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.endswith(".json"))
    if not office:
        found = [p for p in found if p.suffix in TEXT_LIKE]
    if not pdf:
        found = [p for p in found if p.suffix != ".pdf"]
    return [p for p in found if "bad" not in p.relative_to(folder).parts]


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the ingest's worker processes)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _lxml_floor(files: list[Path]) -> tuple[float, int, dict[str, float]]:
    """Seconds lxml alone takes to parse the files it can parse, how many, and seconds per suffix."""
    total, count = 0.0, 0
    per_suffix: dict[str, float] = defaultdict(float)
    for path in files:
        data = path.read_bytes()
        start = time.process_time()
        if path.suffix in TEXT_LIKE:
            lxml.html.document_fromstring(data)
        elif path.suffix == ".docx":
            with zipfile.ZipFile(io.BytesIO(data)) as package:
                etree.fromstring(package.read("word/document.xml"))
        else:
            continue
        took = time.process_time() - start
        total += took
        per_suffix[path.suffix] += took
        count += 1
    return total, count, per_suffix


def _parse_times(files: list[Path]) -> dict[str, list[float]]:
    times: dict[str, list[float]] = defaultdict(list)
    for path in files:
        start = time.process_time()
        try:
            parse_file(path)
        except XxgkError:
            continue
        times[path.suffix].append(time.process_time() - start)
    return times


def _corpus(folder: Path, args: argparse.Namespace) -> None:
    start = time.perf_counter()
    if args.corpus:
        shutil.copytree(args.corpus, folder)
        print(f"copied {args.corpus}")
        return
    if args.national:
        written = write_national(folder, limit=args.national, workers=args.jobs)
    else:
        written = len(generate_corpus(folder, n_agencies=args.agencies))
    print(f"generated {written} reports in {time.perf_counter() - start:.1f} s")


def _report_parse(files: list[Path], floor_by_suffix: dict[str, float]) -> None:
    for suffix, times in sorted(_parse_times(files).items()):
        ms = sorted(t * 1000 for t in times)
        p95 = ms[int(len(ms) * 0.95) - 1] if len(ms) > 1 else ms[0]
        rate = len(ms) / (sum(ms) / 1000)
        floor = floor_by_suffix.get(suffix)
        ratio = f"{sum(ms) / 1000 / floor:5.0f}× its lxml parse" if floor else "no lxml floor"
        print(
            f"parse {suffix:<7} n={len(ms):<6} median {statistics.median(ms):6.1f} ms  "
            f"p95 {p95:6.1f} ms  {rate:5.0f} reports/s on one core  {ratio}"
        )


def _run(corpus: Path, warehouse: Path, args: argparse.Namespace) -> None:
    files = _files(corpus, not args.no_office, not args.no_pdf)
    floor, floor_files, floor_by_suffix = _lxml_floor(files)
    print(f"lxml floor: {floor_files} files in {floor:.2f} s ({floor_files / floor:.0f} files/s on one core)")
    _report_parse(files, floor_by_suffix)
    shutil.rmtree(warehouse, ignore_errors=True)
    start, cpu = time.perf_counter(), _cpu()
    summary = ingest([corpus], warehouse, jobs=args.jobs)
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    loaded = summary.count("loaded")
    print(
        f"ingest --jobs {args.jobs}: {loaded} reports in {seconds:.1f} s "
        f"({loaded / seconds:.0f} reports/s, {loaded / seconds / args.jobs:.0f}/s per core); "
        f"{seconds / floor:.0f}× the lxml floor ({seconds * args.jobs / floor:.0f}× per core); "
        f"CPU {cpu:.1f} s ({loaded / cpu:.0f} reports per CPU second, {cpu / floor:.0f}× the lxml floor); "
        f"load average {os.getloadavg()[0]:.1f}"
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=100)
    parser.add_argument("--national", type=int, default=0, help="first N reports of the national roster")
    parser.add_argument("--corpus", type=Path, default=None, help="copy this folder instead of generating")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-office", action="store_true", help="leave DOCX and PDF files out")
    parser.add_argument("--no-pdf", action="store_true", help="leave PDF files out")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus, warehouse = Path(tmp) / "corpus", Path(tmp) / "wh"
        _corpus(corpus, args)
        kept = _files(corpus, not args.no_office, not args.no_pdf)
        for other in set(_files(corpus, True)) - set(kept):
            other.unlink()
        for run in range(args.repeat):
            print(f"run {run + 1} of {args.repeat}")
            _run(corpus, warehouse, args)


if __name__ == "__main__":
    main()
