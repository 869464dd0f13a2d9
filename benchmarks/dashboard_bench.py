"""Dashboard benchmark: server-side time of every page (queries, reshaping, figures) over a big warehouse.

    python benchmarks/dashboard_bench.py [--agencies 850] [--warehouse DIR]
    python benchmarks/dashboard_bench.py --synthetic 10000 --synthetic 100000 --synthetic 1000000 \
        [--keep /work/wt/bench-stores]

Builds a warehouse of about 10,000 generated reports (示例数据) unless --warehouse names an existing one
(or, with --synthetic N, a warehouse of N reports written straight into the store by
benchmarks/synthetic_store.py, once per size; with --keep DIR they are kept in DIR/synthetic-<N> and
reused by the next run). A warehouse whose pre-aggregated tables are missing or of an older format gets
them first (as its next ingest would). Then runs each page (or those named by --page) with Streamlit's
AppTest: cold (caches cleared) and warm, over the whole warehouse and filtered to one county, and prints
the best and the median of --repeat runs. `--open SECTION` (repeatable; `all` for every one) runs the pages
with that lazy section opened through its URL parameter (`rank_open=1`, …): the sections a large
warehouse shows closed (`dashboard.components.OPEN_UP_TO`). Targets (issue 12): under 150 ms cold per
page at 100,000 reports, under 300 ms at 1,000,000.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
from streamlit.testing.v1 import AppTest

from dashboard.state import PAGE_CPU_SECONDS, PAGE_SECONDS
from warehouse.db import connect
from warehouse.publish import current_version
from xxgk.ingest import ingest
from xxgk.samples import generate_corpus

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
PAGES = ("overview", "proactive", "requests", "appeals", "staffing", "agencies", "quality", "report")
SECTIONS = ("rank_open", "coverage_open", "cmp_open", "findings_open", "review_open")
"""The URL parameters of the lazy expanders (`components.lazy_expander`): the agencies page's ranking, the
quality page's coverage grid, the comparison of an agency's two years, the review findings, the review
listing. A page ignores those it does not have."""


def opened(sections: list[str] | None) -> dict[str, str]:
    """URL parameters opening `sections` (names from SECTIONS, or `all`)."""
    chosen = SECTIONS if sections and "all" in sections else tuple(sections or ())
    return {key: "1" for key in chosen}


def _build(directory: Path, agencies: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        docs = generate_corpus(Path(tmp) / "corpus", n_agencies=agencies)
        print(f"generated {len(docs)} reports in {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        summary = ingest([Path(tmp) / "corpus"], directory, jobs=os.cpu_count() or 1)
        print(f"ingested {summary.count('loaded')} reports in {time.perf_counter() - start:.1f} s")


def ran(page: str, params: dict[str, str]) -> AppTest:
    """The page run once in AppTest with these URL parameters; a page that raised ends the benchmark."""
    at = AppTest.from_file(str(APP), default_timeout=300)
    for key, value in params.items():
        at.query_params[key] = value
    if page != "overview":
        at.switch_page(f"views/{page}.py")
    at.run()
    if at.exception:
        raise SystemExit(f"{page}: {at.exception[0].value}")
    return at


def _run(page: str, params: dict[str, str]) -> float:
    """Seconds the page's script took server-side: its queries, reshaping, figures and elements (the router
    and the AppTest harness are not counted). The CPU time it took goes to CPU_SECONDS."""
    at = ran(page, params)
    CPU_SECONDS.append(float(at.session_state[PAGE_CPU_SECONDS]))
    return float(at.session_state[PAGE_SECONDS])


CPU_SECONDS: list[float] = []
"""The CPU time of each page run (all the process's threads: on a loaded machine it says more than wall
time, which waits for the cores)."""


def _county(directory: Path) -> dict[str, str]:
    version = current_version(directory)
    assert version is not None
    con = connect(version, read_only=True)
    try:
        row = con.execute("""
            SELECT province_code, city_code, county_code FROM reports
            WHERE is_current AND county_code IS NOT NULL
            GROUP BY ALL ORDER BY count(*) DESC LIMIT 1""").fetchall()
        (reports,) = con.execute("SELECT count(*) FROM reports WHERE is_current").fetchall()[0]
    finally:
        con.close()
    print(f"warehouse {version.name}: {reports} current reports")
    if not row:
        return {}
    return {"province": row[0][0], "city": row[0][1], "county": row[0][2]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=850)
    parser.add_argument("--warehouse", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--synthetic", type=int, action="append", default=None, help="reports (repeatable)")
    parser.add_argument("--keep", type=Path, default=None, help="keep and reuse synthetic warehouses here")
    parser.add_argument(
        "--page", action="append", choices=PAGES, default=None, help="only these (repeatable)"
    )
    parser.add_argument(
        "--open",
        action="append",
        choices=(*SECTIONS, "all"),
        default=None,
        help="run the pages with this lazy section opened (repeatable)",
    )
    args = parser.parse_args()
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    sections = opened(args.open)
    for size in args.synthetic or [0]:
        with tempfile.TemporaryDirectory() as tmp:
            directory = args.warehouse or Path(tmp) / "wh"
            if size:
                directory = (args.keep or Path(tmp)) / f"synthetic-{size}"
                _synthetic(directory, size)
            elif current_version(directory) is None:
                _build(directory, args.agencies)
            else:
                _with_rollups(directory)
            _bench(directory, args.repeat, tuple(args.page or PAGES), sections)


def _synthetic(directory: Path, size: int) -> None:
    from synthetic_store import build

    if current_version(directory) is None:
        print(f"synthetic warehouse of {size} reports built in {build(directory, size):.0f} s")
        return
    _with_rollups(directory)


def _with_rollups(directory: Path) -> None:
    """A warehouse written by an older xxgk gets the pre-aggregated tables this one reads (as its next
    ingest would give it): without them the pages scan the facts."""
    from warehouse.dashboard_queries import has_rollups
    from warehouse.store.writer import add_rollups

    version = current_version(directory)
    assert version is not None
    con = connect(version, read_only=True)
    try:
        rolled = has_rollups(con)  # of this xxgk's format (an older format is read as none)
    finally:
        con.close()
    if not rolled:
        start = time.perf_counter()
        add_rollups(directory)
        print(f"pre-aggregated tables added in {time.perf_counter() - start:.0f} s")


def _bench(
    directory: Path, repeat: int, pages: tuple[str, ...] = PAGES, sections: dict[str, str] | None = None
) -> None:
    os.environ["XXGK_WAREHOUSE"] = str(directory)
    whole = dict(sections or {})
    county = {**_county(directory), **whole}
    _run("overview", {})  # imports and the first connection, not counted
    if whole:
        print(f"opened: {', '.join(whole)}")
    print(
        f"{'page':<10} {'cold all':>9} {'warm all':>9} {'cold county':>12} {'warm county':>12}"
        f" {'cpu cold all':>13} {'cpu cold county':>16}"
        f"   (best / median of {repeat}, ms; load average {os.getloadavg()[0]:.1f})"
    )
    for page in pages:
        cold: list[float] = []
        warm: list[float] = []
        local: list[float] = []
        local_warm: list[float] = []
        cpu: list[float] = []
        local_cpu: list[float] = []
        for _ in range(repeat):
            st.cache_data.clear()
            cold.append(_run(page, whole))
            cpu.append(CPU_SECONDS[-1])
            warm.append(_run(page, whole))
            st.cache_data.clear()
            local.append(_run(page, county))
            local_cpu.append(CPU_SECONDS[-1])
            local_warm.append(_run(page, county))
        cells = ((cold, 9), (warm, 9), (local, 12), (local_warm, 12), (cpu, 13), (local_cpu, 16))
        print(f"{page:<10}" + "".join(_cell(t, w) for t, w in cells))
    print(f"load average after: {os.getloadavg()[0]:.1f}")


def _cell(times: list[float], width: int) -> str:
    text = f"{min(times) * 1000:.0f}/{statistics.median(times) * 1000:.0f}"
    return f" {text:>{width}}"


if __name__ == "__main__":
    main()
