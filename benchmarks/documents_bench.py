"""Time the two documents on a warehouse: the summary of the largest county, city and province-year
(DOCX and XLSX) and one agency's comparison (DOCX, XLSX, HTML). Best of three runs; peak memory.

    .venv/bin/python benchmarks/documents_bench.py --warehouse demo/data
    .venv/bin/python benchmarks/documents_bench.py --agencies 200      # builds a corpus first
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from warehouse.db import connect  # noqa: E402
from warehouse.documents.make import comparison_bytes, summary_bytes  # noqa: E402
from warehouse.documents.summary import SummaryRequest  # noqa: E402
from warehouse.publish import require_current  # noqa: E402

LARGEST = """
SELECT {level}_code, year, count(*) AS n FROM reports
WHERE is_current AND {level}_code IS NOT NULL AND NOT coalesce(is_vertical, FALSE)
  AND coalesce(scope, 'own') = 'own' AND template = 'v2021'
GROUP BY ALL ORDER BY n DESC, year DESC LIMIT 1
"""
CONSECUTIVE = """
SELECT b.agency_id, b.year
FROM reports AS a JOIN reports AS b ON b.agency_id = a.agency_id AND b.year = a.year + 1
WHERE a.is_current AND b.is_current AND b.template = 'v2021' ORDER BY b.year DESC, b.agency_id LIMIT 1
"""


def best_of(runs: int, call: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return min(times)


def build(agencies: int, base: Path) -> Path:
    from xxgk.ingest import ingest
    from xxgk.samples import generate_corpus

    generate_corpus(base / "samples", n_agencies=agencies)
    ingest([base / "samples"], base / "data", jobs=2)
    return base / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=None)
    parser.add_argument("--agencies", type=int, default=36)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = args.warehouse or build(args.agencies, Path(tmp))
        version = require_current(directory)
        con = connect(version, read_only=True)
        try:
            targets = [
                (level, *con.execute(LARGEST.format(level=level)).fetchall()[0])
                for level in ("county", "city", "province")
            ]
            agency, year = con.execute(CONSECUTIVE).fetchall()[0]
            reports = con.execute("SELECT count(*) FROM reports").fetchall()[0][0]
        finally:
            con.close()
        print(f"warehouse {version.name}: {reports} reports")
        for level, place, place_year, units in targets:
            request = SummaryRequest(str(place), int(place_year), template="v2021")
            for fmt in ("docx", "xlsx"):
                seconds = best_of(args.runs, lambda r=request, f=fmt: summary_bytes(version, r, f))
                print(
                    f"summary {level:8} {place} {place_year} ({units} units) {fmt}: {seconds * 1000:.0f} ms"
                )
        for fmt in ("docx", "xlsx", "html"):
            seconds = best_of(args.runs, lambda f=fmt: comparison_bytes(version, agency, (year - 1, year), f))
            print(f"compare {agency} {year - 1}-{year} {fmt}: {seconds * 1000:.0f} ms")
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
